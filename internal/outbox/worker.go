package outbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// Reader is what the worker reads of the rest of Sodam to build alerts.
type Reader interface {
	Workspace(ctx context.Context, id int64) (*chat.Workspace, error)
	Conversation(ctx context.Context, workspaceID, id int64) (*chat.Conversation, error)
	Agent(ctx context.Context, id int64) (*chat.Agent, error)
}

// Mailer sends an email (notify.Mailer).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Worker sends due deliveries. Every node runs one; they share the work
// through the store's claims.
type Worker struct {
	Store  Store
	Reader Reader
	Sealer *Sealer
	Client *http.Client
	// Mail sends email alerts; nil fails them at once (errNoSMTP).
	Mail Mailer
	// BaseURL is the console's origin, for the links alerts carry.
	BaseURL string
	Log     *slog.Logger
	// Node names this worker in claims; unique per process.
	Node string
	// Every is how often the worker looks for due deliveries when nobody
	// woke it; Lease how long a claim lasts (longer than RequestTimeout).
	Every, Lease time.Duration
	// Concurrency is how many requests are in flight at once.
	Concurrency int
	// Batch is how many deliveries one claim takes.
	Batch   int
	Backoff Backoff
	Now     func() time.Time
	// Announce, when set, tells the other nodes that a commit on this
	// node wrote deliveries (the cluster bus), so that their workers look
	// at once and share the work rather than waiting for their next tick.
	// Each calls Wake on hearing it. It must not block.
	Announce func()

	once   sync.Once
	kick   chan struct{}
	pruned time.Time // when this worker last pruned settled deliveries
	// finishing is closed when the running write of outcomes is done
	// and nothing is left to write (record); toRecord is what the next
	// write takes, every claim's outcomes since the last one began.
	recordMu  sync.Mutex
	finishing chan struct{}
	toRecord  []Outcome
	seen      uint64         // the store's OutboxWritten when last woken
	announced atomic.Uint64  // the store's OutboxWritten when last announced
	eps       *endpointCache // endpoints read lately (endpoints)
	// failing is when each receiver this worker found failing started
	// to fail, until it answers again: its probes back off from then.
	// Written by runDue between claims, read by their attempts.
	failing map[int64]time.Time
	woken   atomic.Bool // another node announced deliveries
	// idle: the worker is waiting for something to send (Run's wait), so
	// a commit on this node wakes it and it claims at once; the other
	// nodes are told only when it is not (Kick).
	idle atomic.Bool
	// helped is when this worker last asked the other nodes to help with
	// a backlog (helpWithBacklog).
	helped atomic.Int64
	// rewrites counts the commits heard of that rewrote stored events
	// (Rewritten).
	rewrites atomic.Uint64
}

// Rewritten tells the worker that a commit may have rewritten stored
// events: a mask or an unmask (§11), told as message.updated (a chat
// message) or ticket.updated (a ticket's message; other changes of a
// ticket are told so too, and cost a read per delivery only while a claim
// lasts), which Kicking and OverBus watch for. A claim's events are read
// once, when it is claimed, and its last deliveries may be sent many
// seconds later (a slow receiver, Concurrency at a time): those sent
// after a mask must not carry the copy read before it, so once the count
// moves the claim's deliveries read their events again
// (endpointCache.event).
func (w *Worker) Rewritten() { w.rewrites.Add(1) }

// rewrites reports whether any of events may have rewritten stored text.
func rewrites(events []chat.Event) bool {
	return slices.ContainsFunc(events, func(ev chat.Event) bool { return rewriteTypes[ev.Type] })
}

// rewriteTypes are the events a mask or an unmask is told as.
var rewriteTypes = map[chat.EventType]bool{chat.EventMessageUpdated: true, chat.EventTicketUpdated: true}

// errNoSMTP fails an email alert on a node with no SMTP server: at once,
// not retried for a day, since nothing will change until the operator
// configures one (docs/operations.md); a master may redeliver then.
var errNoSMTP = errors.New("not sent: no SMTP server is configured (SODAM_SMTP_HOST)")

