// Package node is one running Sodam process: configuration, start-up
// (store, first workspace, hub, HTTP server) and graceful shutdown. The
// sodam command and the end-to-end tests both start nodes through it.
package node

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/bus"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/metrics"
	"github.com/sodam-chat/sodam/internal/notify"
	"github.com/sodam-chat/sodam/internal/outbox"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// indexUpkeepEvery is how often a node on PostgreSQL merges the search
// index's pending entries (sqldb.RunIndexUpkeep): at 2,000 messages a
// second the list grows by about 0.6 MB in that time, far under the
// 4 MB at which a write would merge it itself. 200 ms and 500 ms did
// equally well (docs/benchmarks.md); the shorter leaves room for a faster
// machine's rate.
const indexUpkeepEvery = 200 * time.Millisecond

// Main is one running node. Tests start it on 127.0.0.1:0 with a temp dir.
type Main struct {
	Config Config
	Log    *slog.Logger
	Store  chat.Store
	Hub    *realtime.Hub
	// App runs the workflows; every write goes through it.
	App *app.App
	// Self is how the operator runs this program ("go run ./cmd/sodam",
	// "./sodam"), for the commands the banner suggests; "sodam" if empty.
	Self string
	out  io.Writer

	ln   net.Listener
	http *http.Server
	// metricsLn and metricsHTTP serve /metrics and pprof when configured.
	metricsLn   net.Listener
	metricsHTTP *http.Server
	bus         bus.Bus
	cancel      context.CancelFunc
	workers     sync.WaitGroup // the hub and the job runner
	api         *httpapi.Server
}

// New returns a node that prints its banner to out.
func New(out io.Writer) *Main { return &Main{out: out} }

// ParseFlags reads the configuration.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	c, err := ParseConfig("sodam serve", args, getenv)
	m.Config = c
	return err
}

// Addr is the address the node listens on, once Run has returned.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// MetricsAddr is where /metrics is served, or "" when it is off.
func (m *Main) MetricsAddr() string {
	if m.metricsLn == nil {
		return ""
	}
	return m.metricsLn.Addr().String()
}

