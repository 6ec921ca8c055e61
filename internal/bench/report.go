package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// Latency summarizes one direction's end-to-end latencies, in milliseconds.
type Latency struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// summarize sorts d and reads its percentiles (nearest rank).
func summarize(d []time.Duration) Latency {
	if len(d) == 0 {
		return Latency{}
	}
	slices.Sort(d)
	ms := func(x time.Duration) float64 { return float64(x.Microseconds()) / 1000 }
	rank := func(p float64) time.Duration {
		i := int(p*float64(len(d))+0.999999) - 1 // ceil(p·n), 1-based
		return d[min(max(i, 0), len(d)-1)]
	}
	return Latency{Count: len(d), P50: ms(rank(.50)), P95: ms(rank(.95)), P99: ms(rank(.99)), Max: ms(d[len(d)-1])}
}

// Rate is how many of something happened over how long.
type Rate struct {
	Count     int     `json:"count"`
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second"`
}

func rateOf(n int, d time.Duration) Rate {
	r := Rate{Count: n, Seconds: d.Seconds()}
	if d > 0 {
		r.PerSecond = float64(n) / d.Seconds()
	}
	return r
}

// Delivery is the exactly-once check: every acknowledged message must
// reach the other side once.
type Delivery struct {
	Acked      int `json:"acked"`
	Delivered  int `json:"delivered"`
	Missing    int `json:"missing"`
	Duplicates int `json:"duplicates"`
}

// Memory is the servers' resident memory, in bytes.
type Memory struct {
	// Idle is the servers' RSS before the bench made any load.
	Idle int64 `json:"idle_rss_bytes"`
	// BeforeSockets and WithSockets bracket opening the visitor sockets.
	BeforeSockets int64 `json:"before_sockets_rss_bytes"`
	WithSockets   int64 `json:"with_sockets_rss_bytes"`
	// PerConnection is (WithSockets − BeforeSockets) / visitor sockets.
	PerConnection int64 `json:"rss_per_connection_bytes"`
	// End is the RSS once the run is over, before the sockets close.
	End int64 `json:"end_rss_bytes"`
}

// Writer is what a server's group commit did over an interval: its
// batches, the writes they carried, and the seconds it spent running them
// (the sodam_store_* counters, docs/operations.md).
type Writer struct {
	Batches     float64 `json:"batches"`
	Writes      float64 `json:"writes"`
	BusySeconds float64 `json:"busy_seconds"`
}

// Histogram is one of a server's latency histograms over an interval
// (sodam_request_commit_seconds, sodam_event_delivery_seconds): how many
// fell at or under each bucket's bound.
type Histogram struct {
	Bounds []float64 `json:"bounds_seconds"` // ascending; the last is +Inf
	Counts []float64 `json:"counts"`         // cumulative, one for each bound
	Sum    float64   `json:"sum_seconds"`
	Count  float64   `json:"count"`
}

// since is h less an earlier reading of the same histogram: what fell in
// between. Nil when there is no earlier reading, or its buckets differ.
func (h *Histogram) since(start *Histogram) *Histogram {
	if h == nil || start == nil || !slices.Equal(h.Bounds, start.Bounds) {
		return nil
	}
	d := &Histogram{Bounds: h.Bounds, Counts: make([]float64, len(h.Counts)), Sum: h.Sum - start.Sum, Count: h.Count - start.Count}
	for i := range h.Counts {
		d.Counts[i] = h.Counts[i] - start.Counts[i]
	}
	return d
}

// Bound is the upper bound of the bucket that holds the q-quantile: the
// quantile is at most that (+Inf past the last finite bound).
func (h *Histogram) Bound(q float64) float64 {
	for i, c := range h.Counts {
		if c >= q*h.Count {
			return h.Bounds[i]
		}
	}
	return math.Inf(1)
}

// describe is a histogram's mean and its bucket bounds for p50 and p99,
// in milliseconds.
func (h *Histogram) describe(what string) string {
	bound := func(q float64) string {
		b := h.Bound(q)
		if math.IsInf(b, 1) {
			return fmt.Sprintf("> %g ms", 1000*h.Bounds[len(h.Bounds)-2])
		}
		return fmt.Sprintf("≤ %g ms", 1000*b)
	}
	return fmt.Sprintf("mean %.2f ms, p50 %s, p99 %s (%.0f %s)", 1000*h.Sum/h.Count, bound(0.5), bound(0.99), h.Count, what)
}

