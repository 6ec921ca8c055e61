package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/sodam-chat/sodam/internal/pii"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/auth/authtest"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/realtime"
	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

const password = "correct-horse-1"

// env is a running server on a fresh SQLite database with two workspaces:
// "shop" (master, manager, and agents kim and lee, all online) and "other"
// (master olga).
type env struct {
	t     *testing.T
	srv   *httptest.Server
	store chat.Store
	files *blob.Disk // attachments' bytes, under uploads
	// uploads is the blob directory; dbPath the SQLite file.
	uploads, dbPath string
	shop            *chat.Workspace
	other           *chat.Workspace
	agents          map[string]*chat.Agent
	// app is the server's application layer (tests run its jobs).
	app *app.App
	// clock is the server's; it runs with the wall clock until a test
	// freezes or moves it.
	clock *clock
	// keys seal masked originals (pii_test.go).
	keys *pii.Keyring
}

// clock is a settable time source: the wall clock plus an offset, or a
// frozen instant.
type clock struct {
	mu     sync.Mutex
	frozen time.Time
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.frozen.IsZero() {
		return c.frozen
	}
	return time.Now().Add(c.offset)
}

// freeze stops the clock where it is.
func (c *clock) freeze() {
	now := c.Now()
	c.mu.Lock()
	c.frozen = now
	c.mu.Unlock()
}

// advance moves a frozen clock on.
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.frozen = c.frozen.Add(d)
	c.mu.Unlock()
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return newEnvWith(t, nil)
}

// newEnvWith is newEnv with the server's configuration adjusted first.
func newEnvWith(t *testing.T, configure func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvOn(t, "sqlite", configure)
}

// stores are the databases a test can run its scenarios on; postgres is
// skipped without SODAM_TEST_DATABASE_URL.
var stores = []string{"sqlite", "postgres"}

// newEnvOn is newEnvWith on the named store.
func newEnvOn(t *testing.T, kind string, configure func(*httpapi.Config)) *env {
	t.Helper()
	return newEnvWrapped(t, kind, configure, nil)
}

