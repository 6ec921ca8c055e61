package history

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Filter selects conversations for the history page and exports. The zero
// Filter selects every conversation the caller may see, newest first.
type Filter struct {
	// Query is the words to find in messages, as typed; Terms is parsed
	// from it.
	Query string `json:"q,omitempty"`
	Terms []Term `json:"-"`
	// From and To bound when conversations started: From ≤ start < To.
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
	// State keeps one state; "open" keeps every state but closed.
	State string `json:"state,omitempty"`
	// Processed keeps closed conversations an agent replied in (true) or
	// did not (false).
	Processed *bool `json:"processed,omitempty"`
	// AgentID keeps the agent's conversations; with AgentPath, every
	// conversation the agent held at some point (§3.3).
	AgentID   int64        `json:"agent_id,omitempty"`
	AgentPath bool         `json:"agent_path,omitempty"`
	Channel   chat.Channel `json:"channel,omitempty"`
	// CategoryID keeps the category and every category below it.
	CategoryID int64 `json:"category_id,omitempty"`
	// TagID keeps conversations with the tag: a conversation tag on the
	// conversation, a customer tag on its customer.
	TagID int64 `json:"tag_id,omitempty"`
	// Customer matches the customer's name, nickname, customer ID, phone
	// (digits only compared) or email.
	Customer  string `json:"customer,omitempty"`
	Important *bool  `json:"important,omitempty"`
	OnHold    *bool  `json:"on_hold,omitempty"`
	// Rating keeps conversations rated exactly this (1–5); -1 keeps those
	// without a rating.
	Rating int `json:"rating,omitempty"`
	// Oldest sorts oldest first; the default is newest first.
	Oldest bool `json:"oldest,omitempty"`

	// VisibleTo, when non-zero, keeps what an agent of role "agent" may
	// see (chat.CanSee): their own and the queue's. Set by the caller's
	// role, never by the client.
	VisibleTo int64 `json:"-"`
}

// Limits of the history page.
const (
	DefaultLimit = 50
	MaxLimit     = 200
	// MaxCustomerRunes bounds the customer filter.
	MaxCustomerRunes = 100
)

// Params are the query parameters (and an export's filter keys) that
// Parse understands, in the order the API lists them.
var Params = []string{"q", "from", "to", "state", "processed", "agent_id", "agent_path", "channel", "category_id",
	"tag_id", "customer", "important", "on_hold", "rating", "sort"}

// Parse reads a filter from the history page's query parameters. Dates
// (2026-11-30) are days in loc, the workspace's time zone, and "to" takes
// the whole day; times are RFC 3339. Unknown IDs are the caller's to check
// against the workspace (they depend on the store).
func Parse(v url.Values, loc *time.Location) (Filter, error) {
	var f Filter
	var err error
	// what is one of the phrases the Korean catalog words (koWords).
	bad := func(name, what string) error {
		return chat.Errorf(chat.ErrInvalid, "%s: %s", name, what)
	}
	for name := range v {
		if !known(name) && name != "cursor" && name != "limit" {
			return f, bad(name, "unknown filter")
		}
		if len(v[name]) > 1 {
			return f, bad(name, "give it once")
		}
	}
	f.Query = v.Get("q")
	if f.Terms, err = ParseQuery(f.Query); err != nil {
		return f, err
	}
	if f.From, err = parseTime(v.Get("from"), loc, false); err != nil {
		return f, err
	}
	if f.To, err = parseTime(v.Get("to"), loc, true); err != nil {
		return f, err
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return f, chat.Errorf(chat.ErrInvalidPeriod, "the period ends before it starts")
	}
	switch s := v.Get("state"); {
	case s == "" || s == "open" || chat.State(s).Valid():
		f.State = s
	default:
		return f, bad("state", "one of open, bot, unassigned, waiting, active, closed")
	}
	if f.Processed, err = parseBool(v, "processed"); err != nil {
		return f, err
	}
	if f.Important, err = parseBool(v, "important"); err != nil {
		return f, err
	}
	if f.OnHold, err = parseBool(v, "on_hold"); err != nil {
		return f, err
	}
	if p, err := parseBool(v, "agent_path"); err != nil {
		return f, err
	} else if p != nil {
		f.AgentPath = *p
	}
	if f.AgentID, err = parseID(v, "agent_id"); err != nil {
		return f, err
	}
	if f.CategoryID, err = parseID(v, "category_id"); err != nil {
		return f, err
	}
	if f.TagID, err = parseID(v, "tag_id"); err != nil {
		return f, err
	}
	if f.AgentPath && f.AgentID == 0 {
		return f, bad("agent_path", "needs agent_id")
	}
	switch ch := v.Get("channel"); {
	case ch == "":
	case chat.Channel(ch).Valid():
		f.Channel = chat.Channel(ch)
	default:
		return f, chat.Errorf(chat.ErrInvalid, "channel: unknown channel %q; one of %v", ch, chat.Channels)
	}
	f.Customer = strings.TrimSpace(v.Get("customer"))
	if !utf8.ValidString(f.Customer) {
		return f, bad("customer", "not valid UTF-8")
	}
	if len([]rune(f.Customer)) > MaxCustomerRunes {
		return f, chat.Errorf(chat.ErrQueryTooLong, "customer: at most %d characters", MaxCustomerRunes)
	}
	if strings.ContainsFunc(f.Customer+f.Query, unicode.IsControl) {
		return f, chat.Errorf(chat.ErrInvalid, "control characters are not allowed in a search")
	}
	switch r := v.Get("rating"); r {
	case "":
	case "none":
		f.Rating = -1
	default:
		n, err := strconv.Atoi(r)
		if err != nil || n < 1 || n > 5 {
			return f, bad("rating", "1 to 5, or none")
		}
		f.Rating = n
	}
	switch v.Get("sort") {
	case "", "newest":
	case "oldest":
		f.Oldest = true
	default:
		return f, bad("sort", "newest or oldest")
	}
	return f, nil
}

