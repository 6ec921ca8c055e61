package e2e

import (
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLateList: lists the console asked for before a change, but
// answered after the change's event reached it, neither drop the
// conversation nor bring back its old state (inbox.js #movedSince). The
// console loads its lists as it starts and again once its socket is
// ready; here the first waiting and active lists are held until the agent
// has answered the conversation, which moved it from waiting to active.
func TestBrowserLateList(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, _, id := takenChat(t, s, "주문한 운동화가 아직 안 왔어요.")
	item := fmt.Sprintf("document.querySelector(\"[data-testid=conversation-list] a[data-conversation-id='%d']\")", id)

	// From the next page load on, the first waiting and the first active
	// list answer only when the test releases them (the request has been
	// answered by the server by then: only its delivery waits).
	const hold = `(() => {
		const real = window.fetch, held = {};
		window.__held = [];
		window.__release = (state) => held[state]();
		window.fetch = async function (input, init) {
			const res = await real.call(this, input, init);
			const m = /[?&]state=(waiting|active)(&|$)/.exec(String(input?.url ?? input));
			if (m && !(m[1] in held)) await new Promise((resolve) => { held[m[1]] = resolve; window.__held.push(m[1]); });
			return res;
		};
	})();`
	agent.onEveryLoad("hold the first lists of the next load", hold)
	agent.do("reload the console", chromedp.Reload())
	const state = `document.querySelector('[data-testid=conversation-state]')?.dataset.state`
	agent.waitFor("both first lists held, the conversation shown waiting from the later ones",
		`window.__held?.length === 2 && `+state+` === 'waiting' && document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	agent.click("[data-testid=tab-mine]")
	agent.waitFor("the conversation in my open chats", item+`?.dataset.state === 'waiting'`)

	consoleSend(agent, "확인해 보겠습니다. 주문번호 알려주시겠어요?")
	agent.waitFor("the conversation active, from the event", state+` === 'active' && `+item+`?.dataset.state === 'active' && !document.querySelector('[data-testid=composer-input]').disabled`)

	// The active list from before the answer lacks the conversation; the
	// waiting list from before has it waiting. Neither may win over the event.
	changed := `() => ` + state + ` !== 'active' || ` + item + `?.dataset.state !== 'active' || document.querySelector('[data-testid=composer-input]').disabled`
	for _, list := range []string{"active", "waiting"} {
		agent.do("deliver the late "+list+" list", chromedp.Evaluate[chromedp.Void](`window.__release(`+js(list)+`)`))
		if eval[bool](agent, until(changed)) {
			agent.fail("the late %s list changed the open conversation: state %q, in the list %q, composer disabled %v", list,
				eval[string](agent, `String(`+state+`)`), eval[string](agent, `String(`+item+`?.dataset.state)`), eval[bool](agent, `document.querySelector('[data-testid=composer-input]').disabled`))
		}
	}
}
