package cluster

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/auth/authtest"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

const (
	adminEmail    = "admin@sodam.local"
	adminPassword = "cluster-admin-1"
	agentPassword = "cluster-agent-1"
)

// agentHash is agentPassword's hash, computed once (argon2id is slow under
// the race detector).
var agentHash = sync.OnceValue(func() string { return authtest.Hash(agentPassword) })

// cluster is three sodam processes on one fresh PostgreSQL schema and the
// test NATS server, plus a store of the test's own on the same schema.
type cluster struct {
	t *testing.T
	// ctx ends at the test's time limit; every wait and request uses it.
	ctx    context.Context
	schema string
	// nodeURL is the database URL the nodes get: search_path names the
	// schema, which pgx passes on as a run-time parameter. Empty: SQLite in
	// the node's data directory.
	nodeURL string
	// nats is the NATS URL the nodes get; empty for a single node.
	nats  string
	store *sqldb.DB
	db    *sql.DB // raw SQL on the schema, for what the store does not expose
	ws    *chat.Workspace
	nodes []*node
	tr    *http.Transport
}

type clusterOptions struct {
	// fresh leaves the schema empty, so that the nodes migrate it and
	// bootstrap the first workspace together. Otherwise the test migrates
	// it first and moves the workspace IDs to a random start: NATS
	// subjects are per workspace ID and not per installation, so clusters
	// sharing the NATS server (a parallel test, another checkout's run)
	// must not share workspace IDs.
	fresh bool
	// timeout bounds the whole test.
	timeout time.Duration
}

