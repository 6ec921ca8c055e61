package httpapi_test

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHistoryNamesRobot: a chat the robot holds, and one that ended in
// its hands, list the robot as their agent (§0), as the export does.
func TestHistoryNamesRobot(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			master.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
			held, ended := e.visitor("shop", ""), e.visitor("shop", "")
			h, c := held.start(), ended.start()
			if h.State != chat.StateBot || c.State != chat.StateBot {
				t.Fatalf("not the robot's: %s %s", h.State, c.State)
			}
			ended.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", c.ID), "", 200, nil)
			var a historyAnswer
			master.json("GET", e.shopPath()+"/history", "", 200, &a)
			if len(a.Conversations) != 2 {
				t.Fatalf("%d conversations", len(a.Conversations))
			}
			for _, got := range a.Conversations {
				if got.AssigneeName != "robot-shop" || len(got.AgentPath) != 1 || got.AgentPath[0].Name != "robot-shop" {
					t.Errorf("conversation %d (%s, %s): assignee %q, path %+v", got.ID, got.State, got.CloseReason, got.AssigneeName, got.AgentPath)
				}
			}
		})
	}
}
