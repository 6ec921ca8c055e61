package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestCustomerExtraBounded: a customer's extra parameters stay at most
// chat.MaxExtra, on both stores. Each widget session may pass 30, and a
// returning visitor's session (its token) merged them into the profile
// kept from before, so an anonymous visitor calling the public session
// route again and again with new names grew one profile without bound
// (every read of the customer and every customer.updated carried it).
// The latest session's parameters are kept, then earlier ones by name.
func TestCustomerExtraBounded(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { customerExtraBounded(t, newEnvOn(t, kind, nil)) })
	}
}

func customerExtraBounded(t *testing.T, e *env) {
	extra := func(round int) string {
		var kv []string
		for i := range chat.MaxExtra {
			kv = append(kv, fmt.Sprintf(`"cus_extra_r%d_%02d":"%s"`, round, i, strings.Repeat("가", 400)))
		}
		return `{` + strings.Join(kv, ",") + `}`
	}
	vis := e.visitor("shop", `,"extra":`+extra(1))
	for round := 2; round <= 4; round++ {
		vis.json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+vis.bearer+`","extra":`+extra(round)+`}`, 200, nil)
	}
	c := vis.start()
	manager := e.login("manager")
	cu := manager.detailOf(c.ID).Customer
	if len(cu.Extra) != chat.MaxExtra {
		t.Fatalf("the profile keeps %d extra parameters, want %d", len(cu.Extra), chat.MaxExtra)
	}
	for i := range chat.MaxExtra {
		if _, ok := cu.Extra[fmt.Sprintf("cus_extra_r4_%02d", i)]; !ok {
			t.Fatalf("the latest session's cus_extra_r4_%02d is missing: %v", i, cu.Extra)
		}
	}
}

// TestCustomerExtraNames (§1.3): an extra parameter's name is a label
// agents read, so one with a text-direction character (which reorders it
// on screen: "cus_extra_\u202eliame" shows as "cus_extra_email"), a
// control character, or nothing after cus_extra_ is refused with the
// name; so is a value with a text-direction character, which would
// disguise what agents read beside the label. On both stores.
func TestCustomerExtraNames(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			manager := e.login("manager")
			for _, name := range []string{`cus_extra_\u202eliame`, `cus_extra_a\u200fb`, `cus_extra_`} {
				status, data := e.anonymous().do("POST", "/api/v1/widget/sessions", `{"site_id":"shop","extra":{"`+name+`":"x"}}`)
				if code, msg := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid || !strings.Contains(msg, "extra parameter") {
					t.Errorf("extra named %s: %d %s", name, status, data)
				}
			}
			for _, value := range []string{`\u202emoc.elpmaxe`, `골드\u2067회원`, `VIP\u200f`} {
				status, data := e.anonymous().do("POST", "/api/v1/widget/sessions", `{"site_id":"shop","extra":{"cus_extra_site":"`+value+`"}}`)
				if code, msg := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid || !strings.Contains(msg, "cus_extra_site") {
					t.Errorf("extra valued %s: %d %s", value, status, data)
				}
			}
			// The names and values people use still work: Korean, digits, marks.
			c := e.visitor("shop", `,"extra":{"cus_extra_회원등급":"골드","cus_extra_order-no.2":"A-1","cus_extra_note":"عضو ذهبي — 골드"}`).start()
			if cu := manager.detailOf(c.ID).Customer; cu.Extra["cus_extra_회원등급"] != "골드" || cu.Extra["cus_extra_order-no.2"] != "A-1" || cu.Extra["cus_extra_note"] != "عضو ذهبي — 골드" {
				t.Fatalf("extra %v", cu.Extra)
			}
		})
	}
}
