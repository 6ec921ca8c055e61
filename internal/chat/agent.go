package chat

import "time"

// Role is an agent's role inside one workspace.
type Role string

// Roles, from most to least powerful.
const (
	RoleMaster  Role = "master"
	RoleManager Role = "manager"
	RoleAgent   Role = "agent"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleMaster || r == RoleManager || r == RoleAgent }

// SeesAll reports whether the role may see every conversation of the
// workspace rather than only its own and the unassigned queue.
func (r Role) SeesAll() bool { return r == RoleMaster || r == RoleManager }

// AgentStatus is an agent's availability in one workspace.
type AgentStatus string

// Agent statuses (§3.1).
const (
	StatusOnline  AgentStatus = "online"
	StatusAway    AgentStatus = "away"
	StatusOffline AgentStatus = "offline"
)

// Valid reports whether s is a known status.
func (s AgentStatus) Valid() bool {
	return s == StatusOnline || s == StatusAway || s == StatusOffline
}

// Agent is a person who answers in the console. One agent may belong to
// several workspaces.
type Agent struct {
	ID           int64  `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	PasswordHash string `json:"-"`
	// Owner marks an installation owner: they create and archive
	// workspaces and grant ownership.
	Owner bool `json:"owner"`
	// Language is the console's language for them ("" follows the browser).
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"created_at"`
}

// Member is an agent's membership in a workspace: role and status.
type Member struct {
	WorkspaceID int64       `json:"workspace_id"`
	AgentID     int64       `json:"agent_id"`
	Role        Role        `json:"role"`
	Status      AgentStatus `json:"status"`
	// Capacity overrides the workspace's default capacity when set.
	Capacity *int `json:"capacity"`
	// Active is false for a deactivated member: they cannot sign in to the
	// workspace and are never assigned (§0).
	Active bool `json:"active"`
	// LastClosedAt is when the member last closed a conversation (routing's
	// tie-break); zero if never.
	LastClosedAt time.Time `json:"-"`
	// Name and Email are the agent's, joined for display.
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Session is a logged-in console session. Only the token's hash is stored.
type Session struct {
	TokenHash string
	AgentID   int64
	CSRFToken string
	ExpiresAt time.Time
}
