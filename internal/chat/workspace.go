package chat

import (
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Workspace is one company's support desk (§0).
type Workspace struct {
	ID     int64  `json:"id"`
	SiteID string `json:"site_id"`
	Name   string `json:"name"`
	// IdentitySecret signs site_uid values (§1.3). Shown only to masters.
	IdentitySecret string `json:"-"`
	// AllowedOrigins lists the host-page origins that may embed the widget,
	// besides Sodam's own origin.
	AllowedOrigins []string  `json:"allowed_origins"`
	ConsentText    string    `json:"consent_text"`
	Color          string    `json:"color"`
	Title          string    `json:"title"`
	Settings       Settings  `json:"settings"`
	CreatedAt      time.Time `json:"created_at"`
	// ArchivedAt is set while the workspace is archived: its widget and
	// console are closed, its history kept.
	ArchivedAt *time.Time `json:"archived_at,omitempty"`
	// SessionMoves counts the changes that moved widget sessions from one
	// identifier to another (a customer ID change folding web
	// identifiers, §1.3): a node re-reads the sessions it cached when it
	// changes.
	SessionMoves int64 `json:"-"`
}

// WorkspacePatch is a change to a workspace's settings; nil fields stay.
// Settings, when set, holds the whole settings as the patch leaves them:
// decode a patch over a copy of the current settings, so that the fields
// it names replace theirs and the rest stay.
type WorkspacePatch struct {
	Name           *string   `json:"name"`
	ConsentText    *string   `json:"consent_text"`
	AllowedOrigins *[]string `json:"allowed_origins"`
	Color          *string   `json:"color"`
	Title          *string   `json:"title"`
	Settings       *Settings `json:"settings"`
}

// Limits of a workspace's own fields.
const (
	maxWorkspaceName = 100
	maxConsentText   = 5000
	maxTitle         = 100
	maxOrigins       = 50
)

// Apply validates every field of p, then changes w; a refused patch
// changes nothing.
func (p WorkspacePatch) Apply(w *Workspace) error {
	text := func(field string, v *string, max int) error {
		if v != nil && utf8.RuneCountInString(*v) > max {
			return Errorf(ErrInvalid, "%s must be at most %d characters", field, max)
		}
		return nil
	}
	if p.Name != nil && strings.TrimSpace(*p.Name) == "" {
		return Errorf(ErrInvalid, "name must not be empty")
	}
	for _, err := range []error{text("name", p.Name, maxWorkspaceName), text("consent_text", p.ConsentText, maxConsentText), text("title", p.Title, maxTitle)} {
		if err != nil {
			return err
		}
	}
	// The name and the title are one line (the name is the sender's name
	// on ticket emails); the consent text may have several.
	if p.Name != nil && strings.ContainsFunc(strings.TrimSpace(*p.Name), IsControlOrBidi) {
		return Errorf(ErrInvalid, "name must be one line, without control characters")
	}
	if p.Title != nil && strings.ContainsFunc(strings.TrimSpace(*p.Title), IsControlOrBidi) {
		return Errorf(ErrInvalid, "title must be one line, without control characters")
	}
	if p.Color != nil && *p.Color != "" && !isHexColor(*p.Color) {
		return Errorf(ErrInvalid, "color must look like #1a73e8")
	}
	var origins []string
	if p.AllowedOrigins != nil {
		if len(*p.AllowedOrigins) > maxOrigins {
			return Errorf(ErrInvalid, "at most %d allowed origins", maxOrigins)
		}
		for _, o := range *p.AllowedOrigins {
			norm, err := NormalizeOrigin(o)
			if err != nil {
				return err
			}
			origins = append(origins, norm)
		}
	}
	if p.Settings != nil {
		if err := p.Settings.Validate(); err != nil {
			return err
		}
		w.Settings = *p.Settings
		// Wording is kept without the spaces around it, as the settings
		// page sends it: one of spaces alone is none, so the widget falls
		// back to the workspace's (TextsFor) — a title to the workspace's
		// title or name, a greeting to the default — instead of showing
		// a blank header or posting a blank greeting.
		s := &w.Settings
		s.Greeting, s.RatingRequest = strings.TrimSpace(s.Greeting), strings.TrimSpace(s.RatingRequest)
		for lang, t := range s.Widget.Texts {
			t.Title, t.Greeting = strings.TrimSpace(t.Title), strings.TrimSpace(t.Greeting)
			t.Consent, t.RatingRequest = strings.TrimSpace(t.Consent), strings.TrimSpace(t.RatingRequest)
			s.Widget.Texts[lang] = t
		}
	}
	if p.Name != nil {
		w.Name = strings.TrimSpace(*p.Name)
	}
	if p.ConsentText != nil {
		w.ConsentText = strings.TrimSpace(*p.ConsentText)
	}
	if p.Title != nil {
		w.Title = strings.TrimSpace(*p.Title)
	}
	if p.Color != nil {
		w.Color = *p.Color
	}
	if p.AllowedOrigins != nil {
		w.AllowedOrigins = origins
	}
	return nil
}

func isHexColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(c[1:], 16, 32)
	return err == nil
}

// hostName is a DNS name, as browsers send it (IDN names in their xn--
// form), labels of up to 63 characters. It is compiled on first use: its
// {0,61} makes a program of 0.25 MB (an idle node's memory, issue 17).
var hostName = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$`)
})

// NormalizeOrigin accepts scheme://host[:port] — http or https, a DNS name
// or an IP address, an optional port — and nothing else, in lower case:
// an allowed origin ends up in the widget frame's Content-Security-Policy,
// where a stray ";" or "*" would change its meaning.
func NormalizeOrigin(o string) (string, error) {
	bad := Errorf(ErrInvalid, "allowed origin %q must look like https://shop.example.com or https://shop.example.com:8443", o)
	u, err := url.Parse(strings.TrimSuffix(strings.TrimSpace(o), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" ||
		u.Fragment != "" || u.User != nil || u.Opaque != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#") {
		return "", bad
	}
	host := strings.ToLower(u.Hostname())
	if ip := net.ParseIP(host); ip == nil && !hostName().MatchString(host) {
		return "", bad
	}
	hostPort := u.Host
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 || p[0] == '0' {
			return "", bad
		}
		// A browser's Origin leaves the scheme's own port out: kept, it
		// would never match, and the site's widget would be refused.
		if u.Scheme == "https" && p == "443" || u.Scheme == "http" && p == "80" {
			hostPort = strings.TrimSuffix(hostPort, ":"+p)
		}
	}
	return strings.ToLower(u.Scheme + "://" + hostPort), nil
}
