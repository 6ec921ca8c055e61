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

// validCustomerID: 1 to 128 of the letters, digits and marks below. The
// length is checked apart: {1,128} in the pattern would compile to 128
// copies of the class, 0.1 MB held from start-up (issue 17).
func validCustomerID(s string) bool {
	return len(s) <= 128 && customerIDChars.MatchString(s)
}

var customerIDChars = regexp.MustCompile(`^[A-Za-z0-9._@:+\-]+$`)

// errNoSecret refuses every signature when the workspace has no identity
// secret: the store gives "" for one it cannot open (sealed under another
// SODAM_SECRET_KEY), and anybody could sign under an empty key.
func errNoSecret() error {
	return Errorf(ErrBadSignature, "the workspace's identity secret cannot be read on the server (was SODAM_SECRET_KEY changed?): signed logins fail until a master rotates it")
}

// messengerIdentifier matches the external IDs of messenger accounts,
// <channel kind><channel ID>-<user> (the store's ChannelCustomer).
var messengerIdentifier = func() *regexp.Regexp {
	var kinds []string
	for _, c := range Channels {
		if c != ChannelWeb {
			kinds = append(kinds, regexp.QuoteMeta(string(c)))
		}
	}
	return regexp.MustCompile(`^(` + strings.Join(kinds, "|") + `)[0-9]+-`)
}()

// VerifySiteUID checks a site_uid and its signature in constant time. A
// site_uid may not have the form of a messenger account's identifier: a
// member named so (a username its owner chose, say) would be that
// account, or become it when the account first writes, and read its chats.
func VerifySiteUID(secret, uid, sig string) error {
	if !validCustomerID(uid) {
		return Errorf(ErrInvalid, "site_uid must be 1 to 128 letters, digits or . _ @ : + -")
	}
	if messengerIdentifier.MatchString(uid) {
		return Errorf(ErrInvalid, "site_uid %s has the form of a messenger account's identifier (such as kakao1-…), which a member's may not have", uid)
	}
	if sig == "" {
		return Errorf(ErrBadSignature, "site_uid must be signed: pass site_uid_sig, the HMAC-SHA256 of site_uid under the workspace's identity secret")
	}
	if secret == "" {
		return errNoSecret()
	}
	// Hex in either case: servers' libraries differ.
	want := SignSiteUID(secret, uid)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(sig))) {
		return Errorf(ErrBadSignature, "the site_uid signature does not match")
	}
	return nil
}

// SignVerifiedPhone returns the hex HMAC-SHA256, under the workspace's
// identity secret, of uid and phone joined by a newline (which no uid
// holds, so no site_uid's signature is also a phone's). A company's
// server that verified its member's mobile (by SMS, say) passes the number
// with it, and Sodam shows it as verified (§4.2): nobody else can set it.
func SignVerifiedPhone(secret, uid, phone string) string {
	return SignSiteUID(secret, uid+"\n"+phone)
}

// VerifyVerifiedPhone checks a verified phone for the signed uid.
func VerifyVerifiedPhone(secret, uid, phone, sig string) error {
	if !IsPhone(phone) {
		return Errorf(ErrInvalid, "verified_phone must be a phone number: 7 to 20 digits, with spaces and + - ( ) . between")
	}
	if sig == "" {
		return Errorf(ErrBadSignature, "verified_phone must be signed: pass verified_phone_sig, the HMAC-SHA256 of site_uid, a newline and the phone under the workspace's identity secret")
	}
	if secret == "" {
		return errNoSecret()
	}
	if !hmac.Equal([]byte(SignVerifiedPhone(secret, uid, phone)), []byte(strings.ToLower(sig))) {
		return Errorf(ErrBadSignature, "the verified_phone signature does not match")
	}
	return nil
}
