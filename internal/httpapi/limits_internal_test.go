package httpapi

import (
	"strings"
	"testing"
)

// Every public widget endpoint spends an abuse budget (§14): the widget's
// routes are open to anyone with a visitor token, or to anyone at all.
// Only the socket is bounded otherwise (sockets: per visitor and address).
func TestEveryWidgetRouteLimited(t *testing.T) {
	for _, rt := range (&Server{}).routes() {
		_, path, _ := strings.Cut(rt.pattern, " ")
		widget := strings.HasPrefix(path, "/api/v1/widget/") || strings.HasPrefix(path, "/api/v1/channel/")
		if (rt.access == visitor || widget) && rt.limit == "" && path != "/api/v1/widget/ws" {
			t.Errorf("%s spends no abuse budget", rt.pattern)
		}
	}
}
