package chat

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Profile is what the workspace knows about one customer ID (§1.3, §4.2).
// Every identifier linked to the customer ID shares it and its history.
type Profile struct {
	ID int64 `json:"profile_id"`
	// CustomerID is the customer ID itself, the profile's key.
	CustomerID string `json:"customer_id"`
	Name       string `json:"name"`
	// Nickname is the agents' own name for the customer: lists show it
	// instead of the name, and the customer never sees it.
	Nickname string `json:"nickname"`
	Phone    string `json:"phone"`
	// VerifiedPhone is set only by a verification step, never by an agent.
	VerifiedPhone string `json:"verified_phone"`
	Email         string `json:"email"`
	// BirthDate is YYYY-MM-DD or empty.
	BirthDate string `json:"birth_date"`
	Address   string `json:"address"`
	Note      string `json:"note"`
	// Extra holds the cus_extra_* parameters the site passed.
	Extra map[string]string `json:"extra"`
}

// Limits of the profile and the agent tools.
const (
	MaxNote            = 500
	MaxMemo            = 1000
	MaxTagName         = 20
	MaxCategoryName    = 30
	MaxCategoryDepth   = 3
	MaxIdentifiers     = 50
	MaxCannedTitle     = 50
	MaxCannedBody      = 2000
	MaxGreeting        = 1000
	maxProfileField    = 100
	maxProfileAddress  = 200
	maxTagsPerSubject  = 50
	maxRatingComment   = 1000
	minBirthYear       = 1900
	birthDateLayout    = "2006-01-02"
	customerIDAllowed  = "1 to 128 letters, digits or . _ @ : + -"
	defaultDisplayName = "고객"
)

// ProfilePatch changes a profile; nil fields stay as they are and "" clears.
type ProfilePatch struct {
	Name      *string `json:"name"`
	Nickname  *string `json:"nickname"`
	Phone     *string `json:"phone"`
	Email     *string `json:"email"`
	BirthDate *string `json:"birth_date"`
	Address   *string `json:"address"`
	Note      *string `json:"note"`
}

// Apply validates the patch against now and applies it to p, leaving p
// untouched when any field is invalid.
func (pp ProfilePatch) Apply(p *Profile, now time.Time) error {
	next := *p
	fields := []struct {
		name string
		src  *string
		dst  *string
		max  int
		// multiline fields may hold line breaks; the note also keeps its
		// own leading and trailing space.
		multiline bool
		check     func(string) error
	}{
		{name: "name", src: pp.Name, dst: &next.Name, max: maxProfileField},
		{name: "nickname", src: pp.Nickname, dst: &next.Nickname, max: maxProfileField},
		{name: "phone", src: pp.Phone, dst: &next.Phone, max: 30, check: checkPhone},
		{name: "email", src: pp.Email, dst: &next.Email, max: 254, check: checkEmail},
		{name: "birth_date", src: pp.BirthDate, dst: &next.BirthDate, max: 10, check: func(v string) error { return checkBirthDate(v, now) }},
		{name: "address", src: pp.Address, dst: &next.Address, max: maxProfileAddress, multiline: true},
		{name: "note", src: pp.Note, dst: &next.Note, max: MaxNote, multiline: true},
	}
	for _, f := range fields {
		if f.src == nil {
			continue
		}
		v := *f.src
		if f.dst != &next.Note {
			v = strings.TrimSpace(v)
		}
		if utf8.RuneCountInString(v) > f.max {
			return Errorf(ErrInvalid, "%s must be at most %d characters", f.name, f.max)
		}
		if !f.multiline && strings.ContainsFunc(v, unicode.IsControl) {
			return Errorf(ErrInvalid, "%s must be a single line", f.name)
		}
		if f.check != nil {
			if err := f.check(v); err != nil {
				return err
			}
		}
		*f.dst = v
	}
	*p = next
	return nil
}

func checkPhone(v string) error {
	for _, r := range v {
		if !unicode.IsDigit(r) && !strings.ContainsRune("+-() ", r) {
			return Errorf(ErrInvalid, "phone may hold only digits, spaces and + - ( )")
		}
	}
	return nil
}

func checkEmail(v string) error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return Errorf(ErrInvalid, "email must be an address such as name@example.com")
	}
	return nil
}

func checkBirthDate(v string, now time.Time) error {
	if v == "" {
		return nil
	}
	d, err := time.Parse(birthDateLayout, v)
	if err != nil {
		return Errorf(ErrInvalid, "birth_date must be a date as YYYY-MM-DD")
	}
	if d.Year() < minBirthYear || d.After(now) {
		return Errorf(ErrInvalid, "birth_date must be between %d and today", minBirthYear)
	}
	return nil
}

// Age is the age in full years on now of someone born on birthDate
// (YYYY-MM-DD), and false when the date is empty or malformed.
func Age(birthDate string, now time.Time) (int, bool) {
	d, err := time.Parse(birthDateLayout, birthDate)
	if err != nil {
		return 0, false
	}
	age := now.Year() - d.Year()
	if now.Month() < d.Month() || (now.Month() == d.Month() && now.Day() < d.Day()) {
		age--
	}
	return max(age, 0), true
}

