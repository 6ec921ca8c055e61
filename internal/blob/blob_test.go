package blob

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

var ctx = context.Background()

func TestDisk(t *testing.T) {
	d, err := NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	n, err := d.Put(ctx, "7/abc", strings.NewReader("안녕하세요"))
	if err != nil || n != int64(len("안녕하세요")) {
		t.Fatalf("Put = %d, %v", n, err)
	}
	f, err := d.Open(ctx, "7/abc")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "안녕하세요" {
		t.Fatalf("read back %q", b)
	}
	if _, err := d.Put(ctx, "7/abc", strings.NewReader("other")); err == nil {
		t.Fatal("Put replaced an existing blob")
	}

	// A reader that fails half-way leaves nothing behind.
	boom := errors.New("too large")
	_, err = d.Put(ctx, "7/half", io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) {
		t.Fatalf("Put with a failing reader = %v", err)
	}
	if _, err := d.Open(ctx, "7/half"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the failed blob can be opened: %v", err)
	}
	keys, err := d.Keys()
	if err != nil || len(keys) != 1 || keys[0] != "7/abc" {
		t.Fatalf("Keys = %v, %v", keys, err)
	}
	if tmp, err := d.Temporary(); err != nil || len(tmp) != 0 {
		t.Fatalf("temporary files left: %v, %v", tmp, err)
	}

	if err := d.Delete(ctx, "7/abc"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(ctx, "7/abc"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	if _, err := d.Open(ctx, "7/abc"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Open after Delete = %v", err)
	}
}

func TestDiskRefusesKeysOutsideItsDirectory(t *testing.T) {
	d, err := NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"", "../x", "a/../../x", "/etc/passwd", ".tmp/x", "A/b", "a//b", `a\b`, "a/", strings.Repeat("a", 201)} {
		if _, err := d.Put(ctx, key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) was accepted", key)
		}
		if _, err := d.Open(ctx, key); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Open(%q) = %v, want an invalid key error", key, err)
		}
	}
}
