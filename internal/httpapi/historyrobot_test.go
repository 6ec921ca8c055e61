package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
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

// TestExportHasRobotAnswers: the messages export has the robot's answers,
// the chat's other side where it answered, in the words the visitor read
// (the workspace's widget language), from the robot by name. It left
// them out with the other system messages, so a robot chat's export held
// only the customer's questions.
func TestExportHasRobotAnswers(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master := e.login("master")
			master.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
			visitor := e.visitor("shop", "")
			c := visitor.start()
			visitor.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v1","body":"포인트는 언제 적립되나요?"}`, 201, nil)
			e.runJobs()
			var created struct{ ID int64 }
			master.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages"}`, 202, &created)
			e.runJobs()
			status, data := master.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), "")
			if status != 200 {
				t.Fatalf("export: %d %s", status, data)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
			must(t, err)
			var got []string
			for _, r := range recs[1:] {
				got = append(got, r[2]+"|"+r[3]+"|"+r[4]+"|"+r[6])
			}
			want := []string{"robot|robot-shop|text|안녕하세요! 궁금한 것을 물어보세요. 도움말에서 답을 찾아 드릴게요.",
				"visitor||text|포인트는 언제 적립되나요?", "robot|robot-shop|text|죄송해요, 맞는 답을 찾지 못했어요. 상담원과 이야기해 보시겠어요?"}
			if !slices.Equal(got, want) {
				t.Errorf("rows %q,\nwant %q", got, want)
			}
		})
	}
}
