package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/node"
)

const adminUsage = `Usage: sodam admin COMMAND [flags]

Commands:
  create-agent      --email E --name N [--workspace W] [--role agent|manager|master]
                    [--owner] [--password-file F]
                    add an agent to a workspace (or an existing login to another
                    workspace) and print a one-time link to choose their password
  reset-password    --email E
                    print a one-time link to choose a new password
  create-workspace  --name N --master E [--site-id S]
                    create a workspace whose first master is the agent E
  list-agents       [--json]
                    every agent, their ownership and their memberships
  grant-owner       --email E [--revoke]
                    make an agent an installation owner (or no longer one)
  rotate-pii-key    [--new-key-file F] [--write-key F]
                    re-seal every masked original under a new PII key (stop
                    every node first) and write the new key where they read it
  stats-rebuild     [--workspace W] [--check]
                    recompute the statistics roll-up from the conversations
                    (every workspace by default); --check only compares

Each command also reads the settings of sodam serve (--data, --database-url,
--base-url, …, or SODAM_* variables), and may run while a server runs on the
same database. sodam admin COMMAND -h lists its flags.
`

// operator is who the audit log names for these commands.
var operator = chat.Who{Name: "sodam admin (operator)", Address: "local"}

// adminCommand is one `sodam admin` command line, parsed and checked.
type adminCommand struct {
	Sub   string
	Email string
	Name  string
	Role  chat.Role
	// Workspace is a workspace's ID or site_id; "" means the only one.
	Workspace    string
	Owner        bool
	PasswordFile string // "-" is standard input
	SiteID       string
	Master       string
	Revoke       bool
	JSON         bool
	// NewKeyFile and WriteKey: rotate-pii-key (piikey.go).
	NewKeyFile string
	WriteKey   string
	Check      bool // stats-rebuild: compare only
}

// adminFlags declares each command's own flags.
var adminFlags = map[string]func(c *adminCommand, fs *flag.FlagSet){
	"create-agent": func(c *adminCommand, fs *flag.FlagSet) {
		fs.StringVar(&c.Email, "email", "", "the agent's email address, their login (required)")
		fs.StringVar(&c.Name, "name", "", "the agent's display name (required)")
		fs.StringVar(&c.Workspace, "workspace", "", "the workspace's ID or site_id (default: the only workspace)")
		fs.Func("role", "their role in the workspace: agent, manager or master (default agent)", func(s string) error {
			c.Role = chat.Role(s)
			return nil
		})
		fs.BoolVar(&c.Owner, "owner", false, "also make them an installation owner")
		fs.StringVar(&c.PasswordFile, "password-file", "", "set their password from this file's first line (- reads standard input) instead of printing a link")
	},
	"reset-password": func(c *adminCommand, fs *flag.FlagSet) {
		fs.StringVar(&c.Email, "email", "", "the agent's email address (required)")
	},
	"create-workspace": func(c *adminCommand, fs *flag.FlagSet) {
		fs.StringVar(&c.Name, "name", "", "the workspace's name (required)")
		fs.StringVar(&c.SiteID, "site-id", "", "its site_id, 3 to 32 of a-z, 0-9 and - (default: generated)")
		fs.StringVar(&c.Master, "master", "", "email of the existing agent who becomes its master (required)")
	},
	"list-agents": func(c *adminCommand, fs *flag.FlagSet) {
		fs.BoolVar(&c.JSON, "json", false, "print JSON instead of a table")
	},
	"rotate-pii-key": rotateFlags,
	"grant-owner": func(c *adminCommand, fs *flag.FlagSet) {
		fs.StringVar(&c.Email, "email", "", "the agent's email address (required)")
		fs.BoolVar(&c.Revoke, "revoke", false, "withdraw ownership instead (the last owner stays one)")
	},
}

