package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/pii"
)

// piiKeyStore is what rotating the PII key needs of the store.
type piiKeyStore interface {
	PIIKeyID(ctx context.Context) (string, error)
	UsePIIKey(ctx context.Context, keyID string) error
	RotatePIIKey(ctx context.Context, old, new chat.Sealer) (int, error)
}

func rotateFlags(c *adminCommand, fs *flag.FlagSet) {
	fs.StringVar(&c.NewKeyFile, "new-key-file", "", "read the new key from this file (32 bytes, base64 or hex) instead of generating one")
	fs.StringVar(&c.WriteKey, "write-key", "", "write the new key to this file (default: pii.key in the data directory, replacing the old; required when the key is given by SODAM_PII_KEY)")
}

// rotatePIIKey re-seals every masked original under a new key, in one
// transaction, and puts the new key where the nodes read it. Stop every
// node first: one still running keeps sealing under the old key, and
// refuses to start again with it.
func (a *admin) rotatePIIKey(ctx context.Context, c adminCommand) error {
	st, ok := a.store.(piiKeyStore)
	if !ok {
		return fmt.Errorf("this store cannot rotate keys")
	}
	if u := a.cfg.URL(); serving(ctx, u) {
		return fmt.Errorf("a Sodam server answers at %s: stop every node first (Ctrl-C, systemctl stop sodam) — one still running would seal new originals under the old key, which the new key file cannot open after it restarts", u)
	}
	old, err := node.LoadPIIKey(ctx, a.cfg, st, false)
	if err != nil {
		return err
	}
	target := c.WriteKey
	if target == "" {
		if a.cfg.PIIKey != "" {
			return usagef("the key comes from SODAM_PII_KEY: name the file for the new one with --write-key, then set the variable from it")
		}
		target = a.cfg.PIIKeyFile()
	}
	key := pii.GenerateKey()
	if c.NewKeyFile != "" {
		b, err := os.ReadFile(c.NewKeyFile)
		if err != nil {
			return err
		}
		if key, err = pii.ParseKey(string(b)); err != nil {
			return fmt.Errorf("--new-key-file: %w", err)
		}
	}
	next, err := pii.NewKeyring(key)
	if err != nil {
		return err
	}
	if next.KeyID() == old.KeyID() {
		return usagef("the new key is the current one")
	}
	// The new key is written beside its place first, so that a crash
	// between the database's commit and the rename leaves it on disk.
	pending := target + ".new"
	if err := node.WriteKeyFile(pending, key); err != nil {
		return err
	}
	n, err := st.RotatePIIKey(ctx, old, next)
	if err != nil {
		os.Remove(pending)
		return err
	}
	if err := os.Rename(pending, target); err != nil {
		return fmt.Errorf("the originals are sealed under the new key (ID %s), which is in %s; moving it to %s failed: %w", next.KeyID(), pending, target, err)
	}
	fmt.Fprintf(a.out, "Re-sealed %d masked originals under the new PII key (ID %s), written to %s.\n", n, next.KeyID(), target)
	if a.cfg.PIIKey != "" {
		fmt.Fprintf(a.out, "Set SODAM_PII_KEY (or SODAM_PII_KEY_FILE) on every node to the new key before starting them.\n")
	} else if _, err := os.Stat(a.cfg.PIIKeyFile()); errors.Is(err, fs.ErrNotExist) || target != a.cfg.PIIKeyFile() {
		fmt.Fprintf(a.out, "Give every node the new key (SODAM_PII_KEY_FILE=%s) before starting them.\n", target)
	}
	return nil
}

// serving reports whether a Sodam answers its health check at url: the
// server of the settings the command was given, most likely on this
// database. Nothing listening, or anything else, is not.
func serving(ctx context.Context, url string) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(url, "/")+"/healthz", nil)
	if err != nil {
		return false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 4096)).Decode(&body)
	return resp.StatusCode == http.StatusOK && body.Status == "ok"
}
