package auth

import (
	"sync"
	"time"
)

// Backoff slows down guessing per key (an account at one address): after
// a few failures the key waits before its next attempt, and each further
// failure doubles the wait, up to a ceiling. A success forgets the key. Keyed by
// account and address, it neither lets one address try many passwords
// quickly nor locks the account's owner out from another address, nor
// stops colleagues behind the same office address.
type Backoff struct {
	after     int
	base, max time.Duration

	mu   sync.Mutex
	keys map[string]*backoffEntry
}

type backoffEntry struct {
	fails int
	until time.Time
}

// NewBackoff makes a key wait base after its after-th failure, then 2·base,
// 4·base … up to max after each further one.
func NewBackoff(after int, base, max time.Duration) *Backoff {
	return &Backoff{after: after, base: base, max: max, keys: map[string]*backoffEntry{}}
}

// Wait is how long key must wait before its next attempt at now; 0: go.
func (b *Backoff) Wait(now time.Time, key string) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	if e := b.keys[key]; e != nil && now.Before(e.until) {
		return e.until.Sub(now)
	}
	return 0
}

// Fail records a failed attempt of key's at now.
func (b *Backoff) Fail(now time.Time, key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.keys) > 10000 {
		for k, e := range b.keys {
			if now.Sub(e.until) > b.max {
				delete(b.keys, k)
			}
		}
	}
	e := b.keys[key]
	if e == nil {
		e = &backoffEntry{}
		b.keys[key] = e
	}
	e.fails++
	if n := e.fails - b.after + 1; n > 0 {
		d := b.max
		if n < 32 && b.base<<(n-1) < b.max {
			d = b.base << (n - 1)
		}
		e.until = now.Add(d)
	}
}

// Succeed forgets key's failures.
func (b *Backoff) Succeed(key string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.keys, key)
}
