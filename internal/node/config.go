package node

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/notify"
	"github.com/sodam-chat/sodam/internal/pii"
)

// Config is every setting of `sodam serve`.
type Config struct {
	Addr    string
	DataDir string
	// UploadsDir holds attachments; <DataDir>/uploads unless set.
	UploadsDir  string
	DatabaseURL string
	NATSURL     string
	// SQLiteSynchronous is PRAGMA synchronous for the embedded database.
	SQLiteSynchronous string
	// MetricsAddr, when set, serves /metrics and /debug/pprof/ there.
	MetricsAddr   string
	BaseURL       string
	LogFormat     string
	LogLevel      string
	AdminEmail    string
	AdminPassword string
	SecureCookies bool
	// NoLimits turns the public endpoints' abuse limits off.
	NoLimits bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (httpapi.Config.TrustedProxies).
	TrustedProxies []netip.Prefix
	// InviteTTL is how long invitation links work.
	InviteTTL time.Duration
	// StatsRollupEvery is how often the statistics roll-up step folds the
	// conversations changed since (docs/statistics.md); statistics reads
	// run it themselves, so it bounds only how long marks wait.
	StatsRollupEvery time.Duration
	// MaxSendsInFlight bounds the message sends worked on at once (0: the
	// default, 256; negative: no bound); the next is refused with 503
	// overloaded.
	MaxSendsInFlight int
	// SMTP, when its host is set, emails invitation and password links.
	SMTP notify.SMTP
	// PIIKey seals masked personal information (base64 or hex, 32 bytes);
	// empty: pii.key in DataDir, generated on a new database.
	PIIKey string
	// Integrations are the outbox's settings (webhooks, channels, alerts).
	Integrations Integrations
}

// Integrations are the settings of what leaves Sodam (package outbox).
type Integrations struct {
	// AllowPrivate lets endpoints be on loopback and private addresses.
	AllowPrivate bool
	// SecretKey seals endpoints' signing secrets (default: the
	// installation secret in the database).
	SecretKey string
	// RetryMax is the longest wait between attempts; GiveUp how long a
	// delivery is retried before it is marked failed; Lease how long a
	// node's claim lasts, so how soon another node resends what a dead
	// node was sending.
	RetryMax, GiveUp, Lease time.Duration
}

// option is one row of the settings table: a flag, its SODAM_* variable
// and how to check and store its value.
type option struct {
	name, def, usage string
	// secret options also read SODAM_<NAME>_FILE and are never printed.
	secret bool
	set    func(c *Config, v string) error
}