// writtenHint is a store that counts the commits on this node that wrote
// deliveries (sqldb.DB): a commit that wrote none need not wake anyone.
type writtenHint interface{ OutboxWritten() uint64 }

func (w *Worker) init() {
	w.once.Do(func() {
		w.kick = make(chan struct{}, 1)
		if w.Concurrency <= 0 {
			w.Concurrency = 32
		}
		if w.Batch <= 0 {
			w.Batch = 256
		}
		if w.Backoff == (Backoff{}) {
			w.Backoff = DefaultBackoff
		}
		if w.Now == nil {
			w.Now = time.Now
		}
		if w.Every <= 0 {
			w.Every = time.Second
		}
		if w.Lease <= 0 {
			w.Lease = time.Minute
		}
	})
}

// Kick wakes the worker: something was committed on this node that may
// have written deliveries. When it did and this worker is busy (sending,
// or not running), the other nodes hear of it too (Announce), so that
// whichever is free sends them. An idle worker claims them itself at
// once: the fastest way from the commit to the receiver, and one claim
// per commit rather than one per node (the others' claims would find
// nothing, or split a handful of rows, and load the database that every
// commit waits on). It never blocks.
func (w *Worker) Kick() {
	w.init()
	if hint, ok := w.Store.(writtenHint); ok && w.Announce != nil {
		if n := hint.OutboxWritten(); w.announced.Swap(n) != n && !w.idle.Load() {
			w.Announce()
		}
	}
	w.poke()
}

// helpWithBacklog tells the other nodes that this worker is taking full
// batches from a receiver that answers — a backlog: they claim at once
// instead of at their next look. At most every 100 ms: each wakes
// anyway until its own claims come back short.
func (w *Worker) helpWithBacklog() {
	if w.Announce == nil {
		return
	}
	now := time.Now().UnixNano()
	last := w.helped.Load()
	if now-last < int64(100*time.Millisecond) || !w.helped.CompareAndSwap(last, now) {
		return
	}
	w.Announce()
}

// Wake has the worker look now, whatever this node committed: another
// node committed deliveries (Announce), or a write outside the batches
// did. It never blocks.
func (w *Worker) Wake() {
	w.init()
	w.woken.Store(true)
	w.poke()
}

func (w *Worker) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run works until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.init()
	tick := time.NewTicker(w.Every)
	defer tick.Stop()
	hint, _ := w.Store.(writtenHint)
	defer w.flush()
	for {
		w.runDue(ctx)
		w.prune(ctx)
		if !w.wait(ctx, tick.C, hint) {
			return
		}
	}
}

// wait returns when there may be something to send: the next tick, or a
// commit on this node that wrote deliveries (most commits write none:
// those wake nobody). It returns false when ctx ends.
func (w *Worker) wait(ctx context.Context, tick <-chan time.Time, hint writtenHint) bool {
	w.idle.Store(true)
	defer w.idle.Store(false)
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tick:
			return true
		case <-w.kick:
			if hint == nil || w.woken.Swap(false) {
				return true
			}
			if n := hint.OutboxWritten(); n != w.seen {
				w.seen = n
				return true
			}
		}
	}
}

// prune deletes settled deliveries older than Retention, once an hour.
func (w *Worker) prune(ctx context.Context) {
	now := w.Now()
	if now.Sub(w.pruned) < time.Hour {
		return
	}
	w.pruned = now
	for ctx.Err() == nil {
		n, err := w.Store.PruneDeliveries(ctx, now.Add(-Retention), 1000)
		if err != nil {
			w.Log.Warn("prune deliveries", slog.Any("err", err))
			return
		}
		if n < 1000 {
			return
		}
	}
}

// RunDue claims and sends the deliveries due now, and reports how many
// attempts it made; their outcomes are recorded when it returns.
func (w *Worker) RunDue(ctx context.Context) int {
	n := w.runDue(ctx)
	w.flush()
	return n
}

