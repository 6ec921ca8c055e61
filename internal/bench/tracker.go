package bench

import (
	"sync"
	"sync/atomic"
	"time"
)

// direction says which way a message travels.
type direction int

const (
	toAgent   direction = iota // a visitor's message, received by the agent
	toVisitor                  // an agent's message, received by the visitor
)

// tracked is one message the bench sent.
type tracked struct {
	dir      direction
	due      time.Time // when the schedule said to send it
	sent     time.Time // when its request went out
	acked    bool
	received int
}

// tracker follows every message from its send to its receipt on the other
// side: latency samples per direction, and the exactly-once check.
type tracker struct {
	receipts atomic.Int64 // first receipts, for the progress line

	mu      sync.Mutex
	msgs    map[string]*tracked
	samples [2][]time.Duration // receipt − due
	sent    [2][]time.Duration // receipt − sent
}

func newTracker() *tracker { return &tracker{msgs: map[string]*tracked{}} }

// sending registers a message before its request goes out, so that a
// receipt that beats the acknowledgement is still counted. due is when the
// schedule said to send it, at when it went out: a bench that falls behind
// sends late, and latency counted from at would hide the queueing.
func (t *tracker) sending(id string, dir direction, due, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.msgs[id] = &tracked{dir: dir, due: due, sent: at}
}

// acked records the server's acknowledgement: from now on the message must
// arrive exactly once.
func (t *tracker) acked(id string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if m := t.msgs[id]; m != nil {
		m.acked = true
	}
}

// received records a receipt of id on a socket of the receiving side; it
// ignores messages the bench did not send in this run and receipts on the
// sender's own side.
func (t *tracker) received(id string, dir direction, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m := t.msgs[id]
	if m == nil || m.dir != dir {
		return
	}
	m.received++
	if m.received == 1 {
		t.samples[dir] = append(t.samples[dir], at.Sub(m.due))
		t.sent[dir] = append(t.sent[dir], at.Sub(m.sent))
		t.receipts.Add(1)
	}
}

func (t *tracker) receivedCount() int64 { return t.receipts.Load() }

// delivery reports how many messages were acknowledged, delivered and
// received twice or more so far.
func (t *tracker) delivery() Delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	var d Delivery
	for _, m := range t.msgs {
		if !m.acked {
			continue
		}
		d.Acked++
		switch {
		case m.received == 0:
			d.Missing++
		default:
			d.Delivered++
			d.Duplicates += m.received - 1
		}
	}
	return d
}

// latencies returns a copy of one direction's samples, from the moment
// each message was due.
func (t *tracker) latencies(dir direction) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Duration(nil), t.samples[dir]...)
}

// latenciesFromSend returns a copy of one direction's samples, from the
// moment each request went out.
func (t *tracker) latenciesFromSend(dir direction) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Duration(nil), t.sent[dir]...)
}
