package history

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/web"
)

// TestSystemText: every system message an export writes is worded as the
// console's thread words it, in the reader's language, with what a person
// wrote with it on a line of its own; a code Sodam does not know is shown
// as stored.
func TestSystemText(t *testing.T) {
	sys := func(code string, meta map[string]string) chat.Message {
		return chat.Message{Kind: chat.KindSystem, SenderType: chat.SenderSystem, Body: code, Meta: meta}
	}
	cases := []struct {
		m      chat.Message
		ko, en string
	}{
		{sys(chat.SystemGreeting, map[string]string{"text": "안녕하세요, 소담샵입니다."}), "인사말을 보냈습니다.\n안녕하세요, 소담샵입니다.", "Greeting sent.\n안녕하세요, 소담샵입니다."},
		{sys(chat.SystemAway, map[string]string{"reason": "outside_hours", "reopens_at": "2026-12-08T00:00:00Z"}), "상담 시간이 아니라고 자동으로 안내했습니다.", "Automatic reply: outside opening hours."},
		{sys(chat.SystemAway, map[string]string{"reason": "nonsense"}), "상담사가 없다고 자동으로 안내했습니다.", "Automatic reply: no agent online."},
		{sys(chat.SystemHandover, map[string]string{"robot": "robot-shop"}), "robot-shop: 상담원 연결 요청", "robot-shop handed over to an agent"},
		{sys(chat.SystemAssigned, map[string]string{"agent": "김소담"}), "김소담 님이 상담을 담당합니다.", "김소담 took the conversation."},
		{sys(chat.SystemAssigned, nil), "상담사 님이 상담을 담당합니다.", "Agent took the conversation."},
		{sys(chat.SystemTransferred, map[string]string{"from": "김소담", "to": "이하늘", "reason": "반품 규정 담당"}),
			"담당자가 김소담 님에서 이하늘 님으로 바뀌었습니다.\n사유: 반품 규정 담당", "Transferred from 김소담 to 이하늘.\nReason: 반품 규정 담당"},
		{sys(chat.SystemTransferred, map[string]string{"to": "이하늘"}), "담당자가 이하늘 님으로 바뀌었습니다.", "Transferred to 이하늘."},
		{sys(chat.SystemHeld, map[string]string{"agent": "김소담"}), "김소담 님이 상담을 보류했습니다.", "김소담 put the conversation on hold."},
		{sys(chat.SystemUnheld, map[string]string{"agent": "김소담"}), "김소담 님이 보류를 해제했습니다.", "김소담 released the hold."},
		{sys(chat.SystemReturned, map[string]string{"agent": "김소담"}), "김소담 님이 비활성화되어 상담이 대기열로 돌아갔습니다.", "김소담 was deactivated; the chat went back to the queue."},
		{sys(chat.SystemCustomerLeft, nil), "고객이 상담을 종료했습니다.", "The customer ended the chat."},
		{sys(chat.SystemClosed, map[string]string{"reason": "inactivity"}), "상담이 종료되었습니다 · 고객 무응답으로 자동 종료", "The conversation was closed · No reply from the customer"},
		{sys(chat.SystemClosed, nil), "상담이 종료되었습니다.", "The conversation was closed."},
		{sys(chat.SystemRatingRequested, map[string]string{"text": "상담은 만족스러우셨나요?"}), "상담 평가를 요청했습니다.\n상담은 만족스러우셨나요?", "Asked for a rating.\n상담은 만족스러우셨나요?"},
		{sys(chat.SystemRated, map[string]string{"score": "4", "comment": "친절했어요"}), "고객이 상담을 평가했습니다: ★★★★☆ (4점)\n친절했어요", "The customer rated the chat: ★★★★☆ (4/5)\n친절했어요"},
		{sys(chat.SystemRobot, map[string]string{"robot": "robot-shop", "outcome": "no_answer"}), "robot-shop: 맞는 답 없음", "robot-shop: no answer"},
		{sys("migrated", nil), "migrated", "migrated"},
	}
	for _, lang := range []string{"ko", "en"} {
		words, err := web.ConsoleCatalog(lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range cases {
			want := tt.ko
			if lang == "en" {
				want = tt.en
			}
			if got := SystemText(words, tt.m); got != want {
				t.Errorf("%s %s %v: %q, want %q", lang, tt.m.Body, tt.m.Meta, got, want)
			}
		}
	}
}
