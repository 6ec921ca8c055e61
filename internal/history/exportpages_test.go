package history

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// transcriptStore holds conversations' messages for an export and records
// the most messages one read gave.
type transcriptStore struct {
	pageStore
	msgs    map[int64][]chat.Message
	largest int
}

func (s *transcriptStore) TranscriptOf(_ context.Context, _ int64, ids []int64) ([]chat.Message, error) {
	var out []chat.Message
	for _, id := range ids {
		out = append(out, s.msgs[id]...)
	}
	s.largest = max(s.largest, len(out))
	return out, nil
}

func (s *transcriptStore) Messages(_ context.Context, _ int64, id, after int64, limit int) ([]chat.Message, error) {
	var out []chat.Message
	for _, m := range s.msgs[id] {
		if m.Seq > after && len(out) < limit {
			out = append(out, m)
		}
	}
	s.largest = max(s.largest, len(out))
	return out, nil
}

// TestExportLongConversations: an export of messages holds about
// exportMessages at a time, however long a conversation is, and still
// writes every message once, in the page's order of conversations and by
// sequence within one, system messages included.
func TestExportLongConversations(t *testing.T) {
	defer func(n int) { exportMessages = n }(exportMessages)
	exportMessages = 50
	s := &transcriptStore{msgs: map[int64][]chat.Message{}}
	// Newest first, as the history lists them: short ones around a chat
	// of 2,345 messages (three pages of chat.MaxMessagePage) and one of
	// exactly exportMessages.
	lengths := []int{3, 20, 2345, 7, 50, 30, 30}
	var want []string
	for i, n := range lengths {
		id := int64(100 - i)
		s.page = append(s.page, chat.Conversation{ID: id, RoomNo: id, CustomerName: "홍길동", LastSeq: int64(n)})
		for seq := 1; seq <= n; seq++ {
			m := chat.Message{ConversationID: id, Seq: int64(seq), Kind: chat.KindText, SenderType: chat.SenderVisitor,
				Body: fmt.Sprintf("%d번 상담 %d번째 메시지", id, seq), CreatedAt: time.Date(2026, 12, 5, 9, 0, seq%60, 0, time.UTC)}
			switch seq % 10 {
			case 0:
				m.Kind, m.SenderType, m.Body = chat.KindSystem, chat.SenderSystem, "assigned"
				m.Meta = map[string]string{"agent": "김소담"}
				want = append(want, "김소담 님이 상담을 담당합니다.")
			case 5: // the robot's answer is a row, in the words the visitor read
				m.Kind, m.SenderType, m.Body = chat.KindSystem, chat.SenderSystem, chat.SystemRobot
				m.Meta = map[string]string{"robot": "robot-shop", "outcome": chat.RobotAnswered,
					"articles": `[{"id":7,"title":"반품 신청 방법","excerpt":"마이페이지에서","url":"https://help.example.com/help/shop/articles/7"}]`}
				want = append(want, "이런 도움말을 찾았어요.\n반품 신청 방법 https://help.example.com/help/shop/articles/7")
			default:
				want = append(want, m.Body)
			}
			s.msgs[id] = append(s.msgs[id], m)
		}
	}
	x := &Exporter{Store: s, Now: time.Now}
	var buf bytes.Buffer
	_, rows, err := x.write(context.Background(), &buf, &Export{Format: FormatCSV, Layout: LayoutMessages}, Filter{}, time.UTC, &chat.Workspace{SiteID: "shop"}, "test")
	if err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if rows != len(want) || len(got) != len(want)+1 {
		t.Fatalf("%d rows counted, %d written; want %d", rows, len(got)-1, len(want))
	}
	for i, w := range want {
		if body := got[i+1][len(got[i+1])-1]; body != w {
			t.Fatalf("row %d is %q, want %q", i+1, body, w)
		}
	}
	if s.largest > chat.MaxMessagePage {
		t.Errorf("a read gave %d messages; an export holds at most %d (or a page of a long chat)", s.largest, exportMessages)
	}
}
