package httpapi_test

import (
	"fmt"
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
	t.Parallel()
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

// TestIPv6NetworkBudget: an IPv6 client holds a whole /64 — 2^64
// addresses it may take one after another at will — so its budgets are
// its network's: another address in the same /64 finds the budget spent,
// and the login backoff of one account follows the network too, or each
// new address would start a fresh run of guesses. Another /64 has a budget
// of its own; IPv4 addresses stay apart.
func TestIPv6NetworkBudget(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *httpapi.Config) {
		withLimits(c)
		c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	c := e.anonymous()
	lookup := func(forwarded string) int {
		status, _ := c.do("POST", "/api/v1/invitations/lookup", `{"token":"no-such-invitation-token-0000000000"}`, "X-Forwarded-For", forwarded)
		return status
	}
	// The budget of account links: 30, then one each 2 s (limits.go),
	// spent from 30 addresses of one /64.
	for i := range 30 {
		if status := lookup(fmt.Sprintf("2001:db8:5:6::%x", i+1)); status == 429 {
			t.Fatalf("refused after %d look-ups", i)
		}
	}
	if status := lookup("2001:db8:5:6:ffff::1"); status != 429 {
		t.Fatalf("another address of the same /64: %d, want 429", status)
	}
	if status := lookup("2001:db8:5:7::1"); status == 429 {
		t.Fatal("another /64 shares the first one's budget")
	}
	if status := lookup("203.0.113.9"); status == 429 {
		t.Fatal("an IPv4 client shares the IPv6 network's budget")
	}

	// Five wrong passwords for one account, each from a new address of
	// one /64: the sixth attempt waits, even with the right password.
	login := func(forwarded, password string) int {
		status, _ := c.do("POST", "/api/v1/auth/login", fmt.Sprintf(`{"email":"olga@example.com","password":%q}`, password), "X-Forwarded-For", forwarded)
		return status
	}
	for i := range 5 {
		if status := login(fmt.Sprintf("2001:db8:9:9::%x", i+1), "wrong-password-123"); status != 401 {
			t.Fatalf("wrong password %d: %d, want 401", i+1, status)
		}
	}
	if status := login("2001:db8:9:9::abcd", "wrong-password-123"); status != 429 {
		t.Fatalf("a sixth guess from another address of the /64: %d, want 429", status)
	}
}
