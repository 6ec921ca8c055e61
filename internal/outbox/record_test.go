package outbox

import (
	"context"
	"log/slog"
	"sync"
	"testing"
)

// finishSpy is a store whose writes of outcomes wait until released.
type finishSpy struct {
	Store
	mu      sync.Mutex
	calls   [][]Outcome
	entered chan struct{}
	release chan struct{}
}

func (s *finishSpy) FinishDeliveries(ctx context.Context, node string, outcomes []Outcome) error {
	s.entered <- struct{}{}
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, outcomes)
	return nil
}

// TestRecordCoalesces: outcomes that come in while a write is running go
// in one next write, not one write each: claims that come faster than
// writes must not leave outcomes unwritten for longer and longer.
func TestRecordCoalesces(t *testing.T) {
	s := &finishSpy{entered: make(chan struct{}, 10), release: make(chan struct{})}
	w := &Worker{Store: s, Log: slog.New(slog.DiscardHandler)}
	w.init()
	ctx := context.Background()
	out := func(id int64) []Outcome {
		return []Outcome{{Delivery: Delivery{ID: id}, Status: StatusDelivered}}
	}
	w.record(ctx, out(1)) // starts a write, which waits
	<-s.entered
	for i := int64(2); i <= 5; i++ {
		w.record(ctx, out(i))
	}
	close(s.release)
	w.flush()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.calls) != 2 || len(s.calls[0]) != 1 || len(s.calls[1]) != 4 {
		t.Fatalf("writes: %v", s.calls)
	}
	// And a write after all that starts again.
	w.record(ctx, out(6))
	s.mu.Unlock()
	w.flush()
	s.mu.Lock()
	if len(s.calls) != 3 || s.calls[2][0].Delivery.ID != 6 {
		t.Fatalf("writes: %v", s.calls)
	}
}
