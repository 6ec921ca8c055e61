package authtest

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/auth"
)

func TestHashChecks(t *testing.T) {
	h := Hash("비밀번호 correct horse")
	if !auth.CheckPassword(h, "비밀번호 correct horse") {
		t.Fatalf("auth.CheckPassword refuses the right password against %s", h)
	}
	if auth.CheckPassword(h, "비밀번호 correct horse!") {
		t.Fatal("auth.CheckPassword accepts a wrong password")
	}
	if Hash("x") == Hash("x") {
		t.Fatal("two hashes of one password are equal: no salt")
	}
}