// newCluster starts three nodes together and waits until all are healthy.
func newCluster(t *testing.T, o clusterOptions) *cluster {
	t.Helper()
	needCluster(t)
	if o.timeout == 0 {
		o.timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	t.Cleanup(cancel)
	base, schema := postgres.TestSchema(t)
	c := &cluster{t: t, ctx: ctx, schema: schema, nodeURL: withSearchPath(t, base, schema), nats: natsURL,
		tr: &http.Transport{MaxIdleConnsPerHost: 100}}
	t.Cleanup(c.tr.CloseIdleConnections)

	cfg, err := pgx.ParseConfig(c.nodeURL)
	if err != nil {
		t.Fatal(err)
	}
	c.db = stdlib.OpenDB(*cfg)
	t.Cleanup(func() { c.db.Close() })
	var wsID int64
	if !o.fresh {
		c.openStore()
		wsID = 1_000_000 + rand.Int64N(1<<30)
		c.exec(fmt.Sprintf(`ALTER TABLE workspaces ALTER COLUMN id RESTART WITH %d`, wsID))
	}

	// Start all three before waiting for any: bootstrap (and, when fresh,
	// migration) happen concurrently.
	for i := range 3 {
		c.nodes = append(c.nodes, c.startNode(fmt.Sprintf("node%d", i+1)))
	}
	for _, n := range c.nodes {
		c.awaitNode(n)
	}
	if o.fresh {
		c.openStore()
	}

	// One workspace and one master, however many nodes bootstrapped, and
	// all of it in the test's schema.
	var ids []int64
	rows, err := c.db.QueryContext(ctx, `SELECT id FROM workspaces ORDER BY id`)
	if err != nil {
		t.Fatalf("the nodes did not migrate schema %s (is search_path honoured?): %v", schema, err)
	}
	for rows.Next() {
		var id int64
		must(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	must(t, rows.Err())
	rows.Close()
	if len(ids) != 1 || (!o.fresh && ids[0] != wsID) {
		t.Fatalf("workspaces in schema %s after bootstrap: %v, want one (%d)", schema, ids, wsID)
	}
	if n, err := c.store.CountAgents(ctx); err != nil || n != 1 {
		t.Fatalf("agents after bootstrap: %d, %v; want the master alone", n, err)
	}
	if c.ws, err = c.store.Workspace(ctx, ids[0]); err != nil {
		t.Fatal(err)
	}
	return c
}

func withSearchPath(t *testing.T, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func (c *cluster) openStore() {
	store, err := postgres.Open(c.ctx, c.nodeURL, "")
	if err != nil {
		c.t.Fatal(err)
	}
	c.t.Cleanup(func() { store.Close() })
	c.store = store
}

func (c *cluster) exec(query string, args ...any) {
	c.t.Helper()
	if _, err := c.db.ExecContext(c.ctx, query, args...); err != nil {
		c.t.Fatalf("%s: %v", query, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wsPath is the console API's path for the cluster's workspace.
func (c *cluster) wsPath() string { return fmt.Sprintf("/api/v1/workspaces/%d", c.ws.ID) }

func (c *cluster) convPath(id int64) string {
	return fmt.Sprintf("%s/conversations/%d", c.wsPath(), id)
}

// addAgent creates an agent and their membership through the store (there
// is no invite API yet); they are offline until they log in.
func (c *cluster) addAgent(name string, role chat.Role) int64 {
	c.t.Helper()
	a := &chat.Agent{Email: name + "@example.com", Name: name, PasswordHash: agentHash()}
	must(c.t, c.store.CreateAgent(c.ctx, a))
	must(c.t, c.store.AddMember(c.ctx, chat.Member{WorkspaceID: c.ws.ID, AgentID: a.ID, Role: role, Status: chat.StatusOffline}))
	return a.ID
}

// events reads the workspace's whole event log from the store.
func (c *cluster) events() []chat.Event {
	c.t.Helper()
	var all []chat.Event
	for after := int64(0); ; {
		page, err := c.store.Events(c.ctx, c.ws.ID, chat.EventFilter{AfterSeq: after, Limit: 1000})
		must(c.t, err)
		all = append(all, page...)
		if len(page) < 1000 {
			return all
		}
		after = page[len(page)-1].Seq
	}
}

// eventually polls cond until it holds or the test's time runs out.
func (c *cluster) eventually(what string, cond func() (bool, string)) {
	c.t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, state := cond()
		if ok {
			return
		}
		select {
		case <-c.ctx.Done():
			c.t.Fatalf("timed out waiting for %s; last seen: %s", what, state)
		case <-tick.C:
		}
	}
}

// node is one sodam process.
type node struct {
	name   string
	url    string // http://127.0.0.1:port
	cmd    *exec.Cmd
	out    *output // stdout and stderr
	exited chan struct{}
	err    error // from Wait, once exited is closed
	killed bool  // the test SIGKILLed it
}

// output collects a process's output and signals each write.
type output struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	changed chan struct{}
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Write(p)
	close(o.changed)
	o.changed = make(chan struct{})
	return len(p), nil
}

func (o *output) snapshot() (string, chan struct{}) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String(), o.changed
}

// clusterPIIKey is the one PII key every node of the test clusters shares.
var clusterPIIKey = pii.EncodeKey(pii.GenerateKey())

func (c *cluster) env() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SODAM_") {
			env = append(env, kv)
		}
	}
	env = append(env, "SODAM_ADMIN_EMAIL="+adminEmail, "SODAM_ADMIN_PASSWORD="+adminPassword)
	// Webhook receivers started by tests are on loopback; a dead node's
	// deliveries are resent soon.
	env = append(env, "SODAM_WEBHOOK_ALLOW_PRIVATE=true", "SODAM_DELIVERY_LEASE=15s")
	if c.nodeURL != "" {
		// Every node of a cluster seals personal information under the
		// same key (docs/operations.md).
		env = append(env, "SODAM_DATABASE_URL="+c.nodeURL, "SODAM_PII_KEY="+clusterPIIKey)
	}
	if c.nats != "" {
		env = append(env, "SODAM_NATS_URL="+c.nats)
	}
	return env
}

// startNode starts `sodam serve` on a free port chosen by the kernel (the
// banner names it) with a data directory of its own. Cleanup stops it with
// SIGTERM and, if the test failed, logs what it printed.
func (c *cluster) startNode(name string) *node {
	c.t.Helper()
	return c.startNodeIn(name, c.t.TempDir())
}

// startNodeIn is startNode on the data directory dir: a node restarted on
// its predecessor's directory finds its SQLite database there.
func (c *cluster) startNodeIn(name, dir string) *node {
	c.t.Helper()
	n := &node{name: name, out: &output{changed: make(chan struct{})}, exited: make(chan struct{})}
	n.cmd = exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--data", dir)
	n.cmd.Env = c.env()
	n.cmd.Stdout, n.cmd.Stderr = n.out, n.out
	if err := n.cmd.Start(); err != nil {
		c.t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		n.err = n.cmd.Wait()
		close(n.exited)
	}()
	c.t.Cleanup(func() {
		c.stopNode(n)
		if c.t.Failed() {
			text, _ := n.out.snapshot()
			c.t.Logf("---- %s (%s) output ----\n%s", n.name, n.url, text)
		}
	})
	return n
}

var consoleLine = regexp.MustCompile(`Console:\s+(http://\S+)/console/`)

// awaitNode waits for the node's banner, then for /healthz.
func (c *cluster) awaitNode(n *node) {
	c.t.Helper()
	for n.url == "" {
		text, changed := n.out.snapshot()
		if m := consoleLine.FindStringSubmatch(text); m != nil {
			n.url = m[1]
			break
		}
		select {
		case <-changed:
		case <-n.exited:
			text, _ := n.out.snapshot()
			c.t.Fatalf("%s exited before serving (%v):\n%s", n.name, n.err, text)
		case <-c.ctx.Done():
			c.t.Fatalf("%s printed no banner", n.name)
		}
	}
	hc := &http.Client{Transport: c.tr, Timeout: 5 * time.Second}
	c.eventually(n.name+" healthy", func() (bool, string) {
		resp, err := hc.Get(n.url + "/healthz")
		if err != nil {
			return false, err.Error()
		}
		resp.Body.Close()
		return resp.StatusCode == 200, resp.Status
	})
}

// kill ends a node at once, as a crash or a pulled plug would.
func (c *cluster) kill(n *node) {
	c.t.Helper()
	n.killed = true
	must(c.t, n.cmd.Process.Signal(syscall.SIGKILL))
	select {
	case <-n.exited:
	case <-c.ctx.Done():
		c.t.Fatalf("%s did not die", n.name)
	}
}

// stopNode asks a node to stop gracefully; it must exit cleanly and soon.
func (c *cluster) stopNode(n *node) {
	select {
	case <-n.exited:
		if !n.killed {
			c.t.Errorf("%s exited on its own during the test: %v", n.name, n.err)
		}
		return
	default:
	}
	if err := n.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		c.t.Errorf("SIGTERM %s: %v", n.name, err)
	}
	select {
	case <-n.exited:
		if n.err != nil {
			c.t.Errorf("%s exited with %v after SIGTERM", n.name, n.err)
		}
	case <-time.After(20 * time.Second):
		n.cmd.Process.Kill()
		<-n.exited
		c.t.Errorf("%s did not stop within 20s of SIGTERM", n.name)
	}
}

