package httpapi

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
)

// budgetText is how docs/operations.md writes a budget: "120, then 2 a
// second", "10, then 1 every 6 s", "3, then 1 every 10 min".
func budgetText(l *auth.Limiter) string {
	if l == nil {
		return "–"
	}
	burst, every := l.Budget()
	var refill string
	switch {
	case every < time.Second:
		refill = fmt.Sprintf("%d a second", time.Second/every)
	case every == time.Second:
		refill = "1 a second"
	case every%time.Minute == 0:
		refill = fmt.Sprintf("1 every %d min", every/time.Minute)
	default:
		refill = fmt.Sprintf("1 every %d s", every/time.Second)
	}
	return thousands(burst) + ", then " + refill
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// TestOperationsDocumentsLimits fails when an abuse budget in newLimits,
// or the sockets' bounds, is not the one docs/operations.md states: a row
// "| … | per visitor | per address |" of its table, or "per visitor: …;
// per address: …" where the FAQ's are listed.
func TestOperationsDocumentsLimits(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	for action, l := range newLimits() {
		v, a := budgetText(l.visitor), budgetText(l.address)
		row := fmt.Sprintf("| %s | %s |\n", v, a)
		var list string
		switch {
		case l.visitor == nil:
			list = "| per address: " + a + " |"
		case l.address == nil:
			list = "| per visitor: " + v + " |"
		default:
			list = "| per visitor: " + v + "; per address: " + a + " |"
		}
		if !strings.Contains(doc, row) && !strings.Contains(doc, list) {
			t.Errorf("docs/operations.md states no budget %q per visitor, %q per address (the %s action)", v, a, action)
		}
	}
	sockets := fmt.Sprintf("| open visitor sockets at once | %s | %s |", thousands(maxSocketsPerVisitor), thousands(maxSocketsPerAddress))
	if !strings.Contains(doc, sockets) {
		t.Errorf("docs/operations.md has no row %q", sockets)
	}
}
