package chat

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Team administration (§0, §13, §10.4): invitations, members' roles and
// deactivation, password resets, API tokens and the audit log.

// Limits of team administration.
const (
	MaxAgentName       = 100
	maxEmail           = 254
	MaxTokenName       = 100
	DefaultInviteTTL   = 7 * 24 * time.Hour
	DefaultResetTTL    = 24 * time.Hour
	MinPasswordLength  = 10
	maxPasswordLength  = 256
	MaxAPITokensPerWS  = 50
	maxAuditTargetText = 200
)

// Invitation asks someone to join a workspace with a role (§0). Its token
// is shown once to the inviter (and emailed); only its hash is stored.
type Invitation struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Email       string     `json:"email"`
	Name        string     `json:"name"`
	Role        Role       `json:"role"`
	InvitedBy   int64      `json:"invited_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	AcceptedAt  *time.Time `json:"accepted_at,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// InvitationStatus is where an invitation stands.
type InvitationStatus string

// Invitation statuses.
const (
	InvitationPending  InvitationStatus = "pending"
	InvitationAccepted InvitationStatus = "accepted"
	InvitationRevoked  InvitationStatus = "revoked"
	InvitationExpired  InvitationStatus = "expired"
)

// Status says whether the invitation can still be accepted at now.
func (i Invitation) Status(now time.Time) InvitationStatus {
	switch {
	case i.AcceptedAt != nil:
		return InvitationAccepted
	case i.RevokedAt != nil:
		return InvitationRevoked
	case !now.Before(i.ExpiresAt):
		return InvitationExpired
	}
	return InvitationPending
}

// Usable says why the invitation cannot be accepted at now, or nil.
func (i Invitation) Usable(now time.Time) error {
	switch i.Status(now) {
	case InvitationAccepted:
		return Errorf(ErrInvitationUsed, "this invitation was used already; sign in instead")
	case InvitationRevoked:
		return Errorf(ErrInvitationRevoked, "this invitation was revoked; ask for a new one")
	case InvitationExpired:
		return Errorf(ErrInvitationExpired, "this invitation has expired; ask for a new one")
	}
	return nil
}

// CleanEmail trims and lower-cases an email address and checks it.
func CleanEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || len(e) > maxEmail || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") ||
		strings.ContainsFunc(e, IsControlOrBidi) {
		return "", Errorf(ErrInvalid, "%q is not an email address", email)
	}
	return e, nil
}

// CleanAgentName trims a display name and checks it.
func CleanAgentName(name string) (string, error) {
	n := strings.TrimSpace(name)
	if n == "" || utf8.RuneCountInString(n) > MaxAgentName || strings.ContainsFunc(n, IsControlOrBidi) {
		return "", Errorf(ErrInvalid, "a name must be 1 to %d characters on one line", MaxAgentName)
	}
	return n, nil
}

// CanGrant reports whether a member of role by may give role to someone:
// only masters administer the team, and a role must exist.
func CanGrant(by, role Role) error {
	if !role.Valid() {
		return Errorf(ErrInvalid, "role must be master, manager or agent")
	}
	if by != RoleMaster {
		return Errorf(ErrRoleRequired, "only a master may invite agents or change roles")
	}
	return nil
}

// MemberPatch changes a member; nil fields stay.
type MemberPatch struct {
	Role   *Role `json:"role"`
	Active *bool `json:"active"`
}

// AgentPatch is an agent's edit of their own profile; nil fields stay.
type AgentPatch struct {
	Name     *string `json:"name"`
	Language *string `json:"language"`
}

// Languages the console speaks.
var Languages = []string{"ko", "en"}

// Check validates p and cleans its name.
func (p *AgentPatch) Check() error {
	if p.Name != nil {
		n, err := CleanAgentName(*p.Name)
		if err != nil {
			return err
		}
		p.Name = &n
	}
	if p.Language != nil && *p.Language != "" && !slices.Contains(Languages, *p.Language) {
		return Errorf(ErrInvalid, "language must be ko or en")
	}
	return nil
}

// Scope is what an API token may do (§10.4).
type Scope string

// API token scopes: read (GET), write (every route a manager may use), and
// admin (what a master may do).
const (
	ScopeRead  Scope = "read"
	ScopeWrite Scope = "write"
	ScopeAdmin Scope = "admin"
)