// client is what a browser is to the API: an agent with a cookie and a
// CSRF token, or a visitor with a bearer token. The session cookie is
// scoped to 127.0.0.1, so an agent's login is good on every node.
type client struct {
	c       *cluster
	name    string
	hc      *http.Client
	csrf    string
	bearer  string
	agentID int64
}

func (c *cluster) newClient(name string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{c: c, name: name, hc: &http.Client{Transport: c.tr, Jar: jar, Timeout: 20 * time.Second}}
}

// do sends a request to node n and returns the status and body; it is safe
// to call from any goroutine.
func (cl *client) do(n *node, method, path, body string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(cl.c.ctx, method, n.url+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if cl.csrf != "" {
		req.Header.Set("X-CSRF-Token", cl.csrf)
	}
	if cl.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+cl.bearer)
	}
	resp, err := cl.hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}

// json sends a request, checks the status and decodes the answer into out.
func (cl *client) json(n *node, method, path, body string, want int, out any) {
	cl.c.t.Helper()
	status, data, err := cl.do(n, method, path, body)
	if err != nil {
		cl.c.t.Fatalf("%s: %s %s%s: %v", cl.name, method, n.name, path, err)
	}
	if status != want {
		cl.c.t.Fatalf("%s: %s %s%s: status %d, want %d: %s", cl.name, method, n.name, path, status, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			cl.c.t.Fatalf("%s: %s %s%s: decode %s: %v", cl.name, method, n.name, path, data, err)
		}
	}
}

