package auth

import (
	"context"
	"runtime"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Hasher runs argon2id hashes a few at a time. Each takes 19 MiB, so 60
// logins at once would need over a gigabyte; with a Hasher memory stays
// bounded however many arrive: the rest wait a moment for a slot, and are
// refused (ErrTooManyRequests) when none frees in time.
type Hasher struct {
	slots chan struct{}
	wait  time.Duration
}

// NewHasher allows n hashes at once (0: one per CPU, at least two), each
// waiting at most wait for its turn.
func NewHasher(n int, wait time.Duration) *Hasher {
	if n <= 0 {
		n = max(2, runtime.GOMAXPROCS(0))
	}
	return &Hasher{slots: make(chan struct{}, n), wait: wait}
}

func (h *Hasher) acquire(ctx context.Context) (release func(), err error) {
	t := time.NewTimer(h.wait)
	defer t.Stop()
	select {
	case h.slots <- struct{}{}:
		return func() { <-h.slots }, nil
	case <-t.C:
		return nil, chat.Errorf(chat.ErrTooManyRequests, "the server is busy checking passwords; try again in a few seconds")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Hash is HashPassword within the bound.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return HashPassword(password), nil
}

// Check is CheckPassword within the bound.
func (h *Hasher) Check(ctx context.Context, hash, password string) (bool, error) {
	release, err := h.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return CheckPassword(hash, password), nil
}
