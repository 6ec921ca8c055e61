package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// DefaultMaxSendsInFlight bounds the message sends one node works on at
// once (Config.MaxSendsInFlight). Sends wait for the group commit
// together, so the queue in front of the database is this long at most: at
// the 2,000 messages/s a node is built for, 256 is about 130 ms of work.
const DefaultMaxSendsInFlight = 256

// AdmitWait is how long a send that finds the node at its bound waits for
// a place before it is refused. A stall of the machine (a collection, a
// slow fsync, another process on the cores) fills the bound for a moment
// and then drains; a send that waits it out lands some milliseconds late
// instead of a whole retry later. Only a bound that stays full for this
// long, i.e. sustained queueing, sheds sends: 503 with Retry-After, which
// the widget and the console retry with the same client_msg_id, instead of
// queueing until every sender's latency explodes.
const AdmitWait = 100 * time.Millisecond

// RetryAfterMS is the retry hint of a shed send, in the Retry-After-Ms
// header beside the whole-second Retry-After: by the time it has passed,
// a full bound has been worked off once at the rate a node is built for.
// Clients add jitter, so the refused do not all come back at once.
const RetryAfterMS = 150

// codeOverloaded refuses a send while the node has too many in flight.
const codeOverloaded = "overloaded"

// admission bounds a node's sends in flight, with a queue of at most as
// many again waiting up to AdmitWait for a place.
type admission struct {
	places  chan struct{} // one element per send in flight; nil: no bound
	waiting atomic.Int64
	wait    time.Duration
}

func newAdmission(max int, wait time.Duration) *admission {
	a := &admission{wait: wait}
	if max > 0 {
		a.places = make(chan struct{}, max)
	}
	return a
}

// admit takes a place for one send, waiting for one at most a.wait, or
// refuses with 503 "overloaded"; the caller calls the release it returns
// when the send is answered. Waiting sends take places in arrival order
// (a channel's blocked senders are served first in, first out).
func (a *admission) admit(ctx context.Context, w http.ResponseWriter) (release func(), err error) {
	if a.places == nil {
		return func() {}, nil
	}
	release = func() { <-a.places }
	select {
	case a.places <- struct{}{}:
		return release, nil
	default:
	}
	// The queue is bounded too: as many waiting as in flight at most.
	n := a.waiting.Add(1)
	defer a.waiting.Add(-1)
	if n <= int64(cap(a.places)) {
		t := time.NewTimer(a.wait)
		defer t.Stop()
		select {
		case a.places <- struct{}{}:
			return release, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	w.Header().Set("Retry-After", "1")
	w.Header().Set("Retry-After-Ms", strconv.Itoa(RetryAfterMS))
	return nil, chat.Errorf(codeOverloaded, "the server is busy; send the message again shortly (same client_msg_id)")
}