// APIToken authenticates scripts on one workspace's REST API.
type APIToken struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Name        string     `json:"name"`
	Scopes      []Scope    `json:"scopes"`
	CreatedBy   int64      `json:"created_by,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// CheckAPIToken validates a new token's name, scopes and expiry.
func CheckAPIToken(t *APIToken, now time.Time) error {
	name := strings.TrimSpace(t.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxTokenName || strings.ContainsFunc(name, IsControlOrBidi) {
		return Errorf(ErrInvalid, "a token's name must be 1 to %d characters on one line", MaxTokenName)
	}
	t.Name = name
	if len(t.Scopes) == 0 {
		return Errorf(ErrInvalid, "scopes must list at least one of read, write, admin")
	}
	seen := map[Scope]bool{}
	for _, s := range t.Scopes {
		if s != ScopeRead && s != ScopeWrite && s != ScopeAdmin {
			return Errorf(ErrInvalid, "unknown scope %q: use read, write or admin", s)
		}
		if seen[s] {
			return Errorf(ErrInvalid, "scope %q is listed twice", s)
		}
		seen[s] = true
	}
	if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
		return Errorf(ErrInvalid, "expires_at must be in the future")
	}
	return nil
}

// Role is what a token acts as: admin acts as a master, write and read as
// a manager (read only on GET, which the HTTP layer checks).
func (t APIToken) Role() Role {
	if slices.Contains(t.Scopes, ScopeAdmin) {
		return RoleMaster
	}
	return RoleManager
}

// Allows reports whether the token may make a request that writes or not.
func (t APIToken) Allows(write bool) bool {
	if !write {
		return true // every scope reads
	}
	return slices.Contains(t.Scopes, ScopeWrite) || slices.Contains(t.Scopes, ScopeAdmin)
}

// Usable reports why the token cannot be used at now, or nil.
func (t APIToken) Usable(now time.Time) error {
	if t.RevokedAt != nil {
		return Errorf(ErrUnauthorized, "this API token was revoked")
	}
	if t.ExpiresAt != nil && !now.Before(*t.ExpiresAt) {
		return Errorf(ErrUnauthorized, "this API token has expired")
	}
	return nil
}

// AuditEntry is one administrative action, done or refused (§13). Entries
// are only ever appended.
type AuditEntry struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"workspace_id,omitempty"`
	At          time.Time `json:"at"`
	ActorID     int64     `json:"actor_id"` // 0 for the system (start-up, operator commands)
	ActorName   string    `json:"actor_name"`
	Address     string    `json:"address"`
	Action      string    `json:"action"`
	Target      string    `json:"target"`
	Before      any       `json:"before,omitempty"`
	After       any       `json:"after,omitempty"`
	// Refused is the error code of an attempt that was refused; empty when
	// the action was done.
	Refused string `json:"refused,omitempty"`
}

// Who is the person (or token) acting, for the audit log.
type Who struct {
	AgentID int64
	Name    string
	Address string
}

// Audit actions.
const (
	AuditInvite           = "invitation.create"
	AuditInviteResend     = "invitation.resend"
	AuditInviteRevoke     = "invitation.revoke"
	AuditInviteAccept     = "invitation.accept"
	AuditMemberRole       = "member.role"
	AuditMemberActive     = "member.active"
	AuditPasswordReset    = "password.reset_link"
	AuditPasswordChange   = "password.change"
	AuditWorkspaceCreate  = "workspace.create"
	AuditWorkspaceUpdate  = "workspace.update"
	AuditSecretRotate     = "workspace.identity_secret"
	AuditWorkspaceArchive = "workspace.archive"
	AuditOwnerGrant       = "owner.grant"
	AuditTokenCreate      = "api_token.create"
	AuditTokenRevoke      = "api_token.revoke"
	AuditBlock            = "customer.block"
	AuditUnblock          = "customer.unblock"
	AuditCapacity         = "member.capacity"
	AuditExport           = "history.export"
	// AuditCustomerID is a change of a customer's customer ID that merged
	// nothing; AuditCustomerMerge one that did: two customer IDs' profiles
	// became one, or web identifiers were folded into one (§1.3).
	AuditCustomerID    = "customer.id_change"
	AuditCustomerMerge = "customer.merge"
	// The workspace's tools, recorded by their routes.
	AuditTagCreate         = "tag.create"
	AuditTagRename         = "tag.rename"
	AuditTagDelete         = "tag.delete"
	AuditCategoryCreate    = "category.create"
	AuditCategoryRename    = "category.rename"
	AuditCategoryDelete    = "category.delete"
	AuditCannedCreate      = "canned.create"
	AuditCannedUpdate      = "canned.update"
	AuditCannedDelete      = "canned.delete"
	AuditArticleCreate     = "faq.article_create"
	AuditArticleUpdate     = "faq.article_update"
	AuditArticleDelete     = "faq.article_delete"
	AuditFAQCategoryCreate = "faq.category_create"
	AuditFAQCategoryUpdate = "faq.category_update"
	AuditFAQCategoryDelete = "faq.category_delete"
	AuditFAQSynonyms       = "faq.synonyms"
)

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	ActorID int64
	Action  string
	From    time.Time // inclusive; zero for no bound
	To      time.Time // exclusive; zero for no bound
	// Before is the cursor: entries with a smaller ID.
	Before int64
	Limit  int
}
