// Package metrics holds one node's Prometheus metrics. The node creates one
// *Metrics and hands it to the packages that own what is measured (the
// HTTP layer, the hub, the job runner); a nil *Metrics measures nothing, so
// tests that do not care pass nil.
//
// The series are kept by github.com/VictoriaMetrics/metrics, which writes
// the Prometheus text format and nothing else. Prometheus's own client
// links the protocol-buffer runtime for a format Sodam never serves and
// builds its collectors at start-up: dropping it took 1.5 MB off an idle
// node's RSS (issue 17, docs/benchmarks.md).
package metrics

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// Metrics is every series a node exports.
type Metrics struct {
	set      *vm.Set
	commit   *vm.PrometheusHistogram
	delivery *vm.PrometheusHistogram
	jobLag   *vm.PrometheusHistogram
	scraped  []scraped
	log      *slog.Logger
}

// latencyBuckets run from 0.25 ms to 5 s: chat latencies that matter are a
// few milliseconds, and the tail is what the histogram is for.
var latencyBuckets = []float64{.00025, .0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5}

// New returns an empty set of Sodam's series; the Go runtime's and the
// process's are read at each scrape. log hears of a gauge whose read
// failed.
func New(log *slog.Logger) *Metrics {
	vm.ExposeMetadata(true) // # TYPE lines, so a histogram reads as one
	s := vm.NewSet()
	return &Metrics{
		set:      s,
		log:      log,
		commit:   s.NewPrometheusHistogramExt("sodam_request_commit_seconds", latencyBuckets),
		delivery: s.NewPrometheusHistogramExt("sodam_event_delivery_seconds", latencyBuckets),
		jobLag:   s.NewPrometheusHistogramExt("sodam_job_lag_seconds", []float64{.1, .5, 1, 2, 5, 10, 30, 60, 300}),
	}
}

// Gauge adds a series computed at each scrape, such as a queue length read
// from the database. collect should be quick; its error drops the series
// from that scrape.
func (m *Metrics) Gauge(name, help string, labels []string, collect func(ctx context.Context, set func(v float64, labelValues ...string)) error) {
	m.scraped = append(m.scraped, scraped{name: name, help: help, typ: "gauge", labels: labels, collect: collect})
}

// Counter adds a counter kept elsewhere (such as the store's), read at
// each scrape; read must be quick and never go down.
func (m *Metrics) Counter(name, help string, read func() float64) {
	m.scraped = append(m.scraped, scraped{name: name, help: help, typ: "counter",
		collect: func(_ context.Context, set func(float64, ...string)) error {
			set(read())
			return nil
		}})
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.set.WritePrometheus(w)
		for _, g := range m.scraped {
			g.write(r.Context(), w, m.log)
		}
		vm.WriteProcessMetrics(w)
	})
}

// Connected counts a WebSocket of kind as open; call the result when it closes.
func (m *Metrics) Connected(kind string) (closed func()) {
	if m == nil {
		return func() {}
	}
	g := m.set.GetOrCreateGauge(series("sodam_websocket_connections", "kind", kind), nil)
	g.Inc()
	return g.Dec
}

// MessageStored counts a committed message by its sender type.
func (m *Metrics) MessageStored(sender string) {
	if m != nil {
		m.set.GetOrCreateCounter(series("sodam_messages_stored_total", "sender", sender)).Inc()
	}
}

// Committed records the time from a request's arrival to its commit.
func (m *Metrics) Committed(since time.Time) {
	if m != nil {
		m.commit.UpdateDuration(since)
	}
}

// Delivered records the time from an event's time (its created_at, set
// when the batch that commits it begins, so the batch's own time counts
// too) to its socket write.
func (m *Metrics) Delivered(committed time.Time) {
	if m != nil {
		m.delivery.UpdateDuration(committed)
	}
}

// JobRan records how late a durable timer ran.
func (m *Metrics) JobRan(due, now time.Time) {
	if m != nil {
		m.jobLag.Update(max(0, now.Sub(due).Seconds()))
	}
}

// StoreError counts an error that was not a domain error.
func (m *Metrics) StoreError(component string) {
	if m != nil {
		m.set.GetOrCreateCounter(series("sodam_store_errors_total", "component", component)).Inc()
	}
}

// HTTPRequest counts a request by route pattern and status.
func (m *Metrics) HTTPRequest(route string, status int) {
	if m != nil {
		m.set.GetOrCreateCounter(series("sodam_http_requests_total", "route", route, "status", strconv.Itoa(status/100)+"xx")).Inc()
	}
}

// series names one series: name{label="value",…}, the values escaped as
// the text format wants.
func series(name string, labelValues ...string) string {
	var b strings.Builder
	b.WriteString(name)
	for i := 0; i+1 < len(labelValues); i += 2 {
		if i == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(labelValues[i])
		b.WriteString(`="`)
		b.WriteString(labelEscaper.Replace(labelValues[i+1]))
		b.WriteByte('"')
	}
	if len(labelValues) > 1 {
		b.WriteByte('}')
	}
	return b.String()
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// scraped is a family of series whose values are read at scrape time:
// gauges, or counters kept outside the set.
type scraped struct {
	name, help string
	typ        string // gauge or counter
	labels     []string
	collect    func(ctx context.Context, set func(v float64, labelValues ...string)) error
}

// write reads the family's values and writes them; a failed read writes
// none, and is logged, so a scrape shows the series missing rather than
// stale.
func (g scraped) write(ctx context.Context, w io.Writer, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	var lines []string
	err := g.collect(ctx, func(v float64, lv ...string) {
		pairs := make([]string, 0, 2*len(lv))
		for i, l := range g.labels {
			if i < len(lv) {
				pairs = append(pairs, l, lv[i])
			}
		}
		lines = append(lines, series(g.name, pairs...)+" "+strconv.FormatFloat(v, 'g', -1, 64))
	})
	if err != nil {
		log.Warn("metrics: reading a series failed", slog.String("series", g.name), slog.Any("err", err))
		return
	}
	fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", g.name, g.help, g.name, g.typ)
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
}

type startKey struct{}

// WithStart marks ctx with when its request arrived, so whoever commits on
// its behalf can time request to commit.
func WithStart(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, startKey{}, t)
}

// Started is when ctx's request arrived, if WithStart marked it.
func Started(ctx context.Context) (time.Time, bool) {
	t, ok := ctx.Value(startKey{}).(time.Time)
	return t, ok
}
