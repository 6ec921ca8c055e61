package httpapi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestWidgetHearsOperationStopped (§6): a visitor already chatting hears
// it at once when the master stops operation — every open chat, whatever
// its conversation — and again when operation resumes: workspace.updated
// with operation_stopped and nothing else of the settings. Other changes
// to the settings are not sent to visitors, nor is anything to another
// workspace's; the widget's config says the same as the event.
func TestWidgetHearsOperationStopped(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			type opened struct {
				v *client
				s *socket
			}
			var visitors []opened
			for range 2 {
				v := e.visitor("shop", "")
				c := v.start()
				s := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, c.ID))
				s.next("ready")
				visitors = append(visitors, opened{v, s})
			}
			availability := func() chat.Availability {
				var cfg struct{ Availability chat.Availability }
				e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
				return cfg.Availability
			}
			// A socket opened without ?after= starts where the hub is: the
			// hub may hear the visitor's conversation.created only after
			// the socket opened (it hears a commit a moment after it), and
			// then passes it on first.
			hears := func(s *socket, stopped bool) {
				t.Helper()
				raw := s.next("event").Event
				var ev map[string]json.RawMessage
				must(t, json.Unmarshal(raw, &ev))
				if string(ev["type"]) == `"conversation.created"` {
					raw = s.next("event").Event
					ev = nil
					must(t, json.Unmarshal(raw, &ev))
				}
				keys := make([]string, 0, len(ev))
				for k := range ev {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if string(ev["type"]) != `"workspace.updated"` || string(ev["operation_stopped"]) != fmt.Sprint(stopped) ||
					!slices.Equal(keys, []string{"created_at", "operation_stopped", "seq", "type"}) {
					t.Fatalf("the visitor heard %s, want workspace.updated with operation_stopped %t and no more", raw, stopped)
				}
			}
			// A visitor of another workspace hears nothing of it.
			elsewhere := e.visitor("other", "")
			oc := elsewhere.start()
			otherSocket := elsewhere.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", elsewhere.bearer, oc.ID))
			otherSocket.next("ready")
			master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":true}}`, 200, nil)
			for _, o := range visitors {
				hears(o.s, true)
			}
			otherSocket.quiet("event")
			if a := availability(); a != chat.UnavailableStopped {
				t.Fatalf("stopped, the widget's config says %q", a)
			}
			// Saving the settings again with operation still stopped, or
			// changing something else, tells visitors nothing.
			master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":true,"greeting":"안녕하세요"}}`, 200, nil)
			for _, o := range visitors {
				o.s.quiet("event")
			}
			master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":false}}`, 200, nil)
			for _, o := range visitors {
				hears(o.s, false)
			}
			if a := availability(); a != chat.Available {
				t.Fatalf("resumed, the widget's config says %q", a)
			}
		})
	}
}
