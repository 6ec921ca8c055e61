package httpapi

import (
	"net/http"
	"sync/atomic"

	"github.com/sodam-chat/sodam/internal/chat"
)

// DefaultMaxSendsInFlight bounds the message sends one node works on at
// once (Config.MaxSendsInFlight). Sends wait for the group commit
// together, so the queue in front of the database is this long at most: at
// the 2,000 messages/s a node is built for, 256 is about 130 ms of work.
// Past it a send is refused at once with 503 and Retry-After, which the
// widget and the console retry with the same client_msg_id, instead of
// queueing until every sender's latency explodes and throughput falls.
const DefaultMaxSendsInFlight = 256

// codeOverloaded refuses a send while the node has too many in flight.
const codeOverloaded = "overloaded"

// admission counts a node's sends in flight.
type admission struct {
	max      int64 // ≤ 0: no bound
	inFlight atomic.Int64
}

// admit takes a place for one send, or refuses with 503 "overloaded"; the
// caller calls the release it returns when the send is answered.
func (a *admission) admit(w http.ResponseWriter) (release func(), err error) {
	if a.max <= 0 {
		return func() {}, nil
	}
	if a.inFlight.Add(1) > a.max {
		a.inFlight.Add(-1)
		w.Header().Set("Retry-After", "1")
		return nil, chat.Errorf(codeOverloaded, "the server is busy; send the message again in a second (same client_msg_id)")
	}
	return func() { a.inFlight.Add(-1) }, nil
}
