package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the test reckons in Honolulu whatever the machine has

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestBrowserTimeZone: the console and the widget show times in the
// workspace's time zone (settings.business_hours.time_zone), not the
// computer's: an agent in Seoul on a workspace reckoned in Honolulu sees
// Honolulu's clock under the messages and in the details, and the list's
// relative times ("방금 전") carry the exact time with the zone on hover; a
// visitor in Paris sees Honolulu's clock under their message too.
func TestBrowserTimeZone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const zone = "Pacific/Honolulu" // UTC−10 all year, 19 hours behind Seoul
	s.configure(func(st *chat.Settings) { st.Hours.TimeZone = zone })
	hnl, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	root := browser(t)
	agent := newTab(t, root, "agent")
	agent.do("put the agent's computer in Seoul", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Seoul"})
		return err
	}))
	visitor := newTab(t, root, "visitor")
	visitor.do("put the visitor's computer in Paris", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Europe/Paris"})
		return err
	}))
	signIn(agent, s)
	const hello = "영업시간이 어떻게 되나요?"
	openWidget(visitor, s.host.URL)
	agree(visitor)
	widgetSend(visitor, hello)
	widgetShows(visitor, "visitor", hello)
	id := firstRequest(agent)
	openConversation(agent, id)
	consoleShows(agent, "visitor", hello)
	if got := eval[string](agent, `Intl.DateTimeFormat().resolvedOptions().timeZone`); got != "Asia/Seoul" {
		agent.fail("the agent's browser is in %s, want Asia/Seoul", got)
	}

	// clock is how a 12-hour clock shows t, "3:04", in loc.
	clock := func(at time.Time, loc *time.Location) string {
		at = at.In(loc)
		h := at.Hour() % 12
		if h == 0 {
			h = 12
		}
		return fmt.Sprintf("%d:%02d", h, at.Minute())
	}
	// exact is how the Korean exact time shows t's hour and minute in loc,
	// "3시 4분": Korean dates do not pad the minute.
	exact := func(at time.Time, loc *time.Location) string {
		c := strings.Split(clock(at, loc), ":")
		return c[0] + "시 " + strings.TrimPrefix(c[1], "0") + "분"
	}
	parse := func(s string) time.Time {
		at, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("time %q: %v", s, err)
		}
		return at
	}

	// Under the message: Honolulu's clock, with the zone on hover.
	meta := eval[[3]string](agent, `(() => { const m = [...document.querySelectorAll('[data-testid=messages] li[data-sender=visitor]')].at(-1).querySelector('time.meta'); return [m.getAttribute('datetime'), m.textContent, m.title]; })()`)
	sent := parse(meta[0])
	if want := clock(sent, hnl); !strings.HasSuffix(meta[1], want) || !strings.Contains(meta[2], exact(sent, hnl)) {
		agent.fail("the message's time shows %q (hover %q), want Honolulu's %s, not Seoul's %s", meta[1], meta[2], want, clock(sent, seoul))
	}
	if !strings.Contains(meta[2], "GMT-10") && !strings.Contains(meta[2], "HST") {
		agent.fail("the message's exact time %q does not name the zone", meta[2])
	}

	// The widget shows the same clock under the visitor's message, whatever
	// the visitor's computer says, and the zone on hover.
	wmeta := frameEval[[2]string](visitor, `const m = [...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=visitor]')].at(-1).querySelector('time.meta'); return [m.textContent, m.title];`)
	if want := clock(sent, hnl); !strings.HasSuffix(wmeta[0], want) || !strings.Contains(wmeta[1], exact(sent, hnl)) {
		visitor.fail("the widget shows the message's time as %q (hover %q), want Honolulu's %s", wmeta[0], wmeta[1], want)
	}
	if !strings.Contains(wmeta[1], "GMT-10") && !strings.Contains(wmeta[1], "HST") {
		visitor.fail("the widget's exact time %q does not name the zone", wmeta[1])
	}

	// In the details: when it started, in Honolulu, to the minute; the
	// exact time with the zone on hover.
	started := parse(eval[string](agent, `document.querySelector('[data-testid=details-conversation] dd[data-field=started] time')?.getAttribute('datetime') ?? ''`))
	agent.waitFor("the start in Honolulu's time in the details", `((el) => el.textContent.endsWith(`+js(clock(started, hnl))+`) && el.title.includes(`+js(exact(started, hnl))+`) && /GMT-10|HST/.test(el.title))(document.querySelector('[data-testid=details-conversation] dd[data-field=started] time'))`)

	// In the list: a relative time, the exact one (with the zone) on hover.
	item := fmt.Sprintf("[data-testid=conversation-list] a[data-conversation-id='%d'] sodam-time", id)
	at := parse(eval[string](agent, `new Date(document.querySelector("`+item+`").getAttribute('datetime')).toISOString()`))
	agent.waitFor("a relative time in the list with Honolulu's exact time on hover", `(() => { const el = document.querySelector("`+item+`"); return /분|대기|방금/.test(el.textContent) && el.title.includes(`+js(exact(at, hnl))+`) && /GMT-10|HST/.test(el.title); })()`)
	look(agent, "time-zone")
}

