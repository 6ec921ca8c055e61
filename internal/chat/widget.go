package chat

import (
	"strings"
	"time"
	"unicode/utf8"
)

// RefusedOrigin is a page origin the widget was refused from: a missing or
// mistyped allowed origin, or someone else's page.
type RefusedOrigin struct {
	Origin string    `json:"origin"`
	LastAt time.Time `json:"last_at"`
	Hits   int64     `json:"hits"`
}

// MaxRefusedOrigins is how many refused origins a workspace keeps.
const MaxRefusedOrigins = 20

// WidgetLook is how the chat widget looks on the company's pages (§1.1,
// §13): the launcher's side and offset, the language it opens in, and the
// title, greeting, consent text and rating request per language. The
// workspace's own title, consent text, greeting and rating request are the
// defaults where a language has none.
type WidgetLook struct {
	// Position is the side of the page the launcher sits on: right or left.
	Position string `json:"position"`
	// OffsetX and OffsetY move it from the corner, in CSS pixels.
	OffsetX int `json:"offset_x"`
	OffsetY int `json:"offset_y"`
	// Language is the widget's language: "" follows the visitor's browser.
	Language string `json:"language"`
	// Texts holds the wording per language ("ko", "en").
	Texts map[string]WidgetText `json:"texts"`
}

// WidgetText is the widget's wording in one language.
type WidgetText struct {
	Title    string `json:"title"`
	Greeting string `json:"greeting"`
	Consent  string `json:"consent"`
	// RatingRequest asks a visitor in this language to rate the chat.
	RatingRequest string `json:"rating_request"`
}

// Limits of the widget's look.
const (
	maxWidgetOffset = 300
	maxWidgetTitle  = 100
	maxConsent      = 5000
)

// DefaultWidgetLook is bottom right, following the visitor's language.
func DefaultWidgetLook() WidgetLook {
	return WidgetLook{Position: "right", OffsetX: 20, OffsetY: 20, Texts: map[string]WidgetText{}}
}

// Validate reports the first thing wrong with w.
func (w WidgetLook) Validate() error {
	if w.Position != "right" && w.Position != "left" {
		return Errorf(ErrInvalid, "widget.position must be right or left")
	}
	if w.OffsetX < 0 || w.OffsetX > maxWidgetOffset || w.OffsetY < 0 || w.OffsetY > maxWidgetOffset {
		return Errorf(ErrInvalid, "widget offsets must be 0 to %d pixels", maxWidgetOffset)
	}
	if w.Language != "" && w.Language != "ko" && w.Language != "en" {
		return Errorf(ErrInvalid, "widget.language must be ko, en or empty (the visitor's browser)")
	}
	for lang, t := range w.Texts {
		if lang != "ko" && lang != "en" {
			return Errorf(ErrInvalid, "widget.texts has wording for ko and en only, not %q", lang)
		}
		if utf8.RuneCountInString(t.Title) > maxWidgetTitle || utf8.RuneCountInString(t.Greeting) > MaxGreeting || utf8.RuneCountInString(t.Consent) > maxConsent ||
			utf8.RuneCountInString(t.RatingRequest) > MaxGreeting {
			return Errorf(ErrInvalid, "widget.texts.%s: title at most %d, greeting and rating_request %d and consent %d characters", lang, maxWidgetTitle, MaxGreeting, maxConsent)
		}
		// The title is one line of the widget's header, as the
		// workspace's own title is (WorkspacePatch.Apply): a line break
		// or a text-direction character (U+202E) would reorder it.
		if strings.ContainsFunc(strings.TrimSpace(t.Title), IsControlOrBidi) {
			return Errorf(ErrInvalid, "widget.texts.%s.title must be one line, without control characters", lang)
		}
	}
	return nil
}

// WidgetLanguage is the language the widget speaks to a visitor whose
// browser prefers browser ("ko-KR", "en-US", …).
func (w WidgetLook) WidgetLanguage(browser string) string {
	if w.Language != "" {
		return w.Language
	}
	if len(browser) >= 2 && browser[:2] == "en" {
		return "en"
	}
	return "ko"
}

// TextsFor is the wording for lang: that language's, else the workspace's
// defaults (Settings.RatingRequest, the one wording workspaces had before
// there was one per language, included). A rating request still empty is
// the widget's own words in its language.
func (ws *Workspace) TextsFor(lang string) WidgetText {
	t := ws.Settings.Widget.Texts[lang]
	if t.Title == "" {
		t.Title = ws.Title
	}
	if t.Greeting == "" {
		t.Greeting = ws.Settings.Greeting
	}
	if t.Consent == "" {
		t.Consent = ws.ConsentText
	}
	if t.RatingRequest == "" {
		t.RatingRequest = ws.Settings.RatingRequest
	}
	return t
}
