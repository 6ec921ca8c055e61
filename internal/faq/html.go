package faq

import (
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
)

// policy is what an article's body may hold: text formatting, lists,
// tables, links and images, nothing that runs. bluemonday parses the HTML
// as a browser would and keeps only what the policy names, so script,
// event handlers, style, SVG, iframes and javascript: or data: links are
// gone whatever their spelling. Images may point at Sodam's own uploads
// (a relative /api/v1/… or /help/… path) or at https.
// It is built on first use (an idle node's memory, issue 17).
var policy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "b", "strong", "i", "em", "u", "s", "h2", "h3", "h4",
		"ul", "ol", "li", "blockquote", "pre", "code", "hr", "table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("src", "alt", "width", "height").OnElements("img")
	p.AllowURLSchemes("https", "http", "mailto", "tel")
	p.AllowRelativeURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("colspan", "rowspan").Matching(regexp.MustCompile(`^[0-9]{1,2}$`)).OnElements("td", "th")
	return p
})

// Sanitize returns body with everything unsafe removed (see policy).
func Sanitize(body string) string {
	return strings.TrimSpace(policy().Sanitize(body))
}

// blockElements end a line in an article's text version.
var blockElements = map[string]bool{"p": true, "br": true, "li": true, "h2": true, "h3": true, "h4": true,
	"tr": true, "blockquote": true, "pre": true, "hr": true, "div": true, "ul": true, "ol": true, "table": true}

// Text is an article body's text version: what search indexes, excerpts
// show and the console's ? inserts. Block elements become line breaks,
// list items get a bullet, links keep their address after their text.
func Text(body string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	var href string
	for {
		switch z.Next() {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if blockElements[tag] {
				b.WriteString("\n")
			}
			if tag == "li" {
				b.WriteString("• ")
			}
			if tag == "a" && hasAttr {
				for {
					k, v, more := z.TagAttr()
					if string(k) == "href" {
						href = string(v)
					}
					if !more {
						break
					}
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "a" && href != "" {
				b.WriteString(" (" + href + ")")
				href = ""
			}
			if blockElements[tag] {
				b.WriteString("\n")
			}
		}
	}
}

// tidy collapses runs of spaces and blank lines.
func tidy(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// Excerpt is the first n characters of text on one line, cut at a word.
func Excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	rs := []rune(text)[:n]
	cut := string(rs)
	if i := strings.LastIndex(cut, " "); i > len(cut)/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
