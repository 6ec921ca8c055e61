package chat

import (
	"strings"
	"testing"
)

func TestSiteUID(t *testing.T) {
	sig := SignSiteUID("secret", "user-42")
	if err := VerifySiteUID("secret", "user-42", sig); err != nil {
		t.Fatal(err)
	}
	if err := VerifySiteUID("secret", "user-42", strings.ToUpper(sig)); err != nil {
		t.Fatalf("an upper-case signature: %v", err)
	}
	for _, tt := range []struct {
		secret, uid, sig, code string
	}{
		{"secret", "user-42", "", ErrBadSignature},
		{"secret", "user-43", sig, ErrBadSignature},
		{"other", "user-42", sig, ErrBadSignature},
		{"secret", "user-42", sig[:10], ErrBadSignature},
		{"secret", "", sig, ErrInvalid},
		{"secret", "has space", SignSiteUID("secret", "has space"), ErrInvalid},
		{"secret", strings.Repeat("a", 129), SignSiteUID("secret", strings.Repeat("a", 129)), ErrInvalid},
		{"secret", strings.Repeat("a", 128), sig, ErrBadSignature}, // 128 is allowed: the signature is what fails
	} {
		if got := ErrorCode(VerifySiteUID(tt.secret, tt.uid, tt.sig)); got != tt.code {
			t.Errorf("VerifySiteUID(%q, %q) code %q, want %q", tt.secret, tt.uid, got, tt.code)
		}
	}
	// No secret (the store could not open it) signs nothing, not even a
	// signature under the empty key, and says why.
	for name, err := range map[string]error{
		"site_uid":       VerifySiteUID("", "user-42", SignSiteUID("", "user-42")),
		"verified_phone": VerifyVerifiedPhone("", "user-42", "010-1234-5678", SignVerifiedPhone("", "user-42", "010-1234-5678")),
	} {
		if ErrorCode(err) != ErrBadSignature || !strings.Contains(err.Error(), "SODAM_SECRET_KEY") {
			t.Errorf("%s under no secret: %v", name, err)
		}
	}
	if Identifier("shop", "user-42") != "shop_user-42" {
		t.Fatal("identifier")
	}
}
