package outbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Signing follows the Standard Webhooks specification
// (https://www.standardwebhooks.com), so receivers can use its libraries:
// webhook-id, webhook-timestamp (Unix seconds) and webhook-signature,
// "v1," and the base64 HMAC-SHA256 of "id.timestamp.body" under the
// secret's bytes. A secret is "whsec_" and the base64 of those bytes.

// secretPrefix starts every signing secret, as the specification's
// libraries expect.
const secretPrefix = "whsec_"

// NewSecret returns a fresh signing secret: 32 random bytes.
func NewSecret() string {
	b := make([]byte, 32)
	rand.Read(b) //nolint:errcheck // crypto/rand.Read never fails
	return secretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ParseSecret checks a secret given by a master: whsec_ and the base64 of
// 24 to 64 bytes.
func ParseSecret(s string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, secretPrefix))
	if !strings.HasPrefix(s, secretPrefix) || err != nil || len(key) < 24 || len(key) > 64 {
		return nil, chat.Errorf(chat.ErrInvalid, "the secret must be whsec_ followed by the base64 of 24 to 64 random bytes")
	}
	return key, nil
}

// Sign returns the webhook-signature header's value for body.
func Sign(key []byte, id string, ts time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// SetHeaders signs a request's body with the Standard Webhooks headers.
func SetHeaders(h http.Header, key []byte, id string, ts time.Time, body []byte) {
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", strconv.FormatInt(ts.Unix(), 10))
	h.Set("webhook-signature", Sign(key, id, ts, body))
}

// Sealer keeps signing secrets encrypted at rest: AES-256-GCM under a key
// derived from the operator's SODAM_SECRET_KEY (or, without one, the
// installation's shared secret, which is then only as safe as the
// database; operations.md says so).
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer derives the sealing key from key material.
func NewSealer(material string) *Sealer {
	k := sha256.Sum256([]byte("sodam endpoint secrets\x00" + material))
	block, _ := aes.NewCipher(k[:]) // a 32-byte key never fails
	aead, _ := cipher.NewGCM(block)
	return &Sealer{aead: aead}
}

// Seal encrypts a secret for storage.
func (s *Sealer) Seal(secret string) string {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce) //nolint:errcheck // crypto/rand.Read never fails
	return "v1:" + base64.StdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(secret), nil))
}

// Open decrypts a sealed secret.
func (s *Sealer) Open(sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if err != nil || !strings.HasPrefix(sealed, "v1:") || len(raw) < s.aead.NonceSize() {
		return "", errors.New("a sealed secret is malformed")
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("a sealed secret does not open with this key (was SODAM_SECRET_KEY changed?)")
	}
	return string(plain), nil
}