// Run opens the store, makes sure a first workspace and master exist, and
// starts serving. It returns once the node is listening.
func (m *Main) Run(ctx context.Context) error {
	c := m.Config
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[c.LogLevel]
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		m.Log = slog.New(slog.NewJSONHandler(os.Stderr, opts))
	} else {
		m.Log = slog.New(slog.NewTextHandler(os.Stderr, opts))
	}

	if err := prepareDataDir(c.DataDir); err != nil {
		return err
	}
	db, err := OpenStore(ctx, c)
	if err != nil {
		return err
	}
	m.Store = db
	// Before serving anything: a missing or wrong key is a refusal to start.
	keys, err := LoadPIIKey(ctx, c, db, true)
	if err != nil {
		return err
	}
	// Identity secrets are sealed under the key endpoints' secrets are;
	// those an earlier version stored in clear are sealed now.
	sealer, err := db.UseSecretKey(ctx, c.Integrations.SecretKey)
	if err != nil {
		return err
	}
	unopened, err := db.SealIdentitySecrets(ctx)
	if err != nil {
		return fmt.Errorf("seal identity secrets: %w", err)
	}
	// So are endpoints' addresses (a Slack or Jandi incoming webhook's
	// URL is a credential).
	if err := db.SealEndpointURLs(ctx); err != nil {
		return fmt.Errorf("seal endpoints' addresses: %w", err)
	}
	for _, id := range unopened {
		m.Log.Warn("a workspace's identity secret does not open with this secret key (was SODAM_SECRET_KEY changed?): its signed logins fail until a master rotates the secret",
			slog.Int64("workspace", id))
	}

	m.ln, err = net.Listen("tcp", c.Addr)
	if errors.Is(err, syscall.EADDRINUSE) {
		// Most often a Sodam started before (a second make run) still runs.
		return fmt.Errorf("the address %s is in use by another program (a Sodam already running?): stop it, or listen elsewhere with --addr or SODAM_ADDR (SODAM_ADDR=127.0.0.1:8081 make run)", c.Addr)
	}
	if err != nil {
		return err
	}
	baseURL := c.BaseURL
	if baseURL == "" {
		baseURL = addrURL(m.Addr()) // the port chosen for :0
	}
	first, password, err := m.bootstrap(ctx)
	if err != nil {
		return err
	}

	node := jobs.NodeName()
	var b bus.Bus = bus.NewMemory()
	if c.NATSURL != "" {
		install, err := db.InstallationID(ctx)
		if err != nil {
			return err
		}
		if b, err = bus.DialNATS(c.NATSURL, "sodam "+node, install); err != nil {
			return err
		}
	}
	m.bus = b
	met := metrics.New(m.Log)
	met.Gauge("sodam_queued_conversations", "Conversations waiting in the queue (unassigned), by workspace.", []string{"workspace"},
		func(ctx context.Context, set func(float64, ...string)) error {
			n, err := db.QueueLengths(ctx)
			for id, q := range n {
				set(float64(q), strconv.FormatInt(id, 10))
			}
			return err
		})
	met.Gauge("sodam_pending_deliveries", "Webhook, channel and alert deliveries not yet delivered (the outbox's backlog), by workspace.", []string{"workspace"},
		func(ctx context.Context, set func(float64, ...string)) error {
			n, err := db.PendingDeliveries(ctx)
			for id, q := range n {
				set(float64(q), strconv.FormatInt(id, 10))
			}
			return err
		})
	// The group commit (sqldb/batch.go): how busy the one writer is, and
	// how many writes each of its transactions carries.
	met.Counter("sodam_store_batches_total", "Write transactions the group commit ran.",
		func() float64 { return float64(db.WriterStats().Batches) })
	met.Counter("sodam_store_batched_writes_total", "Writes those transactions carried.",
		func() float64 { return float64(db.WriterStats().Writes) })
	met.Counter("sodam_store_writer_busy_seconds_total", "Time the group commit spent running transactions; its rate near 1 means the writer is saturated.",
		func() float64 { return db.WriterStats().Busy.Seconds() })
	m.Hub = realtime.NewHub(m.Store, b, m.Log)
	files, err := blob.NewDisk(c.UploadsDir)
	if err != nil {
		return err
	}
	m.Hub.Metrics = met
	mailer := notify.NewMailer(c.SMTP, m.Log)
	worker, err := m.outboxWorker(sealer, node, baseURL, mailer)
	if err != nil {
		return err
	}
	// Deliveries committed here wake the other nodes' workers too.
	stopAnnounce := worker.OverBus(context.Background(), b)
	m.App = app.New(m.Store, outbox.Kicking(m.Hub, worker), met)
	m.App.SetMailer(mailer, nil, nil, m.Log) // ticket replies (app/tickets.go)
	m.App.UsePII(keys)
	m.App.UseFiles(files, m.Log) // exports' files
	srv := httpapi.New(httpapi.Config{BaseURL: baseURL, SecureCookies: c.SecureCookies, Metrics: met, InviteTTL: c.InviteTTL, NoLimits: c.NoLimits, TrustedProxies: c.TrustedProxies,
		MaxSendsInFlight: c.MaxSendsInFlight, Mail: mailer, AllowPrivateWebhooks: c.Integrations.AllowPrivate, Sealer: worker.Sealer, KickOutbox: worker.Kick},
		m.Store, m.App, files, m.Hub, m.Log)
	m.api = srv
	handlers := m.App.Jobs()
	handlers[outbox.JobWaiting] = worker.WaitingJob()
	runner := &jobs.Runner{Store: db, Commit: m.App, Handlers: handlers, Log: m.Log, Node: node,
		Every: time.Second, Lease: time.Minute, Now: time.Now, Metrics: met}
	if c.MetricsAddr != "" {
		if err := m.serveMetrics(c.MetricsAddr, met); err != nil {
			return err
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.workers.Go(func() { m.Hub.Run(runCtx, 2*time.Second) })
	m.workers.Go(func() { runner.Run(runCtx) })
	m.workers.Go(func() {
		// The statistics roll-up step: at start (what a stop left marked)
		// and then every interval.
		db.RunStatsRollup(runCtx, c.StatsRollupEvery, func(err error) {
			m.Log.Warn("statistics roll-up step", slog.Any("err", err))
		})
	})
	m.workers.Go(func() {
		db.RunIndexUpkeep(runCtx, indexUpkeepEvery, func(_ int64, err error) {
			if err != nil {
				m.Log.Warn("search index upkeep", slog.Any("err", err))
			}
		})
	})
	m.workers.Go(func() {
		defer stopAnnounce()
		worker.Run(runCtx)
	})
	m.http = &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// WebSocket sessions end with this context when the node stops.
		BaseContext: func(net.Listener) context.Context { return runCtx },
		ErrorLog:    slog.NewLogLogger(m.Log.Handler(), slog.LevelWarn),
	}
	go func() {
		if err := m.http.Serve(m.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("http server", slog.Any("err", err))
		}
	}()
	m.banner(baseURL, first, password)
	// Hand start-up's garbage (the master's argon2id hash takes 19 MiB)
	// back to the system now: an idle node might not collect for a long time.
	debug.FreeOSMemory()
	return nil
}

// serveMetrics serves /metrics and pprof on their own listener, so that
// they can stay on a private address while the API faces the world.
func (m *Main) serveMetrics(addr string, met *metrics.Metrics) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("metrics address: %w", err)
	}
	m.metricsLn = ln
	if host, _, _ := net.SplitHostPort(ln.Addr().String()); !net.ParseIP(host).IsLoopback() {
		// No authentication here: pprof shows memory, and a profile costs CPU.
		m.Log.Warn("metrics and pprof are served without authentication; keep this address private", slog.String("addr", ln.Addr().String()))
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", met.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.metricsHTTP = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := m.metricsHTTP.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("metrics server", slog.Any("err", err))
		}
	}()
	m.Log.Info("serving metrics and pprof", slog.String("addr", ln.Addr().String()))
	return nil
}

