package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// Webhook modes of a steady run (--webhook): a webhook for every
// message.created, to a receiver in the bench that answers, or that is
// down (503) for the whole measured window and comes up after it. Compare
// a run's chat latency with and without it: deliveries piling up for a
// receiver that is down must not slow the chat down.
const (
	WebhookUp   = "up"
	WebhookDown = "down"
)

// WebhookReport is what became of the run's webhook deliveries.
type WebhookReport struct {
	Mode string `json:"mode"`
	// Deliveries is how many the servers wrote for the run's messages;
	// Arrived how many distinct webhook-ids the receiver accepted.
	Deliveries int `json:"deliveries"`
	Arrived    int `json:"arrived"`
	Lost       int `json:"lost"`
	// Repeats are arrivals of a webhook-id already accepted (at-least-once).
	Repeats int `json:"repeats"`
	// Refused is how many requests the receiver answered 503 while down.
	Refused int64 `json:"refused_while_down"`
	// DrainSeconds is from the end of the measured window (down: the
	// receiver coming back) until nothing was pending.
	DrainSeconds float64 `json:"drain_seconds"`
	// Latency is from each event's time (data.created_at, taken before
	// its commit) to its delivery's first arrival, with the receiver up;
	// a delivery that waited for a receiver down is left out.
	Latency Latency `json:"event_to_delivery"`
	// Rate is the arrivals per second while the receiver was up, from its
	// first arrival to its last: with a receiver that was down, the rate
	// at which the servers drained the backlog.
	Rate float64 `json:"deliveries_per_second"`
	// ServersCPU is the servers' processor time from the receiver coming
	// back until nothing was pending (down mode: the drain's cost), and
	// CPUPerDelivery that over the deliveries that arrived then.
	ServersCPU     float64 `json:"servers_cpu_s"`
	CPUPerDelivery float64 `json:"servers_cpu_us_per_delivery"`
}

// receiver is the bench's webhook receiver on loopback.
type receiver struct {
	url     string
	srv     *http.Server
	down    atomic.Bool
	refused atomic.Int64
	mu      sync.Mutex
	ids     map[string]int
	// since is when the receiver last came up; first and last bound the
	// arrivals after it, lat the arrivals' times from their events.
	since, first, last time.Time
	upCount            int
	lat                []time.Duration
}

// eventTime is the part of a delivery's body the receiver reads.
type eventTime struct {
	Data struct {
		CreatedAt time.Time `json:"created_at"`
	} `json:"data"`
}

func startReceiver() (*receiver, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	rc := &receiver{url: "http://" + ln.Addr().String() + "/hook", ids: map[string]int{}}
	rc.srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		now := time.Now()
		if rc.down.Load() {
			rc.refused.Add(1)
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		var ev eventTime
		_ = json.Unmarshal(body, &ev) // a body without the time counts, unmeasured
		rc.mu.Lock()
		id := r.Header.Get("webhook-id")
		rc.ids[id]++
		if rc.upCount == 0 {
			rc.first = now
		}
		rc.upCount++
		rc.last = now
		if rc.ids[id] == 1 && !ev.Data.CreatedAt.IsZero() && ev.Data.CreatedAt.After(rc.since) {
			rc.lat = append(rc.lat, now.Sub(ev.Data.CreatedAt))
		}
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})}
	go rc.srv.Serve(ln) //nolint:errcheck // ends with Close
	return rc, nil
}

// arrivals counts the requests accepted so far.
func (rc *receiver) arrivals() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.upCount
}

// setDown takes the receiver down or brings it up.
func (rc *receiver) setDown(down bool) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.down.Store(down)
	if !down {
		rc.since = time.Now()
	}
}

// report fills in what the receiver saw.
func (rc *receiver) report(rep *WebhookReport) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, n := range rc.ids {
		rep.Repeats += n - 1
	}
	rep.Arrived = len(rc.ids)
	rep.Latency = summarize(rc.lat)
	if d := rc.last.Sub(rc.first); d > 0 {
		rep.Rate = float64(rc.upCount-1) / d.Seconds()
	}
}

// startWebhook starts the receiver (down, in down mode) and adds a
// webhook on it for every message.created of the run's workspace.
func (r *run) startWebhook(ctx context.Context) error {
	rc, err := startReceiver()
	if err != nil {
		return err
	}
	r.s.cleanup = append(r.s.cleanup, func() { rc.srv.Close() })
	rc.setDown(r.o.Webhook == WebhookDown)
	key, err := r.s.store.InstallationSecret(ctx)
	if err != nil {
		return err
	}
	e := &outbox.Endpoint{WorkspaceID: r.s.ws.ID, Kind: outbox.KindWebhook, URL: rc.url, Events: []string{string(chat.EventMessageCreated)},
		SealedSecret: outbox.NewSealer(key).Seal(outbox.NewSecret()), QuietStart: -1, QuietEnd: -1}
	if err := r.s.store.CreateEndpoint(ctx, e, "", chat.Who{}); err != nil {
		return fmt.Errorf("add webhook: %w", err)
	}
	r.hook, r.hookID = rc, e.ID
	return nil
}

// finishWebhook brings the receiver up and waits until nothing is
// pending — bounded by the longest backoff step a receiver down this
// long can be waiting for, plus a minute — then counts.
func (r *run) finishWebhook(ctx context.Context) *WebhookReport {
	rc := r.hook
	if rc.down.Load() {
		rc.setDown(false)
	}
	up, cpu := time.Now(), r.s.serversCPU()
	arrivedBefore := rc.arrivals()
	wait := min(r.o.Duration, outbox.DefaultBackoff.Max)*5/4 + time.Minute
	for deadline := up.Add(wait); time.Now().Before(deadline) && ctx.Err() == nil; time.Sleep(100 * time.Millisecond) {
		if pending, err := r.s.store.PendingDeliveries(ctx); err == nil && pending[r.s.ws.ID] == 0 {
			break
		}
	}
	rep := &WebhookReport{Mode: r.o.Webhook, Refused: rc.refused.Load(), DrainSeconds: time.Since(up).Seconds(),
		ServersCPU: r.s.serversCPU() - cpu}
	rc.report(rep)
	if n := rc.arrivals() - arrivedBefore; n > 0 && r.o.Webhook == WebhookDown {
		rep.CPUPerDelivery = rep.ServersCPU / float64(n) * 1e6
	}
	// Every delivery the servers wrote for the webhook, whatever its status.
	for before := int64(0); ctx.Err() == nil; {
		page, err := r.s.store.Deliveries(ctx, r.s.ws.ID, r.hookID, outbox.DeliveryFilter{BeforeID: before, Limit: chat.MaxPage})
		if err != nil {
			r.errs.add("webhook deliveries: " + err.Error())
			break
		}
		rep.Deliveries += len(page)
		if len(page) < chat.MaxPage {
			break
		}
		before = page[len(page)-1].ID
	}
	rep.Lost = max(0, rep.Deliveries-rep.Arrived)
	return rep
}