func known(name string) bool {
	for _, p := range Params {
		if p == name {
			return true
		}
	}
	return false
}

func parseTime(s string, loc *time.Location, end bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if d, err := chat.ParseDay(s, loc, end); err == nil {
		return &d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, chat.Errorf(chat.ErrInvalidPeriod, "%q is neither a date (2026-11-30) nor an RFC 3339 time", s)
	}
	// In UTC, as it is stored and compared: 9999-12-31T23:00:00-05:00 is
	// the year 10000 there, which no JSON time can hold.
	if y := t.UTC().Year(); y < 2000 || y > 9999 {
		return nil, chat.Errorf(chat.ErrInvalidPeriod, "%q is out of range", s)
	}
	return &t, nil
}

func parseBool(v url.Values, name string) (*bool, error) {
	switch v.Get(name) {
	case "":
		return nil, nil
	case "true", "1":
		b := true
		return &b, nil
	case "false", "0":
		b := false
		return &b, nil
	}
	return nil, chat.Errorf(chat.ErrInvalid, "%s: true or false", name)
}

func parseID(v url.Values, name string) (int64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != s {
		return 0, chat.Errorf(chat.ErrInvalid, "%s: a positive decimal ID", name)
	}
	return id, nil
}

// Values turns an export's JSON filter (the same keys as the query
// parameters; strings, numbers or booleans) into query parameters.
func Values(m map[string]any) (url.Values, error) {
	v := url.Values{}
	for k, x := range m {
		if !known(k) {
			return nil, chat.Errorf(chat.ErrInvalid, "filter.%s: unknown filter", k)
		}
		switch x := x.(type) {
		case nil:
		case string:
			if x != "" {
				v.Set(k, x)
			}
		case bool:
			v.Set(k, strconv.FormatBool(x))
		case float64:
			if x != float64(int64(x)) {
				return nil, chat.Errorf(chat.ErrInvalid, "filter.%s: a whole number", k)
			}
			v.Set(k, strconv.FormatInt(int64(x), 10))
		default:
			return nil, chat.Errorf(chat.ErrInvalid, "filter.%s: a string, number or boolean", k)
		}
	}
	return v, nil
}

// Cursor is where a page ends: the last conversation's ID. Conversations
// are listed in the order they were created (their IDs), which is their
// start time's order.
type Cursor struct {
	ID int64
}

// Encode is the cursor as the API hands it out: opaque.
func (c Cursor) Encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte("c." + strconv.FormatInt(c.ID, 10)))
}

// ParseCursor reads a cursor the API handed out ("" is the first page).
func ParseCursor(s string) (*Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	id, ok := strings.CutPrefix(string(b), "c.")
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err != nil || !ok || err2 != nil || n <= 0 || len(s) > 64 {
		return nil, chat.Errorf(chat.ErrInvalidCursor, "the cursor is not one this API handed out")
	}
	return &Cursor{ID: n}, nil
}

// ParseLimit reads the page size: DefaultLimit when absent.
func ParseLimit(s string) (int, error) {
	if s == "" {
		return DefaultLimit, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxLimit {
		return 0, chat.Errorf(chat.ErrInvalid, "limit: 1 to %d", MaxLimit)
	}
	return n, nil
}
