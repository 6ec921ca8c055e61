package httpapi_test

import (
	"net/netip"
	"testing"

	"github.com/sodam-chat/sodam/internal/httpapi"
)

// TestTrustedProxies: behind a reverse proxy every client comes from the
// proxy's address, so the per-address budgets would be shared by all of
// them. With the proxy trusted, each client named by its X-Forwarded-For
// has a budget of its own; a client cannot choose another's by sending
// the header itself, and without trusted proxies the header is ignored.
func TestTrustedProxies(t *testing.T) {
	// The budget of account links: 30, then one each 2 s (limits.go).
	const burst = 30
	lookup := func(c *client, forwarded string) int {
		status, _ := c.do("POST", "/api/v1/invitations/lookup", `{"token":"no-such-invitation-token-0000000000"}`, "X-Forwarded-For", forwarded)
		return status
	}
	exhaust := func(t *testing.T, c *client, forwarded string) {
		for i := range burst {
			if status := lookup(c, forwarded); status == 429 {
				t.Fatalf("refused after %d look-ups", i)
			}
		}
		if status := lookup(c, forwarded); status != 429 {
			t.Fatalf("the %dth look-up from %s: %d, want 429", burst+1, forwarded, status)
		}
	}

	t.Run("trusted", func(t *testing.T) {
		e := newEnvWith(t, func(c *httpapi.Config) {
			withLimits(c)
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		c := e.anonymous()
		exhaust(t, c, "203.0.113.7")
		if status := lookup(c, "198.51.100.20"); status == 429 {
			t.Fatal("another client behind the proxy shares the first one's budget")
		}
		// The client's own claim, left of what the proxy appended, is not
		// believed: this is still 203.0.113.7.
		if status := lookup(c, "198.51.100.21, 203.0.113.7"); status != 429 {
			t.Fatalf("a client chose another's budget with its own X-Forwarded-For: %d", status)
		}
		// Through a second trusted proxy (127.0.0.1 appended last), the
		// client is the entry before it.
		if status := lookup(c, "203.0.113.7, 127.0.0.1"); status != 429 {
			t.Fatalf("through two proxies: %d, want 429 for 203.0.113.7", status)
		}
	})
	t.Run("not trusted", func(t *testing.T) {
		e := newEnvWith(t, withLimits)
		c := e.anonymous()
		exhaust(t, c, "203.0.113.7")
		if status := lookup(c, "198.51.100.20"); status != 429 {
			t.Fatalf("an X-Forwarded-For nobody vouches for was believed: %d", status)
		}
	})
}
