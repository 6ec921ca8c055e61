package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// The fault tests: one node under a small steady load — two visitors and
// an agent sending, each retrying an unanswered send with the same
// client_msg_id, as the widget and the console do — while the node is
// SIGKILLed and restarted, or its PostgreSQL is stopped and started.
// Afterwards every send that was acknowledged (201, or 200 for a retry) is
// stored exactly once, and every client receives every message exactly
// once over its WebSocket, resuming with after= when it had to reconnect.

// TestFaultSigkillSQLite kills a SQLite node mid-load and restarts it on
// the same data directory.
func TestFaultSigkillSQLite(t *testing.T) {
	needBinary(t)
	t.Parallel()
	testSigkillNode(t, "")
}

// TestFaultSigkillPostgres kills a node on PostgreSQL mid-load and restarts
// it. It does not run in parallel: the cluster tests that do take most of
// the shared server's connections.
func TestFaultSigkillPostgres(t *testing.T) {
	needBinary(t)
	base, schema := postgres.TestSchema(t) // skips without the database
	testSigkillNode(t, withSearchPath(t, base, schema))
}

func testSigkillNode(t *testing.T, dbURL string) {
	c, dir := newSingle(t, dbURL)
	l := c.startLoad()
	l.awaitAcked(10)
	c.kill(c.nodes[0])
	t.Logf("killed the node after %v acknowledged sends", l.acked())
	for _, w := range l.watchers {
		w.cur().awaitClosed()
	}
	n := c.startNodeIn("node1-restarted", dir)
	c.awaitNode(n)
	c.nodes = append(c.nodes, n)
	l.node.Store(n)
	for _, w := range l.watchers {
		w.reopen(n)
	}
	l.awaitAcked(10)
	l.stop()
	// Every sender met the dead node at least once, and retried.
	for _, s := range l.senders {
		if len(s.failures()) == 0 {
			t.Errorf("%s never met the dead node", s.name)
		}
	}
	l.check()
}

// TestFaultPostgresRestart stops the node's PostgreSQL mid-load and starts
// it again. The test runs a PostgreSQL of its own: the shared one serves
// other tests. While it is down, requests are answered at once with 503
// "unavailable" and /healthz says so; the node recovers by itself.
func TestFaultPostgresRestart(t *testing.T) {
	needBinary(t)
	t.Parallel()
	pg := startPrivatePostgres(t)
	c, _ := newSingle(t, pg.url)
	n := c.nodes[0]
	l := c.startLoad()
	l.awaitAcked(10)

	pg.ctl("stop", "-m", "fast")
	c.eventually("/healthz to report the outage", func() (bool, string) {
		status := c.healthz(n)
		return status == http.StatusServiceUnavailable, strconv.Itoa(status)
	})
	// Every sender is refused at least twice before the database returns.
	l.awaitFailures(2)
	pg.ctl("start", "-w", "-l", filepath.Join(pg.dir, "log"), "-o", pg.opts)
	c.eventually("/healthz to recover", func() (bool, string) {
		status := c.healthz(n)
		return status == http.StatusOK, strconv.Itoa(status)
	})
	l.awaitAcked(10)
	l.stop()

	// Refusals were answers, not hangs or internal errors: 503 while the
	// database is away, or 429 once a visitor's retries during a long
	// outage have spent their message budget.
	for _, s := range l.senders {
		for _, f := range s.failures() {
			unavailable := f.status == http.StatusServiceUnavailable && f.code == "unavailable"
			limited := f.status == http.StatusTooManyRequests && f.code == "too_many_requests"
			if f.err != nil || !unavailable && !limited {
				t.Errorf("%s: during the outage: status %d, code %q, err %v", s.name, f.status, f.code, f.err)
			}
		}
	}
	l.check()
}

