package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// How long one person's whole part in a test, one wait and one step may
// take. They catch a hang, not slowness: the browser tests run in
// parallel on a machine that may be busy with other work. A wait or a
// step catches a hang first; the tab's limit is the backstop, and a long
// part (TestBrowserTeam's master: 32 s alone) took 188 s in a CI run.
const (
	tabTimeout  = 8 * time.Minute
	waitTimeout = 30 * time.Second
	stepTimeout = 15 * time.Second
	// pollEvery is the shortest time between two checks of a condition
	// from Go; until checks more often inside the page.
	pollEvery = 50 * time.Millisecond
)

// tab is one person's browser tab. Its helpers fail the test with what was
// on the screen and what the page logged, so a failure explains itself.
//
// The widget's iframe (#sodam-frame) is served by Sodam, another origin
// than the host page, so the host page's scripts cannot reach into it. The
// frame* helpers resolve the iframe's document through the DevTools DOM
// domain and run their script in the frame's own JavaScript world: d is its
// document and w its window.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
	held chan *fetch.EventRequestPaused // requests paused by hold, until released
	// spoilt: the page runs a script of the test's on every load
	// (onEveryLoad), so its seat is not given to another person.
	spoilt bool
	seat   *seat

	mu   sync.Mutex
	logs []string // console errors and uncaught exceptions, newest last
}

// newTab opens a tab for a new person (own cookies and storage, as if on
// another computer: a browser context of its own, see seat) whose browser
// prefers Korean. The page always believes it has the focus, as the one
// window a person looks at. The person's part fails after tabTimeout.
func newTab(t *testing.T, root context.Context, name string) *tab {
	t.Helper()
	p := &tab{t: t, name: name, held: make(chan *fetch.EventRequestPaused, 16)}
	s := takeSeat(t, root, p)
	p.seat = s
	ctx, cancel := context.WithTimeout(s.ctx, tabTimeout)
	t.Cleanup(cancel)
	p.ctx = ctx
	return p.korean()
}

// onEveryLoad runs src in every page the tab loads from now on, before the
// page's own scripts.
func (p *tab) onEveryLoad(what, src string) {
	p.t.Helper()
	p.spoilt = true
	p.do(what, command(page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: src}))
}

// anotherTab opens a second tab of the person of p: the same browser
// context, so the same cookies and storage (a console open twice).
func anotherTab(t *testing.T, p *tab, name string) *tab {
	t.Helper()
	q := &tab{t: t, name: name, held: make(chan *fetch.EventRequestPaused, 16)}
	ctx, cancel := chromedp.NewContext(p.ctx, chromedp.WithListener(func(ev any) {
		p.seat.note(ev) // the seat's storage is this tab's too
		q.listen(ev)
	}))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open another tab: %v", err)
	}
	q.ctx = ctx
	return q.korean()
}

// korean sets the tab up as newTab says.
func (p *tab) korean() *tab {
	p.t.Helper()
	// Chromium's --lang does not reach a new browser context: set the
	// language a Korean browser sends (Accept-Language, navigator.language)
	// and formats with.
	ua := eval[string](p, `navigator.userAgent`)
	p.do("size the page", chromedp.EmulateViewport(1280, 800))
	p.do("prefer Korean and emulate focus", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7"}); err != nil {
			return err
		}
		if _, err := cdp.Call(ctx, t, emulation.SetLocaleOverride, emulation.SetLocaleOverrideParams{Locale: "ko-KR"}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true})
		return err
	}))
	return p
}

