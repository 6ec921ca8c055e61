package bench

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // 1 … 100 ms, unsorted
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	got := summarize(d)
	want := Latency{Count: 100, P50: 50, P95: 95, P99: 99, Max: 100}
	if got != want {
		t.Fatalf("summarize: %+v, want %+v", got, want)
	}
	if got := summarize([]time.Duration{3 * time.Millisecond}); got.P50 != 3 || got.P99 != 3 || got.Max != 3 {
		t.Fatalf("one sample: %+v", got)
	}
	if got := summarize(nil); got != (Latency{}) {
		t.Fatalf("no samples: %+v", got)
	}
}

// The tracker counts an acknowledged message missing until it arrives on
// the other side, and every extra arrival as a duplicate; unacknowledged
// sends, strangers and echoes on the sender's side do not count.
func TestTracker(t *testing.T) {
	tr := newTracker()
	t0 := time.Now()
	for _, id := range []string{"v1", "v2", "v3", "failed"} {
		tr.sending(id, toAgent, t0, t0)
	}
	tr.sending("a1", toVisitor, t0.Add(-3*time.Millisecond), t0) // sent 3 ms late
	for _, id := range []string{"v1", "v2", "v3", "a1"} {
		tr.acked(id)
	}
	tr.received("v1", toAgent, t0.Add(2*time.Millisecond))
	tr.received("v1", toVisitor, t0.Add(time.Millisecond)) // the visitor's own echo
	tr.received("v2", toAgent, t0.Add(4*time.Millisecond))
	tr.received("v2", toAgent, t0.Add(5*time.Millisecond)) // twice
	tr.received("failed", toAgent, t0)                     // never acknowledged
	tr.received("hello-1", toVisitor, t0)                  // not sent by this run
	tr.received("a1", toVisitor, t0.Add(7*time.Millisecond))

	want := Delivery{Acked: 4, Delivered: 3, Missing: 1, Duplicates: 1}
	if got := tr.delivery(); got != want {
		t.Fatalf("delivery %+v, want %+v", got, want)
	}
	if l := summarize(tr.latencies(toAgent)); l.Count != 3 || l.Max != 4 {
		t.Fatalf("visitor → agent latencies %+v", l)
	}
	if l := summarize(tr.latencies(toVisitor)); l.Count != 1 || l.P50 != 10 {
		t.Fatalf("agent → visitor latencies from due %+v", l)
	}
	if l := summarize(tr.latenciesFromSend(toVisitor)); l.Count != 1 || l.P50 != 7 {
		t.Fatalf("agent → visitor latencies from send %+v", l)
	}
}

func TestReportFiles(t *testing.T) {
	r := &Report{Scenario: Steady, Store: "SQLite", Nodes: 1, Visitors: 10, Agents: 2, Command: "sodam bench --visitors 10",
		TargetRate: 100, VisitorMessages: rateOf(200, 2*time.Second), VisitorToAgent: Latency{Count: 200, P50: 1.5, P95: 3, P99: 4.25, Max: 9},
		Delivery: Delivery{Acked: 200, Delivered: 199, Missing: 1}, Memory: Memory{Idle: 20 << 20, PerConnection: 12 << 10},
		Errors: map[string]int{"visitor send: 409 conversation_closed": 2}, Failure: "1 acknowledged messages missing, 0 duplicates",
		CPU: CPU{Wall: 2, Servers: 1.5, Bench: 0.5}, Writer: &Writer{Batches: 40, Writes: 210, BusySeconds: 1.1}}
	path := filepath.Join(t.TempDir(), "report")
	if err := r.Write(path); err != nil {
		t.Fatal(err)
	}
	var back Report
	data, err := os.ReadFile(path + ".json")
	if err != nil || json.Unmarshal(data, &back) != nil || back.VisitorToAgent.P99 != 4.25 || back.Delivery.Missing != 1 {
		t.Fatalf("JSON report: %v %s", err, data)
	}
	md, err := os.ReadFile(path + ".md")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"FAILED: 1 acknowledged messages missing", "`sodam bench --visitors 10`", "200 in 2.0 s = 100/s (target 100/s)",
		"p50 1.50 ms, p95 3.00 ms, p99 4.25 ms, max 9.00 ms (200)", "1 missing", "20.0 MiB", "12.0 KiB", "visitor send: 409 conversation_closed: 2",
		"| group commit (first server) | 40 batches, 5.2 writes a batch, writer busy 55 % of the time |"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("no %q in\n%s", want, md)
		}
	}
}

