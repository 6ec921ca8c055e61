package web

import (
	"fmt"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestColourContrast: the main pairs of colours each stylesheet's custom
// properties make — body and muted text on the backgrounds it sits on,
// links, buttons, badges, banners, the focus ring and the border of form
// fields — reach WCAG AA (4.5:1 for text, 3:1 for the focus ring and the
// edge that shows where a field is, 1.4.11) in the light and the dark
// scheme (§15). Placeholders take a stylesheet colour that reaches 4.5:1
// on the field too: the browser's own grey (#757575) does not on a dark
// field.
func TestColourContrast(t *testing.T) {
	const text, ui = 4.5, 3.0
	type pair struct {
		fg, bg string // a --custom-property or a #rrggbb
		min    float64
	}
	for _, c := range []struct {
		file   string
		pairs  []pair
		fields []string // the backgrounds of its form fields
	}{
		{"console/style.css", []pair{
			{"--text", "--bg", text}, {"--text", "--surface", text}, {"--text", "--surface-2", text}, {"--text", "--brand-soft", text},
			{"--muted", "--bg", text}, {"--muted", "--surface", text}, {"--muted", "--surface-2", text}, {"--muted", "--brand-soft", text},
			{"--brand-strong", "--surface", text}, {"--brand-strong", "--bg", text}, {"--brand-strong", "--brand-soft", text},
			{"--on-brand", "--brand", text}, {"--on-danger", "--danger", text},
			{"--danger", "--surface", text}, {"--danger", "--bg", text},
			{"--warn-text", "--warn-bg", text}, {"--stop-text", "--stop-bg", text},
			{"--rail-text", "--rail-bg", text}, {"--rail-text", "--rail-active", text},
			{"--focus", "--surface", ui}, {"--focus", "--bg", ui}, {"--focus", "--surface-2", ui},
			{"--field-line", "--surface", ui}, {"--field-line", "--bg", ui}, {"--field-line", "--surface-2", ui},
			{"--brand", "--surface", ui}, {"--star", "--surface", ui},
		}, []string{"--surface", "--bg"}},
		{"widget/frame.css", []pair{
			{"--text", "--bg", text}, {"--text", "--surface", text},
			{"--muted", "--bg", text}, {"--muted", "--surface", text},
			{"--on-brand", "--brand", text}, {"--error", "--surface", text}, {"--error", "--bg", text},
			{"--notice-text", "--notice-bg", text},
			{"--focus", "--surface", ui}, {"--focus", "--bg", ui},
			{"--field-line", "--surface", ui}, {"--field-line", "--bg", ui},
			{"--star", "--surface", ui}, // a chosen rating star (an empty one is drawn in --field-line)
		}, []string{"--surface", "--bg"}},
		{"help/help.css", []pair{
			{"--ink", "--bg", text}, {"--muted", "--bg", text}, {"--focus", "--bg", ui},
		}, nil},
	} {
		css, err := os.ReadFile(c.file)
		if err != nil {
			t.Fatal(err)
		}
		light, dark := schemes(string(css))
		for _, scheme := range []struct {
			name string
			vars map[string]string
		}{{"light", light}, {"dark", dark}} {
			colour := func(v string) [3]float64 {
				t.Helper()
				if !strings.HasPrefix(v, "--") {
					return hexColour(t, v)
				}
				if scheme.vars[v] == "" {
					t.Errorf("%s (%s): %s is not set", c.file, scheme.name, v)
					return [3]float64{-1}
				}
				return hexColour(t, scheme.vars[v])
			}
			for _, p := range c.pairs {
				fg, bg := colour(p.fg), colour(p.bg)
				if fg[0] < 0 || bg[0] < 0 {
					continue
				}
				if r := contrast(fg, bg); r < p.min {
					t.Errorf("%s (%s): %s %s on %s %s is %.2f:1, want %.1f:1", c.file, scheme.name, p.fg, scheme.vars[p.fg], p.bg, scheme.vars[p.bg], r, p.min)
				}
			}
			// The placeholder's colour, on the field's background.
			m := regexp.MustCompile(`::placeholder\s*\{[^}]*color:\s*var\((--[a-z0-9-]+)\)`).FindStringSubmatch(string(css))
			if m == nil {
				t.Errorf("%s: no ::placeholder colour: the browser's grey (#757575) is below 4.5:1 on a dark field", c.file)
				continue
			}
			fields := c.fields
			if fields == nil { // the help center's search field: white, or #25211d in the dark
				fields = map[string][]string{"light": {"#ffffff"}, "dark": {"#25211d"}}[scheme.name]
			}
			for _, field := range fields {
				if fg, bg := colour(m[1]), colour(field); fg[0] >= 0 && bg[0] >= 0 && contrast(fg, bg) < text {
					t.Errorf("%s (%s): placeholder %s on %s is %.2f:1, want %.1f:1", c.file, scheme.name, m[1], field, contrast(fg, bg), text)
				}
			}
		}
		// A form field's edge is drawn in --field-line, not the fainter
		// --line of cards and separators.
		for _, rule := range regexp.MustCompile(`([^{};]+)\{([^{}]*)\}`).FindAllStringSubmatch(string(css), -1) {
			sel, decls := rule[1], rule[2]
			if regexp.MustCompile(`(^|[\s,.>])(input|textarea|select)\b`).MatchString(sel) && strings.Contains(decls, "solid var(--line)") {
				t.Errorf("%s: form fields %q have a border of --line, below 3:1: use --field-line", c.file, strings.TrimSpace(sel))
			}
		}
	}
}

// schemes returns the custom properties a stylesheet sets on :root, as
// they are in the light scheme and in the dark one (the light ones, with
// those of :root in a prefers-color-scheme: dark block over them).
func schemes(css string) (light, dark map[string]string) {
	css = regexp.MustCompile(`(?s)/\*.*?\*/`).ReplaceAllString(css, "")
	darkAt := strings.Index(css, "@media (prefers-color-scheme: dark)")
	light, dark = map[string]string{}, map[string]string{}
	prop := regexp.MustCompile(`(--[a-z0-9-]+)\s*:\s*(#[0-9a-fA-F]{3,6})\b`)
	for _, m := range regexp.MustCompile(`(?:^|[\s}]):root\s*\{([^}]*)\}`).FindAllStringSubmatchIndex(css, -1) {
		inDark := darkAt >= 0 && m[0] > darkAt
		for _, p := range prop.FindAllStringSubmatch(css[m[2]:m[3]], -1) {
			if !inDark {
				light[p[1]] = p[2]
			}
			dark[p[1]] = p[2]
		}
	}
	for k, v := range light {
		if _, ok := dark[k]; !ok {
			dark[k] = v
		}
	}
	return light, dark
}

// hexColour parses #rgb or #rrggbb into 0–255 channels.
func hexColour(t *testing.T, s string) [3]float64 {
	t.Helper()
	h := strings.TrimPrefix(s, "#")
	if len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil || len(h) != 6 {
			t.Fatalf("colour %q: %v", s, fmt.Errorf("not #rrggbb"))
		}
		c[i] = float64(v)
	}
	return c
}

// contrast is the WCAG contrast ratio of two colours.
func contrast(a, b [3]float64) float64 {
	lum := func(c [3]float64) float64 {
		var l [3]float64
		for i, v := range c {
			v /= 255
			if v <= 0.03928 {
				l[i] = v / 12.92
			} else {
				l[i] = math.Pow((v+0.055)/1.055, 2.4)
			}
		}
		return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
	}
	x, y := lum(a), lum(b)
	if x < y {
		x, y = y, x
	}
	return (x + 0.05) / (y + 0.05)
}
