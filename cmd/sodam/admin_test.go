package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestParseAdmin(t *testing.T) {
	pw := filepath.Join(t.TempDir(), "pw")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want adminCommand
		data string // the data directory, when it matters
		err  string // "" for none, "help" for -h
	}{
		{name: "no command", args: nil, err: "which command"},
		{name: "unknown command", args: []string{"create-user"}, err: `unknown command "create-user"`},
		{name: "help", args: []string{"-h"}, err: "help"},
		{name: "a command's help", args: []string{"create-agent", "-h"}, err: "help"},
		{name: "create-agent", args: []string{"create-agent", "--email", " Kim@Example.COM ", "--name", " Kim Min "},
			want: adminCommand{Sub: "create-agent", Email: "kim@example.com", Name: "Kim Min", Role: chat.RoleAgent}},
		{name: "create-agent with everything, settings among the flags",
			args: []string{"create-agent", "--data", "/srv/sodam", "--email=a@b.co", "--name", "A", "--role", "master", "--owner", "--workspace", "shop-b", "--password-file", pw},
			want: adminCommand{Sub: "create-agent", Email: "a@b.co", Name: "A", Role: chat.RoleMaster, Owner: true, Workspace: "shop-b", PasswordFile: pw},
			data: "/srv/sodam"},
		{name: "settings from the environment", args: []string{"list-agents"}, env: map[string]string{"SODAM_DATA": "/env/data"},
			want: adminCommand{Sub: "list-agents"}, data: "/env/data"},
		{name: "password from standard input", args: []string{"create-agent", "--email", "a@b.co", "--name", "A", "--password-file", "-"},
			want: adminCommand{Sub: "create-agent", Email: "a@b.co", Name: "A", Role: chat.RoleAgent, PasswordFile: "-"}},
		{name: "create-agent without email", args: []string{"create-agent", "--name", "A"}, err: "--email is required"},
		{name: "create-agent without name", args: []string{"create-agent", "--email", "a@b.co"}, err: "--name is required"},
		{name: "a bad email", args: []string{"create-agent", "--email", "kim", "--name", "A"}, err: "--email"},
		{name: "a name on two lines", args: []string{"create-agent", "--email", "a@b.co", "--name", "A\nB"}, err: "--name"},
		{name: "a bad role", args: []string{"create-agent", "--email", "a@b.co", "--name", "A", "--role", "owner"}, err: "--role"},
		{name: "another command's flag", args: []string{"create-agent", "--email", "a@b.co", "--name", "A", "--json"}, err: "-json"},
		{name: "a stray argument", args: []string{"reset-password", "--email", "a@b.co", "now"}, err: `unexpected argument "now"`},
		{name: "a bad setting", args: []string{"list-agents", "--addr", "8080"}, err: "SODAM_ADDR"},
		{name: "reset-password", args: []string{"reset-password", "--email", "A@B.co"}, want: adminCommand{Sub: "reset-password", Email: "a@b.co"}},
		{name: "reset-password without email", args: []string{"reset-password"}, err: "--email is required"},
		{name: "create-workspace", args: []string{"create-workspace", "--name", "Shop B", "--site-id", "shop-b", "--master", "Admin@Sodam.local"},
			want: adminCommand{Sub: "create-workspace", Name: "Shop B", SiteID: "shop-b", Master: "admin@sodam.local"}},
		{name: "create-workspace with a generated site_id", args: []string{"create-workspace", "--name", "Shop B", "--master", "a@b.co"},
			want: adminCommand{Sub: "create-workspace", Name: "Shop B", Master: "a@b.co"}},
		{name: "a bad site_id", args: []string{"create-workspace", "--name", "B", "--site-id", "Shop B", "--master", "a@b.co"}, err: "site_id"},
		{name: "create-workspace without master", args: []string{"create-workspace", "--name", "B"}, err: "--master is required"},
		{name: "create-workspace without name", args: []string{"create-workspace", "--master", "a@b.co"}, err: "--name is required"},
		{name: "list-agents as JSON", args: []string{"list-agents", "--json"}, want: adminCommand{Sub: "list-agents", JSON: true}},
		{name: "grant-owner", args: []string{"grant-owner", "--email", "a@b.co"}, want: adminCommand{Sub: "grant-owner", Email: "a@b.co"}},
		{name: "revoke ownership", args: []string{"grant-owner", "--revoke", "--email", "a@b.co"}, want: adminCommand{Sub: "grant-owner", Email: "a@b.co", Revoke: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, cfg, err := parseAdmin(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			switch {
			case tt.err == "help":
				if !errors.Is(err, flag.ErrHelp) {
					t.Fatalf("err %v, want help", err)
				}
			case tt.err != "":
				var u usageError
				if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want a usage error mentioning %q", err, tt.err)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.want:
				t.Fatalf("got %+v, want %+v", got, tt.want)
			case tt.data != "" && cfg.DataDir != tt.data:
				t.Fatalf("data directory %q, want %q", cfg.DataDir, tt.data)
			}
		})
	}
}

