// Package chat holds Sodam's domain: the types every other package speaks,
// the pure rules that decide what may happen to a conversation, and the
// Store contract the database adapters implement. It does no I/O.
package chat

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