// parseAdmin reads `sodam admin COMMAND [flags]`.
func parseAdmin(args []string, getenv func(string) string, stderr io.Writer) (adminCommand, node.Config, error) {
	var c adminCommand
	if len(args) == 0 {
		fmt.Fprint(stderr, adminUsage)
		return c, node.Config{}, usagef("which command?")
	}
	c.Sub = args[0]
	if c.Sub == "-h" || c.Sub == "-help" || c.Sub == "--help" || c.Sub == "help" {
		fmt.Fprint(stderr, adminUsage)
		return c, node.Config{}, flag.ErrHelp
	}
	flags, ok := adminFlags[c.Sub]
	if !ok {
		return c, node.Config{}, usagef("unknown command %q; the commands are create-agent, reset-password, create-workspace, list-agents, grant-owner, rotate-pii-key and stats-rebuild", c.Sub)
	}
	cfg, rest, err := parseCommand("sodam admin "+c.Sub, args[1:], getenv, stderr, func(fs *flag.FlagSet) { flags(&c, fs) })
	if err != nil {
		return c, cfg, err
	}
	if len(rest) > 0 {
		return c, cfg, usagef("unexpected argument %q", rest[0])
	}
	return c, cfg, c.check()
}

// check validates the values, so that a mistake is a usage error before
// anything is opened.
func (c *adminCommand) check() error {
	required := func(name, v string) error {
		if strings.TrimSpace(v) == "" {
			return usagef("--%s is required", name)
		}
		return nil
	}
	email := func(name string, v *string) error {
		if err := required(name, *v); err != nil {
			return err
		}
		e, err := chat.CleanEmail(*v)
		if err != nil {
			return usagef("--%s: %s", name, message(err))
		}
		*v = e
		return nil
	}
	switch c.Sub {
	case "create-agent":
		if err := email("email", &c.Email); err != nil {
			return err
		}
		if err := required("name", c.Name); err != nil {
			return err
		}
		name, err := chat.CleanAgentName(c.Name)
		if err != nil {
			return usagef("--name: %s", message(err))
		}
		c.Name = name
		if c.Role == "" {
			c.Role = chat.RoleAgent
		}
		if !c.Role.Valid() {
			return usagef("--role must be agent, manager or master, not %q", c.Role)
		}
	case "reset-password", "grant-owner":
		return email("email", &c.Email)
	case "create-workspace":
		if err := required("name", c.Name); err != nil {
			return err
		}
		if err := email("master", &c.Master); err != nil {
			return err
		}
		if _, err := app.NewWorkspace(c.Name, c.SiteID); err != nil {
			return usagef("%s", message(err))
		}
	}
	return nil
}

// message is a domain error's text without its code.
func message(err error) string {
	var de *chat.Error
	if errors.As(err, &de) {
		return de.Message
	}
	return err.Error()
}

// runAdmin runs `sodam admin` and returns its exit status.
func runAdmin(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	c, cfg, err := parseAdmin(args, getenv, stderr)
	name := strings.TrimSpace("sodam admin " + c.Sub)
	if _, known := adminFlags[c.Sub]; !known && err != nil && !errors.Is(err, flag.ErrHelp) {
		// "sodam admin create-user -h" would only repeat the error.
		fmt.Fprintf(stderr, "sodam admin: %v (sodam admin -h lists the commands)\n", err)
		return exitUsage
	}
	if err != nil {
		return exitStatus(name, err, stderr)
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return exitStatus(name, err, stderr)
	}
	defer db.Close()
	a := &admin{store: db, cfg: cfg, stdin: stdin, out: stdout, warn: stderr, now: time.Now}
	return exitStatus(name, a.run(ctx, c), stderr)
}

// adminStore is what the operator's commands use of the store.
type adminStore interface {
	AllWorkspaces(ctx context.Context) ([]chat.Workspace, error)
	Workspace(ctx context.Context, id int64) (*chat.Workspace, error)
	WorkspaceBySiteID(ctx context.Context, siteID string) (*chat.Workspace, error)
	AllAgents(ctx context.Context) ([]chat.Agent, error)
	AgentByEmail(ctx context.Context, email string) (*chat.Agent, error)
	CreateAgent(ctx context.Context, a *chat.Agent) error
	AddMember(ctx context.Context, m chat.Member) error
	Memberships(ctx context.Context, agentID int64) ([]chat.Member, error)
	CreatePasswordReset(ctx context.Context, workspaceID, agentID int64, tokenHash string, expiresAt time.Time, by chat.Who) error
	CreateWorkspaceWith(ctx context.Context, w *chat.Workspace, masterID int64, by chat.Who) error
	SetOwner(ctx context.Context, agentID int64, owner bool, by chat.Who) (*chat.Agent, error)
	AppendAudit(ctx context.Context, e chat.AuditEntry) error
}