// CPU is processor time over a wall-clock interval, in seconds.
type CPU struct {
	Wall    float64 `json:"wall_seconds"`
	Servers float64 `json:"servers_seconds"`
	Bench   float64 `json:"bench_seconds"`
}

// Report is everything one run measured.
type Report struct {
	Scenario  string    `json:"scenario"`
	Started   time.Time `json:"started"`
	Store     string    `json:"store"`
	Nodes     int       `json:"nodes"`
	Visitors  int       `json:"visitors"`
	Agents    int       `json:"agents"`
	CPUs      int       `json:"cpus"`
	GoVersion string    `json:"go_version"`
	Command   string    `json:"command"`
	// Target rates asked for (0: not used by the scenario).
	TargetRate        float64 `json:"target_visitor_rate"`
	TargetAgentRate   float64 `json:"target_agent_rate"`
	TargetConnectRate float64 `json:"target_connect_rate"`

	Connect   Rate  `json:"connect"`
	Reconnect *Rate `json:"reconnect,omitempty"`
	// VisitorMessages and AgentMessages are the acknowledged sends over
	// the measured window.
	VisitorMessages Rate `json:"visitor_messages"`
	AgentMessages   Rate `json:"agent_messages"`
	// VisitorToAgent and AgentToVisitor are counted from the moment each
	// message was due by the schedule; the FromSend figures from the moment
	// its request went out. They differ when the bench fell behind: the
	// difference is the queueing a saturated server causes its clients.
	VisitorToAgent         Latency        `json:"visitor_to_agent"`
	AgentToVisitor         Latency        `json:"agent_to_visitor"`
	VisitorToAgentFromSend Latency        `json:"visitor_to_agent_from_send"`
	AgentToVisitorFromSend Latency        `json:"agent_to_visitor_from_send"`
	Errors                 map[string]int `json:"errors"`
	Delivery               Delivery       `json:"delivery"`
	Webhook                *WebhookReport `json:"webhook,omitempty"`
	Memory                 Memory         `json:"memory"`
	// CPU is the processor time the servers and the bench itself used
	// during the measured phase: when the bench's share is large, the
	// machine's cores, not the servers, may be what limits the run.
	CPU CPU `json:"cpu"`
	// Writer is the first server's group commit over the measured phase,
	// read from its /metrics: only with --metrics-addr.
	Writer *Writer `json:"writer,omitempty"`
	// CommitTime and DeliveryTime are where the first server's own histograms put
	// the time over the measured phase: from a write request's start to its
	// commit, and from an event's commit to each socket's write of it. Only
	// with --metrics-addr.
	CommitTime   *Histogram `json:"request_commit,omitempty"`
	DeliveryTime *Histogram `json:"commit_delivery,omitempty"`
	Passed       bool       `json:"passed"`
	// Failure says why a run that did not pass failed.
	Failure string `json:"failure,omitempty"`
}

// errorCounts counts errors by kind, safely from many goroutines.
type errorCounts struct {
	mu sync.Mutex
	n  map[string]int
}

func (e *errorCounts) add(kind string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	e.n[kind]++
}

func (e *errorCounts) total() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	t := 0
	for _, n := range e.n {
		t += n
	}
	return t
}

func (e *errorCounts) snapshot() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := map[string]int{}
	for k, v := range e.n {
		out[k] = v
	}
	return out
}

// Write saves the report as path.json and path.md.
func (r *Report) Write(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path+".json", append(data, '\n'), 0o644); err != nil {
		return err
	}
	var b strings.Builder
	r.Markdown(&b)
	return os.WriteFile(path+".md", []byte(b.String()), 0o644)
}

