// Package metrics holds one node's Prometheus metrics. The node creates one
// *Metrics and hands it to the packages that own what is measured (the
// HTTP layer, the hub, the job runner); a nil *Metrics measures nothing, so
// tests that do not care pass nil.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is every series a node exports.
type Metrics struct {
	reg          *prometheus.Registry
	connections  *prometheus.GaugeVec
	messages     *prometheus.CounterVec
	commit       prometheus.Histogram
	delivery     prometheus.Histogram
	jobLag       prometheus.Histogram
	storeErrors  *prometheus.CounterVec
	httpRequests *prometheus.CounterVec
}

// latencyBuckets run from 0.25 ms to 5 s: chat latencies that matter are a
// few milliseconds, and the tail is what the histogram is for.
var latencyBuckets = []float64{.00025, .0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5}

// New returns a registry with the Go runtime and process collectors and
// Sodam's own series.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "sodam_websocket_connections", Help: "Open WebSocket connections on this node, by kind (visitor, agent).",
		}, []string{"kind"}),
		messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sodam_messages_stored_total", Help: "Messages this node committed, by sender type (visitor, agent, system).",
		}, []string{"sender"}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sodam_request_commit_seconds", Help: "From a request's arrival to the commit of the change it made.",
			Buckets: latencyBuckets,
		}),
		delivery: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sodam_event_delivery_seconds", Help: "From an event's time (set when the batch that commits it begins) to its write to a live WebSocket on this node.",
			Buckets: latencyBuckets,
		}),
		jobLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "sodam_job_lag_seconds", Help: "How late durable timers ran: start of the run minus the due time.",
			Buckets: []float64{.1, .5, 1, 2, 5, 10, 30, 60, 300},
		}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sodam_store_errors_total", Help: "Errors that were not domain errors (the database failing, mostly), by component.",
		}, []string{"component"}),
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sodam_http_requests_total", Help: "HTTP requests by route pattern and status class (2xx, 4xx, …).",
		}, []string{"route", "status"}),
	}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.connections, m.messages, m.commit, m.delivery, m.jobLag, m.storeErrors, m.httpRequests)
	return m
}

// Gauge adds a series computed at each scrape, such as a queue length read
// from the database. collect should be quick; its error drops the series
// from that scrape.
func (m *Metrics) Gauge(name, help string, labels []string, collect func(ctx context.Context, set func(v float64, labelValues ...string)) error) {
	m.reg.MustRegister(&scrapeGauge{desc: prometheus.NewDesc(name, help, labels, nil), collect: collect})
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Connected counts a WebSocket of kind as open; call the result when it closes.
func (m *Metrics) Connected(kind string) (closed func()) {
	if m == nil {
		return func() {}
	}
	g := m.connections.WithLabelValues(kind)
	g.Inc()
	return g.Dec
}

// MessageStored counts a committed message by its sender type.
func (m *Metrics) MessageStored(sender string) {
	if m != nil {
		m.messages.WithLabelValues(sender).Inc()
	}
}

// Committed records the time from a request's arrival to its commit.
func (m *Metrics) Committed(since time.Time) {
	if m != nil {
		m.commit.Observe(time.Since(since).Seconds())
	}
}

// Delivered records the time from an event's time (its created_at, set
// when the batch that commits it begins, so the batch's own time counts
// too) to its socket write.
func (m *Metrics) Delivered(committed time.Time) {
	if m != nil {
		m.delivery.Observe(time.Since(committed).Seconds())
	}
}

// JobRan records how late a durable timer ran.
func (m *Metrics) JobRan(due, now time.Time) {
	if m != nil {
		m.jobLag.Observe(max(0, now.Sub(due).Seconds()))
	}
}

// StoreError counts an error that was not a domain error.
func (m *Metrics) StoreError(component string) {
	if m != nil {
		m.storeErrors.WithLabelValues(component).Inc()
	}
}

// HTTPRequest counts a request by route pattern and status.
func (m *Metrics) HTTPRequest(route string, status int) {
	if m != nil {
		m.httpRequests.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Inc()
	}
}

// scrapeGauge is a gauge family whose values are read at scrape time.
type scrapeGauge struct {
	desc    *prometheus.Desc
	collect func(ctx context.Context, set func(v float64, labelValues ...string)) error
}

func (g *scrapeGauge) Describe(ch chan<- *prometheus.Desc) { ch <- g.desc }

func (g *scrapeGauge) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := g.collect(ctx, func(v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(g.desc, prometheus.GaugeValue, v, lv...)
	})
	if err != nil {
		ch <- prometheus.NewInvalidMetric(g.desc, err)
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