// Usage errors exit with 2, -h with 0, failures with 1.
func TestAdminExitStatus(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want int
	}{
		{nil, exitUsage},
		{[]string{"create-agent", "--email", "kim"}, exitUsage},
		{[]string{"-h"}, exitOK},
		{[]string{"list-agents", "-h"}, exitOK},
		{[]string{"list-agents", "--data", filepath.Join(t.TempDir(), "none")}, exitFail},
	} {
		if code, _, stderr := adminCmd(t, "", tt.args...); code != tt.want {
			t.Errorf("sodam admin %q: exit %d, want %d; %s", tt.args, code, tt.want, stderr)
		}
	}
}

// linkRE finds a printed password link and its token.
var linkRE = regexp.MustCompile(`(http://\S+)/console/reset\?token=(\S+)`)

// TestAdmin runs each `sodam admin` command against a database that a
// node is serving, as an operator would beside a running server, and
// checks what it changed through the API and the store.
func TestAdmin(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testAdmin(t, b) })
	}
}

func testAdmin(t *testing.T, b backend) {
	ctx := context.Background()
	// With a secret key, as an operator keeping one would: a workspace the
	// command creates has its identity secret sealed under the node's key.
	b.args = append(slices.Clip(b.args), "--secret-key", "the operator's secret key, 32 characters or more")
	m := startNode(t, b.args...)
	defer m.Close()
	base := "http://" + m.Addr()
	st := m.Store
	all, err := st.AllWorkspaces(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("workspaces %v %v", all, err)
	}
	first := all[0]
	// The links must point at this node: --base-url, as for the server.
	admin := func(t *testing.T, stdin string, args ...string) (int, string, string) {
		t.Helper()
		return adminCmd(t, stdin, append(append(args, b.args...), "--base-url", base)...)
	}
	// usePasswordLink chooses a password through a printed link, as the
	// console's reset page does, and returns the session's memberships.
	usePasswordLink := func(t *testing.T, out, password string) []chat.Member {
		t.Helper()
		link := linkRE.FindStringSubmatch(out)
		if link == nil || link[1] != base {
			t.Fatalf("no link to %s in:\n%s", base, out)
		}
		var me struct{ Memberships []chat.Member }
		newClient(t, base).json("POST", "/api/v1/password-reset", map[string]string{"token": link[2], "password": password}, 200, &me)
		return me.Memberships
	}
	audited := func(t *testing.T, workspaceID int64, action, target string) {
		t.Helper()
		entries, err := st.Audit(ctx, workspaceID, chat.AuditFilter{Action: action})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.Target == target && e.ActorName == "sodam admin (operator)" && e.Address == "local" && e.ActorID == 0 {
				return
			}
		}
		t.Fatalf("no %s of %s by the operator in workspace %d: %+v", action, target, workspaceID, entries)
	}

	t.Run("create-agent", func(t *testing.T) {
		code, out, stderr := admin(t, "", "create-agent", "--email", "Kim@Example.com", "--name", "Kim", "--role", "manager")
		if code != 0 || !strings.Contains(out, "Created the login kim@example.com") {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		ms := usePasswordLink(t, out, "copper kettle singing 93")
		if len(ms) != 1 || ms[0].WorkspaceID != first.ID || ms[0].Role != chat.RoleManager || !ms[0].Active {
			t.Fatalf("memberships %+v", ms)
		}
		newClient(t, base).login("kim@example.com", "copper kettle singing 93")
		audited(t, first.ID, chat.AuditMemberRole, "kim@example.com")
		audited(t, first.ID, chat.AuditPasswordReset, "kim@example.com")

		// Once only; nothing changes the second time.
		if code, _, stderr := admin(t, "", "create-agent", "--email", "kim@example.com", "--name", "Kim"); code != exitFail || !strings.Contains(stderr, "already") {
			t.Fatalf("again: exit %d %s", code, stderr)
		}

		// With a password from a file, an owner, in a workspace named by site_id.
		pw := filepath.Join(t.TempDir(), "pw")
		if err := os.WriteFile(pw, []byte("granite meadow whistle 58\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, stderr = admin(t, "", "create-agent", "--email", "lee@example.com", "--name", "Lee", "--workspace", first.SiteID, "--owner", "--password-file", pw)
		if code != 0 || linkRE.MatchString(out) {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		newClient(t, base).login("lee@example.com", "granite meadow whistle 58")
		if lee, err := st.AgentByEmail(ctx, "lee@example.com"); err != nil || !lee.Owner {
			t.Fatalf("lee %+v %v", lee, err)
		}

		// A weak password is refused before anything is stored.
		code, _, stderr = admin(t, "password1234\n", "create-agent", "--email", "weak@example.com", "--name", "Weak", "--password-file", "-")
		if code != exitFail || !strings.Contains(stderr, "guess") {
			t.Fatalf("weak password: exit %d %s", code, stderr)
		}
		if _, err := st.AgentByEmail(ctx, "weak@example.com"); chat.ErrorCode(err) != chat.ErrAgentNotFound {
			t.Fatalf("the refused agent was stored: %v", err)
		}
		// An unknown workspace.
		if code, _, stderr := admin(t, "", "create-agent", "--email", "x@example.com", "--name", "X", "--workspace", "nowhere"); code != exitFail || !strings.Contains(stderr, "nowhere") {
			t.Fatalf("unknown workspace: exit %d %s", code, stderr)
		}
	})

	t.Run("reset-password", func(t *testing.T) {
		code, out, stderr := admin(t, "", "reset-password", "--email", "admin@sodam.local")
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		// The old password works until the link is used.
		newClient(t, base).login("admin@sodam.local", masterPassword)
		usePasswordLink(t, out, "saffron bicycle under rain 27")
		newClient(t, base).login("admin@sodam.local", "saffron bicycle under rain 27")
		if status, _ := newClient(t, base).call("POST", "/api/v1/auth/login", "application/json",
			strings.NewReader(`{"email":"admin@sodam.local","password":"`+masterPassword+`"}`)); status != 401 {
			t.Fatalf("the old password still works: %d", status)
		}
		audited(t, first.ID, chat.AuditPasswordReset, "admin@sodam.local")
		if code, _, stderr := admin(t, "", "reset-password", "--email", "nobody@example.com"); code != exitFail || !strings.Contains(stderr, "nobody@example.com") {
			t.Fatalf("unknown agent: exit %d %s", code, stderr)
		}
	})

	t.Run("create-workspace", func(t *testing.T) {
		code, out, stderr := admin(t, "", "create-workspace", "--name", "Shop B", "--site-id", "shop-b", "--master", "kim@example.com")
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		w, err := st.WorkspaceBySiteID(ctx, "shop-b")
		if err != nil || w.Name != "Shop B" || w.IdentitySecret == "" {
			t.Fatalf("workspace %+v %v", w, err)
		}
		if mem, err := st.Member(ctx, w.ID, mustAgent(t, st, "kim@example.com").ID); err != nil || mem.Role != chat.RoleMaster {
			t.Fatalf("kim in shop-b: %+v %v", mem, err)
		}
		audited(t, w.ID, chat.AuditWorkspaceCreate, "shop-b")
		if code, _, stderr := admin(t, "", "create-workspace", "--name", "Again", "--site-id", "shop-b", "--master", "kim@example.com"); code != exitFail || !strings.Contains(stderr, "shop-b") {
			t.Fatalf("a taken site_id: exit %d %s", code, stderr)
		}
		if code, _, stderr := admin(t, "", "create-workspace", "--name", "C", "--master", "nobody@example.com"); code != exitFail || !strings.Contains(stderr, "nobody@example.com") {
			t.Fatalf("an unknown master: exit %d %s", code, stderr)
		}

		// With two workspaces create-agent needs --workspace; an existing
		// login joins another workspace with the password it has.
		if code, _, stderr := admin(t, "", "create-agent", "--email", "lee@example.com", "--name", "Lee"); code != exitUsage || !strings.Contains(stderr, "shop-b") {
			t.Fatalf("no --workspace: exit %d %s", code, stderr)
		}
		code, out, stderr = admin(t, "", "create-agent", "--email", "lee@example.com", "--name", "Lee", "--workspace", "shop-b")
		if code != 0 || !strings.Contains(out, "existing login") || linkRE.MatchString(out) {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		if mem, err := st.Member(ctx, w.ID, mustAgent(t, st, "lee@example.com").ID); err != nil || mem.Role != chat.RoleAgent {
			t.Fatalf("lee in shop-b: %+v %v", mem, err)
		}
	})

	t.Run("list-agents", func(t *testing.T) {
		code, out, stderr := admin(t, "", "list-agents")
		if code != 0 {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if !regexp.MustCompile(`^ID\s+EMAIL\s+NAME\s+OWNER\s+WORKSPACE\s+ROLE\s+ACTIVE$`).MatchString(lines[0]) || len(lines) != 1+5 {
			t.Fatalf("table:\n%s", out)
		}
		if !regexp.MustCompile(`(?m)^\d+\s+kim@example.com\s+Kim\s+no\s+\d+ Sodam\s+manager\s+yes$`).MatchString(out) ||
			!regexp.MustCompile(`(?m)^\s+\d+ Shop B\s+master\s+yes$`).MatchString(out) {
			t.Fatalf("table:\n%s", out)
		}

		code, out, _ = admin(t, "", "list-agents", "--json")
		var list []agentListing
		if err := json.Unmarshal([]byte(out), &list); code != 0 || err != nil {
			t.Fatalf("exit %d %v\n%s", code, err, out)
		}
		emails := []string{}
		for _, a := range list {
			emails = append(emails, a.Email)
			if a.Email == "lee@example.com" && (!a.Owner || len(a.Memberships) != 2 || a.Memberships[1].WorkspaceName != "Shop B" || a.Memberships[1].Role != chat.RoleAgent || !a.Memberships[1].Active) {
				t.Fatalf("lee: %+v", a)
			}
		}
		slices.Sort(emails)
		if !slices.Equal(emails, []string{"admin@sodam.local", "kim@example.com", "lee@example.com"}) {
			t.Fatalf("agents %v", emails)
		}
	})

	t.Run("grant-owner", func(t *testing.T) {
		code, out, stderr := admin(t, "", "grant-owner", "--email", "kim@example.com")
		if code != 0 || !mustAgent(t, st, "kim@example.com").Owner {
			t.Fatalf("exit %d\n%s%s", code, out, stderr)
		}
		if code, out, _ := admin(t, "", "grant-owner", "--email", "kim@example.com"); code != 0 || !strings.Contains(out, "already") {
			t.Fatalf("again: exit %d %s", code, out)
		}
		for _, email := range []string{"admin@sodam.local", "lee@example.com"} {
			if code, _, stderr := admin(t, "", "grant-owner", "--revoke", "--email", email); code != 0 || mustAgent(t, st, email).Owner {
				t.Fatalf("revoke %s: exit %d %s", email, code, stderr)
			}
		}
		// The last owner stays one.
		if code, _, stderr := admin(t, "", "grant-owner", "--revoke", "--email", "kim@example.com"); code != exitFail || !mustAgent(t, st, "kim@example.com").Owner {
			t.Fatalf("revoke the last owner: exit %d %s", code, stderr)
		}
	})
}

func mustAgent(t *testing.T, st interface {
	AgentByEmail(context.Context, string) (*chat.Agent, error)
}, email string) *chat.Agent {
	t.Helper()
	a, err := st.AgentByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAdminUnknownCommandHint: a mistyped command pointed at
// "sodam admin create-user -h", which answers the same error again; the
// hint is now sodam admin -h, which lists the commands.
func TestAdminUnknownCommandHint(t *testing.T) {
	code, _, stderr := adminCmd(t, "", "create-user", "--email", "kim@example.com")
	if code != exitUsage || strings.Contains(stderr, "create-user -h") || !strings.Contains(stderr, "(sodam admin -h lists the commands)") {
		t.Fatalf("exit %d %s", code, stderr)
	}
}
