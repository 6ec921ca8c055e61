package e2e

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserPaneResize: the agent widens the conversation list by
// dragging its splitter and narrows the customer panel with the arrow
// keys; a drag past the limit stops at it; the console remembers both
// widths after a reload (§15: "Panels resize; sizes are remembered").
func TestBrowserPaneResize(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent := newTab(t, browser(t), "agent")
	signIn(agent, s)
	agent.waitFor("the console live", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	width := func(pane string) int {
		return eval[int](agent, `Math.round(document.querySelector('[data-pane-name=`+pane+`]').getBoundingClientRect().width)`)
	}
	list, details := width("list"), width("details")

	// drag presses the mouse on the splitter's left edge (the list's
	// right one) and moves it by dx.
	drag := func(pane string, dx float64) {
		t.Helper()
		r := eval[[4]float64](agent, `(() => { const r = document.querySelector('[role=separator][data-pane=`+pane+`]').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
		x, y := r[0]+0.5, r[1]+r[3]/2
		agent.do("drag the "+pane+" splitter", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			steps := []input.DispatchMouseEventParams{
				{Type: input.DispatchMouseEventTypeMousePressed, X: x, Y: y, Button: input.MouseButtonLeft, Buttons: 1, ClickCount: 1},
				{Type: input.DispatchMouseEventTypeMouseMoved, X: x + dx/2, Y: y, Button: input.MouseButtonLeft, Buttons: 1},
				{Type: input.DispatchMouseEventTypeMouseMoved, X: x + dx, Y: y, Button: input.MouseButtonLeft, Buttons: 1},
				{Type: input.DispatchMouseEventTypeMouseReleased, X: x + dx, Y: y, Button: input.MouseButtonLeft, Buttons: 0, ClickCount: 1},
			}
			for _, p := range steps {
				if _, err := cdp.Call(ctx, t, input.DispatchMouseEvent, p); err != nil {
					return err
				}
			}
			return nil
		}))
	}
	wantWidth := func(pane string, want int) {
		t.Helper()
		agent.waitFor(fmt.Sprintf("the %s pane %d px wide", pane, want),
			fmt.Sprintf(`Math.abs(document.querySelector('[data-pane-name=%s]').getBoundingClientRect().width - %d) <= 1`, pane, want))
	}

	drag("list", 80)
	wantWidth("list", list+80)
	agent.do("focus the panel's splitter", chromedp.Focus(chromedp.CSS("[role=separator][data-pane=details]")))
	agent.keys(kb.ArrowRight + kb.ArrowRight) // the panel grows to the left: right narrows it
	wantWidth("details", details-32)
	if got := eval[string](agent, `document.querySelector('[role=separator][data-pane=details]').getAttribute('aria-valuenow')`); got != fmt.Sprint(details-32) {
		agent.fail("the panel's splitter says %s px, want %d", got, details-32)
	}

	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	wantWidth("list", list+80)
	wantWidth("details", details-32)

	// Past the limit the list stops at its widest (panes.js: 560 px).
	drag("list", 2000)
	wantWidth("list", 560)
}

// TestBrowserPaneWidthsNarrowWindow: an agent who widened both side panes
// to their limits on a large monitor opens the console on a 1366×768
// laptop (657 px of window). The remembered widths give way so that all
// three panes stay in the window — the customer panel's right edge was
// cut off past the window's, with no way to scroll to it.
func TestBrowserPaneWidthsNarrowWindow(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent := newTab(t, browser(t), "agent")
	agent.do("size the page", chromedp.EmulateViewport(1366, 657))
	signIn(agent, s)
	agent.waitFor("the console live", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	agent.do("remember the widest panes", chromedp.Evaluate[chromedp.Void](`localStorage.setItem('sodam.panes', JSON.stringify({ list: 560, details: 520 }))`))
	agent.do("reload the console", chromedp.Reload())
	agent.waitFor("the console live again", `document.querySelector('[data-testid=connection]')?.dataset.state === 'live'`)
	agent.waitFor("the remembered widths read", `document.querySelector('.app').style.getPropertyValue('--list-width') === '560px'`)
	edges := eval[[3]float64](agent, `(() => {
		const r = (n) => document.querySelector('[data-pane-name=' + n + ']').getBoundingClientRect();
		const mid = document.querySelector('[role=separator][data-pane=details]').getBoundingClientRect().left - document.querySelector('[role=separator][data-pane=list]').getBoundingClientRect().right;
		return [r('details').right, innerWidth, mid];
	})()`)
	if edges[0] > edges[1]+0.5 {
		agent.fail("the customer panel ends at %.0f px, past the window's %.0f", edges[0], edges[1])
	}
	if edges[2] < 319.5 {
		agent.fail("the conversation is %.0f px wide, under its 320", edges[2])
	}
}