// runDue is RunDue leaving the last outcomes to be recorded in the
// background: the next claim need not wait for that write (on SQLite, a
// turn of the one writer and a sync), which is what an event arriving
// meanwhile would otherwise wait for. One write of outcomes is in flight
// at a time; the deliveries it covers stay leased until it is done, so
// no claim takes them again.
func (w *Worker) runDue(ctx context.Context) int {
	w.init()
	n := 0
	for ctx.Err() == nil {
		// Counted before the claim reads its events: a mask heard of
		// later may have committed after that read.
		rewritten := w.rewrites.Load()
		claimed, err := w.Store.ClaimDeliveries(ctx, w.Node, w.Now(), w.Lease, w.Batch)
		if err != nil {
			if ctx.Err() == nil {
				w.Log.Warn("claim deliveries", slog.Any("err", err))
			}
			return n
		}
		if len(claimed) == 0 {
			return n
		}
		eps := w.endpoints()
		eps.prefetch(ctx, claimed, &w.rewrites, rewritten)
		outcomes := w.sendAll(ctx, eps, claimed)
		for i := range outcomes {
			outcomes[i].rewrites = rewritten
		}
		w.noteFailing(outcomes)
		w.record(ctx, outcomes)
		n += len(claimed)
		if len(claimed) < w.Batch {
			return n
		}
	}
	return n
}

// noteFailing keeps when each receiver started failing: from its first
// failed attempt until one succeeds.
func (w *Worker) noteFailing(outcomes []Outcome) {
	if w.failing == nil {
		w.failing = map[int64]time.Time{}
	}
	for _, o := range outcomes {
		if _, ok := w.failing[o.Delivery.EndpointID]; !ok && o.Retried() {
			w.failing[o.Delivery.EndpointID] = o.Completed
		}
	}
	for _, o := range outcomes {
		if o.Status == StatusDelivered {
			delete(w.failing, o.Delivery.EndpointID)
		}
	}
}

// endpointTTL is how long the worker keeps endpoints it read. A shared
// endpoint never changes (a new URL or secret is a new endpoint) and one
// deleted has its pending deliveries skipped; an agent's own alerts are
// changed in place (SetPersonalAlerts), and a change reaches deliveries
// sent at most this much later. It saves a read per claim, on the way
// from event to delivery.
const endpointTTL = 5 * time.Second

// endpoints is the endpoint cache for the next claim: the last one while
// it is younger than endpointTTL, less what failed to load.
func (w *Worker) endpoints() *endpointCache {
	now := time.Now()
	if w.eps == nil || now.Sub(w.eps.born) > endpointTTL {
		w.eps = &endpointCache{store: w.Store, m: map[int64]*cachedEndpoint{}, born: now}
		return w.eps
	}
	for id, e := range w.eps.m {
		if e.err != nil || e.keyErr != nil {
			delete(w.eps.m, id)
		}
	}
	return w.eps
}

// sendAll attempts a claim's deliveries, Concurrency at a time. Each
// receiver's oldest delivery goes first, alone: when it fails, the
// receiver is taken to be down and its other deliveries wait for the same
// time without being sent, so a receiver that is down gets one attempt
// per backoff step rather than one per delivery — what keeps a long
// outage from multiplying the work (and the writes) of every node.
func (w *Worker) sendAll(ctx context.Context, eps *endpointCache, claimed []Delivery) []Outcome {
	outcomes := make([]Outcome, len(claimed))
	byEndpoint := map[int64][]int{}
	var order []int64
	for i, d := range claimed {
		if _, ok := byEndpoint[d.EndpointID]; !ok {
			order = append(order, d.EndpointID)
		}
		byEndpoint[d.EndpointID] = append(byEndpoint[d.EndpointID], i)
	}
	sem := make(chan struct{}, w.Concurrency)
	var wg sync.WaitGroup
	run := func(i int) {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			outcomes[i] = w.attempt(ctx, eps, claimed[i])
		})
	}
	var groups sync.WaitGroup
	for _, id := range order {
		idx := byEndpoint[id]
		groups.Go(func() {
			sem <- struct{}{}
			probe := w.attempt(ctx, eps, claimed[idx[0]])
			<-sem
			outcomes[idx[0]] = probe
			if !probe.Retried() { // delivered, skipped, or failed for good
				if len(claimed) >= w.Batch && len(idx) > 1 && probe.Status == StatusDelivered {
					// A full claim, and its receiver answers: a backlog
					// (one that just came back, say). Every node helps.
					w.helpWithBacklog()
				}
				for _, i := range idx[1:] {
					run(i)
				}
				return
			}
			for _, i := range idx[1:] {
				outcomes[i] = w.notAttempted(claimed[i], probe)
			}
		})
	}
	groups.Wait()
	wg.Wait()
	return outcomes
}