// TestBrowserTokenExpiryInWorkspaceZone: an API token's last day is a day
// in the workspace's time zone, as every date the console shows: a master
// whose computer is on UTC, on a workspace reckoned in Seoul, picks 31
// March; the token works to the end of 31 March in Seoul and the list
// says 31 March (it expired at the end of the computer's day, 09:00 on 1
// April in Seoul, and the list said 1 April).
func TestBrowserTokenExpiryInWorkspaceZone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	master.do("put the master's computer on UTC", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "UTC"})
		return err
	}))
	signIn(master, s)
	openSettings(master)
	master.waitFor("the tokens card", `document.querySelector('[data-testid=tokens-card]').checkVisibility()`)
	fill(master, "[data-testid=token-name]", "월말 정산 스크립트")
	master.do("choose the last day", chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid=token-expires]').value = '2027-03-31'`))
	master.click("[data-testid=token-create]")
	master.waitFor("the token listed", `document.querySelectorAll('[data-testid=token-row][data-state=active]').length === 1`)
	got := api[struct {
		Tokens []struct {
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"tokens"`
	}](master, s, "GET", "/api-tokens", nil)
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2027, 3, 31, 23, 59, 59, 0, seoul)
	if len(got.Tokens) != 1 || !got.Tokens[0].ExpiresAt.Equal(want) {
		master.fail("the token expires at %v, want the end of 31 March in Seoul (%v)", got.Tokens, want.UTC())
	}
	master.waitFor("the list's last day, 31 March", `document.querySelector('[data-testid=token-row]').textContent.includes('3월 31일')`)
}

// TestBrowserReopensInZone: outside the hours the leave-a-message form
// says when the desk opens again, in the workspace's time zone; a visitor
// whose computer is in another zone is told which, so the hour is not
// read as their own clock's — one in the workspace's zone is not.
func TestBrowserReopensInZone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const zone = "Pacific/Honolulu" // UTC−10 all year
	hnl, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	// Open one weekday three days from today's, so closed now.
	open := (time.Now().In(hnl).Weekday() + 3) % 7
	s.configure(func(st *chat.Settings) {
		st.Hours = chat.BusinessHours{TimeZone: zone, Days: make([]chat.DayHours, 7), Holidays: []string{}}
		st.Hours.Days[open] = chat.DayHours{Open: true, Start: "09:00", End: "18:00"}
	})
	root := browser(t)
	for _, c := range []struct {
		where string
		named bool
	}{{"Europe/Paris", true}, {zone, false}} {
		visitor := newTab(t, root, "visitor in "+c.where)
		visitor.do("put the visitor's computer in "+c.where, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: c.where})
			return err
		}))
		openWidget(visitor, s.host.URL)
		agreeTo(visitor, "leave")
		visitor.waitFrame("the form saying when the desk reopens", `d.querySelector('[data-testid=widget-reopens]')?.textContent.includes('9')`)
		text := frameEval[string](visitor, `return d.querySelector('[data-testid=widget-reopens]').textContent;`)
		if named := strings.Contains(text, "GMT-10") || strings.Contains(text, "HST"); named != c.named {
			visitor.fail("a visitor in %s reads %q: the zone named %v, want %v", c.where, text, named, c.named)
		}
	}
}
