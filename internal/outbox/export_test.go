package outbox

// Idle reports whether the worker is waiting for something to send.
func (w *Worker) Idle() bool { return w.idle.Load() }

// RewritesHeard is how many rewriting commits the worker heard of.
func (w *Worker) RewritesHeard() uint64 { return w.rewrites.Load() }
