// Package auth holds the credentials primitives: argon2id password hashes,
// random tokens stored only as hashes, and a login rate limiter.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/argon2"
	"golang.org/x/time/rate"
)

// argon2id parameters: OWASP's second recommended set (19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword returns a PHC-format argon2id hash of password.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := idKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// hashing counts the argon2id hashes running.
var hashing atomic.Int32

// idKey is argon2.IDKey, after which the hash's memory (m KiB; 19 MiB at
// argonMemory) goes back to the operating system once no other hash is
// running. Left to the Go runtime it stayed for minutes: an idle node held
// 50 MB of RSS after one sign-in, 30 MB before it (docs/benchmarks.md).
// The collection this forces costs a few milliseconds beside the hash's
// hundred; cheap test hashes (internal/auth/authtest) skip it.
func idKey(password, salt []byte, t, m uint32, p uint8, n uint32) []byte {
	hashing.Add(1)
	key := argon2.IDKey(password, salt, t, m, p, n)
	if hashing.Add(-1) == 0 && m >= 1024 {
		debug.FreeOSMemory()
	}
	return key
}

// CheckPassword reports whether password matches a hash from HashPassword.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err := errors.Join(err1, err2); err != nil || len(want) == 0 {
		return false
	}
	got := idKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// NewToken returns a random token (130 bits, base32).
func NewToken() string { return rand.Text() }

// HashToken is what the store keeps of a token: its SHA-256, in hex.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Limiter allows a burst of attempts per key, refilled at a steady rate.
type Limiter struct {
	every time.Duration
	burst int

	mu   sync.Mutex
	keys map[string]*entry
}

type entry struct {
	lim  *rate.Limiter
	seen time.Time
}

// NewLimiter allows burst attempts per key, then one per every.
func NewLimiter(every time.Duration, burst int) *Limiter {
	return &Limiter{every: every, burst: burst, keys: map[string]*entry{}}
}

// Budget returns the burst and the refill interval (docs/operations.md
// states each budget; a test compares them).
func (l *Limiter) Budget() (burst int, every time.Duration) { return l.burst, l.every }

// prune forgets keys idle long enough to have refilled completely.
func (l *Limiter) prune(now time.Time) {
	full := l.every * time.Duration(l.burst)
	for k, e := range l.keys {
		if now.Sub(e.seen) > full {
			delete(l.keys, k)
		}
	}
}

// Take spends one attempt of key's; when it has none, it says how long
// until the next one.
func (l *Limiter) Take(now time.Time, key string) (ok bool, retry time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.keys) > 10000 {
		l.prune(now)
	}
	e := l.keys[key]
	if e == nil {
		e = &entry{lim: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.keys[key] = e
	}
	e.seen = now
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}