// notAttempted is the outcome of a delivery held back because its
// receiver just failed: it stays as it was — the endpoint's next probe
// holds it back — or fails if it has waited GiveUp already.
func (w *Worker) notAttempted(d Delivery, probe Outcome) Outcome {
	out := Outcome{Delivery: d, NotAttempted: true, Completed: probe.Completed, Status: StatusPending}
	if probe.Completed.Sub(d.CreatedAt) >= w.Backoff.GiveUp {
		out.Status, out.Error = StatusFailed, "the receiver was failing: "+probe.Error
	}
	return out
}

// record has outcomes written in the background, without waiting. One
// write is in flight at a time, and it takes every claim's outcomes that
// came in while the one before ran: claims can come faster than writes
// (a claim on PostgreSQL is a short transaction of its own, a write of
// outcomes a turn of the node's batches), and a queue of one write per
// claim would fall behind without bound — minutes, longer than the lease,
// after which another node would send them again. It runs under a context
// of its own: attempts that were made must be written down even when the
// node is stopping.
func (w *Worker) record(ctx context.Context, outcomes []Outcome) {
	w.recordMu.Lock()
	defer w.recordMu.Unlock()
	w.toRecord = append(w.toRecord, outcomes...)
	if w.finishing != nil {
		select {
		case <-w.finishing:
		default:
			return // the running write takes them next
		}
	}
	done := make(chan struct{})
	w.finishing = done
	go func() {
		for {
			w.recordMu.Lock()
			batch := w.toRecord
			w.toRecord = nil
			if len(batch) == 0 {
				// Done under the lock: outcomes recorded from now on start
				// a write of their own.
				close(done)
				w.recordMu.Unlock()
				return
			}
			w.recordMu.Unlock()
			w.finish(ctx, batch)
		}
	}()
}

// finish writes one batch of outcomes and gives up on what has waited
// too long for receivers found failing.
func (w *Worker) finish(ctx context.Context, batch []Outcome) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	// A receiver's reply is kept to be shown (last_body), and a mask
	// empties those of the deliveries it rewrote (forgetReplies); a reply
	// to a request sent before a mask but recorded after it would keep
	// what the mask hid, should the receiver echo the request. Once a
	// rewrite was heard since their claim, replies are not kept.
	now := w.rewrites.Load()
	for i := range batch {
		if batch[i].rewrites != now {
			batch[i].Body = ""
		}
	}
	if err := w.Store.FinishDeliveries(fctx, w.Node, batch); err != nil {
		// The deliveries stay leased, and are sent again when the lease
		// ends: at least once.
		w.Log.Warn("record deliveries", slog.Any("err", err))
		return
	}
	w.expire(fctx, batch)
}

// expire gives up on the deliveries of receivers that just failed a
// probe which have waited GiveUp: while a receiver is down its backlog is
// never claimed, so they would not fail on their own. Each is written
// once, a thousand to a transaction; most probes find none.
func (w *Worker) expire(ctx context.Context, outcomes []Outcome) {
	failing := map[int64]string{}
	for _, o := range outcomes {
		if o.Retried() {
			failing[o.Delivery.EndpointID] = o.Error
		}
	}
	for _, o := range outcomes {
		if o.Status == StatusDelivered {
			delete(failing, o.Delivery.EndpointID)
		}
	}
	now := w.Now()
	for id, reason := range failing {
		for {
			n, err := w.Store.ExpireDeliveries(ctx, id, now.Add(-w.Backoff.GiveUp), now, "the receiver was failing: "+reason, 1000)
			if err != nil {
				w.Log.Warn("expire deliveries", slog.Any("err", err))
				return
			}
			if n < 1000 {
				break
			}
		}
	}
}