// newEnvWrapped is newEnvOn with the HTTP layer reading through
// wrap(store) when wrap is set, so that a test can step into a request
// between two of its reads; the application and the hub use the store
// itself.
func newEnvWrapped(t *testing.T, kind string, configure func(*httpapi.Config), wrap func(chat.Store) chat.Store) *env {
	t.Helper()
	ctx := context.Background()
	var real, store chat.Store
	var dbPath string
	if kind == "postgres" {
		real = postgres.OpenTest(t)
	} else {
		real, dbPath = sqlite.OpenTest(t)
	}
	store = real
	if wrap != nil {
		store = wrap(real)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub := realtime.NewHub(real, bus.NewMemory(), log)
	runCtx, cancel := context.WithCancel(ctx)
	hubDone := make(chan struct{})
	go func() { defer close(hubDone); hub.Run(runCtx, 200*time.Millisecond) }()

	e := &env{t: t, store: real, dbPath: dbPath, agents: map[string]*chat.Agent{}, clock: &clock{}}
	e.srv = httptest.NewUnstartedServer(nil)
	e.srv.Config.BaseContext = func(_ net.Listener) context.Context { return runCtx }
	e.srv.Start()
	e.uploads = filepath.Join(t.TempDir(), "uploads")
	var err error
	e.files, err = blob.NewDisk(e.uploads)
	must(t, err)
	// Scenario tests make hundreds of refused requests as one visitor: the
	// abuse limits are off unless a test turns them on (limits_test.go).
	cfg := httpapi.Config{BaseURL: e.srv.URL, Now: e.clock.Now, NoLimits: true}
	if configure != nil {
		configure(&cfg)
	}
	e.app = app.New(real, hub, nil)
	e.keys, err = pii.NewKeyring(pii.GenerateKey())
	must(t, err)
	e.app.UsePII(e.keys)
	e.app.UseFiles(e.files, log) // export jobs write their files (runJobs)
	api := httpapi.New(cfg, store, e.app, e.files, hub, log)
	e.srv.Config.Handler = observeCodes(api.Handler())
	t.Cleanup(func() {
		cancel()
		e.srv.Close()
		<-hubDone
		api.Drain()
	}) // then the store closes (OpenTest)

	e.shop = e.workspace("shop", "개인정보 수집에 동의합니다")
	e.other = e.workspace("other", "")
	hash := authtest.Hash(password)
	for _, m := range []struct {
		name string
		ws   *chat.Workspace
		role chat.Role
	}{
		{"master", e.shop, chat.RoleMaster}, {"manager", e.shop, chat.RoleManager},
		{"kim", e.shop, chat.RoleAgent}, {"lee", e.shop, chat.RoleAgent},
		{"olga", e.other, chat.RoleMaster},
	} {
		a := &chat.Agent{Email: m.name + "@example.com", Name: m.name, PasswordHash: hash}
		must(t, real.CreateAgent(ctx, a))
		must(t, real.AddMember(ctx, chat.Member{WorkspaceID: m.ws.ID, AgentID: a.ID, Role: m.role, Status: chat.StatusOnline}))
		e.agents[m.name] = a
	}
	return e
}

func (e *env) workspace(siteID, consent string) *chat.Workspace {
	w := &chat.Workspace{SiteID: siteID, Name: siteID, IdentitySecret: "secret-" + siteID, ConsentText: consent}
	must(e.t, e.store.CreateWorkspace(context.Background(), w))
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// client is a browser-like caller: an agent with a cookie and CSRF token,
// or a visitor with a bearer token.
type client struct {
	e      *env
	hc     *http.Client
	csrf   string
	bearer string
}

func (e *env) anonymous() *client {
	jar, _ := cookiejar.New(nil)
	return &client{e: e, hc: &http.Client{Jar: jar}}
}

func (e *env) login(name string) *client {
	e.t.Helper()
	c := e.anonymous()
	var me struct {
		CSRFToken string `json:"csrf_token"`
	}
	c.json("POST", "/api/v1/auth/login", `{"email":"`+name+`@example.com","password":"`+password+`"}`, 200, &me)
	c.csrf = me.CSRFToken
	return c
}

// visitor starts a widget session on siteID; extra is merged into the request.
func (e *env) visitor(siteID string, extra string) *client {
	e.t.Helper()
	c := e.anonymous()
	var s struct {
		VisitorToken string `json:"visitor_token"`
	}
	body := `{"site_id":"` + siteID + `"` + extra + `}`
	c.json("POST", "/api/v1/widget/sessions", body, 200, &s)
	c.bearer = s.VisitorToken
	return c
}

// do sends a request with the client's credentials and returns the status and body.
func (c *client) do(method, path, body string, header ...string) (int, []byte) {
	c.e.t.Helper()
	resp, data := c.response(method, path, body, header...)
	return resp.StatusCode, data
}

// response is do with the whole answer (its headers); the body is read.
func (c *client) response(method, path, body string, header ...string) (*http.Response, []byte) {
	c.e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	must(c.e.t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	resp, err := c.hc.Do(req)
	must(c.e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	must(c.e.t, err)
	return resp, data
}

// json sends a request, checks the status and decodes the answer into out.
func (c *client) json(method, path, body string, want int, out any) {
	c.e.t.Helper()
	status, data := c.do(method, path, body)
	if status != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			c.e.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

// start opens the visitor's conversation.
func (c *client) start() chat.Conversation {
	c.e.t.Helper()
	var conv chat.Conversation
	status, data := c.do("POST", "/api/v1/widget/conversations", `{"consent":true}`)
	if status != 201 && status != 200 {
		c.e.t.Fatalf("start: %d %s", status, data)
	}
	must(c.e.t, json.Unmarshal(data, &conv))
	return conv
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// detail is GET /conversations/{cid}.
type detail struct {
	Conversation       chat.Conversation `json:"conversation"`
	Customer           chat.Customer     `json:"customer"`
	TotalConversations int               `json:"total_conversations"`
}

func (e *env) shopPath() string { return fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID) }

// convPath is a conversation of the shop workspace in the console API.
func (e *env) convPath(id int64) string {
	return fmt.Sprintf("%s/conversations/%d", e.shopPath(), id)
}

// detailOf reads a conversation with its customer as c.
func (c *client) detailOf(id int64) detail {
	c.e.t.Helper()
	var d detail
	c.json("GET", c.e.convPath(id), "", 200, &d)
	return d
}

// state reads each path as c and joins the answers.
func (c *client) state(paths ...string) string {
	c.e.t.Helper()
	var b strings.Builder
	for _, p := range paths {
		status, data := c.do("GET", p, "")
		if status != 200 {
			c.e.t.Fatalf("GET %s: status %d: %s", p, status, data)
		}
		fmt.Fprintf(&b, "%s %s\n", p, data)
	}
	return b.String()
}

// refuse runs refusals like run and checks, beyond the event log, that
// the state read before and after — through the API — is the same.
func (e *env) refuse(read func() string, scenarios []scenario) {
	e.t.Helper()
	before := read()
	e.run(scenarios)
	if after := read(); after != before {
		e.t.Fatalf("refused requests changed the state:\nbefore %s\nafter  %s", before, after)
	}
}

// errorBodyOf decodes an error answer.
func errorBodyOf(t *testing.T, data []byte) (code, message string) {
	t.Helper()
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("not an error body: %s", data)
	}
	return body.Error.Code, body.Error.Message
}

// customerEvent is an agent socket's event with its customer.
type customerEvent struct {
	Type     chat.EventType `json:"type"`
	Customer *chat.Customer `json:"customer"`
}

func (e *env) setStatus(name string, st chat.AgentStatus) {
	e.t.Helper()
	_, _, err := e.store.SetAgentStatus(context.Background(), e.shop.ID, e.agents[name].ID, st)
	must(e.t, err)
}

// visitorView is the visitor's conversation as the widget gets it.
type visitorView struct {
	ID      int64        `json:"id"`
	State   chat.State   `json:"state"`
	CanRate *bool        `json:"can_rate"`
	Rating  *chat.Rating `json:"rating"`
}

func queuePos(f frame) int { return f.Position }
