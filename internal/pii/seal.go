package pii

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// KeySize is the server key's length in bytes.
const KeySize = 32

// Keyring seals originals under per-workspace keys derived from one server
// key: HKDF-SHA256 with the workspace's ID in the info, then AES-256-GCM
// with a random 96-bit nonce. Sealed bytes are nonce ‖ ciphertext ‖ tag.
type Keyring struct {
	master []byte
	id     string
	aeads  sync.Map // workspace ID → cipher.AEAD
}

// NewKeyring returns a keyring over a 32-byte server key.
func NewKeyring(master []byte) (*Keyring, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("the PII key must be %d bytes, not %d", KeySize, len(master))
	}
	id, err := hkdf.Key(sha256.New, master, nil, "sodam pii key id", 8)
	if err != nil {
		return nil, err
	}
	return &Keyring{master: append([]byte(nil), master...), id: hex.EncodeToString(id)}, nil
}

// KeyID names the key without revealing it: the database records it, so a
// node started with another key refuses to serve.
func (k *Keyring) KeyID() string { return k.id }

func (k *Keyring) aead(workspaceID int64) (cipher.AEAD, error) {
	if a, ok := k.aeads.Load(workspaceID); ok {
		return a.(cipher.AEAD), nil
	}
	key, err := hkdf.Key(sha256.New, k.master, nil, "sodam pii workspace "+strconv.FormatInt(workspaceID, 10), 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	k.aeads.Store(workspaceID, a)
	return a, nil
}

// bind is the additional data: a sealed original opens only for the
// workspace and conversation it was sealed for.
func bind(workspaceID, conversationID int64) []byte {
	return []byte("sodam-pii-v1/" + strconv.FormatInt(workspaceID, 10) + "/" + strconv.FormatInt(conversationID, 10))
}

// Seal encrypts an original.
func (k *Keyring) Seal(workspaceID, conversationID int64, original string) ([]byte, error) {
	a, err := k.aead(workspaceID)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize(), a.NonceSize()+len(original)+a.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return a.Seal(nonce, nonce, []byte(original), bind(workspaceID, conversationID)), nil
}

// ErrOpen says a sealed original did not open: another key, another
// workspace, or damaged bytes.
var ErrOpen = errors.New("the original does not open with this key")

// Open decrypts what Seal sealed.
func (k *Keyring) Open(workspaceID, conversationID int64, sealed []byte) (string, error) {
	a, err := k.aead(workspaceID)
	if err != nil {
		return "", err
	}
	if len(sealed) < a.NonceSize()+a.Overhead() {
		return "", ErrOpen
	}
	plain, err := a.Open(nil, sealed[:a.NonceSize()], sealed[a.NonceSize():], bind(workspaceID, conversationID))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// GenerateKey returns a new random server key.
func GenerateKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return k
}

// EncodeKey is the text form of a key, as key files hold it: base64.
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// ParseKey reads a key in base64 (standard or URL alphabet) or hex.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != KeySize {
				return nil, fmt.Errorf("the PII key must be %d bytes; this one is %d", KeySize, len(b))
			}
			return b, nil
		}
	}
	return nil, errors.New("the PII key must be 32 bytes in base64 or hex")
}