// listen keeps what the page complains about, for failure messages. It runs
// on chromedp's reading goroutine, so it only appends.
func (p *tab) listen(ev any) {
	var line string
	switch e := ev.(type) {
	case *fetch.EventRequestPaused:
		p.held <- e // hold's channel has room for every request it pauses
		return
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError && e.Type != runtime.ConsoleAPICalledTypeWarning {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = "console." + string(e.Type) + ": " + strings.Join(parts, " ")
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		line = "exception: " + d.Text
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.logs = append(p.logs, line)
	if len(p.logs) > 20 {
		p.logs = p.logs[len(p.logs)-20:]
	}
}

// hold pauses the page's requests to URLs that match pattern (* for any
// text) until release lets each go on: an answer the page waits for
// comes as late as the test needs. It expects at most 16 such requests.
func (p *tab) hold(pattern string) { p.holdAt(pattern, fetch.RequestStageRequest) }

// holdAnswers is hold for the answers: the server has answered, and the
// page reads the answer only once released, as a slow network would give
// it. unhold stops holding.
func (p *tab) holdAnswers(pattern string) { p.holdAt(pattern, fetch.RequestStageResponse) }

func (p *tab) holdAt(pattern string, stage fetch.RequestStage) {
	p.t.Helper()
	p.do("hold "+pattern, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: stage}}})
		return err
	}))
}

// unhold stops holding requests; those held and not released go on.
func (p *tab) unhold() {
	p.t.Helper()
	p.do("stop holding requests", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, fetch.Disable, cdp.Empty{})
		return err
	}))
}

// release waits for the next request hold paused and lets it go on.
func (p *tab) release() {
	p.t.Helper()
	var e *fetch.EventRequestPaused
	select {
	case e = <-p.held:
	case <-time.After(waitTimeout):
		p.fail("no request was held")
	}
	p.do("release a request", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		var err error
		if e.ResponseStatusCode != 0 || e.ResponseErrorReason != "" {
			_, err = cdp.Call(ctx, t, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: e.RequestID})
		} else {
			_, err = cdp.Call(ctx, t, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: e.RequestID})
		}
		return err
	}))
}

// fail ends the test, saying what this person's screen showed.
func (p *tab) fail(format string, args ...any) {
	p.t.Helper()
	p.t.Fatalf("%s: %s\n%s", p.name, fmt.Sprintf(format, args...), p.report())
}

