package outbox

// Idle reports whether the worker is waiting for something to send.
func (w *Worker) Idle() bool { return w.idle.Load() }
