package history

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// robotCases are conversations the robot held, or did not: each with who
// should show as its agent and its agent path.
var robotCases = []struct {
	name  string
	c     chat.Conversation
	agent string
	path  string
}{
	{"held by the robot", chat.Conversation{ID: 1, State: chat.StateBot}, "robot-shop", "robot-shop"},
	{"ended in the robot's hands", chat.Conversation{ID: 2, State: chat.StateClosed, CloseReason: chat.CloseByRobot}, "robot-shop", "robot-shop"},
	{"handed over, waiting for an agent", chat.Conversation{ID: 3, State: chat.StateUnassigned, AgentPath: []chat.PathStep{{Name: "robot-shop"}}}, "", "robot-shop"},
	{"handed over and served", chat.Conversation{ID: 4, State: chat.StateClosed, CloseReason: chat.CloseByAgent, AssigneeID: 7, AssigneeName: "김상담",
		AgentPath: []chat.PathStep{{Name: "robot-shop"}, {AgentID: 7, Name: "김상담"}}}, "김상담", "robot-shop > 김상담"},
	{"closed by the customer in the queue", chat.Conversation{ID: 5, State: chat.StateClosed, CloseReason: chat.CloseByCustomer}, "", ""},
	{"an agent's", chat.Conversation{ID: 6, State: chat.StateActive, AssigneeID: 7, AssigneeName: "김상담", AgentPath: []chat.PathStep{{AgentID: 7, Name: "김상담"}}}, "김상담", "김상담"},
}

func TestNameRobot(t *testing.T) {
	for _, tt := range robotCases {
		t.Run(tt.name, func(t *testing.T) {
			cs := []chat.Conversation{tt.c}
			NameRobot(cs, "shop")
			var path []string
			for _, p := range cs[0].AgentPath {
				path = append(path, p.Name)
			}
			if cs[0].AssigneeName != tt.agent || strings.Join(path, " > ") != tt.path {
				t.Errorf("agent %q, path %q; want %q, %q", cs[0].AssigneeName, path, tt.agent, tt.path)
			}
		})
	}
}

// pageStore gives one page of conversations to an export.
type pageStore struct {
	Store
	page []chat.Conversation
}

func (s pageStore) History(_ context.Context, _ int64, _ Filter, after *Cursor, _ int) ([]chat.Conversation, error) {
	if after != nil {
		return nil, nil
	}
	return append([]chat.Conversation(nil), s.page...), nil
}

func (pageStore) ExportDetails(context.Context, int64, []int64) (map[int64]Details, error) {
	return nil, nil
}

func (pageStore) ExportProgress(context.Context, int64, int64, string, int, int, time.Time) (bool, error) {
	return true, nil
}

// TestExportNamesRobot: the export's agent columns name the robot as the
// history list does.
func TestExportNamesRobot(t *testing.T) {
	var page []chat.Conversation
	for _, tt := range robotCases {
		page = append(page, tt.c)
	}
	x := &Exporter{Store: pageStore{page: page}, Now: time.Now}
	var buf bytes.Buffer
	if _, _, err := x.write(context.Background(), &buf, &Export{Format: FormatCSV, Layout: LayoutConversations}, Filter{}, time.UTC, &chat.Workspace{SiteID: "shop"}, "test"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(robotCases)+1 {
		t.Fatalf("%d rows", len(rows))
	}
	for i, tt := range robotCases {
		if got := rows[i+1]; got[10] != tt.agent || got[11] != tt.path {
			t.Errorf("%s: agent %q, path %q; want %q, %q", tt.name, got[10], got[11], tt.agent, tt.path)
		}
	}
}