func TestStatCPU(t *testing.T) {
	// A command name may hold spaces and parentheses; utime 250 and stime
	// 50 ticks are 3 seconds.
	line := "4242 (so dam) x) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 50 0 0 20 0 12 0 100 2000000 3000 18446744073709551615\n"
	if got := statCPU(line); got != 3 {
		t.Fatalf("statCPU = %v, want 3", got)
	}
	if got := statCPU("garbage"); got != 0 {
		t.Fatalf("statCPU(garbage) = %v, want 0", got)
	}
	if got := cpuSeconds(-1); got != 0 {
		t.Fatalf("cpuSeconds of no process = %v, want 0", got)
	}
}

// The group commit's counters are picked out of a scrape; one missing
// leaves them all out rather than report a wrong share.
func TestParseWriter(t *testing.T) {
	scrape := "# TYPE sodam_store_batches_total counter\nsodam_store_batches_total 12\n" +
		"sodam_store_batched_writes_total 300\nsodam_store_batched_writes_total_x 9\n" +
		"sodam_store_writer_busy_seconds_total 0.75\ngo_goroutines 40\n"
	w := parseWriter(scrape)
	if w == nil || *w != (Writer{Batches: 12, Writes: 300, BusySeconds: 0.75}) {
		t.Fatalf("parseWriter = %+v", w)
	}
	if w := parseWriter("sodam_store_batches_total 12\nsodam_store_batched_writes_total 300\n"); w != nil {
		t.Fatalf("a scrape without the busy counter gave %+v", w)
	}
}

// A server's latency histogram is picked out of a scrape, the reading
// before the measured phase taken off the one after, and its p50 and p99
// named by the bucket that holds them.
func TestParseHistogram(t *testing.T) {
	scrape := func(counts [4]int, sum float64) string {
		return fmt.Sprintf("# TYPE sodam_request_commit_seconds histogram\n"+
			"sodam_request_commit_seconds_bucket{le=\"0.001\"} %d\nsodam_request_commit_seconds_bucket{le=\"0.005\"} %d\n"+
			"sodam_request_commit_seconds_bucket{le=\"0.05\"} %d\nsodam_request_commit_seconds_bucket{le=\"+Inf\"} %d\n"+
			"sodam_request_commit_seconds_sum %g\nsodam_request_commit_seconds_count %d\nsodam_event_delivery_seconds_count 3\n",
			counts[0], counts[1], counts[2], counts[3], sum, counts[3])
	}
	before := parseHistogram(scrape([4]int{5, 10, 10, 10}, 0.02), "sodam_request_commit_seconds")
	after := parseHistogram(scrape([4]int{15, 110, 209, 210}, 2.02), "sodam_request_commit_seconds")
	if before == nil || after == nil || len(after.Bounds) != 4 || after.Counts[3] != 210 {
		t.Fatalf("parsed %+v and %+v", before, after)
	}
	h := after.since(before)
	if h.Count != 200 || h.Sum != 2 || h.Counts[0] != 10 || h.Counts[2] != 199 {
		t.Fatalf("the phase's histogram %+v", h)
	}
	if p50, p99, p100 := h.Bound(0.5), h.Bound(0.99), h.Bound(1); p50 != 0.005 || p99 != 0.05 || !math.IsInf(p100, 1) {
		t.Fatalf("bounds %v %v %v", p50, p99, p100)
	}
	if got, want := h.describe("writes"), "mean 10.00 ms, p50 ≤ 5 ms, p99 ≤ 50 ms (200 writes)"; got != want {
		t.Fatalf("described as %q, want %q", got, want)
	}
	// A histogram without its +Inf bucket, sum or count is left out, and
	// so is the phase's when the reading before it is missing.
	if h := parseHistogram("sodam_event_delivery_seconds_count 3\n", "sodam_event_delivery_seconds"); h != nil {
		t.Fatalf("a histogram of a count alone: %+v", h)
	}
	if h := after.since(nil); h != nil {
		t.Fatalf("no reading before: %+v", h)
	}
	r := &Report{Scenario: Steady, Store: "SQLite", Nodes: 1, CommitTime: h}
	var md strings.Builder
	r.Markdown(&md)
	if want := "| request → commit (first server) | mean 10.00 ms, p50 ≤ 5 ms, p99 ≤ 50 ms (200 writes) |"; !strings.Contains(md.String(), want) {
		t.Fatalf("no %q in\n%s", want, md.String())
	}
}