// report describes the tab: its address and title, the visible text of the
// page and of the widget when there is one, and what the page logged.
func (p *tab) report() string {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), 5*time.Second)
	defer cancel()
	var b strings.Builder
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + '  title=' + JSON.stringify(document.title) + ' ' + document.readyState + '\n' + (document.body?.innerText ?? '').slice(0, 2500)`))
	if err != nil {
		fmt.Fprintf(&b, "  (could not read the page: %v)\n", err)
	} else {
		fmt.Fprintf(&b, "--- %s's page ---\n%s\n", p.name, page)
	}
	widget, err := chromedp.Run(ctx, inFrame[string](`const c = d.querySelector('[data-testid=widget]');
		return 'view=' + c?.dataset.view + ' connection=' + d.querySelector('[data-testid=widget-connection]')?.dataset.state + '\n' + (d.body?.innerText ?? '').slice(0, 2500)`))
	if err == nil {
		fmt.Fprintf(&b, "--- the widget ---\n%s\n", widget)
	}
	if p.seat != nil {
		p.seat.mu.Lock()
		if p.seat.before != "" {
			fmt.Fprintf(&b, "--- the seat was %s's before ---\n", p.seat.before)
		}
		p.seat.mu.Unlock()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.logs) > 0 {
		fmt.Fprintf(&b, "--- the page logged ---\n%s\n", strings.Join(p.logs, "\n"))
	}
	return b.String()
}

// do runs actions on the tab, failing the test if they do not finish.
func (p *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail("%s: %v", what, err)
	}
}

// goTo loads a page and waits for its load event: every module of the
// console or widget fetched from a server built with -race, which on two
// loaded cores took over stepTimeout (CI at load 12–19), so it has
// waitTimeout.
func (p *tab) goTo(url string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		p.fail("open %s: %v", url, err)
	}
}

// eval returns the value of a JavaScript expression in the page.
func eval[T any](p *tab, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fail("evaluate %s: %v", js, err)
	}
	return v
}

// frameEval runs body (a function body that returns a value) in the
// widget's iframe, with d and w its document and window.
func frameEval[T any](p *tab, body string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, inFrame[T](body))
	if err != nil {
		p.fail("evaluate in the widget %s: %v", body, err)
	}
	return v
}

var errNoWidget = errors.New("the page has no widget iframe (#sodam-frame) with a document")

// inFrame is an action that runs body in the main world of the widget
// iframe's document (its page scripts' world, so their globals are seen).
func inFrame[T any](body string) chromedp.Action[T] {
	return func(ctx context.Context, t *chromedp.Target) (T, error) {
		var zero T
		const group = "e2e-widget"
		defer cdp.Call(ctx, t, runtime.ReleaseObjectGroup, runtime.ReleaseObjectGroupParams{ObjectGroup: group})
		el, err := cdp.Call(ctx, t, runtime.Evaluate, runtime.EvaluateParams{Expression: `document.getElementById('sodam-frame')`, ObjectGroup: group})
		if err != nil {
			return zero, err
		}
		if el.Result == nil || el.Result.ObjectID == "" {
			return zero, errNoWidget
		}
		n, err := cdp.Call(ctx, t, dom.DescribeNode, dom.DescribeNodeParams{ObjectID: el.Result.ObjectID})
		if err != nil {
			return zero, err
		}
		if n.Node == nil || n.Node.ContentDocument == nil {
			return zero, errNoWidget
		}
		doc, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{BackendNodeID: n.Node.ContentDocument.BackendNodeID, ObjectGroup: group})
		if err != nil {
			return zero, err
		}
		return chromedp.CallFunctionOn[T]("async function() { const d = this, w = d.defaultView; "+body+"\n}",
			func(c *runtime.CallFunctionOnParams) {
				c.ObjectID = doc.Object.ObjectID
				c.AwaitPromise = ptrTo(true)
			})(ctx, t)
	}
}

func ptrTo[T any](v T) *T { return &v }

// js quotes a Go string as a JavaScript string literal.
func js(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// waitFor waits until the JavaScript expression is truthy in the page.
func (p *tab) waitFor(what, expr string) {
	p.t.Helper()
	p.poll(what, chromedp.Evaluate[bool](until("() => ("+expr+")"), chromedp.EvalAwaitPromise))
}

// waitFrame waits until the expression (over d and w) is truthy in the
// widget; a page without the widget yet counts as not yet.
func (p *tab) waitFrame(what, expr string) {
	p.t.Helper()
	p.poll(what, inFrame[bool]("return await "+until("() => ("+expr+")")+";"))
}

// until is a JavaScript promise that checks the function check every few
// milliseconds in the page and resolves to true as soon as it returns a
// truthy value, or to false after a second (an exception then rejects it,
// so that the test can say what went wrong). Waiting in the page sees a
// change within milliseconds and costs one DevTools round trip a second,
// where asking from Go every so often costs a round trip each time and
// notices late.
func until(check string) string {
	return `new Promise((resolve, reject) => {
		const check = ` + check + `, end = performance.now() + 1000;
		const attempt = () => {
			let err;
			try {
				if (check()) return resolve(true);
			} catch (e) {
				err = e;
			}
			if (performance.now() < end) setTimeout(attempt, 15);
			else if (err) reject(err);
			else resolve(false);
		};
		attempt();
	})`
}

// poll runs check until it reports true or waitTimeout passes. Checks
// are started at most every pollEvery: one that fails at once (no widget
// yet, a page being replaced, a check that does not wait by itself) is
// not retried in a busy loop.
func (p *tab) poll(what string, check chromedp.Action[bool]) {
	p.t.Helper()
	deadline := time.Now().Add(waitTimeout)
	next := time.NewTimer(0)
	defer next.Stop()
	var last error
	for {
		<-next.C
		next.Reset(pollEvery)
		ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
		ok, err := chromedp.Run(ctx, check)
		cancel()
		if err == nil && ok {
			return
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) || p.ctx.Err() != nil {
			if last != nil {
				p.fail("timed out waiting for %s (last error: %v)", what, last)
			}
			p.fail("timed out waiting for %s", what)
		}
	}
}

// click clicks an element of the page with the mouse. chromedp finds
// the element, then where it is, then moves the mouse; an element
// replaced in between (a list redrawn) fails the click before the mouse
// moves, so it is found again, up to three times.
func (p *tab) click(sel string) {
	p.t.Helper()
	for try := 1; ; try++ {
		ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
		err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel)))
		cancel()
		switch {
		case err == nil:
			return
		case try == 3 || !strings.Contains(err.Error(), "Could not find node with given id"):
			p.fail("click %s: %v", sel, err)
		}
	}
}

// clickAt clicks with the mouse where an element of the page is, once it
// is visible and enabled. Unlike click it holds no reference to the node,
// so it also works on a list that is redrawn meanwhile (the new element
// in the same place gets the click, as it would for a person).
func (p *tab) clickAt(sel string) {
	p.t.Helper()
	q := "document.querySelector(" + js(sel) + ")"
	p.waitFor(sel+" visible and enabled", q+`?.checkVisibility() && !`+q+`.disabled`)
	r := eval[[4]float64](p, `(() => { const el = `+q+`; el.scrollIntoView({block: 'nearest'}); const r = el.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	p.do("click "+sel, chromedp.MouseClickXY(r[0]+r[2]/2, r[1]+r[3]/2))
}

// clickUntil clicks sel where it is (clickAt) until check, a JavaScript
// expression that a click makes true at once, holds: a redraw between
// the mouse's press and its release takes a click away (the click goes
// to what holds the new element), and a person clicks again. It tries
// five times.
func (p *tab) clickUntil(sel, check string) {
	p.t.Helper()
	for range 5 {
		p.clickAt(sel)
		for range 4 {
			time.Sleep(pollEvery)
			if eval[bool](p, check) {
				return
			}
		}
	}
	p.fail("%s not true after five clicks on %s", check, sel)
}

// pick clicks a radio button or checkbox where it is (clickAt) until it
// is checked, as a person clicks again when a redraw between finding the
// box and pressing the button took the click away.
func (p *tab) pick(sel string) {
	p.t.Helper()
	for range 5 {
		p.clickAt(sel)
		if eval[bool](p, `!!document.querySelector(`+js(sel)+`)?.checked`) {
			return
		}
		time.Sleep(pollEvery)
	}
	p.fail("%s not checked after five clicks", sel)
}

// frameClick clicks an element of the widget with the mouse, once it is
// visible and enabled.
func (p *tab) frameClick(sel string) {
	p.t.Helper()
	q := "d.querySelector(" + js(sel) + ")"
	p.waitFrame(sel+" visible and enabled in the widget", q+`?.checkVisibility() && !`+q+`.disabled`)
	r := frameEval[[4]float64](p, `const el = d.querySelector(`+js(sel)+`);
		el.scrollIntoView({block: 'nearest'});
		const r = el.getBoundingClientRect();
		return [r.left, r.top, r.width, r.height];`)
	f := eval[[2]float64](p, `(() => { const f = document.getElementById('sodam-frame'); const r = f.getBoundingClientRect(); return [r.left + f.clientLeft, r.top + f.clientTop]; })()`)
	p.do("click "+sel+" in the widget", chromedp.MouseClickXY(f[0]+r[0]+r[2]/2, f[1]+r[1]+r[3]/2))
}

// keys presses a key for each character of text where the keyboard focus
// is; "\r" is Enter. It is for the keys themselves (shortcuts, Escape,
// arrows); text is written with write.
func (p *tab) keys(text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("type %q", text), chromedp.KeyEvent(text))
}

