// Package bench is `sodam bench`: a load generator that drives Sodam the
// way widgets and consoles do — visitor WebSockets and REST sends, agents
// who take and answer conversations — and measures connect rates,
// end-to-end latency both ways, throughput and the servers' memory. It
// checks that every acknowledged message arrived exactly once; a run where
// one did not fails.
//
// It starts its own servers (one SQLite node, one PostgreSQL node, or a
// cluster on PostgreSQL and NATS) or drives one already running, and only
// ever on loopback addresses.
package bench

import (
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Scenarios.
const (
	Steady    = "steady"    // visitors and agents chat at a target rate
	Idle      = "idle"      // visitors hold idle sockets: memory per connection
	Reconnect = "reconnect" // visitors drop and reconnect with replay
)

// Options is one run's configuration.
type Options struct {
	Scenario string
	Visitors int
	Agents   int
	// Rate is visitor messages per second (all visitors together);
	// AgentRate agent messages per second.
	Rate      float64
	AgentRate float64
	// ConnectRate paces opening visitor sockets, and reconnects.
	ConnectRate float64
	Duration    time.Duration

	// URL, when set, is a running server to drive; otherwise the bench
	// starts Nodes servers from Binary.
	URL       string
	ServerPID int
	// Data is the SQLite data directory of the server at URL; the bench
	// adds its agents through the store there (or in DatabaseURL).
	Data        string
	DatabaseURL string
	NATSURL     string
	Nodes       int
	Binary      string
	// MetricsAddr makes started servers serve metrics and pprof (the
	// first node on this address, others on any free port).
	MetricsAddr string
	// Workspace is the workspace to use on a running server (0: the first).
	Workspace int64

	// SourceAddrs spreads client sockets over 127.0.0.1 … 127.0.0.n so
	// that tens of thousands fit in the ephemeral port range.
	SourceAddrs int
	// CPUProfile, when set, is where the bench writes its own CPU profile
	// of the measured phase (the servers' is at --metrics-addr).
	CPUProfile string
	// Out is the report's path without extension.
	Out string
	// Command is the command line, for the report.
	Command string
}

// ParseOptions reads `sodam bench` flags.
func ParseOptions(args []string) (Options, error) {
	var o Options
	fs := flag.NewFlagSet("sodam bench", flag.ContinueOnError)
	fs.StringVar(&o.Scenario, "scenario", Steady, "steady, idle or reconnect")
	fs.IntVar(&o.Visitors, "visitors", 1000, "visitor WebSockets")
	fs.IntVar(&o.Agents, "agents", 20, "agents who take and answer conversations")
	fs.Float64Var(&o.Rate, "rate", 500, "visitor messages per second (steady)")
	fs.Float64Var(&o.AgentRate, "agent-rate", 100, "agent messages per second (steady, reconnect)")
	fs.Float64Var(&o.ConnectRate, "connect-rate", 2000, "visitor sockets opened per second, and reconnects per second")
	fs.DurationVar(&o.Duration, "duration", 30*time.Second, "how long to measure (steady), or to hold the sockets (idle)")
	fs.StringVar(&o.URL, "url", "", "drive a running server at this loopback URL instead of starting one")
	fs.IntVar(&o.ServerPID, "server-pid", 0, "process ID of the server at --url, to read its memory")
	fs.StringVar(&o.Data, "data", "", "data directory of the SQLite server at --url (agents are added there)")
	fs.StringVar(&o.DatabaseURL, "database-url", "", "postgres://… on loopback: run on PostgreSQL (a fresh schema when the bench starts the servers)")
	fs.StringVar(&o.NATSURL, "nats-url", "", "nats://… on loopback: the cluster's NATS")
	fs.IntVar(&o.Nodes, "nodes", 1, "servers to start (more than one needs --database-url and --nats-url)")
	fs.StringVar(&o.Binary, "binary", "", "sodam binary to start (default: this one)")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", "have started servers serve /metrics and pprof, the first on this address")
	fs.Int64Var(&o.Workspace, "workspace", 1, "workspace ID to use on a running server")
	fs.IntVar(&o.SourceAddrs, "source-addrs", 8, "spread client sockets over this many 127.0.0.x source addresses")
	fs.StringVar(&o.CPUProfile, "cpu-profile", "", "write the bench's own CPU profile of the measured phase to this file")
	fs.StringVar(&o.Out, "out", "", "write the report to this path plus .json and .md (default: bench-<scenario>-<time>)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	o.Command = strings.TrimSpace("sodam bench " + strings.Join(args, " "))
	return o, o.Validate()
}

// Validate checks the options, and refuses anything but loopback targets:
// the bench makes a lot of traffic and must not be pointed at a server
// someone else runs.
func (o *Options) Validate() error {
	switch o.Scenario {
	case Steady, Idle, Reconnect:
	default:
		return fmt.Errorf("--scenario must be steady, idle or reconnect, not %q", o.Scenario)
	}
	switch {
	case o.Visitors < 1:
		return fmt.Errorf("--visitors must be at least 1")
	case o.Agents < 1:
		return fmt.Errorf("--agents must be at least 1: visitors start chats only while someone is online")
	case o.Scenario != Idle && o.Visitors > chat.MaxCapacity*o.Agents:
		return fmt.Errorf("--visitors may be at most %d × --agents: an agent holds at most %d conversations", chat.MaxCapacity, chat.MaxCapacity)
	case o.Rate < 0 || o.AgentRate < 0 || o.ConnectRate <= 0:
		return fmt.Errorf("--rate and --agent-rate must not be negative, --connect-rate must be positive")
	case o.Scenario == Steady && o.Rate == 0 && o.AgentRate == 0:
		return fmt.Errorf("steady needs --rate or --agent-rate")
	case o.Duration <= 0:
		return fmt.Errorf("--duration must be positive")
	case o.SourceAddrs < 1 || o.SourceAddrs > 250:
		return fmt.Errorf("--source-addrs must be between 1 and 250")
	case o.Agents > 50*o.SourceAddrs:
		// Sodam allows 60 logins at once per client address.
		return fmt.Errorf("%d agents need --source-addrs %d or more: logins are limited per client address", o.Agents, (o.Agents+49)/50)
	case o.Nodes < 1 || o.Nodes > 9:
		return fmt.Errorf("--nodes must be between 1 and 9")
	}
	for _, u := range []struct{ flag, value string }{{"--url", o.URL}, {"--database-url", o.DatabaseURL}, {"--nats-url", o.NATSURL}} {
		if u.value == "" {
			continue
		}
		if err := loopbackURL(u.value); err != nil {
			return fmt.Errorf("%s: %w", u.flag, err)
		}
	}
	if o.MetricsAddr != "" {
		host, _, err := net.SplitHostPort(o.MetricsAddr)
		if err != nil || !isLoopback(host) {
			return fmt.Errorf("--metrics-addr must be a loopback host:port, like 127.0.0.1:9090")
		}
	}
	if o.URL != "" {
		if o.Data == "" && o.DatabaseURL == "" {
			return fmt.Errorf("--url needs the server's --data directory or --database-url, to add the bench's agents")
		}
		if o.Nodes != 1 || o.NATSURL != "" || o.MetricsAddr != "" {
			return fmt.Errorf("--nodes, --nats-url and --metrics-addr are for servers the bench starts; leave them out with --url")
		}
		return nil
	}
	if o.ServerPID != 0 || o.Data != "" {
		return fmt.Errorf("--server-pid and --data go with --url")
	}
	if o.Nodes > 1 && (o.DatabaseURL == "" || o.NATSURL == "") {
		return fmt.Errorf("a cluster of %d nodes needs --database-url (PostgreSQL) and --nats-url", o.Nodes)
	}
	return nil
}

// loopbackURL accepts a URL whose host is localhost or a loopback IP.
func loopbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not a URL", raw)
	}
	if !isLoopback(u.Hostname()) {
		return fmt.Errorf("refusing %s: the bench only runs against loopback addresses (127.0.0.0/8, ::1, localhost)", u.Hostname())
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
