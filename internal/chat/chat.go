// Package chat holds Sodam's domain: the types every other package speaks,
// the pure rules that decide what may happen to a conversation, and the
// Store contract the database adapters implement. It does no I/O.
package chat

// Per-workspace counts (operations.md, Limits): far more than a support
// team uses, so that no client, by mistake or on purpose, makes lists
// that every console loads whole grow without end. Over one, a creation
// is refused with ErrLimitReached. Variables so that tests can lower them.
var (
	MaxCannedPerWorkspace     = 5000 // shared and personal together
	MaxTagsPerKind            = 1000 // customer tags; conversation tags
	MaxCategoriesPerWorkspace = 1000 // conversation categories not deleted
	MaxFAQImages              = 5000 // images for articles (5 MB each at most)
)

// LimitReached refuses one more of what, of which a workspace has the most
// it may (n).
func LimitReached(what string, n int) error {
	return Errorf(ErrLimitReached, "a workspace has at most %d %s; delete one it no longer needs first", n, what)
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
	MaxTagsPerSubject  = 50
	maxRatingComment   = 1000
	minBirthYear       = 1900
	birthDateLayout    = "2006-01-02"
	customerIDAllowed  = "1 to 128 letters, digits or . _ @ : + -"
	defaultDisplayName = "고객"
)
