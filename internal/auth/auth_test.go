package auth

import (
	"runtime"
	"testing"
	"time"
)

// A hash's 19 MiB go back to the operating system when it ends (idKey):
// the runtime keeps less heap than the hash alone took.
func TestHashReturnsItsMemory(t *testing.T) {
	for _, check := range []bool{false, true} {
		if check {
			CheckPassword(HashPassword("바다 건너 등대까지"), "바다 건너 등대까지")
		} else {
			HashPassword("바다 건너 등대까지")
		}
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		if kept := m.HeapInuse + m.HeapIdle - m.HeapReleased; kept >= argonMemory<<10 {
			t.Errorf("check %v: the runtime keeps %d bytes of heap after a hash; the hash alone took %d", check, kept, argonMemory<<10)
		}
	}
}

func TestPassword(t *testing.T) {
	h := HashPassword("비밀번호 correct horse")
	if !CheckPassword(h, "비밀번호 correct horse") {
		t.Fatal("right password refused")
	}
	for _, bad := range []string{"", "비밀번호", "비밀번호 correct horsE"} {
		if CheckPassword(h, bad) {
			t.Fatalf("wrong password %q accepted", bad)
		}
	}
	if HashPassword("x") == HashPassword("x") {
		t.Fatal("hashes are not salted")
	}
	for _, h := range []string{"", "$argon2id$", "$bcrypt$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if CheckPassword(h, "x") {
			t.Fatalf("malformed hash %q accepted", h)
		}
	}
}

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || len(a) < 26 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if HashToken(a) == a || HashToken(a) != HashToken(a) || len(HashToken(a)) != 64 {
		t.Fatal("token hash")
	}
}

func TestLimiter(t *testing.T) {
	l := NewLimiter(time.Minute, 3)
	now := time.Now()
	for i := range 3 {
		if ok, _ := l.Take(now, "ip:1"); !ok {
			t.Fatalf("attempt %d refused", i)
		}
	}
	if ok, retry := l.Take(now, "ip:1"); ok || retry != time.Minute {
		t.Fatalf("4th attempt from one IP: %v, retry in %v", ok, retry)
	}
	if ok, _ := l.Take(now, "ip:2"); !ok {
		t.Fatal("another IP refused")
	}
	if ok, retry := l.Take(now.Add(30*time.Second), "ip:1"); ok || retry != 30*time.Second {
		t.Fatalf("half way: %v, retry in %v", ok, retry)
	}
	if ok, _ := l.Take(now.Add(time.Minute), "ip:1"); !ok {
		t.Fatal("no refill after the interval")
	}
}
