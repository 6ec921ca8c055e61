package httpapi_test

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestVerifiedPhone: a site that verified its member's mobile passes it
// signed with the member's site_uid, and agents see it as verified
// (§4.2); nobody can set it otherwise, and a refusal starts no session.
func TestVerifiedPhone(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			secret := e.shop.IdentitySecret
			uid := `"site_uid":"member-7","site_uid_sig":"` + chat.SignSiteUID(secret, "member-7") + `"`
			phone := func(number, sig string) string {
				return `{"site_id":"shop",` + uid + `,"verified_phone":"` + number + `","verified_phone_sig":"` + sig + `"}`
			}
			anon := e.anonymous()
			for _, tt := range []struct {
				name, body string
				status     int
				code       string
			}{
				{"no signature", phone("010-2233-4455", ""), 401, chat.ErrBadSignature},
				{"another number's signature", phone("010-2233-4455", chat.SignVerifiedPhone(secret, "member-7", "010-9999-0000")), 401, chat.ErrBadSignature},
				{"another member's signature", phone("010-2233-4455", chat.SignVerifiedPhone(secret, "member-8", "010-2233-4455")), 401, chat.ErrBadSignature},
				{"the site_uid's signature", phone("010-2233-4455", chat.SignSiteUID(secret, "member-7")), 401, chat.ErrBadSignature},
				{"not a phone", phone("call me", chat.SignVerifiedPhone(secret, "member-7", "call me")), 400, chat.ErrInvalid},
				{"no site_uid", `{"site_id":"shop","verified_phone":"010-2233-4455","verified_phone_sig":"` + chat.SignVerifiedPhone(secret, "", "010-2233-4455") + `"}`, 400, chat.ErrInvalid},
			} {
				status, data := anon.do("POST", "/api/v1/widget/sessions", tt.body)
				if code, _ := errorBodyOf(t, data); status != tt.status || code != tt.code {
					t.Errorf("%s: %d %s", tt.name, status, data)
				}
			}
			master := e.login("master")

			v := e.visitor("shop", ","+uid+`,"verified_phone":"010-2233-4455","verified_phone_sig":"`+chat.SignVerifiedPhone(secret, "member-7", "010-2233-4455")+`"`)
			c := v.start()
			if got := master.detailOf(c.ID).Customer; got.VerifiedPhone != "010-2233-4455" || got.Phone != "" {
				t.Fatalf("customer %+v", got.Profile)
			}
			// An agent cannot change it.
			status, data := master.do("PATCH", e.convPath(c.ID)+"/customer", `{"verified_phone":"010-0000-0000"}`)
			if code, _ := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid {
				t.Fatalf("an agent set the verified phone: %d %s", status, data)
			}
		})
	}
}
