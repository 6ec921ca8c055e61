package outbox_test

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestCustomerText: the words a messenger's user reads, in the widget's
// language when the workspace sets one.
func TestCustomerText(t *testing.T) {
	en := &chat.Workspace{}
	en.Settings.Widget.Language = "en"
	ko := &chat.Workspace{}
	sys := func(code string, meta map[string]string) *chat.Message {
		return &chat.Message{Kind: chat.KindSystem, SenderType: chat.SenderSystem, Body: code, Meta: meta}
	}
	for _, c := range []struct {
		ws   *chat.Workspace
		m    *chat.Message
		want string
	}{
		{ko, &chat.Message{Kind: chat.KindText, Body: "안녕하세요"}, "안녕하세요"},
		{ko, &chat.Message{Kind: chat.KindFile, Body: "receipt.pdf"}, ""},
		{ko, sys(chat.SystemClosed, map[string]string{"reason": chat.CloseByInactivity}), "한동안 답이 없어 상담이 종료되었습니다."},
		{en, sys(chat.SystemClosed, map[string]string{"reason": chat.CloseByAgent}), "The chat has ended."},
		{en, sys(chat.SystemRatingRequested, map[string]string{"text": ""}), "How was our chat? Please rate it with stars."},
		{ko, sys(chat.SystemRatingRequested, map[string]string{"text": "별점 부탁드려요"}), "별점 부탁드려요"},
		{en, sys(chat.SystemAssigned, map[string]string{"agent": "Mina"}), "Mina joined the chat."},
		{ko, sys(chat.SystemTransferred, map[string]string{"from": "김상담", "to": "이상담", "reason": "반품 담당"}), "이상담 상담사에게 연결되었습니다."},
		{ko, sys(chat.SystemHandover, map[string]string{"robot": "robot-shop"}), "상담원에게 연결하는 중입니다. 잠시만 기다려 주세요."},
		{en, sys(chat.SystemRobot, map[string]string{"outcome": chat.RobotNoAgent, "reason": "hours"}), "No agent can chat right now. Please send 'agent' again during our opening hours."},
		{en, sys(chat.SystemRobot, map[string]string{"outcome": chat.RobotAnswered, "articles": `[{"id":3,"title":"Refunds","excerpt":"…"}]`}),
			"These articles may help.\n\nRefunds\n\nTo talk to an agent, send 'agent'."},
		{ko, sys("held", nil), ""},
	} {
		if got := outbox.CustomerText(c.ws, "", c.m); got != c.want {
			t.Errorf("%s %+v: %q, want %q", c.m.Body, c.m.Meta, got, c.want)
		}
	}
	// The user's language (a bridge's "language") where the workspace
	// leaves the widget's to the visitor; the workspace's when it sets one.
	// The automatic reply out of hours says when the desk opens again, in
	// the workspace's time zone.
	away := sys(chat.SystemAway, map[string]string{"reason": "outside_hours", "reopens_at": "2026-12-08T00:00:00Z"})
	for _, c := range []struct {
		ws         *chat.Workspace
		lang, want string
		m          *chat.Message
	}{
		{ko, "", "지금은 상담 시간이 아니에요. 메시지를 남겨 주시면 상담 시간에 답변드릴게요. 상담은 12월 8일 (화) 오전 9:00에 다시 시작해요.", away},
		{ko, "en", "We are outside our opening hours. Leave a message and we will reply when we are back. We are back Tue, December 8 at 9:00 AM.", away},
		{en, "ko", "We are outside our opening hours. Leave a message and we will reply when we are back. We are back Tue, December 8 at 9:00 AM.", away},
		{ko, "en", "Chat is temporarily paused. Leave a message and we will reply as soon as we can.", sys(chat.SystemAway, map[string]string{"reason": "operation_stopped"})},
		{ko, "ko", "지금은 상담 가능한 상담사가 없어요. 메시지를 남겨 주시면 확인하는 대로 답변드릴게요.", sys(chat.SystemAway, map[string]string{"reason": "nobody_online"})},
		{ko, "en", "Connecting you to an agent. Please wait a moment.", sys(chat.SystemHandover, nil)},
	} {
		if got := outbox.CustomerText(c.ws, c.lang, c.m); got != c.want {
			t.Errorf("%s %+v in %q: %q, want %q", c.m.Body, c.m.Meta, c.lang, got, c.want)
		}
	}
}