// Markdown writes the report as a Markdown section.
func (r *Report) Markdown(w io.Writer) {
	verdict := "passed"
	if !r.Passed {
		verdict = "FAILED: " + r.Failure
	}
	fmt.Fprintf(w, "### sodam bench: %s, %s, %d node(s) — %s\n\n", r.Scenario, r.Store, r.Nodes, verdict)
	fmt.Fprintf(w, "`%s`\n\n", r.Command)
	fmt.Fprintf(w, "%s; %d CPUs; %s; %d visitors, %d agents.\n\n", r.Started.UTC().Format(time.RFC3339), r.CPUs, r.GoVersion, r.Visitors, r.Agents)
	fmt.Fprintln(w, "| measure | value |")
	fmt.Fprintln(w, "|---|---|")
	row := func(k, format string, args ...any) { fmt.Fprintf(w, "| %s | %s |\n", k, fmt.Sprintf(format, args...)) }
	row("visitor sockets opened", "%d in %.1f s = %.0f/s", r.Connect.Count, r.Connect.Seconds, r.Connect.PerSecond)
	if r.Reconnect != nil {
		row("reconnects with replay", "%d in %.1f s = %.0f/s (target %.0f/s)", r.Reconnect.Count, r.Reconnect.Seconds, r.Reconnect.PerSecond, r.TargetConnectRate)
	}
	if r.VisitorMessages.Count > 0 || r.TargetRate > 0 {
		row("visitor messages", "%d in %.1f s = %.0f/s (target %.0f/s)", r.VisitorMessages.Count, r.VisitorMessages.Seconds, r.VisitorMessages.PerSecond, r.TargetRate)
	}
	if r.AgentMessages.Count > 0 || r.TargetAgentRate > 0 {
		row("agent messages", "%d in %.1f s = %.0f/s (target %.0f/s)", r.AgentMessages.Count, r.AgentMessages.Seconds, r.AgentMessages.PerSecond, r.TargetAgentRate)
	}
	lat := func(name string, l Latency) {
		if l.Count > 0 {
			row(name, "p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%d)", l.P50, l.P95, l.P99, l.Max, l.Count)
		}
	}
	lat("visitor → agent latency, from due", r.VisitorToAgent)
	lat("visitor → agent latency, from send", r.VisitorToAgentFromSend)
	lat("agent → visitor latency, from due", r.AgentToVisitor)
	lat("agent → visitor latency, from send", r.AgentToVisitorFromSend)
	row("delivery", "%d acknowledged, %d delivered, %d missing, %d duplicates", r.Delivery.Acked, r.Delivery.Delivered, r.Delivery.Missing, r.Delivery.Duplicates)
	if h := r.Webhook; h != nil {
		row("webhook deliveries (receiver "+h.Mode+")", "%d written, %d arrived, %d lost, %d repeats; %d requests refused while down; none pending %.1f s after the window", h.Deliveries, h.Arrived, h.Lost, h.Repeats, h.Refused, h.DrainSeconds)
		row("webhook deliveries per second, receiver up", "%.0f (first to last arrival)", h.Rate)
		if h.CPUPerDelivery > 0 {
			row("servers' CPU from the receiver's return until drained", "%.1f s, %.0f µs per delivery", h.ServersCPU, h.CPUPerDelivery)
		}
		lat("event → webhook delivery, receiver up", h.Latency)
	}
	mib := func(b int64) float64 { return float64(b) / (1 << 20) }
	row("server RSS idle", "%.1f MiB", mib(r.Memory.Idle))
	row("server RSS before / with sockets", "%.1f MiB / %.1f MiB", mib(r.Memory.BeforeSockets), mib(r.Memory.WithSockets))
	row("server RSS per visitor socket", "%.1f KiB", float64(r.Memory.PerConnection)/1024)
	row("server RSS at the end", "%.1f MiB", mib(r.Memory.End))
	var errs []string
	for k, v := range r.Errors {
		errs = append(errs, fmt.Sprintf("%s: %d", k, v))
	}
	slices.Sort(errs)
	if len(errs) == 0 {
		errs = []string{"none"}
	}
	if r.CPU.Wall > 0 {
		row("CPU while measuring", "servers %.1f s (%.0f %% of a core), bench %.1f s (%.0f %%), over %.1f s",
			r.CPU.Servers, 100*r.CPU.Servers/r.CPU.Wall, r.CPU.Bench, 100*r.CPU.Bench/r.CPU.Wall, r.CPU.Wall)
	}
	if wr := r.Writer; wr != nil && wr.Batches > 0 && r.CPU.Wall > 0 {
		row("group commit (first server)", "%.0f batches, %.1f writes a batch, writer busy %.0f %% of the time",
			wr.Batches, wr.Writes/wr.Batches, 100*wr.BusySeconds/r.CPU.Wall)
	}
	if h := r.CommitTime; h != nil && h.Count > 0 {
		row("request → commit (first server)", "%s", h.describe("writes"))
	}
	if h := r.DeliveryTime; h != nil && h.Count > 0 {
		row("commit → socket (first server)", "%s", h.describe("socket writes"))
	}
	row("errors", "%s", strings.Join(errs, ", "))
	fmt.Fprintln(w)
}
