package auth

import (
	"context"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestCheckNewPassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"short1!", false},
		{"password1234", false},
		{"qwertyuiop1", false},
		{"kimminji2024", false}, // the name part of the email
		{"kimminji@example.com!", false},
		{"1234567890", false},
		{"correct horse battery", true},
		{"차 한잔 하실래요 2024", true},
		{"e2e-password-1", true},
	}
	for _, tt := range tests {
		t.Run(tt.password, func(t *testing.T) {
			err := CheckNewPassword(tt.password, "kimminji@example.com", "김민지")
			if (err == nil) != tt.ok {
				t.Fatalf("CheckNewPassword = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && chat.ErrorCode(err) != chat.ErrWeakPassword {
				t.Fatalf("code %q", chat.ErrorCode(err))
			}
		})
	}
}

// zxcvbn's dictionaries are built by the first check, not when the program
// starts (third_party/zxcvbn/SODAM.md): a node that never checks a password
// never holds their 5 MB. The check runs in a child process, which has
// checked nothing before.
func TestStrengthDictionariesBuiltOnFirstCheck(t *testing.T) {
	if os.Getenv("SODAM_TEST_FIRST_CHECK") == "1" {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		CheckNewPassword("바다 건너 등대까지 걸어간 고양이", "kimminji@example.com", "김민지") //nolint:errcheck // only its memory counts
		runtime.GC()
		runtime.ReadMemStats(&after)
		os.Stdout.WriteString("heap-growth " + strconv.FormatInt(int64(after.HeapAlloc)-int64(before.HeapAlloc), 10) + "\n")
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStrengthDictionariesBuiltOnFirstCheck$")
	cmd.Env = append(os.Environ(), "SODAM_TEST_FIRST_CHECK=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	_, rest, ok := strings.Cut(string(out), "heap-growth ")
	if !ok {
		t.Fatalf("no figure in %s", out)
	}
	grew, err := strconv.ParseInt(strings.Fields(rest)[0], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if grew < 3<<20 {
		t.Errorf("the first check grew the heap by %d bytes: the dictionaries (about 5 MB) were built before it", grew)
	}
}

// However many hashes are asked for at once, at most n run; the others
// wait for a slot or are refused.
func TestHasherBound(t *testing.T) {
	h := NewHasher(2, 50*time.Millisecond)
	var running, peak atomic.Int32
	var refused atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			release, err := h.acquire(context.Background())
			if err != nil {
				if chat.ErrorCode(err) != chat.ErrTooManyRequests {
					t.Error(err)
				}
				refused.Add(1)
				return
			}
			n := running.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(30 * time.Millisecond) // hold the slot like a hash would
			running.Add(-1)
			release()
		})
	}
	wg.Wait()
	if peak.Load() > 2 {
		t.Fatalf("%d hashes ran at once", peak.Load())
	}
	if refused.Load() == 0 {
		t.Fatal("nobody was refused although twelve wanted two slots")
	}
}

func TestBackoff(t *testing.T) {
	b := NewBackoff(3, time.Second, 8*time.Second)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for range 2 {
		b.Fail(now, "k")
		if b.Wait(now, "k") != 0 {
			t.Fatal("an early failure made someone wait")
		}
	}
	var waits []time.Duration
	for range 5 {
		b.Fail(now, "k")
		w := b.Wait(now, "k")
		waits = append(waits, w)
		now = now.Add(w)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
	if b.Wait(now, "other") != 0 {
		t.Fatal("another key waits")
	}
	b.Succeed("k")
	b.Fail(now, "k")
	if b.Wait(now, "k") != 0 {
		t.Fatal("a success did not forget the failures")
	}
}
