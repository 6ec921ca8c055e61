package bench

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// server is one sodam process the bench drives.
type server struct {
	url string
	pid int // 0 when unknown
	out *tail
	// awaitURL waits for the banner and fills in url; stop ends the
	// process. Both are nil for a server the bench did not start.
	awaitURL func() error
	stop     func()
}

// tail keeps the last lines a process printed, for error messages.
type tail struct {
	mu    sync.Mutex
	lines []string
}

func (t *tail) add(line string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lines = append(t.lines, line)
	if len(t.lines) > 30 {
		t.lines = t.lines[1:]
	}
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(t.lines, "\n")
}

// setup is the servers and the store the bench provisions through.
type setup struct {
	servers []*server
	store   *sqldb.DB
	ws      *chat.Workspace
	label   string // "SQLite" or "PostgreSQL"
	cleanup []func()
}

func (s *setup) close() {
	for i := len(s.cleanup) - 1; i >= 0; i-- {
		s.cleanup[i]()
	}
}

var consoleLine = regexp.MustCompile(`Console:\s+(http://\S+)/console/`)

// startServers starts o.Nodes `sodam serve` processes on free loopback
// ports, on a temporary SQLite directory or a fresh PostgreSQL schema, and
// opens the same database for provisioning.
func startServers(ctx context.Context, o Options, progress io.Writer) (*setup, error) {
	s := &setup{label: "SQLite"}
	binary := o.Binary
	if binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		binary = exe
	}
	dir, err := os.MkdirTemp("", "sodam-bench-")
	if err != nil {
		return nil, err
	}
	s.cleanup = append(s.cleanup, func() { os.RemoveAll(dir) })
	// The load comes from a few loopback addresses: the abuse limits would
	// refuse it as they would a real flood.
	env := []string{"SODAM_ADMIN_PASSWORD=" + rand.Text(), "SODAM_LOG_LEVEL=warn", "SODAM_RATE_LIMITS=off"}
	dbURL := ""
	if o.DatabaseURL != "" {
		s.label = "PostgreSQL"
		schema := "sodam_bench_" + strings.ToLower(rand.Text()[:10])
		if dbURL, err = createSchema(ctx, o.DatabaseURL, schema); err != nil {
			s.close()
			return nil, err
		}
		s.cleanup = append(s.cleanup, func() { dropSchema(o.DatabaseURL, schema) })
		// The nodes share the database, so they share the key that seals
		// personal information in it.
		env = append(env, "SODAM_DATABASE_URL="+dbURL, "SODAM_PII_KEY="+pii.EncodeKey(pii.GenerateKey()))
	}
	if o.NATSURL != "" {
		env = append(env, "SODAM_NATS_URL="+o.NATSURL)
	}
	if o.Webhook != "" {
		env = append(env, "SODAM_WEBHOOK_ALLOW_PRIVATE=true") // the bench's receiver is on loopback
	}
	for i := range o.Nodes {
		args := []string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, fmt.Sprintf("node%d", i+1))}
		if o.MetricsAddr != "" {
			addr := o.MetricsAddr
			if i > 0 {
				addr = "127.0.0.1:0"
			}
			args = append(args, "--metrics-addr", addr)
		}
		srv, err := startServer(ctx, binary, args, env, progress)
		if err != nil {
			s.close()
			return nil, err
		}
		s.servers = append(s.servers, srv)
		s.cleanup = append(s.cleanup, srv.stop)
		// Start the first alone: it migrates and bootstraps.
		if i == 0 {
			if err := srv.awaitURL(); err != nil {
				s.close()
				return nil, err
			}
		}
	}
	for _, srv := range s.servers[1:] {
		if err := srv.awaitURL(); err != nil {
			s.close()
			return nil, err
		}
	}
	if dbURL != "" {
		s.store, err = postgres.Open(ctx, dbURL, "")
	} else {
		s.store, err = sqlite.Open(ctx, filepath.Join(dir, "node1", "sodam.db"))
	}
	if err != nil {
		s.close()
		return nil, err
	}
	st := s.store
	s.cleanup = append(s.cleanup, func() { st.Close() })
	if s.ws, err = s.store.Workspace(ctx, 1); err != nil {
		s.close()
		return nil, fmt.Errorf("the started server's first workspace: %w", err)
	}
	return s, nil
}

// attach opens the store of a server the bench did not start.
func attach(ctx context.Context, o Options) (*setup, error) {
	s := &setup{label: "SQLite", servers: []*server{{url: strings.TrimSuffix(o.URL, "/"), pid: o.ServerPID}}}
	var err error
	if o.DatabaseURL != "" {
		s.label = "PostgreSQL"
		s.store, err = postgres.Open(ctx, o.DatabaseURL, "")
	} else {
		s.store, err = sqlite.Open(ctx, filepath.Join(o.Data, "sodam.db"))
	}
	if err != nil {
		return nil, err
	}
	st := s.store
	s.cleanup = append(s.cleanup, func() { st.Close() })
	if s.ws, err = s.store.Workspace(ctx, max(o.Workspace, 1)); err != nil {
		s.close()
		return nil, fmt.Errorf("workspace %d: %w", o.Workspace, err)
	}
	return s, nil
}

