// Package authtest gives tests password hashes that are quick to check.
//
// A hash carries its own argon2id parameters and auth.CheckPassword checks
// it with them, so an agent a test stores with one of these signs in
// through the real login path without paying the production cost (19 MiB,
// two passes: 0.1–0.2 s a sign-in under the race detector, several minutes
// over the HTTP and browser suites) each time. Passwords set through the
// API are still hashed at the production cost. Only tests import this
// package; the sodam binary never links it.
package authtest

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// The cheapest parameters argon2id allows with one lane: 8 KiB, one pass.
const (
	cheapTime   = 1
	cheapMemory = 8
)

// Hash returns a PHC-format argon2id hash of password, as
// auth.HashPassword does, at the cheapest parameters.
func Hash(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, cheapTime, cheapMemory, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s", argon2.Version, cheapMemory, cheapTime, enc.EncodeToString(salt), enc.EncodeToString(key))
}
