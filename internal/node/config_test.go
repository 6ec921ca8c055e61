package node

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestParseConfig(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(secret, []byte("from-a-file-123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		check func(Config) bool
		err   string
	}{
		{name: "defaults", check: func(c Config) bool {
			return c.Addr == "127.0.0.1:8080" && c.DataDir == "./data" && c.UploadsDir == "data/uploads" && c.DatabaseURL == "" && c.LogFormat == "text" && c.AdminEmail == "admin@sodam.local" && !c.SecureCookies && c.SQLiteSynchronous == "FULL"
		}},
		{name: "uploads follow the data directory", args: []string{"--data", "/var/lib/sodam"},
			check: func(c Config) bool { return c.UploadsDir == "/var/lib/sodam/uploads" }},
		{name: "shared uploads", env: map[string]string{"SODAM_UPLOADS": "/mnt/shared/sodam"},
			check: func(c Config) bool { return c.UploadsDir == "/mnt/shared/sodam" }},
		{name: "environment", env: map[string]string{"SODAM_ADDR": "0.0.0.0:9000", "SODAM_DATABASE_URL": "postgres://u@h/db", "SODAM_LOG_FORMAT": "json"},
			check: func(c Config) bool {
				return c.Addr == "0.0.0.0:9000" && c.DatabaseURL == "postgres://u@h/db" && c.LogFormat == "json"
			}},
		{name: "flags beat environment", args: []string{"--addr", "127.0.0.1:1"}, env: map[string]string{"SODAM_ADDR": "127.0.0.1:2"},
			check: func(c Config) bool { return c.Addr == "127.0.0.1:1" }},
		{name: "secret from file", env: map[string]string{"SODAM_ADMIN_PASSWORD_FILE": secret},
			check: func(c Config) bool { return c.AdminPassword == "from-a-file-123" }},
		{name: "base URL trailing slash", args: []string{"--base-url", "https://chat.example.com/"},
			check: func(c Config) bool { return c.BaseURL == "https://chat.example.com" }},
		{name: "no trusted proxies by default", check: func(c Config) bool { return len(c.TrustedProxies) == 0 }},
		{name: "trusted proxies", env: map[string]string{"SODAM_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5,::ffff:172.16.0.9, fd00::/8"},
			check: func(c Config) bool {
				return fmt.Sprint(c.TrustedProxies) == "[10.0.0.0/8 192.168.1.5/32 172.16.0.9/32 fd00::/8]"
			}},
		{name: "bad trusted proxy", args: []string{"--trusted-proxies", "10.0.0.0/8,proxy.internal"}, err: "SODAM_TRUSTED_PROXIES"},
		{name: "bad address", args: []string{"--addr", "8080"}, err: "SODAM_ADDR"},
		{name: "bad database URL", env: map[string]string{"SODAM_DATABASE_URL": "mysql://x"}, err: "SODAM_DATABASE_URL"},
		{name: "NATS URL", env: map[string]string{"SODAM_NATS_URL": "nats://127.0.0.1:4222", "SODAM_DATABASE_URL": "postgres://127.0.0.1/sodam"},
			check: func(c Config) bool { return c.NATSURL == "nats://127.0.0.1:4222" }},
		{name: "NATS without PostgreSQL", env: map[string]string{"SODAM_NATS_URL": "nats://127.0.0.1:4222"}, err: "SODAM_DATABASE_URL"},
		{name: "bad NATS URL", env: map[string]string{"SODAM_NATS_URL": "http://x"}, err: "SODAM_NATS_URL"},
		{name: "metrics off by default", check: func(c Config) bool { return c.MetricsAddr == "" }},
		{name: "metrics address", env: map[string]string{"SODAM_METRICS_ADDR": "127.0.0.1:9090"}, check: func(c Config) bool { return c.MetricsAddr == "127.0.0.1:9090" }},
		{name: "bad metrics address", args: []string{"--metrics-addr", "9090"}, err: "SODAM_METRICS_ADDR"},
		{name: "bad base URL", args: []string{"--base-url", "chat.example.com"}, err: "SODAM_BASE_URL"},
		{name: "bad log format", args: []string{"--log-format", "xml"}, err: "SODAM_LOG_FORMAT"},
		{name: "short admin password", env: map[string]string{"SODAM_ADMIN_PASSWORD": "short"}, err: "SODAM_ADMIN_PASSWORD"},
		{name: "missing secret file", env: map[string]string{"SODAM_ADMIN_PASSWORD_FILE": "/nonexistent"}, err: "SODAM_ADMIN_PASSWORD_FILE"},
		{name: "unknown flag", args: []string{"--colour", "red"}, err: "colour"},
		{name: "stray argument", args: []string{"extra"}, err: "unexpected argument"},
		{name: "SQLite synchronous", env: map[string]string{"SODAM_SQLITE_SYNCHRONOUS": "normal"}, check: func(c Config) bool { return c.SQLiteSynchronous == "NORMAL" }},
		{name: "SQLite synchronous off", args: []string{"--sqlite-synchronous", "off"}, err: "SODAM_SQLITE_SYNCHRONOUS"},
		{name: "bad boolean", args: []string{"--secure-cookies", "maybe"}, err: "SODAM_SECURE_COOKIES"},
		// Served over HTTPS, the session cookie is Secure unless the
		// operator says otherwise: a forgotten setting must not send it
		// in the clear to a plain-HTTP request for the same host.
		{name: "secure cookies behind an https base URL", args: []string{"--base-url", "https://chat.example.com"},
			check: func(c Config) bool { return c.SecureCookies }},
		{name: "secure cookies turned off behind https", args: []string{"--base-url", "https://chat.example.com", "--secure-cookies", "false"},
			check: func(c Config) bool { return !c.SecureCookies }},
		{name: "no secure cookies behind an http base URL", env: map[string]string{"SODAM_BASE_URL": "http://10.0.0.5:8080"},
			check: func(c Config) bool { return !c.SecureCookies }},
		{name: "secure cookies asked for behind http", args: []string{"--base-url", "http://chat.example.com", "--secure-cookies", "true"},
			check: func(c Config) bool { return c.SecureCookies }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig("test", tt.args, env(tt.env))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(c) {
				t.Fatalf("config %+v", c)
			}
		})
	}
}

