package bench

import (
	"strings"
	"testing"
	"time"
)

func TestParseOptions(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string // empty: valid
	}{
		{name: "defaults", args: nil},
		{name: "cluster", args: []string{"--nodes", "3", "--database-url", "postgres://postgres@127.0.0.1:5432/test", "--nats-url", "nats://127.0.0.1:4222"}},
		{name: "running server", args: []string{"--url", "http://localhost:8080", "--data", "./data", "--server-pid", "42"}},
		{name: "idle without capacity limit", args: []string{"--scenario", "idle", "--visitors", "19000", "--agents", "1"}},
		{name: "remote server", args: []string{"--url", "http://10.0.0.5:8080", "--data", "./data"}, err: "refusing 10.0.0.5"},
		{name: "remote by name", args: []string{"--url", "https://chat.example.com", "--data", "./data"}, err: "loopback"},
		{name: "remote database", args: []string{"--database-url", "postgres://db.internal/sodam"}, err: "--database-url: refusing db.internal"},
		{name: "remote NATS", args: []string{"--nodes", "3", "--database-url", "postgres://127.0.0.1/x", "--nats-url", "nats://nats.internal:4222"}, err: "--nats-url: refusing"},
		{name: "public metrics", args: []string{"--metrics-addr", "0.0.0.0:9090"}, err: "--metrics-addr"},
		{name: "cluster on SQLite", args: []string{"--nodes", "3"}, err: "needs --database-url (PostgreSQL) and --nats-url"},
		{name: "cluster without NATS", args: []string{"--nodes", "3", "--database-url", "postgres://127.0.0.1/x"}, err: "--nats-url"},
		{name: "running server without its store", args: []string{"--url", "http://127.0.0.1:8080"}, err: "--data"},
		{name: "running server and nodes", args: []string{"--url", "http://127.0.0.1:8080", "--data", "d", "--nodes", "3"}, err: "leave them out"},
		{name: "pid without url", args: []string{"--server-pid", "42"}, err: "go with --url"},
		{name: "unknown scenario", args: []string{"--scenario", "soak"}, err: "steady, idle or reconnect"},
		{name: "no visitors", args: []string{"--visitors", "0"}, err: "--visitors"},
		{name: "no agents", args: []string{"--agents", "0"}, err: "--agents"},
		{name: "too few agents", args: []string{"--visitors", "1001", "--agents", "10"}, err: "at most 100 × --agents"},
		{name: "no rate", args: []string{"--rate", "0", "--agent-rate", "0"}, err: "steady needs"},
		{name: "negative duration", args: []string{"--duration", "-1s"}, err: "--duration"},
		{name: "too many source addresses", args: []string{"--source-addrs", "300"}, err: "--source-addrs"},
		{name: "webhook down", args: []string{"--webhook", "down"}},
		{name: "webhook mode", args: []string{"--webhook", "flaky"}, err: "--webhook must be up or down"},
		{name: "webhook on a running server", args: []string{"--webhook", "up", "--url", "http://127.0.0.1:8080", "--data", "d"}, err: "servers the bench starts"},
		{name: "webhook idle", args: []string{"--webhook", "up", "--scenario", "idle"}, err: "steady scenario"},
		{name: "stray argument", args: []string{"now"}, err: "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := ParseOptions(tt.args)
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.Duration != 30*time.Second || !strings.HasPrefix(o.Command, "sodam bench") {
					t.Fatalf("options %+v", o)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("err %v, want one mentioning %q", err, tt.err)
			}
		})
	}
}

func TestSourceAddresses(t *testing.T) {
	d := newDialer(3, "http://127.0.0.1:8080")
	if len(d.addrs) != 3 || d.addrs[2].IP.String() != "127.0.0.3" {
		t.Fatalf("addresses %v", d.addrs)
	}
	// An IPv6 or named target is dialled from the default address.
	if d := newDialer(3, "http://[::1]:8080"); len(d.addrs) != 0 {
		t.Fatalf("addresses %v for ::1", d.addrs)
	}
}