// flush waits until every outcome is recorded.
func (w *Worker) flush() {
	w.recordMu.Lock()
	done := w.finishing
	w.recordMu.Unlock()
	if done != nil {
		<-done
	}
}

type cachedEndpoint struct {
	once sync.Once
	ep   *Endpoint
	err  error
	// key is the signing key, opened once per claim.
	keyOnce sync.Once
	key     []byte
	keyErr  error
}

// endpointCache loads each endpoint once per claim, and the claim's
// stored events in one read per workspace.
type endpointCache struct {
	store  Store
	mu     sync.Mutex
	m      map[int64]*cachedEndpoint
	events map[[2]int64][]byte // (workspace, seq) → stored event
	born   time.Time
	// rewrites is the worker's count of rewriting commits, and
	// rewritten what it was before the claim read its events: once it
	// moved, the claim's copies may hold text a mask has since hidden.
	rewrites  *atomic.Uint64
	rewritten uint64
}

func (c *endpointCache) prefetch(ctx context.Context, ds []Delivery, rewrites *atomic.Uint64, rewritten uint64) {
	c.rewrites, c.rewritten = rewrites, rewritten
	seqs := map[int64][]int64{}
	for _, d := range ds {
		if d.EventSeq > 0 && d.Payload == nil {
			seqs[d.WorkspaceID] = append(seqs[d.WorkspaceID], d.EventSeq)
		}
	}
	c.events = map[[2]int64][]byte{}
	for ws, list := range seqs {
		got, err := c.store.StoredEvents(ctx, ws, list)
		if err != nil {
			continue // each delivery reads its own then
		}
		for seq, b := range got {
			c.events[[2]int64{ws, seq}] = b
		}
	}
}

// event is a delivery's stored event, prefetched or read now: read now
// once a commit rewrote stored events since the claim read them.
func (c *endpointCache) event(ctx context.Context, d Delivery) ([]byte, error) {
	if c.rewrites != nil && c.rewrites.Load() != c.rewritten {
		return c.store.StoredEvent(ctx, d.WorkspaceID, d.EventSeq)
	}
	if d.Payload != nil {
		return d.Payload, nil
	}
	if b, ok := c.events[[2]int64{d.WorkspaceID, d.EventSeq}]; ok {
		return b, nil
	}
	return c.store.StoredEvent(ctx, d.WorkspaceID, d.EventSeq)
}

func (c *endpointCache) get(ctx context.Context, d Delivery) (*Endpoint, error) {
	c.mu.Lock()
	e, ok := c.m[d.EndpointID]
	if !ok {
		e = &cachedEndpoint{}
		c.m[d.EndpointID] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.ep, e.err = c.store.Endpoint(ctx, d.WorkspaceID, d.EndpointID) })
	return e.ep, e.err
}

// key is an endpoint's signing key, unsealed once per claim.
func (c *endpointCache) key(s *Sealer, ep *Endpoint) ([]byte, error) {
	c.mu.Lock()
	e := c.m[ep.ID]
	c.mu.Unlock()
	e.keyOnce.Do(func() {
		secret, err := s.Open(ep.SealedSecret)
		if err != nil {
			e.keyErr = err
			return
		}
		e.key, e.keyErr = ParseSecret(secret)
	})
	return e.key, e.keyErr
}

