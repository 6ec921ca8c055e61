package chat

import (
	"fmt"
	"slices"
	"strings"
)

// Presence is one identifier as a change of customer ID sees it (§1.3).
type Presence struct {
	ID         int64
	ExternalID string
	// CustomerID is the customer ID the identifier has before the change.
	CustomerID string
	// Messenger marks a messenger account's identifier (KakaoTalk, Naver
	// TalkTalk, Telegram, the API channel): it is keyed by the account, so
	// it keeps its name whatever its customer ID.
	Messenger bool
	Blocked   bool
	// OpenRoom is the room number of its open conversation (one the
	// customer has not left), 0 when it has none.
	OpenRoom int64
}

// WebRename is what a change of customer ID does to the web identifiers:
// on the web an identifier is SITEID_customerID, so every web identifier
// of the customer ID becomes one, named after it.
type WebRename struct {
	// Keep is the web identifier named after the customer ID afterwards;
	// 0 when the customer ID has no web identifier.
	Keep int64
	// Rename is set when Keep is not named after the customer ID yet.
	Rename bool
	// Fold are the other web identifiers: their conversations, widget
	// sessions, tickets and tags become Keep's, and they are deleted.
	Fold []int64
}

// Changes reports whether the plan renames or folds anything.
func (w WebRename) Changes() bool { return w.Rename || len(w.Fold) > 0 }

// PlanWebRename decides how the web identifiers follow a change of
// customer ID to newID. presences are the identifiers that share newID
// afterwards (on a merge, both customers'), in the order they were made;
// edited is the one whose customer ID was changed; named is the
// identifier whose external ID is newID already, nil when there is none
// (it may belong to another customer ID). The identifier named newID is
// kept if there is one, else the edited one if it is a web identifier,
// else the oldest web identifier; the others fold into it.
//
// It refuses, so that nothing changes, when the name SITEID_newID belongs
// to another customer ID or to a messenger account, when more than
// MaxIdentifiers would share newID, when two of the web identifiers each
// have an open conversation (one open web conversation per identifier:
// close one first), and when some of them are blocked and others not
// (unblock first: a merge neither lifts a block nor imposes one), and when
// newID has a messenger identifier's form but no identifier has it.
func PlanWebRename(siteID, newID string, presences []Presence, edited int64, named *Presence) (WebRename, error) {
	if named != nil {
		if !slices.ContainsFunc(presences, func(p Presence) bool { return p.ID == named.ID }) {
			return WebRename{}, Errorf(ErrIdentifierInUse, "the identifier %s belongs to customer ID %s: change that customer's ID first",
				Identifier(siteID, newID), named.CustomerID)
		}
		if named.Messenger {
			return WebRename{}, Errorf(ErrIdentifierInUse, "the identifier %s is a messenger account's: a web identifier cannot take its name",
				Identifier(siteID, newID))
		}
	}
	// No account has that name yet: the customer ID would claim the
	// account to come, which would join the profile when it first writes
	// — a stranger's KakaoTalk chats under this customer's history, and
	// this customer's under theirs.
	if named == nil && messengerIdentifier.MatchString(newID) {
		return WebRename{}, Errorf(ErrInvalid, "customer ID %s has the form of a messenger account's identifier (such as kakao1-…) and no account has it yet: it would become that account's customer ID when it first writes",
			newID)
	}
	var web []Presence
	for _, p := range presences {
		if !p.Messenger {
			web = append(web, p)
		}
	}
	var plan WebRename
	var keep Presence
	switch i := slices.IndexFunc(web, func(p Presence) bool { return p.ID == edited }); {
	case named != nil:
		keep = *named
	case len(web) == 0:
	case i >= 0:
		keep = web[i]
	default:
		keep = web[0]
	}
	if keep.ID != 0 {
		plan.Keep, plan.Rename = keep.ID, keep.ExternalID != newID
	}
	// Named so, the web identifier would become the messenger account's
	// when it first writes (a site_uid may not have that form either).
	if plan.Rename && messengerIdentifier.MatchString(newID) {
		return WebRename{}, Errorf(ErrInvalid, "customer ID %s has the form of a messenger account's identifier (such as kakao1-…), which a web identifier may not take",
			newID)
	}
	var open, blocked []string
	for _, p := range web {
		if p.ID != keep.ID {
			plan.Fold = append(plan.Fold, p.ID)
		}
		if p.OpenRoom != 0 {
			open = append(open, fmt.Sprintf("%s (room %d)", Identifier(siteID, p.ExternalID), p.OpenRoom))
		}
		if p.Blocked {
			blocked = append(blocked, Identifier(siteID, p.ExternalID))
		}
	}
	if n := len(presences) - len(plan.Fold); n > MaxIdentifiers {
		return WebRename{}, Errorf(ErrTooManyIdentifiers, "customer ID %s would have %d identifiers; at most %d may share one",
			newID, n, MaxIdentifiers)
	}
	if len(plan.Fold) == 0 {
		return plan, nil
	}
	if len(open) > 1 {
		return WebRename{}, Errorf(ErrMergeOpenChats, "%s each have an open chat, and on the web one customer ID has one identifier with one open chat: close one of them first",
			strings.Join(open, " and "))
	}
	if len(blocked) > 0 && len(blocked) < len(web) {
		return WebRename{}, Errorf(ErrMergeBlocked, "%s is blocked: unblock it before it becomes one identifier with another", strings.Join(blocked, ", "))
	}
	return plan, nil
}

// FoldPresence folds web identifier from into into, which keeps what it
// has: it takes the language, address and device only where it has none,
// the later of the two privacy consents, the earlier creation time, and is
// verified when either was.
func FoldPresence(into, from Customer) Customer {
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&into.Language, from.Language)
	fill(&into.IP, from.IP)
	fill(&into.Device, from.Device)
	into.Verified = into.Verified || from.Verified
	if from.ConsentAt != nil && (into.ConsentAt == nil || from.ConsentAt.After(*into.ConsentAt)) {
		into.ConsentAt, into.ConsentVersion = from.ConsentAt, from.ConsentVersion
	}
	if !from.CreatedAt.IsZero() && from.CreatedAt.Before(into.CreatedAt) {
		into.CreatedAt = from.CreatedAt
	}
	return into
}