// newSingle starts one node on dbURL (SQLite in its data directory when
// empty) and returns it with that directory. The workspace is the one the
// node bootstrapped.
func newSingle(t *testing.T, dbURL string) (*cluster, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	c := &cluster{t: t, ctx: ctx, nodeURL: dbURL, tr: &http.Transport{MaxIdleConnsPerHost: 100}}
	t.Cleanup(c.tr.CloseIdleConnections)
	dir := t.TempDir()
	n := c.startNodeIn("node1", dir)
	c.awaitNode(n)
	c.nodes = []*node{n}
	master := c.loginMaster(n)
	var me struct{ Memberships []chat.Member }
	master.json(n, "GET", "/api/v1/me", "", 200, &me)
	if len(me.Memberships) != 1 {
		t.Fatalf("memberships %+v", me.Memberships)
	}
	c.ws = &chat.Workspace{ID: me.Memberships[0].WorkspaceID}
	master.json(n, "GET", c.wsPath(), "", 200, c.ws)
	return c, dir
}

func (c *cluster) healthz(n *node) int {
	hc := &http.Client{Transport: c.tr, Timeout: 5 * time.Second}
	resp, err := hc.Get(n.url + "/healthz")
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// load is the senders and the sockets that watch them.
type load struct {
	c        *cluster
	node     atomic.Pointer[node] // where clients send
	senders  []*sender
	watchers []*watcher
	convs    []int64
	halt     atomic.Bool
	wg       sync.WaitGroup
}

// sender sends numbered messages one after another, each until it is
// acknowledged.
type sender struct {
	name  string
	cl    *client
	convs []int64 // it writes to these in turn

	mu    sync.Mutex
	acks  map[string]int64 // client_msg_id → message ID
	tried map[string]bool
	fails []attempt
}

type attempt struct {
	status int
	code   string
	err    error
}

func (s *sender) failures() []attempt {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fails)
}

// watcher is one client's socket and the ones it reopened after a drop.
type watcher struct {
	open    func(n *node, after int64) *socket
	mu      sync.Mutex
	sockets []*socket
}

func (w *watcher) cur() *socket {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sockets[len(w.sockets)-1]
}

// reopen connects again on n, resuming after the last sequence seen.
func (w *watcher) reopen(n *node) {
	s := w.open(n, w.cur().lastSeq())
	s.awaitReady()
	w.mu.Lock()
	w.sockets = append(w.sockets, s)
	w.mu.Unlock()
}

// awaitMessage waits until message id arrives, reopening the socket on n
// (after the last sequence seen) if the node closed it meanwhile.
func (w *watcher) awaitMessage(c *cluster, n *node, id int64) {
	c.t.Helper()
	for {
		s := w.cur()
		fs, changed, closed := s.snapshot()
		if slices.ContainsFunc(fs, func(f frame) bool {
			return f.Type == "event" && f.Event.Message != nil && f.Event.Message.ID == id
		}) {
			return
		}
		if closed != nil {
			w.reopen(n)
			continue
		}
		select {
		case <-changed:
		case <-c.ctx.Done():
			c.t.Fatalf("%s: timed out waiting for message %d", s.name, id)
		}
	}
}

// startLoad opens two visitors' conversations, which the master takes,
// and starts the visitors and the master sending into them.
func (c *cluster) startLoad() *load {
	c.t.Helper()
	n := c.nodes[0]
	l := &load{c: c}
	l.node.Store(n)
	master := c.loginMaster(n)
	masterWatch := &watcher{open: func(n *node, after int64) *socket { return master.agentSocket(n, after) }}
	masterWatch.sockets = []*socket{masterWatch.open(n, 0)}
	masterWatch.cur().awaitReady()
	l.watchers = append(l.watchers, masterWatch)
	for i := range 2 {
		vis := c.visitor(n, fmt.Sprintf("visitor%d", i+1))
		conv := vis.start(n)
		master.json(n, "POST", c.convPath(conv.ID)+"/assign", "", 200, nil)
		l.convs = append(l.convs, conv.ID)
		l.senders = append(l.senders, &sender{name: vis.name, cl: vis, convs: []int64{conv.ID}})
		w := &watcher{open: func(n *node, after int64) *socket { return vis.visitorSocket(n, conv.ID, after) }}
		w.sockets = []*socket{w.open(n, 0)}
		w.cur().awaitReady()
		l.watchers = append(l.watchers, w)
	}
	l.senders = append(l.senders, &sender{name: "master", cl: master, convs: l.convs})
	for _, s := range l.senders {
		s.acks, s.tried = map[string]int64{}, map[string]bool{}
		l.wg.Go(func() { l.run(s) })
	}
	return l
}

