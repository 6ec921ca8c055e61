package node

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
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
	if pw == nil || !strings.Contains(banner, "http://"+m.Addr()+"/console/") {
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
	if strings.Contains(banner, "password") {
		t.Fatalf("the password was printed again:\n%s", banner)
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
	m := New(io.Discard)
	err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--nats-url", "nats://127.0.0.1:1"}, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	err = m.Run(context.Background())
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "nats") {
		t.Fatalf("err %v", err)
	}
}