// ParseCommand shares the settings of sodam serve with a command's own
// flags and arguments, in any order.
func TestParseCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		email string
		force bool
		data  string
		rest  []string
		err   string
	}{
		{name: "nothing", data: "./data"},
		{name: "own and serve flags", args: []string{"--email", "a@b.c", "--data", "/srv/sodam", "--force"}, email: "a@b.c", force: true, data: "/srv/sodam"},
		{name: "environment", env: map[string]string{"SODAM_DATA": "/env"}, data: "/env"},
		{name: "arguments before flags", args: []string{"backup.db", "--data", "/d"}, data: "/d", rest: []string{"backup.db"}},
		{name: "arguments between flags", args: []string{"--force", "one", "--data", "/d", "two"}, force: true, data: "/d", rest: []string{"one", "two"}},
		{name: "after -- everything is an argument", args: []string{"--data", "/d", "--", "--force", "x"}, data: "/d", rest: []string{"--force", "x"}},
		{name: "a bad setting", args: []string{"x", "--addr", "nope"}, err: "SODAM_ADDR"},
		{name: "an unknown flag", args: []string{"--colour", "red"}, err: "colour"},
		{name: "help", args: []string{"-h"}, err: flag.ErrHelp.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var email string
			var force bool
			own := func(fs *flag.FlagSet) {
				fs.StringVar(&email, "email", "", "email")
				fs.BoolVar(&force, "force", false, "force")
				fs.SetOutput(io.Discard)
			}
			c, rest, err := ParseCommand("test", tt.args, env(tt.env), own)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one mentioning %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if email != tt.email || force != tt.force || c.DataDir != tt.data || !slices.Equal(rest, tt.rest) {
				t.Fatalf("email %q force %v data %q rest %q", email, force, c.DataDir, rest)
			}
		})
	}
}