// attempt makes one attempt at d and says what came of it.
func (w *Worker) attempt(ctx context.Context, eps *endpointCache, d Delivery) Outcome {
	out := Outcome{Delivery: d}
	ep, err := eps.get(ctx, d)
	if chat.ErrorCode(err) == ErrEndpointNotFound {
		out.Status, out.Error = StatusSkipped, "the endpoint was deleted"
		out.Completed = w.Now()
		return out
	}
	if err == nil {
		err = w.send(ctx, eps, ep, d, &out)
	}
	now := w.Now()
	out.Completed = now
	switch {
	case err == nil && out.Status == "":
		out.Status = StatusDelivered
	case err == nil:
		// send decided (skipped)
	case errors.Is(err, errNoSMTP):
		out.Status, out.Error = StatusFailed, err.Error()
	default:
		out.Error = err.Error()
		since, ok := w.failing[d.EndpointID]
		if !ok {
			since = now
		}
		delay := w.Backoff.Delay(d.Attempts, now.Sub(since))
		// Jitter of ±20%: receivers that came back are not hit by every
		// node's retries in the same second.
		delay = time.Duration(float64(delay) * (0.8 + 0.4*rand.Float64()))
		// The next attempt's time, also when this delivery gives up: the
		// receiver's other deliveries wait for it (Outcome.Retried).
		out.Status, out.NextAt = StatusPending, now.Add(delay)
		if now.Sub(d.CreatedAt) >= w.Backoff.GiveUp {
			out.Status = StatusFailed
		}
	}
	return out
}

// send carries out one attempt. A nil error with out.Status set means
// the delivery is settled without sending (quiet hours).
func (w *Worker) send(ctx context.Context, eps *endpointCache, ep *Endpoint, d Delivery, out *Outcome) error {
	if ep.Unopened {
		return errors.New("the endpoint's address does not open with this key (was SODAM_SECRET_KEY changed?): make the endpoint again")
	}
	switch ep.Kind {
	case KindWebhook, KindChannel:
		stored, err := eps.event(ctx, d)
		if err != nil {
			return err
		}
		body, err := w.payload(ctx, ep, d, stored)
		if err != nil {
			return err
		}
		key, err := eps.key(w.Sealer, ep)
		if err != nil {
			return err
		}
		h := http.Header{}
		SetHeaders(h, key, d.WebhookID(), w.Now(), body)
		return w.post(ctx, ep.URL, h, body, out)
	default:
		if ep.AgentID != 0 && !ep.Wants(d.EventType) {
			// An agent's own alerts are changed in place: one they turned
			// off since the delivery was written (while it waited for its
			// turn or retried a mail server that was down) is not sent,
			// as quiet hours set since are kept.
			out.Status = StatusSkipped
			out.Error = "turned off"
			return nil
		}
		a, err := w.alert(ctx, ep, d)
		if err != nil {
			return err
		}
		if a == nil {
			out.Status = StatusSkipped
			out.Error = "quiet hours"
			return nil
		}
		switch ep.Kind {
		case KindSlack:
			body, _ := json.Marshal(map[string]string{"text": slackText(a.Title) + "\n" + slackText(a.Text) + "\n<" + a.Link + "|" + a.LinkLabel + ">"})
			return w.post(ctx, ep.URL, http.Header{}, body, out)
		case KindJandi:
			// The title is text and the link has a label of our own words:
			// a customer's name inside the link's label could close it early
			// (an unbalanced "]") and lose it.
			body, _ := json.Marshal(map[string]any{
				"body":         jandiText.Replace(a.Title) + "\n[" + a.LinkLabel + "](" + a.Link + ")",
				"connectColor": "#2E7D5B",
				"connectInfo":  []map[string]string{{"title": a.LinkLabel, "description": jandiText.Replace(a.Text) + "\n" + a.Link}},
			})
			h := http.Header{}
			h.Set("Accept", "application/vnd.tosslab.jandi-v2+json")
			return w.post(ctx, ep.URL, h, body, out)
		case KindEmail:
			if w.Mail == nil {
				return errNoSMTP
			}
			return w.Mail.Send(ctx, a.To, a.Title, a.Text+"\n\n"+a.LinkLabel+": "+a.Link+"\n")
		}
		return fmt.Errorf("unknown endpoint kind %q", ep.Kind)
	}
}

// slackText is what a Slack-style receiver gets of an alert's words, so
// that a customer's name or message is shown as written. Slack's own
// control sequences are escaped (slackEscape). Receivers that take
// Slack's body but render markdown and @-mentions themselves — Mattermost
// and Rocket.Chat, which integrations.md names — would still make a
// customer's [label](url) a link (and ![x](url) an image fetched from
// wherever the customer likes) and @channel, @all or @here a call to
// everyone: the link forms are broken as for Jandi (jandiText), and an @
// that could start a mention is followed by a word joiner (quietMentions).
// Both are invisible, and nothing Slack renders.
func slackText(s string) string {
	return quietMentions(jandiText.Replace(slackEscape.Replace(s)))
}

