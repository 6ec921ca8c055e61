package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// TestFirstStart runs the real node with no configuration but a temp data
// directory: it creates the first workspace and master, prints the
// password once, serves, and keeps its data across a restart.
func TestFirstStart(t *testing.T) {
	dir := t.TempDir()
	start := func() (*Main, string) {
		var out bytes.Buffer
		m := New(&out)
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, func(string) string { return "" }); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		return m, out.String()
	}
	m, banner := start()
	pw := regexp.MustCompile(`with password (\S+)`).FindStringSubmatch(banner)
	if pw == nil || !strings.Contains(banner, "http://"+m.Addr()+"/console/") ||
		!strings.Contains(banner, "sodam admin reset-password --email admin@sodam.local --data "+ShellQuote(dir)) {
		t.Fatalf("banner:\n%s", banner)
	}
	base := "http://" + m.Addr()
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", err, resp)
	}
	resp, err = http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"admin@sodam.local","password":"`+pw[1]+`"}`))
	if err != nil || resp.StatusCode != 200 {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("login with the printed password: %v %s", err, body)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	m, banner = start()
	defer m.Close()
	if strings.Contains(banner, pw[1]) || !strings.Contains(banner, "Lost the password? sodam admin reset-password") {
		t.Fatalf("the password was printed again, or the way back in was not:\n%s", banner)
	}
	resp, err = http.Post("http://"+m.Addr()+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"admin@sodam.local","password":"`+pw[1]+`"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login after restart: %v %v", err, resp)
	}
}

// A bad database URL fails at start-up with a clear error.
func TestBadDatabase(t *testing.T) {
	m := New(io.Discard)
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "postgres") {
		t.Fatalf("err %v", err)
	}
}

// An unreachable NATS fails start-up with a clear error.
func TestNATSUnreachable(t *testing.T) {
	if os.Getenv("SODAM_TEST_DATABASE_URL") == "" {
		t.Skip("SODAM_TEST_DATABASE_URL is not set: a cluster node needs PostgreSQL")
	}
	base, schema := postgres.TestSchema(t)
	// The node works in the test's own schema (pgx passes search_path on
	// as a run-time parameter), never in the shared database's public one.
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	m := New(io.Discard)
	err = m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", u.String(), "--nats-url", "nats://127.0.0.1:1"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "nats") {
		t.Fatalf("err %v", err)
	}
}

// TestMetrics turns the metrics listener on, makes some traffic, and finds
// every series Sodam exports with a value; the API listener does not serve
// them, and pprof answers beside them.
func TestMetrics(t *testing.T) {
	m := New(io.Discard)
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"},
		env(map[string]string{"SODAM_ADMIN_PASSWORD": "metrics-admin-1"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	base := "http://" + m.Addr()
	ctx := context.Background()
	site, err := m.Store.Workspace(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}

	// visitor starts a widget session and a conversation.
	visitor := func(say bool) (token string, conv int64) {
		t.Helper()
		post := func(path, bearer, body string, out any) {
			t.Helper()
			req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			if bearer != "" {
				req.Header.Set("Authorization", "Bearer "+bearer)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if err := json.NewDecoder(resp.Body).Decode(out); err != nil || resp.StatusCode >= 300 {
				t.Fatalf("POST %s: %d %v", path, resp.StatusCode, err)
			}
		}
		var sess struct {
			VisitorToken string `json:"visitor_token"`
		}
		var c struct{ ID int64 }
		post("/api/v1/widget/sessions", "", `{"site_id":"`+site.SiteID+`"}`, &sess)
		post("/api/v1/widget/conversations", sess.VisitorToken, `{"consent":true}`, &c)
		if say {
			post(fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), sess.VisitorToken, `{"client_msg_id":"m0","body":"hi"}`, &struct{}{})
		}
		return sess.VisitorToken, c.ID
	}
	// The master logs in, so the desk takes chats; two visitors come: one
	// chats over a socket, the other waits in the queue.
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"admin@sodam.local","password":"metrics-admin-1"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	token, first := visitor(true)
	visitor(false)

	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(wctx, fmt.Sprintf("ws://%s/api/v1/widget/ws?token=%s&conversation_id=%d&after=0", m.Addr(), token, first), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	awaitFrame := func(want string) {
		t.Helper()
		for {
			_, data, err := conn.Read(wctx)
			if err != nil {
				t.Fatalf("waiting for %q: %v", want, err)
			}
			if strings.Contains(string(data), want) {
				return
			}
		}
	}
	// The socket replays m0, then hears m1 live.
	awaitFrame(`"m0"`)
	awaitFrame(`"ready"`)
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/widget/conversations/%d/messages", base, first), strings.NewReader(`{"client_msg_id":"m1","body":"안녕하세요"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		t.Fatalf("send: %v %v", err, resp)
	}
	awaitFrame(`"m1"`)

	scrape := func(addr string) (int, string) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(data)
	}
	status, body := scrape(m.MetricsAddr())
	if status != 200 {
		t.Fatalf("/metrics: %d", status)
	}
	// The hub counts a delivery after writing the frame, so the scrape may
	// come first: give it a moment.
	for deadline := time.Now().Add(2 * time.Second); !strings.Contains(body, "sodam_event_delivery_seconds_count 1") && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		_, body = scrape(m.MetricsAddr())
	}
	for _, series := range []string{
		`sodam_websocket_connections{kind="visitor"} 1`,
		`sodam_messages_stored_total{sender="visitor"} 2`,
		`sodam_queued_conversations{workspace="1"} 2`,
		`sodam_http_requests_total{route="POST /api/v1/widget/conversations/{cid}/messages",status="2xx"} 2`,
		`sodam_request_commit_seconds_count 5`, // online, two conversations, two messages
		`sodam_event_delivery_seconds_count 1`, // m1: m0 was a replay
		`process_resident_memory_bytes`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, series) {
			t.Errorf("no %s in\n%s", series, body)
		}
	}
	// The group commit's counters: every commit above went through it.
	value := func(name string) float64 {
		t.Helper()
		for line := range strings.Lines(body) {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				return f
			}
		}
		t.Fatalf("no %s in\n%s", name, body)
		return 0
	}
	batches, writes, busy := value("sodam_store_batches_total"), value("sodam_store_batched_writes_total"), value("sodam_store_writer_busy_seconds_total")
	if batches < 5 || writes < batches || busy <= 0 {
		t.Errorf("group commit: %v batches, %v writes, busy %v s", batches, writes, busy)
	}
	if t.Failed() {
		return
	}
	if status, _ := scrape(m.Addr()); status != 404 {
		t.Fatalf("the API listener serves /metrics: %d", status)
	}
	resp, err = http.Get("http://" + m.MetricsAddr() + "/debug/pprof/heap?debug=1")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("pprof: %v %v", err, resp)
	}
	resp.Body.Close()

	// A socket's request is counted when it ends.
	conn.Close(websocket.StatusNormalClosure, "")
	for !strings.Contains(body, `sodam_http_requests_total{route="GET /api/v1/widget/ws",status="1xx"} 1`) ||
		!strings.Contains(body, `sodam_websocket_connections{kind="visitor"} 0`) {
		if wctx.Err() != nil {
			t.Fatalf("the closed socket is not counted:\n%s", body)
		}
		time.Sleep(10 * time.Millisecond)
		_, body = scrape(m.MetricsAddr())
	}
}

