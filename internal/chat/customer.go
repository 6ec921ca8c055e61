package chat

import (
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"
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
	// Extra holds the cus_extra_* parameters the site passed: at most
	// MaxExtra (MergeExtra).
	Extra map[string]string `json:"extra"`
}

// MaxExtra is the most extra parameters a widget session passes, and a
// profile keeps.
const MaxExtra = 30

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
		check     func(string) *Error
	}{
		{name: "name", src: pp.Name, dst: &next.Name, max: maxProfileField},
		{name: "nickname", src: pp.Nickname, dst: &next.Nickname, max: maxProfileField},
		{name: "phone", src: pp.Phone, dst: &next.Phone, max: 30, check: checkPhone},
		{name: "email", src: pp.Email, dst: &next.Email, max: 254, check: checkEmail},
		{name: "birth_date", src: pp.BirthDate, dst: &next.BirthDate, max: 10, check: func(v string) *Error { return checkBirthDate(v, now) }},
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
			return Errorf(ErrInvalid, "%s must be at most %d characters", f.name, f.max).About(f.name)
		}
		if !f.multiline && strings.ContainsFunc(v, IsControlOrBidi) {
			return Errorf(ErrInvalid, "%s must be a single line", f.name).About(f.name)
		}
		if f.check != nil {
			if err := f.check(v); err != nil {
				return err.About(f.name)
			}
		}
		*f.dst = v
	}
	*p = next
	return nil
}

func checkPhone(v string) *Error {
	if v != "" && !IsPhone(v) {
		return Errorf(ErrInvalid, "phone must be a phone number: 7 to 20 digits, with spaces and + - ( ) . between")
	}
	return nil
}

func checkEmail(v string) *Error {
	if v == "" {
		return nil
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || a.Name != "" {
		return Errorf(ErrInvalid, "email must be an address such as name@example.com")
	}
	return nil
}

func checkBirthDate(v string, now time.Time) *Error {
	if v == "" {
		return nil
	}
	d, err := time.Parse(birthDateLayout, v)
	if err != nil {
		return Errorf(ErrInvalid, "birth_date must be a date as YYYY-MM-DD")
	}
	// Today is now's date where now is (the workspace's zone).
	if today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC); d.Year() < minBirthYear || d.After(today) {
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
	if !validCustomerID(id) {
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
	into.Extra = MergeExtra(from.Extra, into.Extra)
	return into
}

// MergeExtra is the extra parameters of a profile that had older and is
// given newer: newer's, then older's others in name order, up to MaxExtra
// in all, so that sessions passing new names again and again cannot grow
// a profile without bound. Neither map is changed.
func MergeExtra(older, newer map[string]string) map[string]string {
	out := make(map[string]string, min(len(older)+len(newer), MaxExtra))
	for _, m := range []map[string]string{newer, older} {
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if len(out) >= MaxExtra {
				return out
			}
			if _, ok := out[k]; !ok {
				out[k] = m[k]
			}
		}
	}
	return out
}

// Customer is one identifier of a customer (§1.3) — a web visitor or a
// messenger account — joined with the profile of the customer ID it is
// linked to.
type Customer struct {
	ID          int64 `json:"id"`
	WorkspaceID int64 `json:"workspace_id"`
	// ExternalID is the identifier's own key: the site_uid, a random ID for
	// an anonymous visitor, or a messenger account.
	ExternalID string `json:"external_id"`
	// Identifier is SITEID_ExternalID, as agents see it.
	Identifier string `json:"identifier"`
	// Verified is true when ExternalID came from a signed site_uid.
	Verified bool `json:"verified"`
	Profile
	// Age derives from the birth date; nil without one.
	Age      *int   `json:"age,omitempty"`
	Language string `json:"language"`
	IP       string `json:"ip"`
	Device   string `json:"device"`
	// Tags are the identifier's customer tags.
	Tags []Tag `json:"tags"`
	// Identifiers counts the identifiers sharing the customer ID.
	Identifiers int       `json:"identifiers"`
	CreatedAt   time.Time `json:"created_at"`
	// BlockedAt is set while the customer is blocked (§5.5).
	BlockedAt   *time.Time `json:"blocked_at,omitempty"`
	BlockReason string     `json:"block_reason,omitempty"`
	BlockNote   string     `json:"block_note,omitempty"`
	// ConsentAt is when the customer agreed to the privacy notice, and
	// ConsentVersion which wording (ConsentVersion of its text).
	ConsentAt      *time.Time `json:"consent_at,omitempty"`
	ConsentVersion string     `json:"consent_version,omitempty"`
}

// ConsentVersion names a privacy notice's wording: agreeing to one wording
// is not agreeing to another.
func ConsentVersion(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:6])
}

// DisplayName is how lists name the customer: the nickname, else the name.
func (p Profile) DisplayName() string {
	if p.Nickname != "" {
		return p.Nickname
	}
	return p.Name
}

// Identifier is the customer's identifier as agents see it: SITEID_customerID.
func Identifier(siteID, customerID string) string { return siteID + "_" + customerID }

// VisitorSession ties a widget's bearer token to a customer.
type VisitorSession struct {
	TokenHash   string
	WorkspaceID int64
	CustomerID  int64
	// Signed is set when a signed site_uid opened the session: a page
	// without one never resumes it. The customer may be another
	// identifier's by now, when an agent's change of customer ID folded
	// the session's identifier into it (§1.3).
	Signed bool
}

// Block reasons (§5.5).
var BlockReasons = []string{"abuse", "spam", "obscenity", "gambling"}

// CheckBlockReason validates the reason for blocking a customer.
func CheckBlockReason(reason, note string) error {
	for _, r := range BlockReasons {
		if r == reason {
			if utf8.RuneCountInString(note) > 500 {
				return Errorf(ErrInvalid, "the note must be at most 500 characters")
			}
			return nil
		}
	}
	return Errorf(ErrInvalid, "reason must be one of abuse, spam, obscenity, gambling")
}