func envName(flagName string) string {
	return "SODAM_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

var options = []option{
	{name: "addr", def: defaultAddr, usage: "address to listen on", set: func(c *Config, v string) error {
		if _, _, err := net.SplitHostPort(v); err != nil {
			return fmt.Errorf("must be host:port, like 127.0.0.1:8080")
		}
		c.Addr = v
		return nil
	}},
	{name: "data", def: "./data", usage: "directory for the SQLite database and uploads", set: func(c *Config, v string) error {
		if v == "" {
			return fmt.Errorf("must not be empty")
		}
		c.DataDir = v
		return nil
	}},
	{name: "uploads", usage: "directory for attachments (default: uploads/ in the data directory); a cluster's nodes must share it", set: func(c *Config, v string) error {
		c.UploadsDir = v
		return nil
	}},
	{name: "database-url", usage: "postgres://… to use PostgreSQL instead of the embedded SQLite", secret: true, set: func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
				return fmt.Errorf("must be a postgres:// URL")
			}
		}
		c.DatabaseURL = v
		return nil
	}},
	{name: "sqlite-synchronous", def: "full", usage: "SQLite durability: full (an acknowledged message survives a power loss) or normal (it survives a crash of Sodam only)", set: func(c *Config, v string) error {
		switch v = strings.ToUpper(v); v {
		case "FULL", "NORMAL":
			c.SQLiteSynchronous = v
			return nil
		}
		return fmt.Errorf("must be full or normal (off could corrupt the database on a power loss)")
	}},
	{name: "nats-url", usage: "nats://… to join a cluster: events reach every node through NATS", set: func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "nats" && u.Scheme != "tls") || u.Host == "" {
				return fmt.Errorf("must be a nats:// URL")
			}
		}
		c.NATSURL = v
		return nil
	}},
	{name: "metrics-addr", usage: "host:port to serve /metrics and /debug/pprof/ on, apart from the API (default: off)", set: func(c *Config, v string) error {
		if v != "" {
			if _, _, err := net.SplitHostPort(v); err != nil {
				return fmt.Errorf("must be host:port, like 127.0.0.1:9090")
			}
		}
		c.MetricsAddr = v
		return nil
	}},
	{name: "base-url", usage: "URL browsers use to reach Sodam (default: http://<addr>)", set: func(c *Config, v string) error {
		if v != "" {
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") {
				return fmt.Errorf("must look like https://chat.example.com")
			}
			v = strings.TrimSuffix(v, "/")
		}
		c.BaseURL = v
		return nil
	}},
	{name: "log-format", def: "text", usage: "log format: text or json", set: func(c *Config, v string) error {
		if v != "text" && v != "json" {
			return fmt.Errorf("must be text or json")
		}
		c.LogFormat = v
		return nil
	}},
	{name: "log-level", def: "info", usage: "log level: debug, info, warn or error", set: func(c *Config, v string) error {
		switch v {
		case "debug", "info", "warn", "error":
			c.LogLevel = v
			return nil
		}
		return fmt.Errorf("must be debug, info, warn or error")
	}},
	{name: "admin-email", def: "admin@sodam.local", usage: "email of the master account created on first start", set: func(c *Config, v string) error {
		if !strings.Contains(v, "@") {
			return fmt.Errorf("must be an email address")
		}
		c.AdminEmail = strings.ToLower(v)
		return nil
	}},
	{name: "admin-password", usage: "password of the master account created on first start (default: generated and printed once)", secret: true, set: func(c *Config, v string) error {
		if v != "" && len(v) < 8 {
			return fmt.Errorf("must be at least 8 characters")
		}
		c.AdminPassword = v
		return nil
	}},
	{name: "trusted-proxies", usage: "reverse proxies in front of Sodam, as IP addresses or CIDR ranges separated by commas (e.g. 10.0.0.0/8): their X-Forwarded-For names the client, for rate limits, login backoff and the audit log (default: none; every client is the address that connects)", set: func(c *Config, v string) error {
		c.TrustedProxies = nil
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			p, err := netip.ParsePrefix(part)
			if err != nil {
				a, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return fmt.Errorf("%q is neither an IP address nor a CIDR range like 10.0.0.0/8", part)
				}
				p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
		}
		return nil
	}},
	{name: "rate-limits", def: "on", usage: "abuse limits on the widget's endpoints: on, or off for a load test from a few addresses", set: func(c *Config, v string) error {
		switch v {
		case "on":
			c.NoLimits = false
		case "off":
			c.NoLimits = true
		default:
			return fmt.Errorf("must be on or off")
		}
		return nil
	}},
	{name: "max-sends-in-flight", def: "256", usage: "message sends one node works on at once; the next is refused with 503 and Retry-After (0: no bound)", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 1_000_000 {
			return fmt.Errorf("must be a number from 0 (no bound) to 1000000")
		}
		c.MaxSendsInFlight = n
		if n == 0 {
			c.MaxSendsInFlight = -1 // no bound
		}
		return nil
	}},
	{name: "invite-ttl", def: "168h", usage: "how long an invitation link works", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Hour || d > 90*24*time.Hour {
			return fmt.Errorf("must be a duration from 1h to 2160h, like 168h")
		}
		c.InviteTTL = d
		return nil
	}},
	{name: "stats-rollup-interval", def: "1s", usage: "how often the statistics roll-up step folds changed conversations (reads always see every change)", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 10*time.Millisecond || d > time.Hour {
			return fmt.Errorf("must be a duration from 10ms to 1h, like 1s")
		}
		c.StatsRollupEvery = d
		return nil
	}},
	{name: "smtp-host", usage: "SMTP server that sends invitation and password emails (default: none; links are shown to copy)", set: func(c *Config, v string) error {
		c.SMTP.Host = v
		return nil
	}},
	{name: "smtp-port", def: "587", usage: "SMTP port", set: func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("must be a port number")
		}
		c.SMTP.Port = n
		return nil
	}},
	{name: "smtp-username", usage: "SMTP login (default: none)", set: func(c *Config, v string) error {
		c.SMTP.Username = v
		return nil
	}},
	{name: "smtp-password", usage: "SMTP password", secret: true, set: func(c *Config, v string) error {
		c.SMTP.Password = v
		return nil
	}},
	{name: "smtp-from", def: "Sodam <sodam@localhost>", usage: "sender address of Sodam's emails", set: func(c *Config, v string) error {
		if _, err := mail.ParseAddress(v); err != nil {
			return fmt.Errorf("must be an address like \"Sodam <support@example.com>\"")
		}
		c.SMTP.From = v
		return nil
	}},
	{name: "smtp-tls", def: "starttls", usage: "SMTP encryption: starttls (required), tls (implicit, port 465) or none (a trusted relay)", set: func(c *Config, v string) error {
		switch v {
		case "starttls", "tls", "none":
			c.SMTP.TLS = v
			return nil
		}
		return fmt.Errorf("must be starttls, tls or none")
	}},
	{name: "pii-key", usage: "server key that seals masked personal information: 32 bytes in base64 or hex; every node of a cluster needs the same (default: pii.key in the data directory, generated on first start)", secret: true, set: func(c *Config, v string) error {
		if v != "" {
			if _, err := pii.ParseKey(v); err != nil {
				return err
			}
		}
		c.PIIKey = v
		return nil
	}},
	// Set after base-url (the table's order), whose scheme decides the
	// default: a console served over HTTPS never sends its session cookie
	// over plain HTTP because a setting was forgotten.
	{name: "secure-cookies", usage: "mark session cookies Secure (default: true when --base-url is https://)", set: func(c *Config, v string) error {
		switch v {
		case "":
			c.SecureCookies = strings.HasPrefix(strings.ToLower(c.BaseURL), "https://")
		case "true", "1":
			c.SecureCookies = true
		case "false", "0":
			c.SecureCookies = false
		default:
			return fmt.Errorf("must be true or false")
		}
		return nil
	}},
	// Integrations (package outbox).
	{name: "webhook-allow-private", def: "false", usage: "let webhooks, channels, alert targets and channel attachments reach loopback and private addresses", set: func(c *Config, v string) error {
		switch v {
		case "true", "1":
			c.Integrations.AllowPrivate = true
		case "false", "0":
			c.Integrations.AllowPrivate = false
		default:
			return fmt.Errorf("must be true or false")
		}
		return nil
	}},
	{name: "secret-key", usage: "key that encrypts webhook and channel signing secrets at rest, the same on every node (default: a key kept in the database)", secret: true, set: func(c *Config, v string) error {
		if v != "" && len(v) < 32 {
			return fmt.Errorf("must be at least 32 characters (e.g. openssl rand -base64 32)")
		}
		c.Integrations.SecretKey = v
		return nil
	}},
	{name: "delivery-retry-max", def: "10m", usage: "longest wait between a delivery's attempts (they start at 1s and double)", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Second || d > 24*time.Hour {
			return fmt.Errorf("must be a duration from 1s to 24h, like 10m")
		}
		c.Integrations.RetryMax = d
		return nil
	}},
	{name: "delivery-lease", def: "2m", usage: "how long a node's claim on deliveries lasts: another node resends what a dead node was sending after this", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < 15*time.Second || d > time.Hour {
			return fmt.Errorf("must be a duration from 15s to 1h, like 2m (longer than a delivery's 10 s timeout)")
		}
		c.Integrations.Lease = d
		return nil
	}},
	{name: "delivery-give-up", def: "24h", usage: "how long a delivery is retried before it is marked failed", set: func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			return fmt.Errorf("must be a duration from 1m to 720h, like 24h")
		}
		c.Integrations.GiveUp = d
		return nil
	}},
}