// slackEscape escapes what Slack reads as control sequences in a
// message's text (Slack's "escaping text": &, < and >): never a mention
// of the whole channel (<!channel>) or a link labelled as something else.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// quietMentions puts an invisible word joiner (U+2060) after every @ that
// could start a mention — one not preceded by a letter, a digit or . _ -,
// so an email address's @ is left alone — which no mention survives.
func quietMentions(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	var b strings.Builder
	prev := ' '
	for _, r := range s {
		b.WriteRune(r)
		if r == '@' && !unicode.IsLetter(prev) && !unicode.IsDigit(prev) && !strings.ContainsRune("._-", prev) {
			b.WriteRune('\u2060')
		}
		prev = r
	}
	return b.String()
}

// jandiText keeps what a customer writes from becoming a link in a Jandi
// message. Jandi renders [label](url) in a message (a subset of
// markdown) and documents no escape, so a backslash could show as written
// and still leave the link; instead an invisible word joiner (U+2060)
// follows every "]", which no link form survives — [label](url),
// [label][ref], a [ref]: url definition — while the words read as written.
var jandiText = strings.NewReplacer("]", "]\u2060")

// post sends body and reads a short excerpt of the answer; anything but
// 2xx is a failed attempt.
func (w *Worker) post(ctx context.Context, url string, h http.Header, body []byte, out *Outcome) error {
	ctx, cancel := context.WithTimeout(ctx, RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sodam-Webhooks/1")
	resp, err := w.Client.Do(req)
	if err != nil {
		return fmt.Errorf("%s", describe(err))
	}
	defer resp.Body.Close()
	out.Code = resp.StatusCode
	out.Body = Excerpt(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return nil
}

// Body is what a webhook or a channel's bridge receives: the Standard
// Webhooks payload shape around the versioned event (package event), as
// stored — masked text included.
type Body struct {
	Type      string          `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data,omitempty"`
	// Recipient is set for a channel: the messenger user to send to.
	Recipient *Recipient `json:"recipient,omitempty"`
}

// Recipient names the messenger account a channel delivery is for.
type Recipient struct {
	ChannelID      int64  `json:"channel_id"`
	Kind           string `json:"kind"`
	ExternalUserID string `json:"external_user_id"`
}

func (w *Worker) payload(ctx context.Context, ep *Endpoint, d Delivery, stored []byte) ([]byte, error) {
	b := Body{Type: d.EventType, Timestamp: d.CreatedAt}
	if ep.Kind == KindChannel {
		ev, err := event.Decode(stored)
		if err != nil {
			return nil, err
		}
		if ev.Conversation == nil {
			return nil, fmt.Errorf("event %d has no conversation", d.EventSeq)
		}
		u, err := w.Store.ChannelUserOf(ctx, d.WorkspaceID, ev.Conversation.CustomerID)
		if err != nil {
			return nil, err
		}
		b.Recipient = &Recipient{ChannelID: ep.ID, Kind: ep.ChannelKind, ExternalUserID: u.ExternalUserID}
		// The words the user reads, data.message.text (CustomerText), and
		// only what the visitor may see of the message's meta.
		if ev.Message != nil {
			ws := &chat.Workspace{}
			if w.Reader != nil {
				if ws, err = w.Reader.Workspace(ctx, d.WorkspaceID); err != nil {
					return nil, err
				}
			}
			if stored, err = forCustomer(stored, CustomerText(ws, u.Language, ev.Message), chat.VisitorMeta(ev.Message)); err != nil {
				return nil, err
			}
		}
	}
	// The stored event goes in as it is: json.Marshal would re-validate
	// and compact every payload, the worker's largest cost.
	head, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(head)+len(stored)+10)
	out = append(out, head[:len(head)-1]...)
	out = append(out, `,"data":`...)
	out = append(out, stored...)
	return append(out, '}'), nil
}
