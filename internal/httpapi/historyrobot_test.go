package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHistoryNamesRobot: a chat the robot holds, and one that ended in
// its hands, list the robot as their agent (§0), as the export does.
func TestHistoryNamesRobot(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestRobotRefusedShown: a chat whose customer asked the robot for a
// person when nobody could chat, and which the robot then closed, counts
// as unprocessed in statistics; the conversation says so
// (agent_refused_at), the history's processed=false finds it — and not
// the chat the robot resolved — and the messages export's close line does
// not call it resolved by the bot.
func TestRobotRefusedShown(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			manager := e.login("manager")
			manager.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true}}}`, 200, nil)
			for _, name := range []string{"master", "manager", "kim", "lee"} {
				e.setStatus(name, chat.StatusOffline)
			}
			asked, robotOnly := e.visitor("shop", ""), e.visitor("shop", "")
			ca, cr := asked.start(), robotOnly.start()
			if status, data := asked.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/agent", ca.ID), ""); status != 409 {
				t.Fatalf("talk to an agent with nobody online: %d %s", status, data)
			}
			for _, v := range []struct {
				who *client
				id  int64
			}{{asked, ca.ID}, {robotOnly, cr.ID}} {
				v.who.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", v.id), "", 200, nil)
			}
			if d := manager.detailOf(ca.ID); d.Conversation.CloseReason != chat.CloseByRobot || d.Conversation.AgentRefusedAt == nil {
				t.Errorf("refused: %+v", d.Conversation)
			}
			if d := manager.detailOf(cr.ID); d.Conversation.CloseReason != chat.CloseByRobot || d.Conversation.AgentRefusedAt != nil {
				t.Errorf("robot-resolved: %+v", d.Conversation)
			}
			var a historyAnswer
			manager.json("GET", e.shopPath()+"/history?processed=false", "", 200, &a)
			if len(a.Conversations) != 1 || a.Conversations[0].ID != ca.ID || a.Conversations[0].AgentRefusedAt == nil {
				t.Errorf("unprocessed: %+v, want only %d", a.Conversations, ca.ID)
			}
			var created struct{ ID int64 }
			manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages"}`, 202, &created)
			e.runJobs()
			status, data := manager.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), "")
			if status != 200 {
				t.Fatalf("export: %d %s", status, data)
			}
			recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
			must(t, err)
			closes := map[string]string{}
			for _, r := range recs[1:] {
				if r[2] == "system" {
					closes[r[0]] = r[6]
				}
			}
			if got := closes[fmt.Sprint(ca.RoomNo)]; !strings.Contains(got, "상담원을 요청했지만 연결할 수 없어 챗봇이 종료") {
				t.Errorf("refused chat's close line %q", got)
			}
			if got := closes[fmt.Sprint(cr.RoomNo)]; !strings.Contains(got, "챗봇이 해결") {
				t.Errorf("robot-resolved chat's close line %q", got)
			}
			// The conversations layout's last column, the close reason,
			// tells the two apart (both are "N" under Processed).
			manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"conversations"}`, 202, &created)
			e.runJobs()
			status, data = manager.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), "")
			if status != 200 {
				t.Fatalf("export: %d %s", status, data)
			}
			recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
			must(t, err)
			last := len(recs[0]) - 1
			if recs[0][last] != "종료 사유 Close reason" || recs[0][last-1] != "별명 Nickname" {
				t.Fatalf("header %q", recs[0])
			}
			reasons := map[string]string{}
			for _, r := range recs[1:] {
				reasons[r[0]] = r[last]
			}
			if got, want := reasons[fmt.Sprint(ca.RoomNo)], "상담원을 요청했지만 연결할 수 없어 챗봇이 종료"; got != want {
				t.Errorf("refused chat's close reason %q, want %q", got, want)
			}
			if got, want := reasons[fmt.Sprint(cr.RoomNo)], "챗봇이 해결"; got != want {
				t.Errorf("robot-resolved chat's close reason %q, want %q", got, want)
			}
		})
	}
}