// login logs an agent in on node n, which also puts them online.
func (c *cluster) login(n *node, email, password string) *client {
	c.t.Helper()
	cl := c.newClient(strings.Split(email, "@")[0])
	var me struct {
		Agent     chat.Agent `json:"agent"`
		CSRFToken string     `json:"csrf_token"`
	}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	cl.json(n, "POST", "/api/v1/auth/login", string(body), 200, &me)
	cl.csrf, cl.agentID = me.CSRFToken, me.Agent.ID
	return cl
}

func (c *cluster) loginAgent(n *node, name string) *client {
	c.t.Helper()
	return c.login(n, name+"@example.com", agentPassword)
}

func (c *cluster) loginMaster(n *node) *client {
	c.t.Helper()
	return c.login(n, adminEmail, adminPassword)
}

// visitor starts a widget session on node n.
func (c *cluster) visitor(n *node, name string) *client {
	c.t.Helper()
	cl := c.newClient(name)
	var s struct {
		VisitorToken string `json:"visitor_token"`
	}
	cl.json(n, "POST", "/api/v1/widget/sessions", fmt.Sprintf(`{"site_id":%q}`, c.ws.SiteID), 200, &s)
	cl.bearer = s.VisitorToken
	return cl
}

// start opens the visitor's conversation through node n.
func (cl *client) start(n *node) chat.Conversation {
	cl.c.t.Helper()
	var conv chat.Conversation
	cl.json(n, "POST", "/api/v1/widget/conversations", `{"consent":true}`, 201, &conv)
	return conv
}

// send posts a text message: the visitor's through the widget API, an
// agent's through the console API. It expects 201 and returns the message.
func (cl *client) send(n *node, convID int64, clientMsgID, body string) chat.Message {
	cl.c.t.Helper()
	path, req := cl.sendRequest(convID, clientMsgID, body)
	if cl.bearer != "" {
		var out struct{ Message chat.Message }
		cl.json(n, "POST", path, req, 201, &out)
		return out.Message
	}
	var m chat.Message
	cl.json(n, "POST", path, req, 201, &m)
	return m
}

func (cl *client) sendRequest(convID int64, clientMsgID, body string) (path, req string) {
	data, _ := json.Marshal(map[string]string{"client_msg_id": clientMsgID, "body": body})
	if cl.bearer != "" {
		return fmt.Sprintf("/api/v1/widget/conversations/%d/messages", convID), string(data)
	}
	return cl.c.convPath(convID) + "/messages", string(data)
}

// frame is a server frame as a client sees it.
type frame struct {
	Type           string          `json:"type"`
	Seq            int64           `json:"seq"`
	Event          *event          `json:"event"`
	ConversationID int64           `json:"conversation_id"`
	SenderType     chat.SenderType `json:"sender_type"`
	Typing         bool            `json:"typing"`
	Position       int             `json:"position"`
	raw            string
}