func startServer(ctx context.Context, binary string, args, env []string, progress io.Writer) (*server, error) {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), env...)
	// Servers end with the bench, even when it is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", binary, err)
	}
	srv := &server{pid: cmd.Process.Pid, out: &tail{}}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			srv.out.add(line)
			if m := consoleLine.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "Metrics:") {
				fmt.Fprintf(progress, "server %d: %s\n", srv.pid, line)
			}
		}
	}()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		pw.Close()
		close(exited)
	}()
	srv.awaitURL = func() error {
		select {
		case u := <-found:
			srv.url = u
			return nil
		case <-exited:
			return fmt.Errorf("server exited before serving:\n%s", srv.out)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(60 * time.Second):
			return fmt.Errorf("server printed no banner in 60s:\n%s", srv.out)
		}
	}
	srv.stop = func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	}
	return srv, nil
}

// createSchema makes a fresh schema for one run and returns the database
// URL that puts the servers in it (pgx passes search_path on as a run-time
// parameter).
func createSchema(ctx context.Context, base, schema string) (string, error) {
	db, err := openRaw(base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		return "", fmt.Errorf("create schema %s: %w", schema, err)
	}
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func dropSchema(base, schema string) {
	db, err := openRaw(base)
	if err != nil {
		return
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`)
}

func openRaw(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	return stdlib.OpenDB(*cfg), nil
}

// rss reads a process's resident set size from /proc, in bytes.
func rss(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}

// cpuSeconds reads a process's user and system time from /proc; 0 when
// it cannot. /proc counts in clock ticks, 100 a second on Linux.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	return statCPU(string(data))
}

// statCPU reads user plus system time from a /proc/<pid>/stat line.
func statCPU(data string) float64 {
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ")". utime and stime are fields 14 and 15.
	i := strings.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(data[i+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return float64(u+s) / 100
}

// serversCPU sums the servers' processor time; 0 when a server's process
// is unknown.
func (s *setup) serversCPU() float64 {
	var total float64
	for _, srv := range s.servers {
		if srv.pid == 0 {
			return 0
		}
		total += cpuSeconds(srv.pid)
	}
	return total
}

// totalRSS sums the servers' RSS; 0 when a server's process is unknown.
func (s *setup) totalRSS() int64 {
	var total int64
	for _, srv := range s.servers {
		if srv.pid == 0 {
			return 0
		}
		n, err := rss(srv.pid)
		if err != nil {
			return 0
		}
		total += n
	}
	return total
}

// settledRSS waits until the servers' RSS stops moving — the Go runtime
// hands freed memory back to the system over a few seconds, after the
// logins' password hashing for instance — and returns it. It gives up
// after 30 seconds.
func (s *setup) settledRSS(ctx context.Context) int64 {
	last, steady := s.totalRSS(), 0
	for deadline := time.Now().Add(30 * time.Second); steady < 4 && time.Now().Before(deadline) && ctx.Err() == nil; {
		time.Sleep(500 * time.Millisecond)
		n := s.totalRSS()
		if d := n - last; d < 256<<10 && d > -256<<10 {
			steady++
		} else {
			steady = 0
		}
		last = n
	}
	return last
}

// serverMetrics is what the bench reads from a server's /metrics: its
// group commit's counters and two latency histograms. Each is nil when
// the scrape lacks it (the report then leaves it out).
type serverMetrics struct {
	writer           *Writer
	commit, delivery *Histogram
}

// readMetrics reads a server's /metrics at addr; nil when it cannot.
func readMetrics(ctx context.Context, addr string) *serverMetrics {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		return nil
	}
	scrape := string(body)
	return &serverMetrics{writer: parseWriter(scrape), commit: parseHistogram(scrape, "sodam_request_commit_seconds"),
		delivery: parseHistogram(scrape, "sodam_event_delivery_seconds")}
}

// parseHistogram picks a histogram out of a scrape: its buckets in the
// order listed (ascending, +Inf last), its sum and its count.
func parseHistogram(scrape, name string) *Histogram {
	var h Histogram
	var sum, count bool
	for line := range strings.Lines(scrape) {
		key, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(value, 64)
		if err != nil {
			continue
		}
		switch {
		case key == name+"_sum":
			h.Sum, sum = v, true
		case key == name+"_count":
			h.Count, count = v, true
		case strings.HasPrefix(key, name+`_bucket{le="`) && strings.HasSuffix(key, `"}`):
			le, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(key, name+`_bucket{le="`), `"}`), 64)
			if err != nil {
				return nil
			}
			h.Bounds, h.Counts = append(h.Bounds, le), append(h.Counts, v)
		}
	}
	if !sum || !count || len(h.Bounds) < 2 || !math.IsInf(h.Bounds[len(h.Bounds)-1], 1) {
		return nil
	}
	return &h
}

// parseWriter picks the group commit's counters out of a scrape.
func parseWriter(scrape string) *Writer {
	var w Writer
	fields := map[string]*float64{
		"sodam_store_batches_total":             &w.Batches,
		"sodam_store_batched_writes_total":      &w.Writes,
		"sodam_store_writer_busy_seconds_total": &w.BusySeconds,
	}
	found := 0
	for line := range strings.Lines(scrape) {
		name, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if dst := fields[name]; ok && dst != nil {
			if v, err := strconv.ParseFloat(value, 64); err == nil {
				*dst = v
				found++
			}
		}
	}
	if found < len(fields) {
		return nil
	}
	return &w
}