// run is one sender's loop: a small steady load, bounded, with retries.
func (l *load) run(s *sender) {
	for i := 0; i < 1000 && !l.halt.Load(); i++ {
		id := fmt.Sprintf("%s-%d", s.name, i)
		path, req := s.cl.sendRequest(s.convs[i%len(s.convs)], id, fmt.Sprintf("%s의 메시지 %d", s.name, i))
		for l.c.ctx.Err() == nil {
			s.mu.Lock()
			s.tried[id] = true
			s.mu.Unlock()
			status, data, err := s.cl.do(l.node.Load(), "POST", path, req)
			if err == nil && (status == 201 || status == 200) {
				var m struct {
					ID      int64
					Message *chat.Message
				}
				if err := json.Unmarshal(data, &m); err != nil {
					l.c.t.Errorf("%s: %s", id, data)
					return
				}
				if m.Message != nil {
					m.ID = m.Message.ID
				}
				s.mu.Lock()
				s.acks[id] = m.ID
				s.mu.Unlock()
				break
			}
			var body errorBody
			json.Unmarshal(data, &body) //nolint:errcheck // a refusal may have no body
			s.mu.Lock()
			s.fails = append(s.fails, attempt{status: status, code: body.Error.Code, err: err})
			s.mu.Unlock()
			l.pace(retryPause)
		}
		l.pace(sendPause)
	}
}

// The load's pace, not a wait for anything: a sender pauses after each
// acknowledged message, and before retrying as the clients do.
const (
	sendPause  = 20 * time.Millisecond
	retryPause = 100 * time.Millisecond
)

// pace pauses a sender for d, or until the test's time is up.
func (l *load) pace(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-l.c.ctx.Done():
	}
}

type errorBody struct {
	Error struct{ Code, Message string }
}

func (l *load) acked() []int {
	var out []int
	for _, s := range l.senders {
		s.mu.Lock()
		out = append(out, len(s.acks))
		s.mu.Unlock()
	}
	return out
}

// awaitAcked waits until every sender has n more sends acknowledged.
func (l *load) awaitAcked(n int) {
	l.c.t.Helper()
	start := l.acked()
	l.c.eventually(fmt.Sprintf("%d more acknowledged sends each", n), func() (bool, string) {
		now := l.acked()
		for i := range now {
			if now[i] < start[i]+n {
				return false, fmt.Sprint(start, " → ", now)
			}
		}
		return true, ""
	})
}

// awaitFailures waits until every sender has been refused n more times.
func (l *load) awaitFailures(n int) {
	l.c.t.Helper()
	count := func() []int {
		var out []int
		for _, s := range l.senders {
			out = append(out, len(s.failures()))
		}
		return out
	}
	start := count()
	l.c.eventually(fmt.Sprintf("%d more refusals each", n), func() (bool, string) {
		now := count()
		for i := range now {
			if now[i] < start[i]+n {
				return false, fmt.Sprint(start, " → ", now)
			}
		}
		return true, ""
	})
}

// stop lets each sender finish the send it is on and stops them.
func (l *load) stop() {
	l.halt.Store(true)
	l.wg.Wait()
}