// bootstrap creates the default workspace and its master account on the
// first start. It returns the workspace and, if generated, the password.
func (m *Main) bootstrap(ctx context.Context) (*chat.Workspace, string, error) {
	n, err := m.Store.CountAgents(ctx)
	if err != nil || n > 0 {
		return nil, "", err
	}
	ws, err := app.NewWorkspace("Sodam", "")
	if err != nil {
		return nil, "", err
	}
	password, generated := m.Config.AdminPassword, ""
	if password == "" {
		password = auth.NewToken()[:16]
		generated = password
	}
	a := &chat.Agent{Email: m.Config.AdminEmail, Name: "Admin", PasswordHash: auth.HashPassword(password)}
	created, err := m.Store.Bootstrap(ctx, ws, a)
	if err != nil || !created {
		return nil, "", err
	}
	m.Log.Info("created the first workspace and master account", slog.String("site_id", ws.SiteID), slog.String("email", a.Email))
	return ws, generated, nil
}

func (m *Main) banner(baseURL string, first *chat.Workspace, password string) {
	fmt.Fprintf(m.out, "Sodam is running.\n  Console:  %s/console/\n  Try it:   %s/console/try\n", baseURL, baseURL)
	if first != nil {
		fmt.Fprintf(m.out, "  Log in as %s", m.Config.AdminEmail)
		if password != "" {
			fmt.Fprintf(m.out, " with password %s (shown only this once)", password)
		}
		fmt.Fprintln(m.out)
	}
	if first == nil && m.Config.AdminPassword != "" {
		// Set on a later start, as one tries after losing the printed
		// password, it changes nothing: say so rather than let it look used.
		fmt.Fprintf(m.out, "  SODAM_ADMIN_PASSWORD was not used: it sets the first master's password at the first start only, and this database has its master already\n")
	}
	if m.Config.BaseURL == "" && everyInterface(m.Addr()) {
		fmt.Fprintf(m.out, "  Listening on every interface: set SODAM_BASE_URL (--base-url) to the URL other machines open, such as http://192.168.0.10:%s — until then the embed code and links name %s\n", portOf(m.Addr()), baseURL)
	}
	// Every start says how to get back in: the first login is shown once.
	fmt.Fprintf(m.out, "  Lost the password? %s prints a one-time link to choose a new one\n", m.resetCommand())
	fmt.Fprintf(m.out, "  Embed snippet: in the console, 설정 → 설치 코드 (Settings → Embed code)\n")
	if a := m.MetricsAddr(); a != "" {
		fmt.Fprintf(m.out, "  Metrics:  http://%s/metrics (pprof: /debug/pprof/)\n", a)
	}
}

// resetCommand is the command line that prints a password link for the
// first master, on this node's database.
func (m *Main) resetCommand() string {
	self := m.Self
	if self == "" {
		self = "sodam"
	}
	cmd := self + " admin reset-password --email " + m.Config.AdminEmail
	if m.Config.DatabaseURL == "" && filepath.Clean(m.Config.DataDir) != "data" {
		cmd += " --data " + ShellQuote(m.Config.DataDir)
	}
	// The link the command prints opens BASE/console/reset: without this
	// server's base URL or address it would name http://127.0.0.1:8080.
	switch {
	case m.Config.BaseURL != "":
		cmd += " --base-url " + ShellQuote(m.Config.BaseURL)
	case everyInterface(m.Addr()):
		cmd += " --base-url " + ShellQuote(addrURL(m.Addr()))
	case m.Addr() != defaultAddr:
		cmd += " --addr " + ShellQuote(m.Addr())
	}
	if m.Config.DatabaseURL != "" {
		// The URL is a secret: it is not printed.
		cmd += " (with this server's SODAM_DATABASE_URL)"
	}
	return cmd
}

// ShellQuote quotes s for a POSIX shell when it needs quoting, for the
// commands Sodam prints for an operator to run.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+:@=,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Close stops the node gracefully: finish requests, end sockets, close the store.
func (m *Main) Close() error {
	var errs []error
	if m.http == nil && m.ln != nil {
		m.ln.Close()
	}
	if m.metricsHTTP != nil {
		errs = append(errs, m.metricsHTTP.Close())
	} else if m.metricsLn != nil {
		m.metricsLn.Close()
	}
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		errs = append(errs, m.http.Shutdown(ctx))
	}
	if m.cancel != nil {
		m.cancel() // ends the sockets too (BaseContext)
		m.workers.Wait()
		m.api.Drain()
	}
	if m.bus != nil {
		errs = append(errs, m.bus.Close())
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	return errors.Join(errs...)
}

func portOf(addr string) string {
	_, port, _ := net.SplitHostPort(addr)
	return port
}