// write enters text where the keyboard focus is, as an input method
// commits it: a word at a time with the space after it (one insertion
// each: beforeinput and input events, so what reacts to a finished word,
// like "/메모 ", sees it), and each "\r" is a press of Enter. Korean is
// typed through an input method, which commits syllables, never a key
// per character; and a key per character (keys, chromedp.SendKeys) costs
// a DevTools round trip and a rendered frame each: a 50-character reply
// took the console's renderer 0.3–0.5 s, against 0.06 s at once
// (docs/testing.md). The tests of the keyboard itself (Enter while
// composing, shortcuts, signing in with keys alone) press keys.
func (p *tab) write(text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("write %q", text), writeText(text))
}

// words splits text into words, each with the spaces after it.
var words = regexp.MustCompile(`\s+|\S+\s*`)

func writeText(text string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for i, part := range strings.Split(text, "\r") {
			if i > 0 {
				if _, err := chromedp.KeyEvent("\r")(ctx, t); err != nil {
					return err
				}
			}
			for _, word := range words.FindAllString(part, -1) {
				if _, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: word}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// typeIn focuses the first visible element sel matches and writes text
// in it (see write). A date or time field takes no text but keys, one
// part of it after another, as a person types it: those are pressed.
func typeIn(sel, text string) chromedp.Action[chromedp.Void] {
	focus, write := chromedp.Focus(chromedp.CSS(sel), chromedp.NodeVisible), writeText(text)
	kind := chromedp.Evaluate[string](`document.activeElement.type ?? ''`)
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := focus(ctx, t); err != nil {
			return err
		}
		typ, err := kind(ctx, t)
		if err != nil {
			return err
		}
		if strings.Contains(" date time datetime-local month week ", " "+typ+" ") {
			_, err = chromedp.KeyEvent(text)(ctx, t)
		} else {
			_, err = write(ctx, t)
		}
		return err
	})
}

