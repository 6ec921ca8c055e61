package outbox

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
)

// Publisher is app.Publisher: where committed events go.
type Publisher interface {
	Publish(ctx context.Context, events []chat.Event)
}

// Kicking wraps the node's publisher so that every commit wakes the
// node's worker: a delivery written with an event is sent at once rather
// than at the worker's next look (deliveries written on other nodes are
// sent by their workers).
func Kicking(p Publisher, w *Worker) Publisher { return kicking{p, w} }

type kicking struct {
	Publisher
	w *Worker
}

func (k kicking) Publish(ctx context.Context, events []chat.Event) {
	k.w.Kick()
	k.Publisher.Publish(ctx, events)
}

// WaitingJob is the handler of JobWaiting: it writes the waiting alerts
// that are due (once per target: the store ignores a second) and wakes
// the worker. It runs outside a transaction and is safe to run twice.
func (w *Worker) WaitingJob() jobs.Handler {
	return jobs.Handler{Run: func(ctx context.Context, j chat.Job) error {
		_, err := w.Store.EnqueueWaiting(ctx, j.WorkspaceID, j.RefID)
		w.Kick()
		return err
	}}
}
