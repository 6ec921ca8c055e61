package node

import (
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/pii"
)

// TestPIIKeyStartup: the key is generated once, beside a new database;
// after that a missing or another key refuses to start, and the key given
// by environment works as well as the file.
func TestPIIKeyStartup(t *testing.T) {
	dir := t.TempDir()
	run := func(env map[string]string) error {
		m := New(io.Discard)
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}, func(k string) string { return env[k] }); err != nil {
			return err
		}
		err := m.Run(context.Background())
		m.Close()
		return err
	}
	if err := run(nil); err != nil {
		t.Fatal(err)
	}
	path := dir + "/pii.key"
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("pii.key: %v %v", info, err)
	}
	text, err := os.ReadFile(path)
	must(t, err)
	if err := run(nil); err != nil {
		t.Fatalf("restart with the same key: %v", err)
	}

	must(t, os.Remove(path))
	if err := run(nil); err == nil || !strings.Contains(err.Error(), "no PII key") {
		t.Fatalf("a missing key: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("a new key was generated for a database that has one")
	}
	must(t, os.WriteFile(path, []byte(pii.EncodeKey(pii.GenerateKey())), 0o600))
	if err := run(nil); err == nil || !strings.Contains(err.Error(), "not the key this database") {
		t.Fatalf("another key: %v", err)
	}
	must(t, os.Remove(path))
	if err := run(map[string]string{"SODAM_PII_KEY": strings.TrimSpace(string(text))}); err != nil {
		t.Fatalf("the key from the environment: %v", err)
	}
	keyFile := t.TempDir() + "/key"
	must(t, os.WriteFile(keyFile, text, 0o600))
	if err := run(map[string]string{"SODAM_PII_KEY_FILE": keyFile}); err != nil {
		t.Fatalf("the key from a file: %v", err)
	}
	if err := run(map[string]string{"SODAM_PII_KEY": "c2hvcnQ="}); err == nil || !strings.Contains(err.Error(), "SODAM_PII_KEY") {
		t.Fatalf("a malformed key: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