// admin runs the commands on a store.
type admin struct {
	store adminStore
	cfg   node.Config
	stdin io.Reader
	out   io.Writer
	warn  io.Writer
	now   func() time.Time
}

func (a *admin) run(ctx context.Context, c adminCommand) error {
	switch c.Sub {
	case "create-agent":
		return a.createAgent(ctx, c)
	case "reset-password":
		return a.resetPassword(ctx, c)
	case "create-workspace":
		return a.createWorkspace(ctx, c)
	case "list-agents":
		return a.listAgents(ctx, c)
	case "grant-owner":
		return a.grantOwner(ctx, c)
	case "rotate-pii-key":
		return a.rotatePIIKey(ctx, c)
	case "stats-rebuild":
		return a.statsRebuild(ctx, c)
	}
	return usagef("unknown command %q", c.Sub)
}

// createAgent adds a login (or finds the existing one) and makes it a
// member of the workspace. Those are separate transactions, so each step
// is one a second run picks up: a login left without its membership gets
// it, and a login without a password gets a link.
func (a *admin) createAgent(ctx context.Context, c adminCommand) error {
	ws, err := a.workspace(ctx, c.Workspace)
	if err != nil {
		return err
	}
	var hash string
	if c.PasswordFile != "" {
		password, err := a.readPassword(c.PasswordFile)
		if err != nil {
			return err
		}
		if err := auth.CheckNewPassword(password, c.Email, c.Name); err != nil {
			return err
		}
		hash = auth.HashPassword(password) // before any transaction: it takes a moment
	}
	ag, err := a.store.AgentByEmail(ctx, c.Email)
	created := false
	switch {
	case chat.ErrorCode(err) == chat.ErrAgentNotFound:
		ag = &chat.Agent{Email: c.Email, Name: c.Name, PasswordHash: hash}
		if err := a.store.CreateAgent(ctx, ag); err != nil {
			return err
		}
		created = true
	case err != nil:
		return err
	case hash != "":
		return fmt.Errorf("%s has a Sodam login already, with its own password: leave out --password-file to add it to %s, or use reset-password", c.Email, ws.Name)
	}
	if err := a.store.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: ag.ID, Role: c.Role}); err != nil {
		if chat.ErrorCode(err) == chat.ErrConflict {
			return fmt.Errorf("%s is a member of workspace %d %q already (list-agents shows their role; reset-password prints a password link)", c.Email, ws.ID, ws.Name)
		}
		return err
	}
	// The membership's audit entry: a role given where there was none.
	if err := a.store.AppendAudit(ctx, chat.AuditEntry{WorkspaceID: ws.ID, ActorName: operator.Name, Address: operator.Address,
		Action: chat.AuditMemberRole, Target: ag.Email, Before: map[string]any{"role": nil}, After: map[string]any{"role": c.Role}}); err != nil {
		return err
	}
	if created {
		fmt.Fprintf(a.out, "Created the login %s (%s) and added it to workspace %d %q as %s.\n", ag.Email, ag.Name, ws.ID, ws.Name, c.Role)
	} else {
		fmt.Fprintf(a.out, "Added the existing login %s (%s) to workspace %d %q as %s.\n", ag.Email, ag.Name, ws.ID, ws.Name, c.Role)
	}
	if c.Owner && !ag.Owner {
		if _, err := a.store.SetOwner(ctx, ag.ID, true, operator); err != nil {
			return err
		}
		fmt.Fprintln(a.out, "They are an installation owner now.")
	}
	switch {
	case hash != "" && c.PasswordFile == "-":
		fmt.Fprintln(a.out, "They sign in with the password read from standard input.")
	case hash != "":
		fmt.Fprintf(a.out, "They sign in with the password from %s.\n", c.PasswordFile)
	case created:
		return a.printLink(ctx, ws.ID, ag, a.cfg.InviteTTL, "to choose their password")
	case ag.PasswordHash == "":
		// A new link would void the one given when the login was created.
		fmt.Fprintln(a.out, "They have not chosen a password yet: the link printed when their login was created works until it expires; reset-password prints a new one.")
	default:
		fmt.Fprintln(a.out, "They sign in with the password of their existing login.")
	}
	return nil
}

