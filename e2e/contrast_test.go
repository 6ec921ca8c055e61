package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestBrowserContrast: the text of the console's pages, the widget and
// the help center — messages, lists, panels, buttons, labels — reaches
// WCAG AA contrast against what is behind it (4.5:1, 3:1 for large text),
// in the light and in the dark scheme, and in the dark on a phone (§15).
func TestBrowserContrast(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scheme string
		phone  bool
	}{{"light", false}, {"dark", false}, {"dark", true}} {
		scheme, name := c.scheme, c.scheme
		if c.phone {
			name += "-phone"
		}
		t.Run(name, func(t *testing.T) {
			s := startSite(t)
			refund := seedShopFAQ(t, s)
			root := browser(t)
			agent := newTab(t, root, "agent")
			visitor := newTab(t, root, "visitor")
			for _, p := range []*tab{agent, visitor} {
				if c.phone {
					phone(p)
				}
				prefer(p, scheme)
			}
			signIn(agent, s)
			openWidget(visitor, s.host.URL)
			agree(visitor)
			const hello = "주문한 찻잔 세트가 아직 안 왔어요. 언제 오나요?"
			widgetSend(visitor, hello)
			id := firstRequest(agent)
			openAndAssign(agent, id)
			const reply = "확인해 보겠습니다. 잠시만 기다려 주세요."
			consoleSend(agent, reply)
			widgetShows(visitor, "agent", reply)

			dark := scheme == "dark"
			if got := eval[bool](agent, `matchMedia('(prefers-color-scheme: dark)').matches`); got != dark {
				agent.fail("the console's page prefers dark: %v, want %v", got, dark)
			}
			if got := frameEval[bool](visitor, `return w.matchMedia('(prefers-color-scheme: dark)').matches;`); got != dark {
				visitor.fail("the widget prefers dark: %v, want %v", got, dark)
			}
			look(agent, "contrast-console-"+name)
			look(visitor, "contrast-widget-"+name)
			consoleContrast := func() []string {
				return eval[[]string](agent, "(async () => { const d = document; "+settledContrast+" })()")
			}
			wantContrast(agent, "the console's chat", consoleContrast())
			wantContrast(visitor, "the widget", frameEval[[]string](visitor, settledContrast))
			visitor.frameClick("[data-testid=widget-faq-open]")
			visitor.waitFrame("the FAQ by category", `d.querySelectorAll('[data-testid=widget-faq-item]').length === 4`)
			wantContrast(visitor, "the widget's FAQ", frameEval[[]string](visitor, settledContrast))
			look(visitor, "contrast-widget-faq-"+name)
			// The rating's stars, none chosen and then three: a star left
			// out is seen (3:1, large text) as well as one chosen.
			visitor.frameClick("[data-testid=widget-faq-close]")
			visitor.frameClick("[data-testid=widget-rate]")
			visitor.waitFrame("the rating form", `d.querySelector('[data-testid=widget-rating-form]').checkVisibility()`)
			wantContrast(visitor, "the widget's rating, no star chosen", frameEval[[]string](visitor, withStars))
			visitor.frameClick("[data-testid=widget-rating-star-3]")
			visitor.waitFrame("three stars chosen", `d.querySelector('[data-testid=widget-rating-stars]').dataset.score === '3'`)
			wantContrast(visitor, "the widget's rating, three stars chosen", frameEval[[]string](visitor, withStars))
			look(visitor, "contrast-widget-rating-"+name)
			visitor.frameClick("[data-testid=widget-rating-cancel]")
			for _, page := range []string{"tickets", "history", "stats", "settings", "team", "audit"} {
				if !eval[bool](agent, `document.querySelector('[data-testid=nav-`+page+`]').checkVisibility()`) {
					continue // not in a phone's bottom bar
				}
				agent.click("[data-testid=nav-" + page + "]")
				agent.waitFor("the "+page+" page", `document.querySelector('#app').dataset.page === '`+page+`'`)
				wantContrast(agent, "the "+page+" page", consoleContrast())
				look(agent, "contrast-"+page+"-"+name)
			}
			// The help center, as a reader of the company's site sees it:
			// its home page and an article.
			agent.goTo(s.baseURL + "/help/" + s.ws.SiteID)
			agent.waitFor("the help center", `document.querySelector('main') !== null`)
			wantContrast(agent, "the help center", consoleContrast())
			look(agent, "contrast-help-"+name)
			agent.goTo(fmt.Sprintf("%s/help/%s/articles/%d", s.baseURL, s.ws.SiteID, refund.ID))
			agent.waitFor("the article", `document.querySelector('main h1')?.textContent === `+js(refund.Title))
			wantContrast(agent, "a help center article", consoleContrast())
			look(agent, "contrast-article-"+name)
			// The check finds low contrast where there is some: a line of
			// light grey on white is reported.
			probe := `const p = d.createElement('p'); p.textContent = '대비 확인'; p.style.cssText = 'position:fixed;top:0;left:0;color:#bbb;background:#fff'; d.body.append(p);`
			checked := eval[[]string](agent, "(() => { const d = document; "+probe+" const low = (() => { "+lowContrast+" })(); d.body.lastChild.remove(); return low; })()")
			if !slices.ContainsFunc(checked, func(l string) bool { return strings.Contains(l, "대비 확인") }) {
				agent.fail("the contrast check reported %q for a grey-on-white probe", checked)
			}
		})
	}
}