// CheckCustomerID validates a customer ID an agent types.
func CheckCustomerID(id string) error {
	if !customerIDPattern.MatchString(id) {
		return Errorf(ErrInvalid, "customer_id must be %s", customerIDAllowed)
	}
	return nil
}

// MergeProfiles folds from into into for a merge of two customer IDs: into
// keeps what it has and takes from from only what it lacks.
func MergeProfiles(into, from Profile) Profile {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&into.Name, from.Name)
	fill(&into.Nickname, from.Nickname)
	fill(&into.Phone, from.Phone)
	fill(&into.VerifiedPhone, from.VerifiedPhone)
	fill(&into.Email, from.Email)
	fill(&into.BirthDate, from.BirthDate)
	fill(&into.Address, from.Address)
	fill(&into.Note, from.Note)
	extra := make(map[string]string, len(into.Extra)+len(from.Extra))
	for k, v := range from.Extra {
		extra[k] = v
	}
	for k, v := range into.Extra {
		extra[k] = v
	}
	into.Extra = extra
	return into
}

// TagKind says what a tag labels.
type TagKind string

// Tag kinds (§4.3).
const (
	TagCustomer     TagKind = "customer"
	TagConversation TagKind = "conversation"
)

// Valid reports whether k is a known tag kind.
func (k TagKind) Valid() bool { return k == TagCustomer || k == TagConversation }

// Tag labels a customer identifier or a conversation.
type Tag struct {
	ID   int64   `json:"id"`
	Kind TagKind `json:"kind"`
	Name string  `json:"name"`
}

// CleanTagName trims a tag name and checks it.
func CleanTagName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxTagName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", Errorf(ErrInvalid, "a tag name must be 1 to %d characters on one line", MaxTagName)
	}
	return name, nil
}

// CheckTagIDs checks a list of tags to set on one customer or conversation.
func CheckTagIDs(ids []int64) error {
	if len(ids) > maxTagsPerSubject {
		return Errorf(ErrInvalid, "at most %d tags", maxTagsPerSubject)
	}
	return nil
}

// Category is one node of the category tree (처리유형, §4.4).
type Category struct {
	ID       int64  `json:"id"`
	ParentID int64  `json:"parent_id"`
	Depth    int    `json:"depth"`
	Name     string `json:"name"`
	Position int    `json:"position"`
}

// CleanCategoryName trims a category name and checks it.
func CleanCategoryName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxCategoryName || strings.ContainsFunc(name, unicode.IsControl) {
		return "", Errorf(ErrInvalid, "a category name must be 1 to %d characters on one line", MaxCategoryName)
	}
	return name, nil
}

// ChildDepth is the depth of a new category under a parent of depth
// parentDepth (0 for the top level), or an error below the third level.
func ChildDepth(parentDepth int) (int, error) {
	if parentDepth >= MaxCategoryDepth {
		return 0, Errorf(ErrCategoryTooDeep, "categories have at most %d levels (large, medium, small)", MaxCategoryDepth)
	}
	return parentDepth + 1, nil
}

// Note is a conversation's wrap-up (§5.4): category, tags and memo.
type Note struct {
	CategoryID int64   `json:"category_id"`
	TagIDs     []int64 `json:"tag_ids"`
	Memo       string  `json:"memo"`
}

// Check validates the note's own fields; the store checks its references.
func (n Note) Check() error {
	if utf8.RuneCountInString(n.Memo) > MaxMemo {
		return Errorf(ErrInvalid, "memo must be at most %d characters", MaxMemo)
	}
	if n.CategoryID < 0 {
		return Errorf(ErrInvalid, "category_id must be a category or 0")
	}
	return CheckTagIDs(n.TagIDs)
}

// Rating is the customer's score of a conversation (§5.3).
type Rating struct {
	Score     int       `json:"score"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
}

// CheckRating validates a customer's rating.
func CheckRating(score int, comment string) error {
	if score < 1 || score > 5 {
		return Errorf(ErrInvalid, "score must be 1 to 5 stars")
	}
	if utf8.RuneCountInString(comment) > maxRatingComment {
		return Errorf(ErrInvalid, "the comment must be at most %d characters", maxRatingComment)
	}
	return nil
}

// CanRate decides whether the customer may rate c now: once an agent has
// replied, during or after the chat, and only once.
func CanRate(c Conversation) error {
	if c.FirstReplyAt == nil {
		return Errorf(ErrNotReplied, "a conversation can be rated once an agent has replied")
	}
	if c.Rating != nil {
		return Errorf(ErrAlreadyRated, "this conversation has been rated already")
	}
	return nil
}

// CanRequestRating decides whether an agent may send the rating request.
func CanRequestRating(c Conversation) error {
	if c.State == StateClosed || c.CustomerLeftAt != nil {
		return Errorf(ErrConversationClosed, "the conversation has ended")
	}
	if c.FirstReplyAt == nil {
		return Errorf(ErrNotReplied, "reply to the customer before asking for a rating")
	}
	return nil
}