// TestCloseRenewsPresence: a node that stops ends its agents' sockets and
// then closes the store, after each socket's last presence renewal. The
// agent's auto-offline timer counts from the stop, not from the socket's
// last renewal before it.
func TestCloseRenewsPresence(t *testing.T) {
	m := New(io.Discard)
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"},
		env(map[string]string{"SODAM_ADMIN_PASSWORD": "presence-admin-1"}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	base := "http://" + m.Addr()
	resp, err := http.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"email":"admin@sodam.local","password":"presence-admin-1"}`))
	if err != nil || resp.StatusCode != 200 {
		m.Close()
		t.Fatalf("login: %v %v", err, resp)
	}
	resp.Body.Close()
	h := http.Header{}
	for _, c := range resp.Cookies() {
		h.Add("Cookie", c.String())
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(wctx, "ws://"+m.Addr()+"/api/v1/workspaces/1/ws", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if _, _, err := conn.Read(wctx); err != nil { // "ready"
		m.Close()
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // well after the socket's first renewal
	stopped := time.Now()
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := OpenStore(ctx, m.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, err := db.Workspace(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	after := time.Duration(ws.Settings.AutoOfflineMinutes) * time.Minute
	due, err := db.ClaimJobs(ctx, "test", stopped.Add(after+time.Hour), time.Minute, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range due {
		if j.Kind != chat.JobOffline {
			continue
		}
		if j.DueAt.Before(stopped.Add(after)) {
			t.Fatalf("the agent goes offline at %s, %s after the stop; want %s or later: the last renewal was lost", j.DueAt, j.DueAt.Sub(stopped), after)
		}
		return
	}
	t.Fatalf("no auto-offline job among %+v", due)
}

// TestBannerResetCommandReachesThisServer: the banner's way back in is a
// command whose link opens this server's console. Run as printed, without
// the server's --addr or --base-url, `sodam admin reset-password` made a
// link to http://127.0.0.1:8080, so a server on another port or behind a
// base URL sent its operator to a page that was not there.
func TestBannerResetCommandReachesThisServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		flags []string
		want  string
	}{
		{"addr", []string{"--addr", "127.0.0.1:0"}, " --addr 127.0.0.1:"},
		{"base-url", []string{"--addr", "127.0.0.1:0", "--base-url", "https://chat.example.com"}, " --base-url https://chat.example.com"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			m := New(&out)
			args := append([]string{"--data", t.TempDir(), "--log-level", "error"}, tc.flags...)
			if err := m.ParseFlags(args, func(string) string { return "" }); err != nil {
				t.Fatal(err)
			}
			if err := m.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			line := regexp.MustCompile(`Lost the password\? (.*) prints`).FindStringSubmatch(out.String())
			if line == nil || !strings.Contains(line[1], tc.want) {
				t.Fatalf("the reset command lacks %q:\n%s", tc.want, out.String())
			}
			if tc.name == "addr" && !strings.Contains(line[1], "--addr "+m.Addr()) {
				t.Fatalf("the reset command names another address than %s:\n%s", m.Addr(), out.String())
			}
		})
	}
}

// TestBusyPort: a second `make run` beside the first says the address is
// taken and how to choose another, not only Go's "bind: address already in
// use".
func TestBusyPort(t *testing.T) {
	first := New(io.Discard)
	if err := first.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := first.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	m := New(io.Discard)
	if err := m.ParseFlags([]string{"--addr", first.Addr(), "--data", t.TempDir(), "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), first.Addr()+" is in use") || !strings.Contains(err.Error(), "SODAM_ADDR") {
		t.Fatalf("err %v", err)
	}
}

// TestBannerNamesTheEmbedMenu: the banner sends the operator to the embed
// code by the console's own words, Korean first — "Settings → Embed" named
// a menu item the console does not have (설정 → 설치 코드, Settings → Embed code).
func TestBannerNamesTheEmbedMenu(t *testing.T) {
	var out bytes.Buffer
	m := New(&out)
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, lang := range []string{"ko", "en"} {
		b, err := os.ReadFile("../web/console/i18n/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatal(err)
		}
		if want := cat["nav.settings"] + " → " + cat["settings_menu.embed"]; !strings.Contains(out.String(), want) {
			t.Errorf("the banner lacks %q:\n%s", want, out.String())
		}
	}
}

// TestAdminPasswordAfterFirstStart: SODAM_ADMIN_PASSWORD set on a later
// start (the way a newcomer who lost the printed password tries first) was
// silently ignored, and the old password kept working alone; the banner
// now says it was not used and points at the reset command.
func TestAdminPasswordAfterFirstStart(t *testing.T) {
	dir := t.TempDir()
	start := func(pw string) string {
		var out bytes.Buffer
		m := New(&out)
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, env(map[string]string{"SODAM_ADMIN_PASSWORD": pw})); err != nil {
			t.Fatal(err)
		}
		if err := m.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		m.Close()
		return out.String()
	}
	if first := start("first-pass-1"); strings.Contains(first, "not used") {
		t.Fatalf("the first start used it:\n%s", first)
	}
	if later := start("second-pass-2"); !strings.Contains(later, "SODAM_ADMIN_PASSWORD was not used") || !strings.Contains(later, "reset-password") {
		t.Fatalf("a later start ignored it unsaid:\n%s", later)
	}
}

// TestUnwritableDataDir: a data directory Sodam may not write (another
// user's, a read-only mount) stopped start-up with SQLite's "unable to
// open database file (14)"; it now names the directory and the fix. As
// root every ordinary directory is writable, so /proc/self stands in.
func TestUnwritableDataDir(t *testing.T) {
	if _, err := os.Stat("/proc/self"); err != nil {
		t.Skip("no /proc/self to stand in for an unwritable directory")
	}
	m := New(io.Discard)
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", "/proc/self", "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "the data directory /proc/self cannot be written") || !strings.Contains(err.Error(), "SODAM_DATA") {
		t.Fatalf("err %v", err)
	}
}

// TestBannerOnEveryInterface: listening on 0.0.0.0 without a base URL,
// the banner, the embed code and the links named http://[::]:PORT, which
// no browser opens; they name localhost, and the banner says to set
// SODAM_BASE_URL for other machines.
func TestBannerOnEveryInterface(t *testing.T) {
	var out bytes.Buffer
	m := New(&out)
	if err := m.ParseFlags([]string{"--addr", "0.0.0.0:0", "--data", t.TempDir(), "--log-level", "error"}, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, port, _ := strings.Cut(m.Addr(), "]:")
	if !strings.Contains(out.String(), "Console:  http://localhost:"+port+"/console/") || strings.Contains(out.String(), "[::]") || !strings.Contains(out.String(), "SODAM_BASE_URL") {
		t.Fatalf("banner:\n%s", out.String())
	}
	if got := (Config{Addr: "0.0.0.0:8080"}).URL(); got != "http://localhost:8080" {
		t.Fatalf("URL %s", got)
	}
}