// withStars is settledContrast with the rating's stars: hidden from
// screen readers (the radios name them), they are the control a person
// sees, so each, chosen or not, stands 3:1 from what is behind it (WCAG's
// non-text contrast): a chosen star's fill, an unchosen one's outline.
const withStars = `const text = await (async () => { ` + settledContrast + ` })();
const stars = (() => { ` + colourMath + `
	const low = [];
	for (const el of d.querySelectorAll('[data-testid=widget-rating-stars] .star')) {
		// A star left unchosen is its outline (the glyph's stroke), a
		// chosen one its fill.
		const cs = d.defaultView.getComputedStyle(el), fg = rgba(cs.color).a > 0 ? cs.color : cs.webkitTextStrokeColor;
		const { bg } = layers(el);
		const ratio = contrast(rgba(fg), bg);
		if (ratio < 3) low.push('a rating star ' + ratio.toFixed(2) + ' < 3 (' + fg + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + '))');
	}
	return low;
})();
return text.concat(stars);`

// wantContrast fails the test when low lists text below AA contrast.
func wantContrast(p *tab, where string, low []string) {
	p.t.Helper()
	if len(low) > 0 {
		p.fail("text below WCAG AA contrast in %s:\n%s", where, strings.Join(low, "\n"))
	}
}

// settledContrast is lowContrast checked in the page every 50 ms until it
// finds nothing, for up to three seconds (a page may still be loading):
// what it found last.
const settledContrast = `const check = () => { ` + lowContrast + ` };
return await new Promise((resolve) => {
	const end = performance.now() + 3000;
	const tick = () => {
		const low = check();
		if (!low.length || performance.now() > end) resolve(low);
		else setTimeout(tick, 50);
	};
	tick();
});`

// colourMath is JavaScript shared by the colour checks, over the document
// d: rgba parses a computed colour, over blends a colour over an opaque
// one, lum is the WCAG relative luminance and contrast the WCAG ratio of
// two colours; layers(e) is the colour of e's background over its
// ancestors' (the page's canvas under them all), with the opacity they
// multiply to.
const colourMath = `
const rgba = (c) => {
	const m = /rgba?\(([^)]+)\)/.exec(c);
	if (!m) return null;
	const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
	return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
};
const over = (top, under) => ({
	r: top.r * top.a + under.r * (1 - top.a),
	g: top.g * top.a + under.g * (1 - top.a),
	b: top.b * top.a + under.b * (1 - top.a),
	a: 1,
});
const lum = (c) => {
	const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
	return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
};
const contrast = (x, y) => {
	const [hi, lo] = [lum(x), lum(y)].sort((a, b) => b - a);
	return (hi + 0.05) / (lo + 0.05);
};
const canvas = d.defaultView.matchMedia('(prefers-color-scheme: dark)').matches ? { r: 18, g: 18, b: 18, a: 1 } : { r: 255, g: 255, b: 255, a: 1 };
const layers = (e) => {
	const chain = [];
	for (; e; e = e.parentElement) chain.unshift(e);
	let bg = canvas, opacity = 1;
	for (const x of chain) {
		const cs = d.defaultView.getComputedStyle(x);
		opacity *= Number(cs.opacity);
		const c = rgba(cs.backgroundColor);
		if (c && c.a > 0) bg = over({ ...c, a: c.a * opacity }, bg);
	}
	return { bg, opacity };
};
`

// lowContrast is a function body over the document d that returns each
// visible piece of text whose contrast with the backgrounds behind it
// (its ancestors', blended in order, with their opacity) is below WCAG
// AA: 4.5:1, or 3:1 for large text (24px, or 18.66px bold). Disabled
// controls are exempt, as WCAG has them.
const lowContrast = colourMath + `
const view = d.defaultView;
const low = [];
for (const el of d.body.querySelectorAll('*')) {
	if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
	if (el.closest('[hidden], [aria-hidden=true], script, style, template, option') || !el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
	if (el.closest(':disabled, [aria-disabled=true]')) continue;
	const r = el.getBoundingClientRect();
	if (r.width < 1 || r.height < 1) continue;
	const { bg, opacity } = layers(el);
	const cs = view.getComputedStyle(el);
	const fg = rgba(cs.color);
	const ratio = contrast(over({ ...fg, a: fg.a * opacity }, bg), bg);
	const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
	const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
	if (ratio < need) {
		const what = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') + (el.dataset.testid ? '[' + el.dataset.testid + ']' : '');
		low.push(what + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2) + ' < ' + need + ' (' + cs.color + ' on rgb(' + [bg.r, bg.g, bg.b].map(Math.round).join(', ') + '))');
	}
}
return low;
`