// compose starts (or changes) an IME composition with text, as a Korean
// input method does between keystrokes.
func (p *tab) compose(text string) {
	p.t.Helper()
	n := int64(len([]rune(text)))
	p.do("compose "+text, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.ImeSetComposition, input.ImeSetCompositionParams{Text: text, SelectionStart: n, SelectionEnd: n})
		return err
	}))
}

// commit ends the composition with text, as the input method does when the
// syllable is finished.
func (p *tab) commit(text string) {
	p.t.Helper()
	p.do("commit "+text, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, input.InsertText, input.InsertTextParams{Text: text})
		return err
	}))
}

// pressEnter sends one Enter key press (keydown and keyup, no character)
// with the key code: 13, or 229 as browsers report keys an IME handles.
func (p *tab) pressEnter(keyCode int64) {
	p.t.Helper()
	p.do("press Enter", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeRawKeyDown, input.DispatchKeyEventTypeKeyUp} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{
				Type: typ, Key: "Enter", Code: "Enter", WindowsVirtualKeyCode: keyCode, NativeVirtualKeyCode: keyCode,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
}

// bubble is one message as a thread (console or widget) shows it.
type bubble struct {
	Seq     int64  `json:"seq"`     // 0 for a draft
	Sender  string `json:"sender"`  // visitor, agent or system
	Pending string `json:"pending"` // pending, retrying or failed for a draft
	Who     string `json:"who"`     // the name shown with it
	Text    string `json:"text"`    // a file's name for a file message
	Code    string `json:"code"`    // a system event's code, e.g. assigned
}

func (b bubble) String() string {
	s := fmt.Sprintf("%d %s %q", b.Seq, b.Sender, b.Text)
	if b.Code != "" {
		s = fmt.Sprintf("%d %s/%s %q", b.Seq, b.Sender, b.Code, b.Text)
	}
	if b.Pending != "" {
		s += " (" + b.Pending + ")"
	}
	return s
}

// readThread is the JavaScript that lists the <li> of a thread.
const readThread = `[...list.children].map((li) => ({
	seq: Number(li.dataset.seq ?? 0),
	sender: li.dataset.sender ?? '',
	pending: li.dataset.pending ?? '',
	who: li.querySelector('.who')?.textContent ?? '',
	text: li.querySelector('.bubble')?.textContent ?? li.querySelector('img[data-testid=file-thumbnail]')?.alt ??
		li.querySelector('.file-name')?.textContent ?? (li.querySelector('.event') ?? li).textContent,
	code: li.dataset.code ?? '',
}))`

// consoleThread lists the messages of the conversation open in the console.
func consoleThread(p *tab) []bubble {
	p.t.Helper()
	return eval[[]bubble](p, `(() => { const list = document.querySelector('[data-testid=messages]'); return `+readThread+`; })()`)
}

// widgetThread lists the messages the widget shows.
func widgetThread(p *tab) []bubble {
	p.t.Helper()
	return frameEval[[]bubble](p, `const list = d.querySelector('[data-testid=widget-messages]'); return `+readThread+`;`)
}