// agentByEmail finds an agent, saying which email was not found.
func (a *admin) agentByEmail(ctx context.Context, email string) (*chat.Agent, error) {
	ag, err := a.store.AgentByEmail(ctx, email)
	if chat.ErrorCode(err) == chat.ErrAgentNotFound {
		return nil, fmt.Errorf("no agent has the email %s (list-agents lists them)", email)
	}
	return ag, err
}

// resetPassword prints a one-time link to choose a new password. It is
// audited in the agent's first workspace, where its masters see it.
func (a *admin) resetPassword(ctx context.Context, c adminCommand) error {
	ag, err := a.agentByEmail(ctx, c.Email)
	if err != nil {
		return err
	}
	ms, err := a.store.Memberships(ctx, ag.ID)
	if err != nil {
		return err
	}
	var wid int64
	if len(ms) > 0 {
		wid = ms[0].WorkspaceID
	}
	if err := a.printLink(ctx, wid, ag, chat.DefaultResetTTL, "to choose a new password"); err != nil {
		return err
	}
	fmt.Fprintln(a.out, "Their password works until the link is used; using it ends their other sessions.")
	return nil
}

// printLink stores a single-use password link for ag (replacing any
// unused one) and prints it: BASE/console/reset?token=…, of which the
// store keeps only the hash.
func (a *admin) printLink(ctx context.Context, workspaceID int64, ag *chat.Agent, ttl time.Duration, purpose string) error {
	token := auth.NewToken()
	exp := a.now().Add(ttl)
	if err := a.store.CreatePasswordReset(ctx, workspaceID, ag.ID, auth.HashToken(token), exp, operator); err != nil {
		return err
	}
	link := a.cfg.URL() + "/console/reset?" + url.Values{"token": {token}}.Encode()
	fmt.Fprintf(a.out, "Give %s this link %s; it works once, until %s:\n  %s\n", ag.Name, purpose, exp.Local().Format("2006-01-02 15:04 MST"), link)
	if a.cfg.BaseURL == "" {
		if host, _, _ := net.SplitHostPort(a.cfg.Addr); host == "" || net.ParseIP(host) != nil && net.ParseIP(host).IsUnspecified() {
			fmt.Fprintf(a.warn, "note: %s opens only on this machine; set --base-url (SODAM_BASE_URL) to the URL your agents use\n", a.cfg.URL())
		}
	}
	return nil
}

// readPassword reads the first line of a file, or of standard input for -.
func (a *admin) readPassword(path string) (string, error) {
	var r io.Reader = a.stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return "", err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 4096))
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if line = strings.TrimSuffix(line, "\r"); line == "" {
		return "", fmt.Errorf("%s: the first line is empty; it should hold the password", path)
	}
	return line, nil
}

// workspace finds a workspace by ID or site_id; "" is the only one.
func (a *admin) workspace(ctx context.Context, ref string) (*chat.Workspace, error) {
	var ws *chat.Workspace
	var err error
	switch id, perr := strconv.ParseInt(ref, 10, 64); {
	case ref == "":
		all, err := a.store.AllWorkspaces(ctx)
		if err != nil {
			return nil, err
		}
		all = slices.DeleteFunc(all, func(w chat.Workspace) bool { return w.ArchivedAt != nil })
		if len(all) != 1 {
			var names []string
			for _, w := range all {
				names = append(names, fmt.Sprintf("%d %q (site_id %s)", w.ID, w.Name, w.SiteID))
			}
			return nil, usagef("choose the workspace with --workspace ID or site_id: %s", strings.Join(names, ", "))
		}
		ws = &all[0]
	case perr == nil:
		if ws, err = a.store.Workspace(ctx, id); chat.ErrorCode(err) == chat.ErrWorkspaceNotFound {
			ws, err = a.store.WorkspaceBySiteID(ctx, ref) // a site_id may be digits
		}
	default:
		ws, err = a.store.WorkspaceBySiteID(ctx, ref)
	}
	if chat.ErrorCode(err) == chat.ErrWorkspaceNotFound {
		return nil, fmt.Errorf("no workspace has the ID or site_id %q", ref)
	}
	if err != nil {
		return nil, err
	}
	if ws.ArchivedAt != nil {
		return nil, fmt.Errorf("workspace %d %q is archived", ws.ID, ws.Name)
	}
	return ws, nil
}