// event is an event frame's payload: the agents' full event or the
// visitors' reduced one, which has the same field names.
type event struct {
	Seq            int64              `json:"seq"`
	Type           chat.EventType     `json:"type"`
	Conversation   *chat.Conversation `json:"conversation"`
	Message        *chat.Message      `json:"message"`
	Member         *chat.Member       `json:"member"`
	PrevAssigneeID int64              `json:"prev_assignee_id"`
	PrevState      chat.State         `json:"prev_state"`
	CreatedAt      time.Time          `json:"created_at"`
}

func (f frame) isEvent(typ chat.EventType, convID int64) bool {
	return f.Type == "event" && f.Event.Type == typ && f.Event.Conversation != nil && f.Event.Conversation.ID == convID
}

// socket is a WebSocket client that keeps every frame it receives, so a
// test can wait for frames in any order and count them afterwards.
type socket struct {
	t    *testing.T
	ctx  context.Context
	name string
	conn *websocket.Conn

	mu      sync.Mutex
	frames  []frame
	changed chan struct{}
	closed  error // why reading stopped, once it has
}

// agentSocket opens the console's socket on node n, replaying after seq.
func (cl *client) agentSocket(n *node, after int64) *socket {
	cl.c.t.Helper()
	return cl.dial(n, fmt.Sprintf("%s/ws?after=%d", cl.c.wsPath(), after))
}

