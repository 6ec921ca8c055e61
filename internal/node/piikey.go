package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// PIIKeyFile is where the server key is generated when none is given.
func (c Config) PIIKeyFile() string { return filepath.Join(c.DataDir, "pii.key") }

// piiKeyStore is what loading the key needs of the store.
type piiKeyStore interface {
	PIIKeyID(ctx context.Context) (string, error)
	UsePIIKey(ctx context.Context, keyID string) error
}

// LoadPIIKey returns the keyring over the server's PII key: SODAM_PII_KEY
// (or its _FILE), or else pii.key in the data directory. A key is generated
// there only for a database that has never recorded one; a database whose
// originals are sealed under another key, or whose key is missing, is a
// refusal to start — never ciphertext served as text, never originals
// sealed under a key the other nodes cannot open.
func LoadPIIKey(ctx context.Context, c Config, db piiKeyStore, generate bool) (*pii.Keyring, error) {
	key, source, err := readPIIKey(ctx, c, db, generate)
	if err != nil {
		return nil, err
	}
	k, err := pii.NewKeyring(key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	if err := db.UsePIIKey(ctx, k.KeyID()); err != nil {
		if chat.ErrorCode(err) == chat.ErrPIIKeyMismatch {
			return nil, fmt.Errorf("refusing to start: the PII key from %s (ID %s) is not the key this database's masked originals are sealed under; "+
				"give the right key (%s or %s), or, if it is lost, the originals are lost with it", source, k.KeyID(), envName("pii-key"), c.PIIKeyFile())
		}
		return nil, err
	}
	return k, nil
}

func readPIIKey(ctx context.Context, c Config, db piiKeyStore, generate bool) ([]byte, string, error) {
	if c.PIIKey != "" {
		k, err := pii.ParseKey(c.PIIKey)
		return k, envName("pii-key"), err
	}
	path := c.PIIKeyFile()
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := pii.ParseKey(string(b))
		if err != nil {
			return nil, path, fmt.Errorf("refusing to start: %s: %w", path, err)
		}
		return k, path, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, path, err
	}
	recorded, err := db.PIIKeyID(ctx)
	if err != nil {
		return nil, path, err
	}
	if recorded != "" || !generate {
		return nil, path, fmt.Errorf("refusing to start: no PII key: %s is missing and %s is not set, but this database's masked originals are sealed under key ID %s; restore the key file or set the variable",
			path, envName("pii-key"), recorded)
	}
	k := pii.GenerateKey()
	if err := WriteKeyFile(path, k); err != nil {
		return nil, path, err
	}
	return k, path, nil
}

// WriteKeyFile writes a key readable by its owner only, completely or not
// at all.
func WriteKeyFile(path string, key []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(pii.EncodeKey(key) + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
