package httpapi_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/auth/authtest"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

// authCodes are the refusals the access layer gives; anything else (a
// missing body, an unknown ID) means the caller got past it.
var authCodes = []string{chat.ErrUnauthorized, chat.ErrRoleRequired, chat.ErrScopeRequired, chat.ErrWorkspaceNotFound,
	chat.ErrOwnerRequired, chat.ErrCSRF, chat.ErrMemberInactive, chat.ErrForbidden, chat.ErrSessionRequired}

// sessionOnly are the member routes a person at a console uses, never an
// API token: presence, the console's socket, making and revoking tokens.
var sessionOnly = map[string]bool{
	"GET /api/v1/workspaces/{wid}/ws":                  true,
	"PUT /api/v1/workspaces/{wid}/me/status":           true,
	"POST /api/v1/workspaces/{wid}/api-tokens":         true,
	"DELETE /api/v1/workspaces/{wid}/api-tokens/{tid}": true,
}

// TestAuthorizationMatrix calls every route as every kind of caller and
// checks the access rule: who is refused, with which code, and who gets
// through. Path IDs other than the workspace name nothing that exists, so
// an allowed call changes nothing.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	owen := &chat.Agent{Email: "owen@example.com", Name: "owen", PasswordHash: authtest.Hash(password), Owner: true}
	must(t, e.store.CreateAgent(ctx, owen))
	master := e.login("master")
	token := func(scopes string) *client {
		var tok createdToken
		master.json("POST", e.shopPath()+"/api-tokens", `{"name":"`+scopes+`","scopes":["`+strings.ReplaceAll(scopes, ",", `","`)+`"]}`, 201, &tok)
		c := e.anonymous()
		c.bearer = tok.Token
		return c
	}
	// Dana was an agent of the shop and is deactivated there; she works
	// for the other workspace too, so she stays signed in.
	dana := &chat.Agent{Email: "dana@example.com", Name: "dana", PasswordHash: authtest.Hash(password)}
	must(t, e.store.CreateAgent(ctx, dana))
	for _, ws := range []*chat.Workspace{e.shop, e.other} {
		must(t, e.store.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: dana.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
	}
	deactivated := e.login("dana")
	master.json("PATCH", fmt.Sprintf("%s/agents/%d", e.shopPath(), dana.ID), `{"active":false}`, 200, nil)
	callers := []struct {
		name     string
		c        *client
		role     chat.Role // in the shop workspace; "" for none
		session  bool
		scopes   string // for API tokens
		owner    bool
		inactive bool // a member deactivated in the shop
	}{
		{name: "anonymous", c: e.anonymous()},
		{name: "visitor", c: e.visitor("shop", "")},
		{name: "agent", c: e.login("kim"), role: chat.RoleAgent, session: true},
		{name: "manager", c: e.login("manager"), role: chat.RoleManager, session: true},
		{name: "master", c: master, role: chat.RoleMaster, session: true},
		{name: "owner", c: e.login("owen"), session: true, owner: true},
		{name: "token read", c: token("read"), scopes: "read"},
		{name: "token write", c: token("read,write"), scopes: "write"},
		{name: "token admin", c: token("admin"), scopes: "admin"},
		{name: "another workspace's master", c: e.login("olga"), session: true},
		{name: "deactivated agent", c: deactivated, role: chat.RoleAgent, session: true, inactive: true},
	}
	rank := map[chat.Role]int{"": 0, chat.RoleAgent: 1, chat.RoleManager: 2, chat.RoleMaster: 3}
	param := regexp.MustCompile(`\{([a-z$]+)\}`)
	n := 0
	for _, rt := range httpapi.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if rt.Access == "public" || rt.Pattern == "POST /api/v1/auth/logout" || !strings.HasPrefix(path, "/api/") {
			continue // anyone may call it; logout is tested on its own
		}
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{wid}" {
				return fmt.Sprint(e.shop.ID)
			}
			return "999999"
		})
		for _, cl := range callers {
			want := "" // allowed
			switch rt.Access {
			case "visitor":
				if cl.name != "visitor" {
					want = chat.ErrUnauthorized
				}
			case "agent":
				if !cl.session {
					want = chat.ErrUnauthorized
				}
			case "owner":
				switch {
				case !cl.session:
					want = chat.ErrUnauthorized
				case !cl.owner:
					want = chat.ErrOwnerRequired
				}
			case "member":
				min := rt.MinRole
				if min == "" {
					min = chat.RoleAgent
				}
				switch {
				case cl.scopes != "":
					write := method != "GET"
					role := chat.RoleManager
					if cl.scopes == "admin" {
						role = chat.RoleMaster
					}
					switch {
					case write && cl.scopes == "read", rank[role] < rank[min]:
						want = chat.ErrScopeRequired
					case sessionOnly[rt.Pattern]:
						want = chat.ErrSessionRequired
					}
				case !cl.session:
					want = chat.ErrUnauthorized
				case cl.role == "":
					want = chat.ErrWorkspaceNotFound
				case cl.inactive:
					want = chat.ErrMemberInactive
				case rank[cl.role] < rank[min]:
					want = chat.ErrRoleRequired
				}
			}
			body := ""
			if method != "GET" && method != "DELETE" {
				body = "{}"
			}
			n++
			t.Run(rt.Pattern+" as "+cl.name, func(t *testing.T) {
				status, data := cl.c.do(method, path, body)
				code := ""
				if status >= 400 && strings.HasPrefix(string(data), "{") { // the socket route answers a plain GET in text
					code, _ = errorBodyOf(t, data)
				}
				if want == "" {
					if slices.Contains(authCodes, code) {
						t.Fatalf("refused with %d %s: %s", status, code, data)
					}
					return
				}
				if code != want {
					t.Fatalf("status %d code %q, want %q: %s", status, code, want, data)
				}
			})
		}
	}
	if n < 500 {
		t.Fatalf("only %d calls: the matrix lost routes", n)
	}
}
