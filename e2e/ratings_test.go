package e2e

import (
	"fmt"
	"testing"
)

// TestBrowserRating: the greeting and the rating request's words come from
// the settings page; the rating request is refused before the agent's
// first reply; the visitor rates from the request with four stars and a
// comment, which the agent sees; and a second chat is rated after the
// visitor ended it.
func TestBrowserRating(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	agent := newTab(t, root, "agent")
	visitor := newTab(t, root, "visitor")
	signIn(agent, s)

	openSettings(agent)
	const greeting = "어서 오세요, 소담 상점입니다. 무엇을 도와드릴까요?"
	const request = "오늘 상담 어떠셨나요? 별점을 남겨 주세요."
	fill(agent, "[data-testid=settings-greeting]", greeting)
	fill(agent, "[data-testid=settings-rating-request]", request)
	agent.click("[data-testid=settings-save]")
	toastSays(agent, "저장했습니다.")
	agent.click("[data-testid=nav-chat]")

	openWidget(visitor, s.host.URL)
	agree(visitor)
	const hello = "찻잔 세트 문의드려요."
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	visitor.waitFrame("the greeting as the desk's message",
		`d.querySelector('[data-testid=widget-messages] li[data-code=greeting] .bubble')?.textContent === `+js(greeting))
	rate := `d.querySelector('[data-testid=widget-rate]')`
	if frameEval[bool](visitor, `return !`+rate+`.hidden;`) {
		visitor.fail("the rate button shows before any agent replied")
	}

	id := firstRequest(agent)
	openAndAssign(agent, id)
	consoleEvent(agent, "greeting")
	agent.click("[data-testid=rating-request-button]")
	toastSays(agent, "상담사가 답변한 뒤에 평가를 요청할 수 있습니다.")
	const reply = "네, 2인 세트와 4인 세트가 있습니다."
	consoleSend(agent, reply)
	widgetShows(visitor, "agent", reply)
	visitor.waitFrame("the rate button once the agent replied", rate+`.checkVisibility()`)

	agent.click("[data-testid=rating-request-button]")
	toastSays(agent, "고객에게 상담 평가를 요청했습니다.")
	consoleEvent(agent, "rating_requested")
	visitor.waitFrame("the rating request with its button",
		`d.querySelector('[data-testid=widget-messages] li[data-code=rating_requested] .bubble')?.textContent === `+js(request)+
			` && d.querySelector('[data-testid=widget-rating-request-button]').checkVisibility()`)
	visitor.frameClick("[data-testid=widget-rating-request-button]")
	visitor.waitFrame("the rating form", `d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`)
	// Sending without stars asks for them and sends nothing.
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the stars asked for", `d.querySelector('[data-testid=widget-rating-error]').textContent === '별점을 골라 주세요.'`)
	visitor.frameClick("[data-testid=widget-rating-star-4]")
	visitor.waitFrame("four stars chosen", `d.querySelector('[data-testid=widget-rating-stars]').dataset.score === '4'`)
	const comment = "친절하게 안내해 주셔서 감사합니다!"
	visitor.frameClick("[data-testid=widget-rating-comment]")
	visitor.write(comment)
	screenshot(t, visitor.ctx, "widget-rating", "")
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the thanks, and no more rate buttons",
		`d.querySelector('[data-testid=widget-rating-thanks]').textContent === '평가해 주셔서 감사합니다.' && !d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`+
			` && !`+rate+`.checkVisibility() && !d.querySelector('[data-testid=widget-rating-request-button]').checkVisibility()`)
	widgetEvent(visitor, "rated")

	// The agent sees the stars and the comment; the request is not offered
	// again.
	consoleEvent(agent, "rated")
	agent.waitFor("the rating in the console", `(() => {
		const li = document.querySelector('[data-testid=messages] li[data-code=rated]');
		return li.querySelector('.event').textContent.includes('★★★★☆') && li.querySelector('[data-testid=rated-comment]')?.textContent === `+js(comment)+`;
	})()`)
	agent.waitFor("the rating in the panel", `(() => {
		const dd = document.querySelector('[data-testid=details-conversation] dd[data-field=rating]');
		return dd?.dataset.score === '4' && dd.querySelector('.note')?.textContent === `+js(comment)+`;
	})()`)
	agent.waitFor("no rating request button once rated", `document.querySelector('[data-testid=rating-request-button]').hidden`)
	c, err := s.node.Store.Conversation(t.Context(), s.ws.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Rating == nil || c.Rating.Score != 4 || c.Rating.Comment != comment {
		t.Fatalf("stored rating %+v, want 4 stars with %q", c.Rating, comment)
	}

	// A second chat, ended by the visitor, is rated from the ended view.
	visitor.frameClick("[data-testid=widget-end]")
	visitor.frameClick("[data-testid=widget-end-confirm]")
	visitor.waitFrame("the first chat ended", `d.querySelector('[data-testid=widget]').dataset.view === 'ended'`)
	if frameEval[bool](visitor, `return `+rate+`.checkVisibility();`) {
		visitor.fail("the rate button shows for a chat rated already")
	}
	visitor.frameClick("[data-testid=widget-new-chat]")
	const again = "하나 더 여쭤볼게요."
	widgetSend(visitor, again)
	widgetShows(visitor, "visitor", again)
	agent.click("[data-testid=tab-unassigned]")
	agent.waitFor("the second request", fmt.Sprintf(`[...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].some((a) => a.dataset.conversationId !== '%d')`, id))
	second := eval[int64](agent, fmt.Sprintf(`Number([...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].find((a) => a.dataset.conversationId !== '%d').dataset.conversationId)`, id))
	openAndAssign(agent, second)
	const answer = "네, 말씀하세요."
	consoleSend(agent, answer)
	widgetShows(visitor, "agent", answer)
	visitor.frameClick("[data-testid=widget-end]")
	visitor.frameClick("[data-testid=widget-end-confirm]")
	visitor.waitFrame("the second chat ended, the rate button offered",
		`d.querySelector('[data-testid=widget]').dataset.view === 'ended' && `+rate+`.checkVisibility()`)
	visitor.frameClick("[data-testid=widget-rate]")
	visitor.frameClick("[data-testid=widget-rating-star-5]")
	visitor.frameClick("[data-testid=widget-rating-submit]")
	visitor.waitFrame("the thanks after the chat ended", `d.querySelector('[data-testid=widget-rating-thanks]').checkVisibility() && !`+rate+`.checkVisibility()`)
	consoleEvent(agent, "rated")
	agent.waitFor("five stars in the console", `document.querySelector('[data-testid=messages] li[data-code=rated] .event').textContent.includes('★★★★★')`)
}