// ParseConfig reads defaults, then SODAM_* variables (and _FILE for
// secrets), then flags; later sources win. Every value is validated.
func ParseConfig(name string, args []string, getenv func(string) string) (Config, error) {
	c, rest, err := ParseCommand(name, args, getenv, nil)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected argument %q", rest[0])
	}
	return c, err
}

// ParseCommand is ParseConfig for the commands that run against the same
// configuration as `sodam serve` (sodam admin, migrate, backup): own, when
// not nil, adds the command's own flags, and the arguments that are not
// flags are returned. Flags may come before or after them; after "--"
// everything is an argument. -h lists the command's own flags first, then
// the settings, on the output own gives its flag set (standard error by
// default); a bad flag is only returned as an error.
func ParseCommand(name string, args []string, getenv func(string) string, own func(*flag.FlagSet)) (Config, []string, error) {
	var c Config
	values := map[string]string{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	ownFlags := flag.NewFlagSet(name, flag.ContinueOnError)
	if own != nil {
		own(ownFlags)
		ownFlags.VisitAll(func(f *flag.Flag) { fs.Var(f.Value, f.Name, f.Usage) })
	}
	// The flag package prints an error and the whole usage on a bad
	// flag; the caller reports the error, and only -h prints the usage.
	out := ownFlags.Output()
	fs.SetOutput(io.Discard)
	configFlags := flag.NewFlagSet(name, flag.ContinueOnError)
	for _, o := range options {
		v := o.def
		if e := getenv(envName(o.name)); e != "" {
			v = e
		} else if f := getenv(envName(o.name) + "_FILE"); o.secret && f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return c, nil, fmt.Errorf("%s_FILE: %w", envName(o.name), err)
			}
			v = strings.TrimSpace(string(b))
		}
		values[o.name] = v
		set := func(s string) error {
			values[o.name] = s
			return nil
		}
		usage := fmt.Sprintf("%s (env %s)", o.usage, envName(o.name))
		fs.Func(o.name, usage, set)
		configFlags.Func(o.name, usage, set)
	}
	usage := func() {
		fmt.Fprintf(out, "Usage of %s:\n", name)
		n := 0
		ownFlags.VisitAll(func(*flag.Flag) { n++ })
		if n > 0 {
			ownFlags.SetOutput(out)
			ownFlags.PrintDefaults()
			fmt.Fprintf(out, "\nThe settings of sodam serve, which this command shares:\n")
		}
		configFlags.SetOutput(out)
		configFlags.PrintDefaults()
	}
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				usage()
			}
			return c, nil, err
		}
		left := fs.Args()
		if len(left) == 0 {
			break
		}
		// The flag package stops at the first argument, or after "--".
		if consumed := args[:len(args)-len(left)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			rest = append(rest, left...)
			break
		}
		rest = append(rest, left[0])
		args = left[1:]
	}
	for _, o := range options {
		if err := o.set(&c, values[o.name]); err != nil {
			return c, nil, fmt.Errorf("invalid %s (--%s): %w", envName(o.name), o.name, err)
		}
	}
	if c.UploadsDir == "" {
		c.UploadsDir = filepath.Join(c.DataDir, "uploads")
	}
	// Nodes joined by NATS must share one database: with SQLite each would
	// keep its own conversations and the cluster would only half work.
	if c.NATSURL != "" && c.DatabaseURL == "" {
		return c, nil, fmt.Errorf("%s needs %s: the nodes of a cluster share one PostgreSQL database", envName("nats-url"), envName("database-url"))
	}
	return c, rest, nil
}

// defaultAddr is where Sodam listens unless told otherwise.
const defaultAddr = "127.0.0.1:8080"

// SQLitePath is the embedded database's file.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "sodam.db") }

// URL is where browsers reach Sodam: the base URL, or http://<addr>.
func (c Config) URL() string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return addrURL(c.Addr)
}

// addrURL is http://addr, with localhost for an address of every
// interface (0.0.0.0, [::], :8080): no browser opens http://[::]:8080.
func addrURL(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
			return "http://" + net.JoinHostPort("localhost", port)
		}
	}
	return "http://" + addr
}

// everyInterface reports whether addr listens on every interface.
func everyInterface(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	return err == nil && (host == "" || ip != nil && ip.IsUnspecified())
}