// visitorSocket opens the widget's socket on node n, replaying after seq.
func (cl *client) visitorSocket(n *node, convID, after int64) *socket {
	cl.c.t.Helper()
	return cl.dial(n, fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d&after=%d", cl.bearer, convID, after))
}

func (cl *client) dial(n *node, path string) *socket {
	cl.c.t.Helper()
	h := http.Header{}
	for _, ck := range cl.hc.Jar.Cookies(mustURL(n.url)) {
		h.Add("Cookie", ck.Name+"="+ck.Value)
	}
	ctx, cancel := context.WithTimeout(cl.c.ctx, 10*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(n.url, "http")+path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		cl.c.t.Fatalf("%s: dial %s%s: %v (status %d)", cl.name, n.name, path, err, status)
	}
	s := &socket{t: cl.c.t, ctx: cl.c.ctx, name: cl.name + "@" + n.name, conn: conn, changed: make(chan struct{})}
	go s.read()
	cl.c.t.Cleanup(func() {
		conn.CloseNow()
		if cl.c.t.Failed() {
			s.dump()
		}
	})
	return s
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func (s *socket) read() {
	for {
		_, data, err := s.conn.Read(context.Background())
		s.mu.Lock()
		if err != nil {
			s.closed = err
		} else {
			f := frame{raw: string(data)}
			if jerr := json.Unmarshal(data, &f); jerr != nil || (f.Type == "event" && f.Event == nil) {
				f = frame{Type: "undecodable", raw: string(data)}
			}
			s.frames = append(s.frames, f)
		}
		close(s.changed)
		s.changed = make(chan struct{})
		s.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// snapshot returns the frames so far, a channel closed at the next change,
// and why reading stopped (nil while open).
func (s *socket) snapshot() ([]frame, chan struct{}, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames[:len(s.frames):len(s.frames)], s.changed, s.closed
}

// mark is the number of frames received so far, for awaitAfter.
func (s *socket) mark() int {
	fs, _, _ := s.snapshot()
	return len(fs)
}

// await returns the first frame, among all received, that matches.
func (s *socket) await(what string, match func(frame) bool) frame {
	s.t.Helper()
	return s.awaitAfter(0, what, match)
}

// awaitAfter returns the first frame at index from or later that matches,
// waiting for it until the test's time runs out.
func (s *socket) awaitAfter(from int, what string, match func(frame) bool) frame {
	s.t.Helper()
	for {
		fs, changed, closed := s.snapshot()
		for _, f := range fs[min(from, len(fs)):] {
			if match(f) {
				return f
			}
		}
		if closed != nil {
			s.t.Fatalf("%s: closed (%v) while waiting for %s", s.name, closed, what)
		}
		select {
		case <-changed:
		case <-s.ctx.Done():
			s.t.Fatalf("%s: timed out waiting for %s", s.name, what)
		}
	}
}

func (s *socket) awaitReady() frame {
	s.t.Helper()
	return s.await("ready", func(f frame) bool { return f.Type == "ready" })
}

// awaitClosed waits until the connection is gone.
func (s *socket) awaitClosed() {
	s.t.Helper()
	for {
		_, changed, closed := s.snapshot()
		if closed != nil {
			return
		}
		select {
		case <-changed:
		case <-s.ctx.Done():
			s.t.Fatalf("%s: still open", s.name)
		}
	}
}

// count counts the received frames that match.
func (s *socket) count(match func(frame) bool) int {
	fs, _, _ := s.snapshot()
	n := 0
	for _, f := range fs {
		if match(f) {
			n++
		}
	}
	return n
}

// lastSeq is what a client remembers to resume from: the highest event
// sequence or ready sequence received.
func (s *socket) lastSeq() int64 {
	fs, _, _ := s.snapshot()
	var last int64
	for _, f := range fs {
		switch {
		case f.Type == "event":
			last = max(last, f.Event.Seq)
		case f.Type == "ready":
			last = max(last, f.Seq)
		}
	}
	return last
}

// messages lists, in arrival order, the messages of conversation convID
// that arrived in events (texts and the system messages events carry).
func (s *socket) messages(convID int64) []chat.Message {
	fs, _, _ := s.snapshot()
	var out []chat.Message
	for _, f := range fs {
		if f.Type == "event" && f.Event.Message != nil && f.Event.Message.ConversationID == convID {
			out = append(out, *f.Event.Message)
		}
	}
	return out
}

// queuePositions lists the queue frames' positions in arrival order.
func (s *socket) queuePositions() []int {
	fs, _, _ := s.snapshot()
	var out []int
	for _, f := range fs {
		if f.Type == "queue" {
			out = append(out, f.Position)
		}
	}
	return out
}

// checkOrder fails unless event sequences rose strictly on this socket:
// no event twice, none out of order, nothing undecodable.
func (s *socket) checkOrder() {
	s.t.Helper()
	fs, _, _ := s.snapshot()
	var last int64
	for i, f := range fs {
		switch f.Type {
		case "undecodable":
			s.t.Errorf("%s: frame %d is not a frame: %s", s.name, i, f.raw)
		case "event":
			if f.Event.Seq <= last {
				s.t.Errorf("%s: frame %d has event seq %d after %d", s.name, i, f.Event.Seq, last)
			}
			last = f.Event.Seq
		}
	}
}

func (s *socket) sendFrame(v any) {
	s.t.Helper()
	data, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(s.ctx, 5*time.Second)
	defer cancel()
	must(s.t, s.conn.Write(ctx, websocket.MessageText, data))
}

func (s *socket) dump() {
	fs, _, closed := s.snapshot()
	var b strings.Builder
	start := max(0, len(fs)-40)
	fmt.Fprintf(&b, "---- socket %s: %d frames (last %d), closed: %v ----\n", s.name, len(fs), len(fs)-start, closed)
	for i := start; i < len(fs); i++ {
		fmt.Fprintf(&b, "%4d %s\n", i, truncate(fs[i].raw, 300))
	}
	s.t.Log(b.String())
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// errorsOf collects errors from goroutines for the test goroutine to report.
type errorsOf struct {
	mu   sync.Mutex
	errs []error
}

func (e *errorsOf) add(format string, args ...any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.errs = append(e.errs, fmt.Errorf(format, args...))
}

func (e *errorsOf) check(t *testing.T) {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := errors.Join(e.errs...); err != nil {
		t.Fatal(err)
	}
}
