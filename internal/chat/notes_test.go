package chat

import (
	"slices"
	"testing"
)

func TestNoteCommand(t *testing.T) {
	tests := []struct {
		in, text string
		ok       bool
	}{
		{"/note 환불 건은 내일 처리할게요", "환불 건은 내일 처리할게요", true},
		{"/메모 배송지 변경 요청 확인", "배송지 변경 요청 확인", true},
		{"  /NOTE\n주문번호 20261203-114", "주문번호 20261203-114", true},
		{"/note", "", true},
		{"/notebook 은 다른 말이에요", "/notebook 은 다른 말이에요", false},
		{"note 없이 보내는 답변", "note 없이 보내는 답변", false},
		{"안녕하세요 /note 고객님", "안녕하세요 /note 고객님", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			text, ok := NoteCommand(tt.in)
			if text != tt.text || ok != tt.ok {
				t.Errorf("NoteCommand(%q) = %q, %v; want %q, %v", tt.in, text, ok, tt.text, tt.ok)
			}
		})
	}
}

func TestFindMentions(t *testing.T) {
	members := []Member{
		{AgentID: 1, Name: "김지원", Active: true},
		{AgentID: 2, Name: "김지", Active: true},
		{AgentID: 3, Name: "Alex Park", Active: true},
		{AgentID: 4, Name: "박서준", Active: false},
		{AgentID: 5, Name: "이하나", Active: true},
	}
	tests := []struct {
		name string
		body string
		want []int64
	}{
		{"a Korean name with an honorific", "@김지원님 이 고객 환불 이력 확인 부탁드려요", []int64{1}},
		{"the longest name wins", "@김지원 @김지 두 분 다 봐주세요", []int64{1, 2}},
		{"a name with a space, any case", "@alex park please check the invoice", []int64{3}},
		{"a deactivated member", "@박서준 확인해 주세요", nil},
		{"an email address is not a mention", "고객 이메일은 jiwon@김지원.kr 입니다", nil},
		{"after punctuation", "(@이하나) 배송 지연 건", []int64{5}},
		{"repeated once", "@이하나 @이하나 확인", []int64{5}},
		{"no mention", "내부 메모: 재문의 고객", nil},
		{"an unknown name", "@최민수 누구세요", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FindMentions(tt.body, members); !slices.Equal(got, tt.want) {
				t.Errorf("FindMentions(%q) = %v, want %v", tt.body, got, tt.want)
			}
		})
	}
}

// TestMessageAudience is the audience rule of a message, live and read:
// an internal note reaches agents (those who see the conversation, and
// those it mentions) and never the visitor.
func TestMessageAudience(t *testing.T) {
	agent := Member{AgentID: 1, Role: RoleAgent}
	mentioned := Member{AgentID: 6, Role: RoleAgent}
	manager := Member{AgentID: 2, Role: RoleManager}
	conv := &Conversation{ID: 9, State: StateActive, AssigneeID: 1}
	note := &Message{ConversationID: 9, SenderType: SenderAgent, SenderID: 1, Body: "@민수 이 고객 VIP예요", Internal: true, Mentions: []int64{6}}
	reply := &Message{ConversationID: 9, SenderType: SenderAgent, SenderID: 1, Body: "확인해 드릴게요"}
	tests := []struct {
		name                   string
		m                      *Message
		visitor                bool
		assignee, mention, mgr bool
	}{
		{"an internal note", note, false, true, true, true},
		{"a reply", reply, true, true, false, true},
		{"an agents-only system event", &Message{Kind: KindSystem, Body: SystemReturned, Internal: true}, false, true, false, true},
		{"a note mentioning nobody", &Message{Internal: true, Body: "메모"}, false, true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := Event{Type: EventMessageCreated, Conversation: conv, Message: tt.m}
			if got := VisitorMaySeeMessage(tt.m); got != tt.visitor {
				t.Errorf("VisitorMaySeeMessage = %v", got)
			}
			if got := VisitorMaySee(ev, 9); got != tt.visitor {
				t.Errorf("VisitorMaySee = %v", got)
			}
			for _, c := range []struct {
				m    Member
				want bool
			}{{agent, tt.assignee}, {mentioned, tt.mention}, {manager, tt.mgr}} {
				if got := AgentMaySee(ev, c.m); got != c.want {
					t.Errorf("AgentMaySee(agent %d) = %v, want %v", c.m.AgentID, got, c.want)
				}
			}
		})
	}
	if VisitorMaySeeMessage(nil) {
		t.Error("a missing message is visible")
	}
}

func TestReadMark(t *testing.T) {
	c := Conversation{ID: 9, State: StateActive, AssigneeID: 1, LastSeq: 10, AgentReadSeq: 4, VisitorReadSeq: 6}
	assignee := Actor{Kind: SenderAgent, AgentID: 1, Role: RoleAgent}
	manager := Actor{Kind: SenderAgent, AgentID: 2, Role: RoleManager}
	tests := []struct {
		name           string
		reader         Actor
		seq            int64
		visitor, moved bool
		err            string
	}{
		{"the assignee reads on", assignee, 8, false, true, ""},
		{"the assignee reads what they had", assignee, 4, false, false, ""},
		{"a manager looking in says nothing", manager, 10, false, false, ""},
		{"the visitor reads on", VisitorActor, 10, true, true, ""},
		{"the visitor goes back", VisitorActor, 5, true, false, ""},
		{"beyond the last message", VisitorActor, 11, false, false, ErrInvalid},
		{"negative", assignee, -1, false, false, ErrInvalid},
		{"the system does not read", SystemActor, 3, false, false, ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			visitor, moved, err := ReadMark(c, tt.reader, tt.seq)
			if ErrorCode(err) != tt.err || (err == nil && (visitor != tt.visitor || moved != tt.moved)) {
				t.Errorf("ReadMark = %v, %v, %v; want %v, %v, %q", visitor, moved, err, tt.visitor, tt.moved, tt.err)
			}
		})
	}
	if unassigned := (Conversation{LastSeq: 3}); func() bool { _, m, _ := ReadMark(unassigned, assignee, 3); return m }() {
		t.Error("an unassigned conversation took an agent's read mark")
	}
}

// TestFollowing: a mention makes the agent's socket follow the
// conversation from then on; others stay out of view.
func TestFollowing(t *testing.T) {
	lee := Member{AgentID: 6, Role: RoleAgent}
	kims := &Conversation{ID: 9, State: StateActive, AssigneeID: 1}
	other := &Conversation{ID: 10, State: StateActive, AssigneeID: 1}
	f := Following{}
	steps := []struct {
		name string
		ev   Event
		want bool
	}{
		{"a visitor's message before any mention", Event{Conversation: kims, Message: &Message{SenderType: SenderVisitor, Body: "환불 문의"}}, false},
		{"a note mentioning lee", Event{Conversation: kims, Message: &Message{SenderType: SenderAgent, Internal: true, Mentions: []int64{6}}}, true},
		{"the visitor's next message", Event{Conversation: kims, Message: &Message{SenderType: SenderVisitor, Body: "언제 되나요?"}}, true},
		{"the conversation closed", Event{Type: EventConversationClosed, Conversation: kims}, true},
		{"another conversation of kim's", Event{Conversation: other, Message: &Message{SenderType: SenderVisitor}}, false},
		{"a customer's change (told which, not the profile)", Event{Customer: &Customer{ID: 1}}, true},
	}
	for _, st := range steps {
		if got := f.MaySee(st.ev, lee); got != st.want {
			t.Errorf("%s: MaySee = %v, want %v", st.name, got, st.want)
		}
	}
}
