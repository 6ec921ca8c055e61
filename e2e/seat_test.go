package e2e

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/storage"
	"github.com/chromedp/chromedp"
)

// A seat is a browser context with its tab, which one person after another
// uses: when a test ends, its people's seats are cleaned and wait for the
// next test's people. A new browser context starts a renderer process, and
// that was 1.2–1.9 CPU-seconds of Chromium on the CI machine for each of
// the some 200 people the tests open, where a cleaned tab going to its next
// page costs about half (docs/testing.md).
//
// Cleaning leaves nothing the next person could see: the tab goes to
// about:blank, the cookies go, and every origin the tab spoke to (the
// node's, the host page's, a receiver's; ports repeat between tests) loses
// its storage — local, session, IndexedDB, caches, service workers. The
// emulation a test may have set is undone (the next person's newTab sets
// its own size and language) — script execution too: a help-center test
// turns JavaScript off, and a console loaded without it stays blank —,
// permissions granted go, paused requests go on, and any other tab of
// the context is closed. A seat that cannot be cleaned, or whose page ran
// a script of the test's own on every load (spoil), is closed instead.
type seat struct {
	ctx    context.Context // the tab's chromedp context; outlives the tests
	cancel context.CancelFunc
	tab    atomic.Pointer[tab] // who sits there now; nil while it waits

	mu      sync.Mutex
	origins map[string]bool // what the tab sent requests to since cleaned
	before  string          // who sat there before, for failure reports
}

// seats keeps the clean seats waiting for a person. At most maxIdle wait;
// more are closed.
var seats struct {
	mu   sync.Mutex
	idle []*seat
}

const maxIdleSeats = 8

// takeSeat gives p a seat: a clean one if one waits, else a new browser
// context. p's listen gets the seat's events from now on, and the seat is
// cleaned (or closed) when the test ends.
func takeSeat(t *testing.T, root context.Context, p *tab) *seat {
	t.Helper()
	seats.mu.Lock()
	var s *seat
	if n := len(seats.idle); n > 0 {
		s, seats.idle = seats.idle[n-1], seats.idle[:n-1]
	}
	seats.mu.Unlock()
	if s == nil {
		s = &seat{origins: map[string]bool{}}
		// The context is the browser's, not the test's: it outlives the
		// test, and the tab runs as long as the context of its first Run.
		s.ctx, s.cancel = chromedp.NewContext(root, chromedp.WithNewBrowserContext(), chromedp.WithListener(s.listen))
		if err := chromedp.Do(s.ctx); err != nil {
			s.cancel()
			t.Fatalf("start browser tab: %v", err)
		}
	}
	s.tab.Store(p)
	t.Cleanup(func() {
		s.tab.Store(nil)
		s.mu.Lock()
		s.before = t.Name() + "'s " + p.name
		s.mu.Unlock()
		if p.spoilt || t.Failed() || s.clean() != nil {
			s.cancel()
			return
		}
		seats.mu.Lock()
		if len(seats.idle) < maxIdleSeats {
			seats.idle = append(seats.idle, s)
			s = nil
		}
		seats.mu.Unlock()
		if s != nil {
			s.cancel()
		}
	})
	return s
}

// listen hands every event of the tab to the person sitting there, and
// notes the origins it sends requests to. It runs on chromedp's reading
// goroutine.
func (s *seat) listen(ev any) {
	s.note(ev)
	if p := s.tab.Load(); p != nil {
		p.listen(ev)
	}
}

// note keeps the origin of a request a tab of the seat sends.
func (s *seat) note(ev any) {
	if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
		if u, err := url.Parse(e.Request.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			s.mu.Lock()
			s.origins[u.Scheme+"://"+u.Host] = true
			s.mu.Unlock()
		}
	}
}

