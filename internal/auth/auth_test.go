package auth

import (
	"testing"
	"time"
)

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
