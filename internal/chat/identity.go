package chat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
)

// SignSiteUID returns the hex HMAC-SHA256 of uid under the workspace's
// identity secret. A company's server computes the same value and passes it
// with site_uid, so nobody can claim another customer's ID (§1.3).
func SignSiteUID(secret, uid string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(uid))
	return hex.EncodeToString(m.Sum(nil))
}

var customerIDPattern = regexp.MustCompile(`^[A-Za-z0-9._@:+\-]{1,128}$`)

// VerifySiteUID checks a site_uid and its signature in constant time.
func VerifySiteUID(secret, uid, sig string) error {
	if !customerIDPattern.MatchString(uid) {
		return Errorf(ErrInvalid, "site_uid must be 1 to 128 letters, digits or . _ @ : + -")
	}
	if sig == "" {
		return Errorf(ErrBadSignature, "site_uid must be signed: pass site_uid_sig, the HMAC-SHA256 of site_uid under the workspace's identity secret")
	}
	// Hex in either case: servers' libraries differ.
	want := SignSiteUID(secret, uid)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sig))) {
		return Errorf(ErrBadSignature, "the site_uid signature does not match")
	}
	return nil
}