func (a *admin) createWorkspace(ctx context.Context, c adminCommand) error {
	master, err := a.agentByEmail(ctx, c.Master)
	if err != nil {
		return err
	}
	w, err := app.NewWorkspace(c.Name, c.SiteID)
	if err != nil {
		return err
	}
	if err := a.store.CreateWorkspaceWith(ctx, w, master.ID, operator); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "Created workspace %d %q (site_id %s); %s (%s) is its master.\n", w.ID, w.Name, w.SiteID, master.Email, master.Name)
	fmt.Fprintln(a.out, "It is in their console's workspace picker; its embed snippet is in its settings.")
	return nil
}

// agentListing is list-agents' JSON: an agent and their memberships.
type agentListing struct {
	ID          int64               `json:"id"`
	Email       string              `json:"email"`
	Name        string              `json:"name"`
	Owner       bool                `json:"owner"`
	Memberships []membershipListing `json:"memberships"`
}

type membershipListing struct {
	WorkspaceID   int64     `json:"workspace_id"`
	WorkspaceName string    `json:"workspace_name"`
	Role          chat.Role `json:"role"`
	Active        bool      `json:"active"`
}

func (a *admin) listAgents(ctx context.Context, c adminCommand) error {
	agents, err := a.store.AllAgents(ctx)
	if err != nil {
		return err
	}
	all, err := a.store.AllWorkspaces(ctx)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, w := range all {
		names[w.ID] = w.Name
	}
	list := []agentListing{}
	for _, ag := range agents {
		ms, err := a.store.Memberships(ctx, ag.ID)
		if err != nil {
			return err
		}
		l := agentListing{ID: ag.ID, Email: ag.Email, Name: ag.Name, Owner: ag.Owner, Memberships: []membershipListing{}}
		for _, m := range ms {
			l.Memberships = append(l.Memberships, membershipListing{WorkspaceID: m.WorkspaceID, WorkspaceName: names[m.WorkspaceID], Role: m.Role, Active: m.Active})
		}
		list = append(list, l)
	}
	if c.JSON {
		enc := json.NewEncoder(a.out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(a.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tOWNER\tWORKSPACE\tROLE\tACTIVE")
	yes := map[bool]string{true: "yes", false: "no"}
	for _, l := range list {
		if len(l.Memberships) == 0 {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t-\t-\t-\n", l.ID, l.Email, l.Name, yes[l.Owner])
		}
		for i, m := range l.Memberships {
			if i == 0 {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s", l.ID, l.Email, l.Name, yes[l.Owner])
			} else {
				fmt.Fprint(tw, "\t\t\t")
			}
			fmt.Fprintf(tw, "\t%d %s\t%s\t%s\n", m.WorkspaceID, m.WorkspaceName, m.Role, yes[m.Active])
		}
	}
	return tw.Flush()
}

func (a *admin) grantOwner(ctx context.Context, c adminCommand) error {
	ag, err := a.agentByEmail(ctx, c.Email)
	if err != nil {
		return err
	}
	was := ag.Owner
	if ag, err = a.store.SetOwner(ctx, ag.ID, !c.Revoke, operator); err != nil {
		return err
	}
	switch {
	case was == ag.Owner && ag.Owner:
		fmt.Fprintf(a.out, "%s is an installation owner already.\n", ag.Email)
	case was == ag.Owner:
		fmt.Fprintf(a.out, "%s is not an installation owner.\n", ag.Email)
	case ag.Owner:
		fmt.Fprintf(a.out, "%s is an installation owner now: they create, rename and archive workspaces and grant ownership.\n", ag.Email)
	default:
		fmt.Fprintf(a.out, "%s is no longer an installation owner.\n", ag.Email)
	}
	return nil
}