// check verifies that every acknowledged send is stored exactly once and
// reached every socket that watches it exactly once.
func (l *load) check() {
	t := l.c.t
	t.Helper()
	master := l.senders[len(l.senders)-1].cl
	n := l.node.Load()
	acked := map[string]int64{}
	tried := map[string]bool{}
	for _, s := range l.senders {
		for id, mid := range s.acks {
			acked[id] = mid
		}
		for id := range s.tried {
			tried[id] = true
		}
	}
	t.Logf("acknowledged %d sends; refusals per sender: %v", len(acked), func() []int {
		var out []int
		for _, s := range l.senders {
			out = append(out, len(s.fails))
		}
		return out
	}())
	byConv := map[int64][]int64{} // conversation → stored text message IDs
	for _, conv := range l.convs {
		stored := map[string]int{}
		for after := int64(0); ; {
			var page []chat.Message
			master.json(n, "GET", fmt.Sprintf("%s/messages?after=%d", l.c.convPath(conv), after), "", 200, &page)
			for _, m := range page {
				if m.Kind != chat.KindText {
					continue
				}
				stored[m.ClientMsgID]++
				byConv[conv] = append(byConv[conv], m.ID)
				if !tried[m.ClientMsgID] {
					t.Errorf("stored %s, which nobody sent", m.ClientMsgID)
				}
				if mid, ok := acked[m.ClientMsgID]; ok && mid != m.ID {
					t.Errorf("%s acknowledged as message %d, stored as %d", m.ClientMsgID, mid, m.ID)
				}
			}
			if len(page) == 0 {
				break
			}
			after = page[len(page)-1].Seq
		}
		for id, k := range stored {
			if k != 1 {
				t.Errorf("%s stored %d times", id, k)
			}
		}
	}
	storedIDs := map[int64]bool{}
	for _, ids := range byConv {
		for _, id := range ids {
			storedIDs[id] = true
		}
	}
	for id, mid := range acked {
		if !storedIDs[mid] {
			t.Errorf("%s was acknowledged but is not stored", id)
		}
	}
	// Delivery: the master sees both conversations, each visitor theirs.
	for i, w := range l.watchers {
		convs := l.convs
		if i > 0 {
			convs = l.convs[i-1 : i]
		}
		for _, conv := range convs {
			want := byConv[conv]
			if len(want) == 0 {
				continue
			}
			w.awaitMessage(l.c, n, want[len(want)-1])
			var seen []int64
			for _, s := range w.sockets {
				s.checkOrder()
				for _, m := range s.messages(conv) {
					if m.Kind == chat.KindText {
						seen = append(seen, m.ID)
					}
				}
			}
			if !slices.Equal(seen, want) {
				t.Errorf("%s saw in conversation %d\n%v\nstored:\n%v", w.cur().name, conv, seen, want)
			}
		}
	}
}

// privatePostgres is a PostgreSQL server of the test's own, in a
// temporary directory, which the test may stop and start at will.
type privatePostgres struct {
	t    *testing.T
	bin  string // the directory of initdb, pg_ctl and postgres
	dir  string
	opts string // the server's options, for pg_ctl -o
	url  string
	as   string // run as this user (PostgreSQL refuses to run as root)
}

// startPrivatePostgres initializes and starts a server on a free port; it
// is stopped at once when the test ends. The test skips when PostgreSQL's
// server programs are not installed.
func startPrivatePostgres(t *testing.T) *privatePostgres {
	t.Helper()
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(found) == 0 {
		t.Skip("no /usr/lib/postgresql/*/bin/initdb: skipping the PostgreSQL restart test")
	}
	sort.Strings(found)
	pg := &privatePostgres{t: t, bin: filepath.Dir(found[len(found)-1])}
	// Not t.TempDir: its parent is private to this user, and the server
	// may run as another.
	dir, err := os.MkdirTemp("", "sodam-pg-")
	must(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	pg.dir = dir
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skip("running as root without a postgres user to run PostgreSQL as: skipping")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		must(t, os.Chown(dir, uid, gid))
		pg.as = "postgres"
	}
	pg.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
	port := freePort(t)
	pg.opts = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", port, dir)
	pg.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	pg.ctl("start", "-w", "-l", filepath.Join(dir, "log"), "-o", pg.opts)
	t.Cleanup(func() {
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(dir, "log"))
			t.Logf("---- private PostgreSQL log ----\n%s", log)
		}
		pg.ctl("stop", "-m", "immediate")
	})
	return pg
}

// ctl runs pg_ctl on the server's data directory; stopping a server that
// is not running is not an error.
func (pg *privatePostgres) ctl(args ...string) {
	pg.t.Helper()
	args = append([]string{"-D", filepath.Join(pg.dir, "data")}, args...)
	if args[2] == "stop" {
		args = append(args, "-w")
		if _, err := os.Stat(filepath.Join(pg.dir, "data", "postmaster.pid")); err != nil {
			return
		}
	}
	pg.run("pg_ctl", args...)
}

func (pg *privatePostgres) run(prog string, args ...string) {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bin, prog), args...)
	if pg.as != "" {
		cmd = exec.Command("runuser", append([]string{"-u", pg.as, "--", filepath.Join(pg.bin, prog)}, args...)...)
	}
	cmd.Dir = pg.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		pg.t.Fatalf("%s %v: %v\n%s", prog, args, err, out)
	}
}

// freePort asks the kernel for a free TCP port on 127.0.0.1.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