// clean readies the seat for the next person, as the seat comment says.
func (s *seat) clean() error {
	ctx, cancel := context.WithTimeout(s.ctx, waitTimeout)
	defer cancel()
	steps := []chromedp.Action[chromedp.Void]{
		command(fetch.Disable, cdp.Empty{}), // requests still held go on
		chromedp.Navigate("about:blank"),
	}
	s.mu.Lock()
	for _, o := range slices.Sorted(maps.Keys(s.origins)) {
		steps = append(steps, command(storage.ClearDataForOrigin, storage.ClearDataForOriginParams{Origin: o, StorageTypes: "all"}))
	}
	clear(s.origins)
	s.mu.Unlock()
	steps = append(steps,
		command(network.ClearBrowserCookies, cdp.Empty{}),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			c := chromedp.FromContext(ctx)
			_, err := cdp.Call(ctx, c.Browser, cdpbrowser.ResetPermissions, cdpbrowser.ResetPermissionsParams{BrowserContextID: c.BrowserContextID})
			return err
		}),
		command(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{}),
		command(emulation.ClearDeviceMetricsOverride, cdp.Empty{}),
		command(emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{}),
		command(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{}),
		command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{}),
		command(emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{}))
	return chromedp.Do(ctx, steps...)
}

// command is an action sending one DevTools command to the tab.
func command[P, R any](c cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, c, params); err != nil {
			return fmt.Errorf("%s: %w", c.Method, err)
		}
		return nil
	})
}

// A person given a seat someone used before finds nothing of theirs: no
// cookie, no storage on the origins they visited, none of the emulation
// they set.
func TestBrowserSeatCleaned(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	first := newTab(t, browser(t), "first person")
	const state = `JSON.stringify({cookie: document.cookie, local: localStorage.length, session: sessionStorage.length,
		zone: Intl.DateTimeFormat().resolvedOptions().timeZone, dark: matchMedia('(prefers-color-scheme: dark)').matches,
		touch: navigator.maxTouchPoints, width: innerWidth})`
	first.goTo(s.baseURL + "/robots.txt")
	before := eval[string](first, state)
	leave := `document.cookie = 'left=1; max-age=3600'; localStorage.setItem('left', '1'); sessionStorage.setItem('left', '1');
		new Promise((ok, fail) => { const r = indexedDB.open('left'); r.onsuccess = () => { r.result.close(); ok(true); }; r.onerror = fail; })`
	for _, u := range []string{s.baseURL + "/robots.txt", s.host.URL} {
		first.goTo(u)
		eval[bool](first, leave)
	}
	first.do("emulate a phone in Honolulu at night",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		command(emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Pacific/Honolulu"}),
		command(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}}))
	const clipboard = `navigator.permissions.query({name: 'clipboard-read'}).then((r) => r.state)`
	first.do("allow the clipboard, turn JavaScript off", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		c := chromedp.FromContext(ctx)
		_, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-read"}, Setting: cdpbrowser.PermissionSettingGranted,
			Origin: s.baseURL, BrowserContextID: c.BrowserContextID,
		})
		return err
	}), command(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}))
	first.goTo(s.baseURL + "/robots.txt")
	if got := eval[string](first, clipboard); got != "granted" {
		t.Fatalf("the clipboard was not allowed: %s", got)
	}
	if got := eval[string](first, state); got == before {
		t.Fatalf("the first person's things did not show: %s", got)
	}

	seat := first.seat
	if err := seat.clean(); err != nil {
		t.Fatalf("clean the seat: %v", err)
	}
	next := &tab{t: t, name: "next person", held: make(chan *fetch.EventRequestPaused, 16), ctx: first.ctx, seat: seat}
	seat.tab.Store(next)
	next.korean() // sets the language again: refused had the seat kept the first person's
	for _, u := range []string{s.baseURL + "/robots.txt", s.host.URL} {
		next.goTo(u)
		empty := `document.cookie === '' && localStorage.length === 0 && sessionStorage.length === 0 &&
			indexedDB.databases().then((d) => d.length === 0)`
		if !eval[bool](next, empty) {
			next.fail("%s kept the first person's cookie or storage", u)
		}
	}
	next.goTo(s.baseURL + "/robots.txt")
	if got := eval[string](next, state); got != before {
		t.Fatalf("the seat kept the first person's emulation: %s, not %s as at first", got, before)
	}
	if got := eval[string](next, clipboard); got == "granted" {
		t.Fatalf("the seat kept the first person's clipboard permission")
	}
	next.goTo(s.host.URL)
	next.waitFor("the host page's script to run (JavaScript back on)", `!!document.getElementById('sodam-launcher')`)
}
