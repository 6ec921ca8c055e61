package e2e

import (
	"context"
	"fmt"
	"image/color"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// seedShopFAQ gives the workspace a few articles of a Korean shop's FAQ, as
// a manager would write them, and returns the refund article.
func seedShopFAQ(t *testing.T, s *site) chat.Article {
	t.Helper()
	ctx := context.Background()
	st := s.node.Store
	refunds := &chat.FAQCategory{WorkspaceID: s.ws.ID, Name: "환불", NameEN: "Refunds", Position: 1}
	delivery := &chat.FAQCategory{WorkspaceID: s.ws.ID, Name: "배송", NameEN: "Delivery", Position: 2}
	for _, c := range []*chat.FAQCategory{refunds, delivery} {
		if err := st.CreateFAQCategory(ctx, c, chat.Who{}); err != nil {
			t.Fatal(err)
		}
	}
	refund := chat.Article{WorkspaceID: s.ws.ID, CategoryID: refunds.ID, Lang: "ko", Published: true, Title: "환불은 언제 되나요?",
		Keywords: []string{"환불 기간", "refund"},
		BodyHTML: "<p>반품 상품이 물류센터에 도착해 검수가 끝나면 <b>영업일 1~3일</b> 안에 환불됩니다.</p><ul><li>카드: 승인 취소</li><li>무통장: 환불 계좌로 입금</li></ul>"}
	for _, a := range []*chat.Article{
		&refund,
		{WorkspaceID: s.ws.ID, CategoryID: refunds.ID, Lang: "ko", Published: true, Title: "카드 결제 환불(카드 승인 취소)", Keywords: []string{"카드취소"},
			BodyHTML: "<p>카드 결제는 승인 취소로 환불되며, 카드사에 따라 3~7영업일이 걸립니다.</p>"},
		{WorkspaceID: s.ws.ID, CategoryID: delivery.ID, Lang: "ko", Published: true, Title: "배송 조회는 어떻게 하나요?", Keywords: []string{"배송조회", "운송장", "tracking"},
			BodyHTML: "<p>출고되면 운송장 번호를 알림톡으로 보내 드립니다. 주문내역의 <b>배송 조회</b> 버튼으로도 확인할 수 있습니다.</p>"},
		{WorkspaceID: s.ws.ID, CategoryID: delivery.ID, Lang: "ko", Published: true, Title: "배송비는 얼마인가요?", Keywords: []string{"배송비", "무료배송", "shipping fee"},
			BodyHTML: "<p>기본 배송비는 3,000원이며 5만 원 이상 구매 시 무료배송입니다.</p>"},
		{WorkspaceID: s.ws.ID, Lang: "ko", Published: false, Title: "작성 중인 글", BodyHTML: "<p>초안</p>"},
	} {
		if err := st.CreateArticle(ctx, a, chat.Who{}); err != nil {
			t.Fatal(err)
		}
	}
	return refund
}

// TestBrowserRobot: with the robot on, a visitor asks in Korean and gets
// the right article, reads it in the frame and says it helped, then asks
// for an agent; the agent sees the robot's exchange above their own and the
// agent path robot-<site_id> > Admin, and "?" inserts an article; the
// visitor goes back to the bot, which ends the agent's part.
func TestBrowserRobot(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	s.configure(func(st *chat.Settings) { st.Robot.Enabled = true })
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	for _, p := range []*tab{agent, visitor} {
		p.do("size the page", chromedp.EmulateViewport(1366, 768))
	}
	signIn(agent, s)

	openWidget(visitor, s.host.URL)
	agree(visitor)
	visitor.waitFrame("Talk to an agent offered before the chat", `d.querySelector('[data-testid=widget-to-agent]')?.checkVisibility()`)
	widgetSend(visitor, "환불은 얼마나 걸려요?")
	robot := `[...d.querySelectorAll('[data-testid=widget-robot]')].at(-1)`
	visitor.waitFrame("the robot's answer with the refund article first",
		robot+`?.dataset.outcome === 'answered' && `+robot+`.querySelector('[data-testid=widget-robot-article]')?.dataset.articleId === '`+fmt.Sprint(refund.ID)+`'`)
	visitor.frameClick(`[data-testid=widget-robot] [data-testid=widget-robot-article][data-article-id='` + fmt.Sprint(refund.ID) + `']`)
	visitor.waitFrame("the article read in the frame", `d.querySelector('[data-testid=widget-faq-article-title]')?.textContent === `+js(refund.Title)+
		` && d.querySelector('[data-testid=widget-faq-body] b')?.textContent === '영업일 1~3일'`)
	screenshot(t, visitor.ctx, "widget-robot-article", "")
	visitor.frameClick("[data-testid=widget-faq-yes]")
	visitor.waitFrame("thanks for the answer", `d.querySelector('[data-testid=widget-faq-feedback] [role=status]')`)
	visitor.frameClick("[data-testid=widget-faq-close]")
	// Nothing in the FAQ: the robot says so and offers a person.
	widgetSend(visitor, "오늘 점심 메뉴 추천해 주세요")
	visitor.waitFrame("no answer, with a way to an agent", robot+`?.dataset.outcome === 'no_answer' && `+robot+`.querySelector('[data-testid=widget-robot-agent]')`)
	screenshot(t, visitor.ctx, "widget-robot", "")
	if n := waitHelpful(t, s, refund.ID); n != 1 {
		visitor.fail("the article counts %d helpful answers, want 1", n)
	}

	visitor.frameClick("[data-testid=widget-robot-agent]")
	visitor.waitFrame("handed over", `d.querySelector('[data-testid=widget-messages] li[data-code=handover]') && d.querySelector('[data-testid=widget-to-bot]')?.checkVisibility()`)

	// The agent sees the robot's exchange above their own.
	agent.click("[data-testid=nav-chat]")
	id := firstRequest(agent)
	openAndAssign(agent, id)
	agent.waitFor("the robot's answers in the thread", `document.querySelectorAll('[data-testid=messages] li[data-code=robot]').length === 3 && document.querySelector('[data-testid=messages] li[data-code=handover]')`+
		` && [...document.querySelectorAll('[data-testid=robot-articles] a')].some((a) => a.textContent === `+js(refund.Title)+`)`)
	consoleShows(agent, "visitor", "환불은 얼마나 걸려요?")
	agent.waitFor("the agent path from the robot", `[...document.querySelectorAll('dd')].some((dd) => dd.textContent === 'robot-`+s.ws.SiteID+` > Admin')`)
	screenshot(t, agent.ctx, "console-robot", "")

	// "?" searches the FAQ and inserts the article's text and link.
	list := `document.querySelector('[data-testid=faq-list]')`
	// Typed through the input method: Enter while a syllable is being
	// composed inserts nothing and sends nothing.
	agent.click("[data-testid=composer-input]")
	agent.keys("?")
	agent.compose("환")
	agent.compose("환불")
	agent.pressEnter(229)
	if got := composerValue(agent); got != "?환불" {
		agent.fail("after Enter during composition the composer holds %q, want ?환불", got)
	}
	agent.commit("환불")
	agent.waitFor("the FAQ list for ?환불", `!`+list+`.hidden && `+list+`.querySelector('[data-testid=faq-option]')`)
	clearComposer(agent)
	consoleType(agent, "?환불 기간")
	agent.waitFor("the FAQ list for ?환불 기간", `!`+list+`.hidden && `+list+`.querySelector('[data-testid=faq-option]')?.dataset.faqId === '`+fmt.Sprint(refund.ID)+`'`)
	screenshot(t, agent.ctx, "console-faq-insert", "")
	agent.keys("\r")
	url := fmt.Sprintf("%s/help/%s/articles/%d", s.baseURL, s.ws.SiteID, refund.ID)
	agent.waitFor("the article in the composer", `(() => { const v = document.querySelector('[data-testid=composer-input]').value; return v.startsWith('반품 상품이 물류센터에 도착해') && v.endsWith(`+js(url)+`); })() && `+list+`.hidden`)
	agent.keys("\r")
	visitor.waitFrame("the article's link reaches the visitor", `[...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=agent] .bubble')].some((b) => b.textContent.includes(`+js(url)+`))`)

	// Back to the bot: the agent's part ends with reason bot.
	visitor.frameClick("[data-testid=widget-to-bot]")
	visitor.waitFrame("a new chat with the robot", `[...d.querySelectorAll('[data-testid=widget-robot]')].length === 1 && d.querySelector('[data-testid=widget-robot]').dataset.outcome === 'welcome' && d.querySelector('[data-testid=widget-to-agent]')?.checkVisibility()`)
	if c, err := s.node.Store.Conversation(context.Background(), s.ws.ID, id); err != nil || c.State != chat.StateClosed || c.CloseReason != chat.CloseByBot {
		agent.fail("the agent's conversation is %+v (%v), want closed by bot", c, err)
	}

	// The agent takes the new chat over from the robot, without the
	// visitor asking for a person.
	agent.click("[data-testid=tab-unassigned]")
	next := fmt.Sprintf(`[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => a.dataset.conversationId !== '%d')`, id)
	agent.waitFor("the robot's new chat in the list", next)
	bot := eval[int64](agent, `Number(`+next+`.dataset.conversationId)`)
	agent.click(fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d']", bot))
	agent.waitFor("the take-over button", `document.querySelector('[data-testid=conversation]').dataset.state === 'ready' && document.querySelector('[data-testid=assign-button]').checkVisibility() && document.querySelector('[data-testid=assign-button]').textContent === '로봇 대신 상담하기'`)
	look(agent, "robot-takeover-ko")
	agent.click("[data-testid=assign-button]")
	agent.waitFor("the chat taken over", `document.querySelector('[data-testid=conversation-state]')?.dataset.state === 'waiting' && !document.querySelector('[data-testid=composer-input]').disabled`)
	consoleSend(agent, "안녕하세요, 제가 이어서 도와드릴게요")
	visitor.waitFrame("the handover and the agent's reply", `d.querySelector('[data-testid=widget-messages] li[data-code=handover]') && [...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=agent] .bubble')].some((b) => b.textContent === '안녕하세요, 제가 이어서 도와드릴게요')`)
	if c, err := s.node.Store.Conversation(context.Background(), s.ws.ID, bot); err != nil || c.State != chat.StateActive || len(c.AgentPath) != 2 || c.AgentPath[0].AgentID != 0 {
		agent.fail("the taken-over conversation is %+v (%v), want active with the robot first on its path", c, err)
	}
}

// waitHelpful reads the article's helpful count once the answer arrived.
func waitHelpful(t *testing.T, s *site, id int64) int {
	t.Helper()
	for range 50 {
		a, err := s.node.Store.Article(context.Background(), s.ws.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Helpful > 0 {
			return a.Helpful
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

// TestBrowserFAQOnPhone: on a phone, in English, the visitor browses the
// FAQ before any chat, searches with a typo-free English word and reads an
// article, and a manager edits an article with a preview that shows the
// body as saving keeps it.
func TestBrowserFAQOnPhone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	visitor.do("a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateScale(2)))
	openWidget(visitor, s.host.URL+"?head="+url.QueryEscape(`<script>window.SodamSettings = {language: 'en'};</script>`))
	visitor.frameClick("[data-testid=widget-faq-open]")
	visitor.waitFrame("the FAQ home by category", `d.querySelectorAll('[data-testid=widget-faq-item]').length === 4 && d.querySelector('.faq-group h3')?.textContent === 'Refunds'`)
	screenshot(t, visitor.ctx, "widget-faq-phone", "")
	visitor.frameClick("[data-testid=widget-faq-input]")
	visitor.write("refund")
	visitor.waitFrame("the search's answer", `d.querySelector('[data-testid=widget-faq-results] [data-testid=widget-faq-item]')?.dataset.articleId === '`+fmt.Sprint(refund.ID)+`'`)
	visitor.frameClick(`[data-testid=widget-faq-results] [data-testid=widget-faq-item]`)
	visitor.waitFrame("the article", `d.querySelector('[data-testid=widget-faq-article-title]')?.textContent === `+js(refund.Title)+` && d.querySelector('[data-testid=widget-faq-helpful], [data-testid=widget-faq-feedback]')?.textContent.includes('Did this answer your question?')`)
	screenshot(t, visitor.ctx, "widget-faq-article-phone", "")
	// A refused search is told in the widget's words, not the server's.
	visitor.frameClick("[data-testid=widget-faq-back]")
	frameEval[bool](visitor, `const q = d.querySelector('[data-testid=widget-faq-input]'); q.value = 'refund '.repeat(30); d.querySelector('[data-testid=widget-faq-search]').requestSubmit(); return true;`)
	visitor.waitFrame("the refusal in the widget's English", `d.querySelector('#faq-list [role=alert]')?.textContent === 'Please check what you entered.'`)

	// The editor: an unsafe body is previewed as it will be kept.
	agent := newTab(t, root, "agent")
	agent.do("size the page", chromedp.EmulateViewport(1366, 768))
	signIn(agent, s)
	openSettings(agent)
	agent.do("scroll to the FAQ card", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=faq-card]').scrollIntoView()`))
	agent.waitFor("the articles listed", `document.querySelectorAll('[data-testid=faq-item]').length === 5`)
	// Categories are ordered: delivery moves above refunds.
	first := `document.querySelector('[data-testid=faq-category-item]')`
	refundsID := eval[string](agent, first+`.dataset.categoryId`)
	agent.click("[data-testid=faq-category-item] [data-testid=faq-category-down]")
	agent.waitFor("refunds second", first+`.dataset.categoryId !== `+js(refundsID)+` && document.querySelectorAll('[data-testid=faq-category-item]')[1].dataset.categoryId === `+js(refundsID))
	fill(agent, "[data-testid=faq-title]", "교환 신청은 어떻게 하나요?")
	fill(agent, "[data-testid=faq-keywords]", "교환신청, exchange")
	fill(agent, "[data-testid=faq-body]", `<p onclick="alert(1)">주문내역에서 <b>교환 신청</b>을 누르세요.</p><script>alert(1)</script><img src=x onerror="alert(1)">`)
	agent.click("[data-testid=faq-published]")
	// An image goes through the blob store and into the body at the caret.
	photo := writeFile(t, t.TempDir(), "교환신청.png", pngImage(t, 120, 80, color.NRGBA{R: 29, G: 107, B: 88, A: 255}))
	agent.do("choose an image", chromedp.SetUploadFiles(chromedp.CSS("[data-testid=faq-image]"), []string{photo}))
	agent.waitFor("the image in the body", `document.querySelector('[data-testid=faq-body]').value.includes('<img src="`+s.baseURL+`/help/`+s.ws.SiteID+`/images/')`)
	// The caret waits in its alt text: what the manager types next describes the image.
	agent.write("교환 신청 버튼")
	agent.waitFor("the image described", `/<img src="[^"]+" alt="교환 신청 버튼">/.test(document.querySelector('[data-testid=faq-body]').value)`)
	agent.click("[data-testid=faq-preview-button]")
	agent.waitFor("the sanitized preview with the image", `(() => { const p = document.querySelector('[data-testid=faq-preview-body]'); return p.checkVisibility() && p.querySelector('b')?.textContent === '교환 신청' && !p.innerHTML.includes('onclick') && !p.innerHTML.includes('onerror') && !p.querySelector('script') && [...p.querySelectorAll('img')].some((i) => i.complete && i.naturalWidth === 120); })()`)
	agent.do("show the preview", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=faq-preview]').scrollIntoView({block: 'end'})`))
	screenshot(t, agent.ctx, "console-faq-editor", "")
	agent.click("[data-testid=faq-save]")
	agent.waitFor("the new article listed", `document.querySelectorAll('[data-testid=faq-item]').length === 6`)
	// The list carries no bodies: editing reads the article whole.
	agent.do("edit the new article", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('[data-testid=faq-item]')].find((li) => li.querySelector('strong').textContent === '교환 신청은 어떻게 하나요?').querySelector('[data-testid=faq-edit]').click()`))
	agent.waitFor("the article in the editor", `document.querySelector('[data-testid=faq-title]').value === '교환 신청은 어떻게 하나요?' && document.querySelector('[data-testid=faq-body]').value.includes('<b>교환 신청</b>') && document.querySelector('[data-testid=faq-keywords]').value === '교환신청, exchange' && document.querySelector('[data-testid=faq-published]').checked`)
	found := api[struct {
		Articles []struct{ Title string } `json:"articles"`
	}](agent, s, "GET", "/faq/search?q="+url.QueryEscape("교환하고 싶어요"), nil)
	if len(found.Articles) == 0 || found.Articles[0].Title != "교환 신청은 어떻게 하나요?" {
		agent.fail("search after saving: %+v", found)
	}
}

// TestBrowserHelpCenterWithoutJavaScript: the help center works with
// JavaScript off: home, category, article and search are pages with their
// titles, and "chat with us" is a link to the chat.
func TestBrowserHelpCenterWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	reader := newTab(t, root, "reader")
	reader.do("turn JavaScript off", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	for _, size := range [][2]int64{{1366, 768}, {390, 844}} {
		reader.do("size the page", chromedp.EmulateViewport(size[0], size[1]))
		reader.goTo(s.baseURL + "/help/" + s.ws.SiteID)
		title := eval[string](reader, `document.title`)
		if !strings.HasSuffix(title, "고객센터") {
			reader.fail("home title %q", title)
		}
		if eval[bool](reader, `!!document.getElementById('sodam-launcher')`) {
			reader.fail("a script ran with JavaScript off")
		}
		if size[0] == 1366 {
			screenshot(t, reader.ctx, "help-center", "")
		} else {
			screenshot(t, reader.ctx, "help-center-phone", "")
		}
	}
	reader.do("size the page", chromedp.EmulateViewport(1366, 768))
	reader.click(`a[href^="/help/` + s.ws.SiteID + `/categories/"]`)
	reader.waitFor("the category page", `document.querySelector('h1')?.textContent === '환불' && document.querySelectorAll('.list li').length === 2`)
	reader.click(fmt.Sprintf(`a[href^="/help/%s/articles/%d"]`, s.ws.SiteID, refund.ID))
	reader.waitFor("the article page", `document.title.startsWith(`+js(refund.Title)+`) && document.querySelector('.body b')?.textContent === '영업일 1~3일'`+
		` && document.querySelector('link[rel=canonical]').href === `+js(fmt.Sprintf("%s/help/%s/articles/%d?lang=ko", s.baseURL, s.ws.SiteID, refund.ID)))
	screenshot(t, reader.ctx, "help-center-article", "")
	// Search is a form: it works without a script.
	reader.click("#help-q")
	reader.write("배송조회\r")
	reader.waitFor("the search page", `location.pathname.endsWith('/search') && document.querySelector('.list li a')?.textContent === '배송 조회는 어떻게 하나요?'`)
	// "Chat with us" opens the chat in a page of its own.
	href := eval[string](reader, `document.getElementById('help-chat').getAttribute('href')`)
	if href != "/widget/frame?site_id="+s.ws.SiteID+"&lang=ko" {
		reader.fail("chat with us goes to %q", href)
	}
	// In English.
	reader.goTo(s.baseURL + "/help/" + s.ws.SiteID + "?lang=en")
	reader.waitFor("the English home", `document.documentElement.lang === 'en' && document.querySelector('#help-chat').textContent === 'Chat with us' && [...document.querySelectorAll('.group h2')].some((h) => h.textContent === 'Refunds')`)
}

// TestBrowserFAQLatestAnswer: in the widget's FAQ only the latest
// request's answer shows. The answer to an earlier search is held back
// (DevTools' Fetch domain) until a later search has answered, then let
// through: the later search's results stay. The same for an article
// opened, then another opened before the first arrives.
func TestBrowserFAQLatestAnswer(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	visitor.frameClick("[data-testid=widget-faq-open]")
	visitor.waitFrame("the FAQ home", `d.querySelectorAll('[data-testid=widget-faq-item]').length === 4`)

	search := func(q string) {
		frameEval[bool](visitor, `const q = d.querySelector('[data-testid=widget-faq-input]'); q.value = `+js(q)+`; d.querySelector('[data-testid=widget-faq-search]').requestSubmit(); return true;`)
	}
	// next takes the next request the page paused.
	next := func() fetch.RequestID {
		select {
		case e := <-visitor.held:
			return e.RequestID
		case <-time.After(waitTimeout):
			visitor.fail("no request was held")
		}
		return ""
	}
	let := func(id fetch.RequestID) {
		visitor.do("let a request go on", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
			return err
		}))
	}
	visitor.hold("*/api/v1/widget/faq/*")
	search("배송비")
	slow := next()
	search("환불 기간")
	let(next())
	results := `[...d.querySelectorAll('[data-testid=widget-faq-results] [data-testid=widget-faq-item]')].map((b) => b.dataset.articleId)`
	visitor.waitFrame("the later search's answer", results+`[0] === '`+fmt.Sprint(refund.ID)+`'`)
	want := frameEval[string](visitor, `return JSON.stringify(`+results+`);`)
	let(slow)
	// The earlier answer has arrived (a round trip to the frame and back
	// after it) and changed nothing.
	frameEval[bool](visitor, `return new Promise((done) => setTimeout(() => done(true), 300));`)
	if got := frameEval[string](visitor, `return JSON.stringify(`+results+`);`); got != want {
		visitor.fail("an earlier search's answer replaced the later one: %s, then %s", want, got)
	}

	// Two articles opened one after the other from the results: the
	// first's answer comes last and is not shown.
	items := `d.querySelectorAll('[data-testid=widget-faq-results] [data-testid=widget-faq-item]')`
	frameEval[bool](visitor, `const b = `+items+`; b[b.length - 1].click(); return true;`)
	slow = next()
	frameEval[bool](visitor, ``+items+`[0].click(); return true;`)
	let(next())
	visitor.waitFrame("the article opened last", `d.querySelector('[data-testid=widget-faq-article-title]')?.textContent === `+js(refund.Title))
	let(slow)
	frameEval[bool](visitor, `return new Promise((done) => setTimeout(() => done(true), 300));`)
	if got := frameEval[string](visitor, `return d.querySelector('[data-testid=widget-faq-article-title]')?.textContent ?? '';`); got != refund.Title {
		visitor.fail("an earlier article's answer replaced the later one: %q", got)
	}
}

// TestBrowserRobotOperationStopped: with the robot on and operation
// stopped, the widget offers only leave-a-message (§6), as the console
// told the manager who stopped it.
func TestBrowserRobotOperationStopped(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	seedShopFAQ(t, s)
	s.configure(func(st *chat.Settings) { st.Robot.Enabled = true; st.OperationStopped = true })
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "leave")
	visitor.waitFrame("the leave-a-message form, why, and no chat",
		`d.querySelector('[data-testid=widget-leave-form]').checkVisibility() && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'operation_stopped'`+
			` && !d.querySelector('[data-testid=widget-composer]').checkVisibility()`)
}

// TestBrowserRobotNobodyToTalkTo: with the robot on and the desk closed, a
// visitor who asks for a person before writing anything is offered the
// leave-a-message form, and no chat is started. A robot chat was started
// just to be refused the person: it showed among the robot's chats in the
// console and, closed when idle, counted as one the robot resolved.
func TestBrowserRobotNobodyToTalkTo(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	seedShopFAQ(t, s)
	s.configure(func(st *chat.Settings) {
		st.Robot.Enabled = true
		st.Hours.AlwaysOpen = false
		for i := range st.Hours.Days {
			st.Hours.Days[i] = chat.DayHours{} // closed every day
		}
	})
	root := browser(t)
	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	agreeTo(visitor, "chat") // the robot takes chats at any hour
	visitor.waitFrame("the offer of a person", `d.querySelector('[data-testid=widget-to-agent]').checkVisibility()`)
	visitor.frameClick("[data-testid=widget-to-agent]")
	visitor.waitFrame("the leave-a-message form, saying why", `d.querySelector('[data-testid=widget]').dataset.view === 'leave'`+
		` && d.querySelector('[data-testid=widget-offline]').dataset.reason === 'outside_hours'`)
	cs, err := s.node.Store.Conversations(context.Background(), s.ws.ID, chat.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 0 {
		t.Fatalf("asking for a person nobody could be started %d chat(s): %+v", len(cs), cs)
	}
}

// TestBrowserFAQEditorKeepsEdits: the editor sends the whole article, so a
// manager who saved after a colleague laid their copy over the colleague's
// edits without a word; now the save is refused, the manager's text stays
// in the form and the message says what a second save does. A manager who
// leaves the settings to answer a chat finds their unsaved article when
// they come back, and opening another article asks before dropping it.
func TestBrowserFAQEditorKeepsEdits(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	agent := newTab(t, root, "manager")
	agent.do("size the page", chromedp.EmulateViewport(1366, 768))
	signIn(agent, s)
	openSettings(agent)
	agent.waitFor("the articles listed", `document.querySelectorAll('[data-testid=faq-item]').length === 5`)
	editRefund := `document.querySelector('[data-testid=faq-item][data-article-id="` + fmt.Sprint(refund.ID) + `"] [data-testid=faq-edit]').click()`
	agent.do("edit the refund article", chromedp.Evaluate[chromedp.Void](editRefund))
	agent.waitFor("the article in the editor", `document.querySelector('[data-testid=faq-title]').value === `+js(refund.Title))

	// A colleague saves the article meanwhile.
	if _, err := s.node.Store.UpdateArticle(context.Background(), s.ws.ID, refund.ID, chat.ArticlePatch{BodyHTML: new("<p>동료가 고친 본문: 영업일 2일</p>")}, chat.Who{}); err != nil {
		t.Fatal(err)
	}
	fill(agent, "[data-testid=faq-title]", "환불은 언제 되나요? 🙏")
	agent.click("[data-testid=faq-save]")
	agent.waitFor("the conflict told", `document.querySelector('[data-testid=faq-error]').textContent.includes('다른 사람이 먼저 저장했습니다')`)
	if got, _ := s.node.Store.Article(context.Background(), s.ws.ID, refund.ID); got.Title != refund.Title || got.BodyText != "동료가 고친 본문: 영업일 2일" {
		agent.fail("the stale save changed the article: %+v", got)
	}
	if v := eval[string](agent, `document.querySelector('[data-testid=faq-title]').value`); v != "환불은 언제 되나요? 🙏" {
		agent.fail("the manager's title left the form: %q", v)
	}

	// Away to the chats and back: the unsaved title is still there.
	agent.click("[data-testid=nav-chat]")
	openSettings(agent)
	if v := eval[string](agent, `document.querySelector('[data-testid=faq-title]').value`); v != "환불은 언제 되나요? 🙏" {
		agent.fail("coming back to the settings dropped the unsaved title: %q", v)
	}
	// Opening another article asks first; no keeps the form.
	agent.do("edit another article", chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('[data-testid=faq-item]')].find((li) => li.dataset.articleId !== '`+fmt.Sprint(refund.ID)+`').querySelector('[data-testid=faq-edit]').click()`))
	agent.waitFor("the question", `document.querySelector('[data-testid=tools-confirm]')?.open && document.querySelector('[data-testid=tools-confirm] .question').textContent === '저장하지 않은 변경이 있습니다. 버릴까요?'`)
	agent.click("[data-testid=tools-confirm-cancel]")
	agent.waitFor("the form kept", `!document.querySelector('[data-testid=tools-confirm]').open && document.querySelector('[data-testid=faq-title]').value === '환불은 언제 되나요? 🙏'`)

	// Saving again, knowingly, replaces the colleague's version.
	agent.click("[data-testid=faq-save]")
	agent.waitFor("saved", `[...document.querySelectorAll('[data-testid=faq-item] strong')].some((s) => s.textContent === '환불은 언제 되나요? 🙏')`)
	if got, _ := s.node.Store.Article(context.Background(), s.ws.ID, refund.ID); got.Title != "환불은 언제 되나요? 🙏" {
		agent.fail("the second save: %+v", got)
	}
}

// TestBrowserFAQCategoryRename: a category's names can be changed in the
// console — it had only ↑, ↓ and ×, and a manager who fixed a name deleted
// the category and made it again, which left its articles without one.
func TestBrowserFAQCategoryRename(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	refund := seedShopFAQ(t, s)
	root := browser(t)
	agent := newTab(t, root, "manager")
	agent.do("size the page", chromedp.EmulateViewport(1366, 768))
	signIn(agent, s)
	openSettings(agent)
	chip := `document.querySelector('[data-testid=faq-category-item][data-category-id="` + fmt.Sprint(refund.CategoryID) + `"]')`
	agent.waitFor("the categories listed", chip+` !== null`)
	agent.do("rename refunds", chromedp.Evaluate[chromedp.Void](chip+`.querySelector('[data-testid=faq-category-rename]').click()`))
	agent.waitFor("its names in the form", `document.querySelector('[data-testid=faq-category-name]').value === '환불' && document.querySelector('[data-testid=faq-category-name-en]').value === 'Refunds' && document.querySelector('[data-testid=faq-category-add]').textContent === '저장' && !document.querySelector('[data-testid=faq-category-cancel]').hidden`)
	fill(agent, "[data-testid=faq-category-name]", "환불·반품 🔁")
	fill(agent, "[data-testid=faq-category-name-en]", "Refunds and returns")
	agent.click("[data-testid=faq-category-add]")
	agent.waitFor("the chip renamed", chip+`?.firstChild.textContent === '환불·반품 🔁 · Refunds and returns' && document.querySelector('[data-testid=faq-category-add]').textContent === '분류 추가' && document.querySelector('[data-testid=faq-category-name]').value === ''`)
	cats, err := s.node.Store.FAQCategories(context.Background(), s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cats) != 2 || cats[0].ID != refund.CategoryID || cats[0].Name != "환불·반품 🔁" || cats[0].NameEN != "Refunds and returns" {
		agent.fail("categories %+v", cats)
	}
	got, err := s.node.Store.Article(context.Background(), s.ws.ID, refund.ID)
	if err != nil || got.CategoryID != refund.CategoryID {
		agent.fail("the article's category: %+v %v", got, err)
	}
}
