package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Team administration as a support team meets it on its first day (issue
// 10): the master invites agents and a manager, each accepts in a browser
// of their own, they chat, the manager transfers, auto-assignment spreads
// chats, a deactivated agent's chats move on; the owner makes a second
// workspace; everyone can change their own password; the audit log tells
// what happened. At 1366×768 in Korean, and on a phone in English.

// Passwords the invited people choose (the server's zxcvbn accepts them).
const (
	jiwooPassword   = "푸른 하늘 은하수 2026"
	minhoPassword   = "likes green tea, 7 rivers"
	seoyeonPassword = "Harbor lights at dusk #42"
)

// desktop sizes the tab as a common laptop screen.
func desktop(p *tab) {
	p.t.Helper()
	p.do("size the page as a laptop", chromedp.EmulateViewport(1366, 768))
}

// prefer makes the tab's pages prefer the light or the dark colour
// scheme, as the person's system would.
func prefer(p *tab, scheme string) {
	p.t.Helper()
	p.do("prefer the "+scheme+" scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
}

// phone sizes the tab as a phone held upright, with touch.
func phone(p *tab) {
	p.t.Helper()
	p.do("size the page as a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))
}

// look saves what the tab shows to $SODAM_E2E_SHOTS/name.png when that is
// set, for a person to look at (make screenshots keeps README's own).
func look(p *tab, name string) {
	p.t.Helper()
	dir := os.Getenv("SODAM_E2E_SHOTS")
	readme, forReadme := readmeShots[name]
	if forReadme && os.Getenv("SODAM_UPDATE_SCREENSHOTS") != "" {
		buf := run(p, "take a screenshot", chromedp.CaptureScreenshot())
		if err := os.WriteFile(filepath.Join("..", "docs", "screenshots", readme+".png"), buf, 0o644); err != nil {
			p.t.Fatal(err)
		}
	}
	if dir == "" {
		return
	}
	buf := run(p, "take a screenshot", chromedp.CaptureScreenshot())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// readmeShots are the views README shows, refreshed by make screenshots.
var readmeShots = map[string]string{"team-ko": "console-team", "audit-ko": "console-audit", "ticket-thread-ko": "console-tickets"}

// allowClipboard lets the tab's pages read and write the clipboard, so a
// test can read what a copy button copied.
func allowClipboard(p *tab, origin string) {
	p.t.Helper()
	p.do("allow the clipboard", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		c := chromedp.FromContext(ctx)
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: cdpbrowser.PermissionSettingGranted,
				Origin: origin, BrowserContextID: c.BrowserContextID,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// setStatus chooses a status in the list pane and waits for the server to
// confirm it.
func setStatus(p *tab, status string) {
	p.t.Helper()
	p.do("choose "+status, chromedp.SetValue(chromedp.CSS("[data-testid=status-select]"), status),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=status-select]').dispatchEvent(new Event('change', {bubbles: true}))`))
	p.waitFor("the server to confirm "+status, `document.querySelector('[data-testid=status-select]').closest('label').dataset.status === `+js(status))
}

// choose sets a <select> and tells the page, as picking an option does.
func choose(p *tab, sel, value string) {
	p.t.Helper()
	// One script sets the value and fires change, so a render that a live
	// event makes between two browser calls cannot put the old value back
	// before the change reads it.
	p.do("choose "+value+" in "+sel, chromedp.WaitReady(chromedp.CSS(sel)), chromedp.Evaluate[chromedp.Void](`(() => { const el = document.querySelector(`+js(sel)+`); el.value = `+js(value)+
		`; if (el.value !== `+js(value)+`) throw new Error('no option '+`+js(value)+`); el.dispatchEvent(new Event('change', {bubbles: true})); })()`))
}

// confirm clicks the button sel until the confirmation dialog it opens
// is open (clickUntil: lists are redrawn as they reload) and answers yes.
func confirm(p *tab, sel string) {
	p.t.Helper()
	p.clickUntil(sel, `!!document.querySelector('[data-testid=tools-confirm]')?.open`)
	p.click("[data-testid=tools-confirm-yes]")
	p.waitFor("the confirmation dialog closed", `!document.querySelector('[data-testid=tools-confirm]').open`)
}

// openPage follows a side-bar link and waits for its page.
func openPage(p *tab, name string) {
	p.t.Helper()
	p.click("[data-testid=nav-" + name + "]")
	p.waitFor("the "+name+" page", `document.querySelector('#app').dataset.page === `+js(name)+` && document.querySelector('[data-testid=`+name+`]').checkVisibility()`)
}

// invite fills the invite dialog on the Team page, copies the link it
// shows with the copy button and returns what was copied. With shot, the
// link dialog is saved as a screenshot (see look).
func invite(p *tab, email, name, role string, shot ...string) string {
	p.t.Helper()
	p.click("[data-testid=team-invite]")
	p.waitFor("the invite dialog", `document.querySelector('[data-testid=invite-dialog]').open`)
	fill(p, "[data-testid=invite-dialog-email]", email)
	fill(p, "[data-testid=invite-dialog-name]", name)
	choose(p, "[data-testid=invite-dialog-role]", role)
	p.click("[data-testid=invite-dialog-submit]")
	p.waitFor("the invitation link", `document.querySelector('[data-testid=link-dialog]').open && document.querySelector('[data-testid=link-dialog]').dataset.kind === 'invite'`+
		` && document.querySelector('[data-testid=link-url]').value.includes('/console/invite?token=') && document.querySelector('[data-testid=link-text]').textContent.includes(`+js(email)+`)`)
	link := copyLink(p)
	for _, name := range shot {
		look(p, name)
	}
	p.click("[data-testid=link-done]")
	p.waitFor("the link dialog closed", `!document.querySelector('[data-testid=link-dialog]').open`)
	p.waitFor("the invitation in the list", `[...document.querySelectorAll('[data-testid=invitation][data-status=pending]')].some((li) => li.textContent.includes(`+js(email)+`))`)
	return link
}

// clipboardMu serializes the tests' use of the clipboard: it is the
// machine's, shared by every tab of the one Chromium the parallel tests use.
var clipboardMu sync.Mutex

// copyLink clicks the link dialog's copy button and returns what the
// clipboard then holds, checking it is what the dialog shows.
func copyLink(p *tab) string {
	p.t.Helper()
	clipboardMu.Lock()
	defer clipboardMu.Unlock()
	eval[bool](p, `navigator.clipboard.writeText('').then(() => true)`)
	p.click("[data-testid=link-copy]")
	p.waitFor("the link on the clipboard", `navigator.clipboard.readText().then((s) => s !== '')`)
	copied := eval[string](p, `navigator.clipboard.readText()`)
	if shown := eval[string](p, `document.querySelector('[data-testid=link-url]').value`); copied != shown {
		p.fail("copied %q, the dialog shows %q", copied, shown)
	}
	return copied
}

// accept opens an invitation link in a new person's tab, chooses a
// password and lands in the console.
func accept(p *tab, link, name, password string) {
	p.t.Helper()
	p.goTo(link)
	p.waitFor("the invitation screen with the invited name", `document.querySelector('#welcome').dataset.state === 'ready' && !document.querySelector('#welcome').hidden && document.querySelector('[data-testid=invite-name]').value === `+js(name))
	fill(p, "[data-testid=invite-password]", password)
	fill(p, "[data-testid=invite-confirm]", password)
	p.click("[data-testid=invite-submit]")
	p.waitFor("the console, at /console/", `location.pathname === '/console/' && location.search === '' && !document.querySelector('#app').hidden && document.querySelector('#welcome').hidden`)
	p.waitFor("the console live", `document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
}

// memberRow is the Team page's row of an agent.
func memberRow(id int64) string {
	return fmt.Sprintf("[data-testid=team-member][data-agent-id='%d']", id)
}

func (s *site) agentID(email string) int64 {
	s.t.Helper()
	a, err := s.node.Store.AgentByEmail(context.Background(), email)
	if err != nil {
		s.t.Fatalf("agent %s: %v", email, err)
	}
	return a.ID
}

func (s *site) conversation(wid, id int64) *chat.Conversation {
	s.t.Helper()
	c, err := s.node.Store.Conversation(context.Background(), wid, id)
	if err != nil {
		s.t.Fatalf("conversation %d: %v", id, err)
	}
	return c
}

// refusal calls the API from the page with the tab's session and returns
// the refusal's code ("" when it succeeded).
func refusal(p *tab, method, path string) string {
	p.t.Helper()
	return eval[string](p, fmt.Sprintf(`import('/console/api.js').then((m) => m.call(%s, %s).then(() => '', (e) => e.code))`, js(method), js(path)))
}

// hostFor serves a company page embedding another workspace's widget.
func hostFor(t *testing.T, s *site, siteID string) *httptest.Server {
	t.Helper()
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, hostPage, "", s.baseURL, siteID)
	}))
	t.Cleanup(h.Close)
	return h
}

// TestBrowserTeam is issue 10's "done when", in Korean at 1366×768.
func TestBrowserTeam(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	desktop(master)
	allowClipboard(master, s.baseURL)
	signIn(master, s)
	ctx := context.Background()

	// The master invites two agents and a manager on the Team page, and
	// copies each link from the dialog.
	openPage(master, "team")
	master.waitFor("the master alone on the team, able to invite", `document.querySelectorAll('[data-testid=team-member]').length === 1 && document.querySelector('[data-testid=team-invite]').checkVisibility() && document.querySelector('[data-testid=team-readonly]').hidden && document.querySelector('[data-testid=invitation-empty]').checkVisibility()`)
	linkJiwoo := invite(master, "jiwoo@example.com", "이지우", "agent")
	linkMinho := invite(master, "minho@example.com", "박민호", "agent")
	linkSeoyeon := invite(master, "seoyeon@example.com", "최서연", "manager")
	master.waitFor("three pending invitations", `document.querySelectorAll('[data-testid=invitation][data-status=pending]').length === 3`)
	// Inviting someone who is already a member is refused, and says why.
	master.click("[data-testid=team-invite]")
	fill(master, "[data-testid=invite-dialog-email]", adminEmail)
	fill(master, "[data-testid=invite-dialog-name]", "관리자")
	master.click("[data-testid=invite-dialog-submit]")
	master.waitFor("the already-member refusal", `document.querySelector('[data-testid=invite-dialog-error]').dataset.code === 'already_member' && document.querySelector('[data-testid=invite-dialog-error]').textContent.includes('이미')`)
	look(master, "team-invite-refused-ko")
	master.click("[data-testid=invite-dialog-cancel]")
	look(master, "team-invitations-ko")

	// Each accepts in a browser of their own; a guessable password is
	// refused on the way, with the reason.
	jiwoo := newTab(t, root, "agent 이지우")
	desktop(jiwoo)
	jiwoo.goTo(linkJiwoo)
	jiwoo.waitFor("the invitation for 이지우", `document.querySelector('#welcome').dataset.state === 'ready' && document.querySelector('[data-testid=invite-heading]').textContent.includes(`+js(s.ws.Name)+`) && document.querySelector('[data-testid=invite-email]').value === 'jiwoo@example.com'`)
	fill(jiwoo, "[data-testid=invite-password]", "password1234")
	jiwoo.waitFor("the hint saying it is weak", `Number(document.querySelector('[data-testid=invite-strength]').dataset.score) <= 1`)
	fill(jiwoo, "[data-testid=invite-confirm]", "password1234")
	jiwoo.click("[data-testid=invite-submit]")
	jiwoo.waitFor("the weak password refused", `document.querySelector('[data-testid=invite-error]').dataset.code === 'weak_password' && !document.querySelector('#welcome').hidden`)
	look(jiwoo, "invite-weak-ko")
	accept(jiwoo, linkJiwoo, "이지우", jiwooPassword)
	minho := newTab(t, root, "agent 박민호")
	desktop(minho)
	accept(minho, linkMinho, "박민호", minhoPassword)
	seoyeon := newTab(t, root, "manager 최서연")
	desktop(seoyeon)
	accept(seoyeon, linkSeoyeon, "최서연", seoyeonPassword)
	// A used link says so.
	used := newTab(t, root, "someone with a used link")
	used.goTo(linkMinho)
	used.waitFor("the used link refused", `document.querySelector('#welcome').dataset.state === 'invalid' && document.querySelector('[data-testid=invite-error]').dataset.code === 'invitation_used' && document.querySelector('[data-testid=invite-signin]').checkVisibility()`)
	jiwooID, minhoID, seoyeonID := s.agentID("jiwoo@example.com"), s.agentID("minho@example.com"), s.agentID("seoyeon@example.com")

	// The master sees them join, live; agents see no Team page, the
	// manager sees it but may not act.
	master.waitFor("four members", `document.querySelectorAll('[data-testid=team-member]').length === 4`)
	master.waitFor("the three online with their roles", fmt.Sprintf(`[[%d, 'agent'], [%d, 'agent'], [%d, 'manager']].every(([id, role]) => { const tr = document.querySelector("[data-testid=team-member][data-agent-id='" + id + "']"); return tr?.dataset.role === role && tr.dataset.active === 'true' && tr.querySelector('.status-dot').dataset.status === 'online'; })`, jiwooID, minhoID, seoyeonID))
	master.waitFor("no open invitation left, live", `document.querySelector('[data-testid=invitation-empty]').checkVisibility()`)
	master.click("[data-testid=invitation-show-all]")
	master.waitFor("three accepted invitations", `document.querySelectorAll('[data-testid=invitation][data-status=accepted]').length === 3`)
	look(master, "team-ko")
	jiwoo.waitFor("no Team link for an agent", `document.querySelector('[data-testid=nav-team]').hidden && document.querySelector('[data-testid=nav-audit]').hidden && document.querySelector('[data-testid=nav-workspaces]').hidden`)
	openPage(seoyeon, "team")
	seoyeon.waitFor("the Team page read-only for the manager", `!document.querySelector('[data-testid=team-readonly]').hidden && document.querySelector('[data-testid=team-invite]').hidden && document.querySelector('[data-testid=team-invitations]').hidden && document.querySelectorAll('[data-testid=team-member]').length === 4`+
		` && ![...document.querySelectorAll('[data-testid=member-role], [data-testid=member-deactivate], [data-testid=member-reset-password]')].some((el) => el.checkVisibility())`)
	seoyeon.click("[data-testid=nav-chat]")

	// The master turns on automatic assignment, found through the settings
	// page's section menu, and steps away; so does the manager.
	openSettings(master)
	master.click("[data-testid=settings-menu-item][data-section=routing]")
	master.waitFor("the routing card brought up and marked", `document.querySelector('[data-testid=settings-menu-item][data-section=routing]').getAttribute('aria-current') === 'true'`+
		` && Math.abs(document.querySelector('[data-testid=routing-form]').getBoundingClientRect().top - document.querySelector('[data-testid=settings]').getBoundingClientRect().top) < 40`)
	master.waitFor("the menu still in view", `document.querySelector('[data-testid=settings-menu]').getBoundingClientRect().top >= 0`)
	look(master, "settings-menu-ko")
	master.click("[data-testid=settings-mode-auto]")
	master.click("[data-testid=routing-save]")
	toastSays(master, "저장했습니다.")
	master.click("[data-testid=nav-chat]")
	setStatus(master, "away")
	setStatus(seoyeon, "away")

	// Two visitors write: auto-assignment gives one to each agent.
	seoyeon.click("[data-testid=tab-waiting]")
	v1, v2 := newTab(t, root, "visitor 1"), newTab(t, root, "visitor 2")
	openWidget(v1, s.host.URL)
	agree(v1)
	widgetSend(v1, "첫 번째 문의입니다.")
	widgetEvent(v1, "assigned")
	c1 := newConversation(seoyeon)
	openWidget(v2, s.host.URL)
	agree(v2)
	widgetSend(v2, "두 번째 문의예요.")
	widgetEvent(v2, "assigned")
	c2 := newConversation(seoyeon, c1)
	first, second := s.conversation(s.ws.ID, c1).AssigneeID, s.conversation(s.ws.ID, c2).AssigneeID
	if first == second || (first != jiwooID && first != minhoID) || (second != jiwooID && second != minhoID) {
		t.Fatalf("conversations assigned to %d and %d, want one each to %d and %d", first, second, jiwooID, minhoID)
	}
	byAgent := map[int64]*tab{jiwooID: jiwoo, minhoID: minho}
	for id, c := range map[int64]int64{first: c1, second: c2} {
		p := byAgent[id]
		p.click("[data-testid=tab-waiting]")
		p.waitFor("exactly their conversation in the waiting list", fmt.Sprintf(`(() => { const ids = [...document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]')].map((a) => a.dataset.conversationId); return ids.length === 1 && ids[0] === '%d'; })()`, c))
	}

	// The manager transfers the first chat to the other agent.
	other := map[int64]int64{jiwooID: minhoID, minhoID: jiwooID}[first]
	openConversation(seoyeon, c1)
	// The dialog asks for the members' statuses; its answer comes late,
	// after the master's status changed (below).
	seoyeon.holdAnswers("*/agents")
	seoyeon.click("[data-testid=transfer-button]")
	seoyeon.waitFor("the transfer dialog", `document.querySelector('[data-testid=transfer-dialog]').open`)
	// A status that changes while the dialog is open moves no row: the
	// master coming online would sort first, under the manager's pointer.
	masterID := s.agentID(adminEmail)
	// Only online agents receive a transfer (§3.1): the master, away, is
	// not offered; the manager, away too, may still choose herself, as a
	// take.
	radio := func(id int64) string {
		return fmt.Sprintf(`document.querySelector("[data-testid=transfer-agent][value='%d']")`, id)
	}
	seoyeon.waitFor("the master, away, not offered; the manager herself offered", radio(masterID)+`.disabled && !`+radio(seoyeonID)+`.disabled`)
	rows := `[...document.querySelectorAll('[data-testid=transfer-agents] label')].map((l) => l.dataset.agentId).join()`
	before := eval[string](seoyeon, rows)
	setStatus(master, "online")
	seoyeon.waitFor("the master shown online in the dialog, and offered", fmt.Sprintf(`document.querySelector("[data-testid=transfer-agents] label[data-agent-id='%d']")?.dataset.status === 'online'`, masterID)+` && !`+radio(masterID)+`.disabled`)
	if after := eval[string](seoyeon, rows); after != before {
		t.Fatalf("the dialog's rows moved from %s to %s while it was open", before, after)
	}
	// The members list the dialog asked for, read before the master came
	// online, arrives now: it does not put the master back away.
	answers := `performance.getEntriesByType('resource').filter((e) => e.name.endsWith('/agents')).length`
	asked := eval[int](seoyeon, answers)
	seoyeon.release()
	seoyeon.unhold()
	seoyeon.waitFor("the members list read", answers+` > `+fmt.Sprint(asked))
	eval[bool](seoyeon, `new Promise((done) => setTimeout(() => done(true), 200))`)
	if offered := eval[bool](seoyeon, `!`+radio(masterID)+`.disabled`); !offered {
		seoyeon.fail("a members list read before the master came online showed them away again")
	}
	setStatus(master, "away")
	seoyeon.waitFor("the master, away again, no longer offered", radio(masterID)+`.disabled`)
	// The list is redrawn as statuses change: click where the choice is, as
	// a person would, rather than hold on to its node.
	seoyeon.pick(fmt.Sprintf("[data-testid=transfer-agent][value='%d']", other))
	seoyeon.click("[data-testid=transfer-confirm]")
	seoyeon.waitFor("the transfer done", `!document.querySelector('[data-testid=transfer-dialog]').open`)
	consoleEvent(seoyeon, "transferred")
	if got := s.conversation(s.ws.ID, c1).AssigneeID; got != other {
		t.Fatalf("after the transfer conversation %d is assigned to %d, want %d", c1, got, other)
	}
	holder := byAgent[other] // now holds both chats
	holder.waitFor("both chats in the waiting list", `document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]').length === 2`)
	openConversation(holder, c1)
	consoleSend(holder, "제가 이어서 도와드릴게요.")
	consoleShows(holder, "agent", "제가 이어서 도와드릴게요.")
	widgetShows(v1, "agent", "제가 이어서 도와드릴게요.")
	look(holder, "chat-transferred-ko")

	// Mid-chat, the master deactivates that agent: their console says so
	// and stops, and both chats go to the other agent.
	master.click("[data-testid=nav-team]")
	confirm(master, memberRow(other)+" [data-testid=member-deactivate]")
	master.waitFor("the member shown deactivated", `document.querySelector("`+memberRow(other)+`").dataset.active === 'false' && document.querySelector("`+memberRow(other)+` [data-testid=member-reactivate]")`)
	holder.waitFor("the deactivated state", `document.querySelector('#app').dataset.page === 'deactivated' && document.querySelector('[data-testid=deactivated]').checkVisibility()`+
		` && document.querySelector('[data-testid=deactivated-text]').textContent.includes(`+js(s.ws.Name)+`) && document.querySelector('#login').hidden`)
	look(holder, "deactivated-ko")
	remaining := byAgent[first]
	remaining.waitFor("both chats re-routed to the other agent", `document.querySelectorAll('[data-testid=conversation-list] a[data-conversation-id]').length === 2`)
	for _, c := range []int64{c1, c2} {
		if got := s.conversation(s.ws.ID, c).AssigneeID; got != first {
			t.Fatalf("after deactivation conversation %d is assigned to %d, want %d", c, got, first)
		}
	}
	openConversation(remaining, c1)
	consoleSend(remaining, "담당자가 바뀌었어요. 계속 도와드릴게요.")
	consoleShows(remaining, "agent", "담당자가 바뀌었어요. 계속 도와드릴게요.")
	widgetShows(v1, "agent", "담당자가 바뀌었어요. 계속 도와드릴게요.")
	// The deactivated console does not try again and again.
	holder.waitFor("no reconnecting", `document.querySelector('[data-testid=connection]').dataset.state === 'stopped' && document.querySelector('[data-testid=reconnecting-banner]').hidden && document.querySelector('#app').dataset.page === 'deactivated'`)
	// Their session ended with it (no other workspace): signing in again
	// leads back to the same explanation.
	holder.do("reload the deactivated console", chromedp.Reload())
	holder.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	holder.do("sign in again",
		typeIn("[data-testid=login-email]", map[int64]string{jiwooID: "jiwoo@example.com", minhoID: "minho@example.com"}[other]),
		typeIn("[data-testid=login-password]", map[int64]string{jiwooID: jiwooPassword, minhoID: minhoPassword}[other]))
	holder.click("[data-testid=login-submit]")
	holder.waitFor("the deactivated page after signing in", `!document.querySelector('#app').hidden && document.querySelector('#app').dataset.page === 'deactivated' && document.querySelector('[data-testid=deactivated-retry]').checkVisibility() && document.querySelector('[data-testid=connection]').dataset.state === 'stopped'`)

	// The owner creates a second workspace: the picker offers it at once.
	openPage(master, "workspaces")
	master.waitFor("the first workspace listed", `document.querySelectorAll('[data-testid=workspace-row]').length === 1`)
	fill(master, "[data-testid=workspace-create-name]", "소담 도매")
	master.click("[data-testid=workspace-create]")
	master.waitFor("two workspaces", `document.querySelectorAll('[data-testid=workspace-row]').length === 2`)
	look(master, "workspaces-ko")
	all, err := s.node.Store.AllWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ws2 chat.Workspace
	for _, w := range all {
		if w.Name == "소담 도매" {
			ws2 = w
		}
	}
	if ws2.ID == 0 {
		t.Fatalf("no workspace named 소담 도매 among %d", len(all))
	}
	master.waitFor("the picker with both workspaces", fmt.Sprintf(`!document.querySelector('[data-testid=workspace-select]').closest('label').hidden && [...document.querySelector('[data-testid=workspace-select]').options].map((o) => o.value).sort().join() === '%d,%d'`, s.ws.ID, ws2.ID))
	master.click("[data-testid=nav-chat]")
	choose(master, "[data-testid=workspace-select]", fmt.Sprint(ws2.ID))
	master.waitFor("the second workspace open", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('소담 도매')`)
	setStatus(master, "online")

	// It lets its own company page embed the widget, and a visitor there
	// writes: the master sees it, the first workspace's agent does not.
	host2 := hostFor(t, s, ws2.SiteID)
	openSettings(master)
	fill(master, "[data-testid=settings-origins]", host2.URL)
	master.click("[data-testid=settings-save]")
	toastSays(master, "저장했습니다.")
	master.click("[data-testid=nav-chat]")
	v3 := newTab(t, root, "visitor of the second workspace")
	openWidget(v3, host2.URL)
	agree(v3)
	widgetSend(v3, "도매 문의드립니다.")
	widgetShows(v3, "visitor", "도매 문의드립니다.")
	c3 := firstRequest(master)
	if c := s.conversation(ws2.ID, c3); c.WorkspaceID != ws2.ID {
		t.Fatalf("conversation %d is in workspace %d, want %d", c3, c.WorkspaceID, ws2.ID)
	}
	remaining.click("[data-testid=tab-unassigned]")
	remaining.waitFor("the console live", `document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	if n := eval[int](remaining, fmt.Sprintf(`document.querySelectorAll("[data-testid=conversation-list] a[data-conversation-id='%d']").length`, c3)); n != 0 {
		remaining.fail("the first workspace's agent lists the second workspace's conversation")
	}
	for path, want := range map[string]string{
		fmt.Sprintf("/workspaces/%d/conversations/%d", s.ws.ID, c3): chat.ErrConversationNotFound,
		fmt.Sprintf("/workspaces/%d/conversations/%d", ws2.ID, c3):  chat.ErrWorkspaceNotFound,
	} {
		if got := refusal(remaining, "GET", path); got != want {
			remaining.fail("GET %s as the first workspace's agent: %q, want %q", path, got, want)
		}
	}

	// The remaining agent changes their own password from the avatar: a
	// wrong current password is refused, then the new one signs in.
	remaining.click("[data-testid=agent-avatar]")
	remaining.waitFor("the account menu", `document.querySelector('[data-testid=account-menu]').matches(':popover-open')`)
	remaining.click("[data-testid=account-profile]")
	remaining.waitFor("the profile page", `document.querySelector('#app').dataset.page === 'profile' && document.querySelector('[data-testid=profile-name]').value !== ''`)
	current := map[int64]string{jiwooID: jiwooPassword, minhoID: minhoPassword}[first]
	const newPassword = "새로운 비밀번호는 길고 2026!"
	fill(remaining, "[data-testid=password-current]", "not-my-password")
	fill(remaining, "[data-testid=password-new]", newPassword)
	fill(remaining, "[data-testid=password-confirm]", newPassword)
	remaining.click("[data-testid=password-save]")
	remaining.waitFor("the wrong current password refused", `document.querySelector('[data-testid=password-error]').dataset.code === 'invalid_credentials'`)
	fill(remaining, "[data-testid=password-current]", current)
	remaining.waitFor("the hint for the new password", `Number(document.querySelector('[data-testid=password-strength]').dataset.score) >= 3`)
	look(remaining, "profile-ko")
	remaining.click("[data-testid=password-save]")
	toastSays(remaining, "비밀번호를 바꿨습니다. 다른 기기에서는 다시 로그인해야 합니다.")
	remaining.waitFor("the form cleared", `document.querySelector('[data-testid=password-new]').value === '' && document.querySelector('[data-testid=password-error]').textContent === ''`)
	remaining.click("[data-testid=agent-avatar]")
	remaining.click("[data-testid=account-logout]")
	email := map[int64]string{jiwooID: "jiwoo@example.com", minhoID: "minho@example.com"}[first]
	signInAs(remaining, s, email, newPassword)

	// The audit log (back in the first workspace) tells what happened.
	choose(master, "[data-testid=workspace-select]", fmt.Sprint(s.ws.ID))
	master.waitFor("the first workspace open", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith(`+js(s.ws.Name)+`)`)
	openPage(master, "audit")
	entries := func(action string) string {
		return `document.querySelectorAll('[data-testid=audit-entry][data-action="` + action + `"]')`
	}
	master.waitFor("the invitations, acceptances, the refused invitation and the deactivation", entries("invitation.create")+`.length === 4 && `+entries("invitation.accept")+`.length === 3`+
		` && [...`+entries("invitation.create")+`].filter((tr) => tr.dataset.refused === 'true').length === 1 && `+entries("member.active")+`.length === 1 && `+entries("workspace.update")+`.length >= 1`)
	if os.Getenv("SODAM_UPDATE_SCREENSHOTS") != "" {
		// README's picture without the last save's toast over it.
		master.waitFor("the toast gone", `document.getElementById('toast').hidden`)
	}
	look(master, "audit-ko")
	choose(master, "[data-testid=audit-action]", "member.active")
	master.waitFor("only the deactivation, before and after shown", `(() => { const rows = document.querySelectorAll('[data-testid=audit-entry]'); if (rows.length !== 1) return false; const tr = rows[0];`+
		` return tr.dataset.action === 'member.active' && tr.querySelector('[data-field=actor]').textContent === 'Admin' && tr.querySelector('[data-field=target]').textContent.includes(`+js(map[int64]string{jiwooID: "jiwoo@example.com", minhoID: "minho@example.com"}[other])+`)`+
		` && tr.querySelector('.change-from').textContent === '예' && tr.querySelector('.change-to').textContent === '아니요'; })()`)
	csv := eval[string](master, `fetch(document.querySelector('[data-testid=audit-csv]').href).then((r) => r.text())`)
	if !strings.Contains(csv, "member.active") || strings.Contains(csv, "invitation.create") {
		master.fail("the CSV export with the filter: %q", csv)
	}

	// The owner archives the second workspace: it is marked, and leaves
	// the picker; restored, it comes back. Ownership is granted to the
	// manager, who then sees the Workspaces page.
	openPage(master, "workspaces")
	row2 := fmt.Sprintf("[data-testid=workspace-row][data-workspace-id='%d']", ws2.ID)
	confirm(master, row2+" [data-testid=workspace-archive]")
	master.waitFor("the second workspace archived, out of the picker", `document.querySelector("`+row2+`").dataset.archived === 'true' && document.querySelector("`+row2+` [data-testid=workspace-archived]") && document.querySelector('[data-testid=workspace-select]').closest('label').hidden`)
	confirm(master, fmt.Sprintf("[data-testid=owner-row][data-agent-id='%d'] [data-testid=owner-grant]", seoyeonID))
	master.waitFor("the manager an owner", fmt.Sprintf(`document.querySelector("[data-testid=owner-row][data-agent-id='%d']").dataset.owner === 'true'`, seoyeonID))
	look(master, "workspaces-archived-ko")
	confirm(master, row2+" [data-testid=workspace-restore]")
	master.waitFor("the second workspace back in the picker", `document.querySelector("`+row2+`").dataset.archived === 'false' && !document.querySelector('[data-testid=workspace-select]').closest('label').hidden`)
	seoyeon.do("reload the manager's console", chromedp.Reload())
	seoyeon.waitFor("the Workspaces link for the new owner", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=nav-workspaces]').checkVisibility()`)

	// The same pages in English.
	openPage(master, "audit")
	master.click("[data-testid=audit-clear]")
	master.click("[data-testid=nav-language]")
	master.click("[data-testid=language-en]")
	master.waitFor("the audit log in English", `document.documentElement.lang === 'en' && document.querySelector('[data-testid=audit-entry][data-action="member.active"] [data-field=action]')?.textContent === 'Activated or deactivated'`)
	look(master, "audit-en")
	openPage(master, "team")
	master.waitFor("the Team page in English", `document.querySelector("`+memberRow(other)+` [data-testid=member-state]").textContent === 'Deactivated'`)
	look(master, "team-en")
}

// TestBrowserTeamPhone: the same administration on a phone, in English:
// the account menu holds what the bottom bar has no room for; an owner
// makes a workspace; an invitation accepted on a phone; a lost password
// reset through the link a master made; an existing login joining a second
// workspace with its current password; API tokens from the settings
// section menu, used by a script until revoked; the audit log; the
// profile. Then a look at the pages in Korean.
func TestBrowserTeamPhone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	phone(master)
	allowClipboard(master, s.baseURL)
	master.goTo(s.baseURL + "/console/")
	master.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	choose(master, "[data-testid=login-language]", "en")
	master.waitFor("the sign-in form in English", `document.querySelector('[data-testid=login-submit]').textContent === 'Sign in'`)
	master.do("fill in the sign-in form",
		typeIn("[data-testid=login-email]", adminEmail),
		typeIn("[data-testid=login-password]", adminPassword))
	master.click("[data-testid=login-submit]")
	master.waitFor("the console live", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)

	// The bottom bar has the Team page; the rest is in the account menu.
	master.waitFor("the phone's bottom bar", `document.querySelector('[data-testid=nav-team]').checkVisibility() && !document.querySelector('[data-testid=nav-audit]').checkVisibility() && !document.querySelector('[data-testid=nav-logout]').checkVisibility() && document.querySelector('[data-testid=agent-avatar]').checkVisibility()`)
	master.click("[data-testid=agent-avatar]")
	master.waitFor("the account menu with the pages", `document.querySelector('[data-testid=account-menu]').matches(':popover-open') && ['account-profile', 'account-audit', 'account-workspaces', 'account-try', 'account-language-ko', 'account-logout'].every((id) => document.querySelector('[data-testid=' + id + ']').checkVisibility())`)
	look(master, "account-menu-phone-en")

	// The owner makes a second workspace.
	master.click("[data-testid=account-workspaces]")
	master.waitFor("the workspaces page", `document.querySelector('#app').dataset.page === 'workspaces' && document.querySelectorAll('[data-testid=workspace-row]').length === 1`)
	fill(master, "[data-testid=workspace-create-name]", "Sodam Wholesale")
	fill(master, "[data-testid=workspace-create-site]", "wholesale")
	master.click("[data-testid=workspace-create]")
	master.waitFor("two workspaces", `document.querySelectorAll('[data-testid=workspace-row]').length === 2`)
	look(master, "workspaces-phone-en")
	ws2, err := s.node.Store.WorkspaceBySiteID(context.Background(), "wholesale")
	if err != nil {
		t.Fatal(err)
	}

	// An invitation, accepted on a phone in English.
	openPage(master, "team")
	link := invite(master, "dana@example.com", "Dana Park", "manager", "invite-link-phone-en")
	look(master, "team-phone-en")
	dana := newTab(t, root, "Dana")
	phone(dana)
	dana.goTo(link)
	dana.waitFor("the invitation", `document.querySelector('#welcome').dataset.state === 'ready'`)
	choose(dana, "[data-testid=invite-language]", "en")
	dana.waitFor("the invitation in English", `document.querySelector('[data-testid=invite-heading]').textContent === 'Join '+`+js(s.ws.Name)+` && document.querySelector('[data-testid=invite-summary]').textContent.includes('Manager')`)
	fill(dana, "[data-testid=invite-password]", "Sails at dawn, harbor 9")
	fill(dana, "[data-testid=invite-confirm]", "Sails at dawn, harbor 9")
	look(dana, "invite-phone-en")
	dana.click("[data-testid=invite-submit]")
	dana.waitFor("the console", `location.pathname === '/console/' && !document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)
	look(dana, "console-phone-en")
	danaID := s.agentID("dana@example.com")

	// Dana loses her password: the master makes a reset link.
	master.waitFor("Dana on the team", `document.querySelector("`+memberRow(danaID)+`")`)
	confirm(master, memberRow(danaID)+" [data-testid=member-reset-password]")
	master.waitFor("the reset link", `document.querySelector('[data-testid=link-dialog]').open && document.querySelector('[data-testid=link-dialog]').dataset.kind === 'reset' && document.querySelector('[data-testid=link-url]').value.includes('/console/reset?token=')`)
	reset := copyLink(master)
	look(master, "reset-link-phone-en")
	master.click("[data-testid=link-done]")
	lost := newTab(t, root, "Dana on another phone")
	phone(lost)
	lost.goTo(reset)
	lost.waitFor("the reset screen", `document.querySelector('[data-testid=reset-form]')?.checkVisibility()`)
	choose(lost, "[data-testid=reset-language]", "en")
	fill(lost, "[data-testid=reset-password]", "aaaaaaaaaaaa")
	fill(lost, "[data-testid=reset-confirm]", "aaaaaaaaaaaa")
	lost.waitFor("the hint refusing it", `document.querySelector('[data-testid=reset-strength]').dataset.score === '0'`)
	lost.click("[data-testid=reset-submit]")
	lost.waitFor("the weak password refused", `document.querySelector('[data-testid=reset-error]').dataset.code === 'weak_password'`)
	const danaPassword = "Lanterns over the bay 77"
	fill(lost, "[data-testid=reset-password]", danaPassword)
	fill(lost, "[data-testid=reset-confirm]", danaPassword)
	look(lost, "reset-phone-en")
	lost.click("[data-testid=reset-submit]")
	lost.waitFor("the console", `location.pathname === '/console/' && !document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)

	// The master invites Dana's existing login to the second workspace:
	// she joins with her current password and the picker offers both.
	master.click("[data-testid=nav-chat]")
	choose(master, "[data-testid=workspace-select]", fmt.Sprint(ws2.ID))
	master.waitFor("the second workspace open", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('Sodam Wholesale')`)
	openPage(master, "team")
	link2 := invite(master, "dana@example.com", "Dana Park", "agent")
	lost.goTo(link2)
	lost.waitFor("the invitation for an existing login", `document.querySelector('#welcome').dataset.state === 'ready' && document.querySelector('[data-testid=invite-existing]').checkVisibility() && !document.querySelector('[data-testid=invite-name]').checkVisibility() && !document.querySelector('[data-testid=invite-confirm]').checkVisibility()`)
	fill(lost, "[data-testid=invite-password]", danaPassword)
	look(lost, "invite-existing-phone-en")
	lost.click("[data-testid=invite-submit]")
	lost.waitFor("the console with both workspaces in the picker", `location.pathname === '/console/' && !document.querySelector('#app').hidden && document.querySelector('[data-testid=workspace-select]')?.options.length === 2`)

	// Deactivated in the second workspace while looking at it, Dana keeps
	// her session and the first workspace, one tap away.
	choose(lost, "[data-testid=workspace-select]", fmt.Sprint(ws2.ID))
	lost.waitFor("the second workspace open", `document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith('Sodam Wholesale')`)
	master.waitFor("Dana on the second workspace's team", `document.querySelector("`+memberRow(danaID)+`")`)
	confirm(master, memberRow(danaID)+" [data-testid=member-deactivate]")
	lost.waitFor("the deactivated page offering the first workspace", fmt.Sprintf(`document.querySelector('#app').dataset.page === 'deactivated' && document.querySelector('[data-testid=deactivated-text]').textContent.includes('Sodam Wholesale')`+
		` && document.querySelector('[data-testid=deactivated-retry]').checkVisibility() && document.querySelector('[data-testid=deactivated-signed-out]').hidden && document.querySelector("[data-testid=deactivated-open][data-workspace-id='%d']")?.checkVisibility()`, s.ws.ID))
	look(lost, "deactivated-phone-en")
	// The page redraws its buttons when the session's reload answers.
	lost.clickUntil("[data-testid=deactivated-open]", fmt.Sprintf(`document.querySelector('[data-testid=workspace-select]').value === '%d'`, s.ws.ID))
	lost.waitFor("the first workspace open again", `document.querySelector('#app').dataset.page === 'chat' && document.querySelector('[data-testid=connection]').dataset.state === 'live' && document.title.startsWith(`+js(s.ws.Name)+`) && document.querySelector('[data-testid=workspace-select]').closest('label').hidden`)

	// API tokens, through the settings page's section menu (a select on a
	// phone); a script uses one until it is revoked.
	master.click("[data-testid=nav-settings]")
	master.waitFor("the section select", `document.querySelector('#app').dataset.page === 'settings' && document.querySelector('[data-testid=settings-jump]').checkVisibility() && !document.querySelector('[data-testid=settings-menu-item]')?.checkVisibility() && [...document.querySelector('[data-testid=settings-jump]').options].some((o) => o.value === 'tokens')`)
	choose(master, "[data-testid=settings-jump]", "tokens")
	look(master, "settings-jump-phone-en")
	master.waitFor("the tokens card brought into view below the select", `(() => { const card = document.querySelector('[data-testid=tokens-card]').getBoundingClientRect();`+
		` return card.top >= document.querySelector('[data-testid=settings-menu]').getBoundingClientRect().bottom && card.top < 400 && document.activeElement === document.querySelector('[data-testid=tokens-card] h2'); })()`)
	fill(master, "[data-testid=token-name]", "nightly report")
	master.click("[data-testid=token-scope-write]")
	master.click("[data-testid=token-create]")
	master.waitFor("the secret, once", `document.querySelector('[data-testid=token-secret-box]').checkVisibility() && document.querySelector('[data-testid=token-secret]').value.startsWith('sodam_')`)
	secret := eval[string](master, `document.querySelector('[data-testid=token-secret]').value`)
	look(master, "tokens-phone-en")
	master.click("[data-testid=token-secret-done]")
	master.waitFor("the secret gone, the token listed", `document.querySelector('[data-testid=token-secret-box]').hidden && document.querySelector('[data-testid=token-secret]').value === '' && document.querySelectorAll('[data-testid=token-row][data-state=active]').length === 1`)
	script := func() int {
		req, err := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/workspaces/%d/conversations", s.baseURL, ws2.ID), nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := script(); code != http.StatusOK {
		t.Fatalf("a script with the token: %d, want 200", code)
	}
	master.click("[data-testid=nav-chat]")
	master.click("[data-testid=nav-settings]")
	choose(master, "[data-testid=settings-jump]", "tokens")
	master.waitFor("the token's last use", `document.querySelector('[data-testid=token-row] [data-testid=token-last-used] sodam-time')`)
	confirm(master, "[data-testid=token-row] [data-testid=token-revoke]")
	master.waitFor("the token revoked", `document.querySelectorAll('[data-testid=token-row][data-state=revoked]').length === 1 && !document.querySelector('[data-testid=token-revoke]')`)
	if code := script(); code != http.StatusUnauthorized {
		t.Fatalf("a script with the revoked token: %d, want 401", code)
	}

	// The audit log, from the account menu.
	master.click("[data-testid=agent-avatar]")
	master.click("[data-testid=account-audit]")
	master.waitFor("the token's creation and revocation logged", `document.querySelector('#app').dataset.page === 'audit' && document.querySelector('[data-testid=audit-entry][data-action="api_token.create"]') && document.querySelector('[data-testid=audit-entry][data-action="api_token.revoke"]') && document.querySelector('[data-testid=audit-entry][data-action="invitation.accept"]')`)
	look(master, "audit-phone-en")

	// The profile: a new display name, and Korean as the console's language.
	master.click("[data-testid=agent-avatar]")
	master.click("[data-testid=account-profile]")
	master.waitFor("the profile", `document.querySelector('#app').dataset.page === 'profile' && document.querySelector('[data-testid=profile-name]').value === 'Admin'`)
	fill(master, "[data-testid=profile-name]", "관리자 김")
	choose(master, "[data-testid=profile-language]", "ko")
	look(master, "profile-phone-en")
	master.click("[data-testid=profile-save]")
	master.waitFor("the console in Korean, with the new name", `document.documentElement.lang === 'ko' && document.querySelector('[data-testid=agent-avatar]').textContent === '관' && document.querySelector('[data-testid=profile-save]').textContent === '저장'`)
	if a, err := s.node.Store.AgentByEmail(context.Background(), adminEmail); err != nil || a.Name != "관리자 김" || a.Language != "ko" {
		t.Fatalf("the admin after saving the profile: %+v, %v", a, err)
	}
	look(master, "profile-phone-ko")
	openPage(master, "team")
	look(master, "team-phone-ko")
	master.click("[data-testid=nav-settings]")
	master.waitFor("the section select in Korean", `[...document.querySelector('[data-testid=settings-jump]').options].some((o) => o.value === 'operation' && o.textContent === '상담 운영')`)
	look(master, "settings-phone-ko")
}
