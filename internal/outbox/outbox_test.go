package outbox

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestDeliverable(t *testing.T) {
	conv := &chat.Conversation{ID: 7, CustomerID: 70, Channel: "kakao", AssigneeID: 3}
	msg := func(sender chat.SenderType, internal bool) chat.Event {
		return chat.Event{Type: chat.EventMessageCreated, Conversation: conv, Message: &chat.Message{SenderType: sender, Internal: internal}}
	}
	hook := Endpoint{ID: 1, Kind: KindWebhook, Events: []string{"message.created"}}
	hookInternal := Endpoint{ID: 2, Kind: KindWebhook, Events: []string{"message.created"}, Internal: true}
	channel := Endpoint{ID: 9, Kind: KindChannel, Events: ChannelEvents, Internal: true}
	slack := Endpoint{ID: 4, Kind: KindSlack, Events: []string{AlertNewChat, AlertAssignedAway}}
	mine := Endpoint{ID: 5, Kind: KindEmail, AgentID: 8, Events: []string{AlertAssignedAway}}
	onKakao := Facts{ChannelID: 9}
	mentions := Endpoint{ID: 6, Kind: KindEmail, AgentID: 8, Events: []string{AlertMention}}
	noMentions := Endpoint{ID: 7, Kind: KindEmail, AgentID: 8, Events: []string{AlertNewChat}}
	sharedMail := Endpoint{ID: 8, Kind: KindEmail, URL: "desk@example.com", Events: []string{AlertMention}}
	change := func(typ chat.EventType, code string, internal bool) chat.Event {
		return chat.Event{Type: typ, Conversation: conv, Message: &chat.Message{SenderType: chat.SenderSystem, Kind: chat.KindSystem, Body: code, Internal: internal}}
	}
	note := func(author int64, mentioned ...int64) chat.Event {
		return chat.Event{Type: chat.EventMessageCreated, Conversation: conv,
			Message: &chat.Message{SenderType: chat.SenderAgent, SenderID: author, Internal: true, Mentions: mentioned}}
	}
	tests := []struct {
		name string
		e    Endpoint
		ev   chat.Event
		f    Facts
		want string
	}{
		{"a webhook gets what it asked for", hook, msg(chat.SenderAgent, false), Facts{}, "message.created"},
		{"not what it did not", hook, chat.Event{Type: chat.EventConversationClosed, Conversation: conv}, Facts{}, ""},
		{"no internal message unless asked", hook, msg(chat.SenderAgent, true), Facts{}, ""},
		{"internal when asked", hookInternal, msg(chat.SenderAgent, true), Facts{}, "message.created"},
		{"a channel: the agent's reply", channel, msg(chat.SenderAgent, false), onKakao, "message.created"},
		{"a channel: a system message the customer sees", channel, msg(chat.SenderSystem, false), onKakao, "message.created"},
		{"a channel: never an internal one, even if flagged", channel, msg(chat.SenderAgent, true), onKakao, ""},
		{"a channel: no echo of the customer", channel, msg(chat.SenderVisitor, false), onKakao, ""},
		{"a channel: the close", channel, chat.Event{Type: chat.EventConversationClosed, Conversation: conv}, onKakao, "conversation.closed"},
		{"a channel: the robot's handover", channel, change(chat.EventConversationUpdated, chat.SystemHandover, false), onKakao, "conversation.updated"},
		{"a channel: an agent joins", channel, change(chat.EventConversationAssigned, chat.SystemAssigned, false), onKakao, "conversation.assigned"},
		{"a channel: a transfer", channel, change(chat.EventConversationTransferred, chat.SystemTransferred, false), onKakao, "conversation.transferred"},
		{"a channel: not the customer's own leaving", channel, change(chat.EventConversationUpdated, chat.SystemCustomerLeft, false), onKakao, ""},
		{"a channel: not the customer's own rating", channel, change(chat.EventConversationUpdated, chat.SystemRated, false), onKakao, ""},
		{"a channel: not a hold, for agents", channel, change(chat.EventConversationUpdated, chat.SystemHeld, true), onKakao, ""},
		{"a channel: not a change without words", channel, chat.Event{Type: chat.EventConversationUpdated, Conversation: conv}, onKakao, ""},
		{"a channel: not another channel's conversation", channel, msg(chat.SenderAgent, false), Facts{ChannelID: 10}, ""},
		{"a channel: not the web", channel, msg(chat.SenderAgent, false), Facts{}, ""},
		{"an alert: a new chat in the queue", slack, chat.Event{Type: chat.EventConversationCreated, Conversation: conv, Queued: true}, Facts{}, AlertNewChat},
		{"an alert: not a chat the robot starts", slack, chat.Event{Type: chat.EventConversationCreated, Conversation: conv}, Facts{}, ""},
		{"an alert: the robot's handover", slack, chat.Event{Type: chat.EventConversationUpdated, Conversation: conv, Queued: true,
			Message: &chat.Message{SenderType: chat.SenderSystem, Kind: chat.KindSystem, Body: chat.SystemHandover}}, Facts{}, AlertNewChat},
		{"a webhook: every chat's creation", Endpoint{Kind: KindWebhook, Events: []string{"conversation.created"}}, chat.Event{Type: chat.EventConversationCreated, Conversation: conv}, Facts{}, "conversation.created"},
		{"an alert: not a message", slack, msg(chat.SenderVisitor, false), Facts{}, ""},
		{"an alert: assigned while away", slack, chat.Event{Type: chat.EventConversationAssigned, Conversation: conv}, Facts{AssigneeAway: true}, AlertAssignedAway},
		{"an alert: assigned while online", slack, chat.Event{Type: chat.EventConversationAssigned, Conversation: conv}, Facts{}, ""},
		{"a mention: the mentioned agent who asked", mentions, note(3, 8), Facts{}, AlertMention},
		{"a mention: not an agent who did not ask", noMentions, note(3, 8), Facts{}, ""},
		{"a mention: not another agent", mentions, note(3, 9), Facts{}, ""},
		{"a mention: not the author mentioning themselves", mentions, note(8, 8), Facts{}, ""},
		{"a mention: never a shared target", sharedMail, note(3, 8), Facts{}, ""},
		{"a mention: only in an internal note", mentions, chat.Event{Type: chat.EventMessageCreated, Conversation: conv,
			Message: &chat.Message{SenderType: chat.SenderAgent, SenderID: 3, Mentions: []int64{8}}}, Facts{}, ""},
		{"a left message alerts", Endpoint{Kind: KindSlack, Events: []string{AlertTicket}},
			chat.Event{Type: chat.EventTicketCreated, Ticket: &chat.Ticket{ID: 1}}, Facts{}, AlertTicket},
		{"a ticket an agent made does not", Endpoint{Kind: KindEmail, AgentID: 3, Events: []string{AlertTicket}},
			chat.Event{Type: chat.EventTicketCreated, Ticket: &chat.Ticket{ID: 1, CreatedBy: 2}}, Facts{}, ""},
		{"a webhook hears of both", Endpoint{Kind: KindWebhook, Events: []string{"ticket.created"}},
			chat.Event{Type: chat.EventTicketCreated, Ticket: &chat.Ticket{ID: 1, CreatedBy: 2}}, Facts{}, "ticket.created"},
		{"a ticket's reply", Endpoint{Kind: KindWebhook, Events: []string{"ticket.replied"}},
			chat.Event{Type: chat.EventTicketReplied, Ticket: &chat.Ticket{ID: 1}, TicketReply: &chat.TicketReply{ID: 2}}, Facts{}, "ticket.replied"},
		{"not a ticket's internal comment unless asked", Endpoint{Kind: KindWebhook, Events: []string{"ticket.replied"}},
			chat.Event{Type: chat.EventTicketReplied, Ticket: &chat.Ticket{ID: 1}, TicketReply: &chat.TicketReply{ID: 2, Internal: true}}, Facts{}, ""},
		{"a ticket's internal comment when asked", Endpoint{Kind: KindWebhook, Events: []string{"ticket.replied"}, Internal: true},
			chat.Event{Type: chat.EventTicketReplied, Ticket: &chat.Ticket{ID: 1}, TicketReply: &chat.TicketReply{ID: 2, Internal: true}}, Facts{}, "ticket.replied"},
		{"a personal alert: only the assignee's", mine, chat.Event{Type: chat.EventConversationTransferred, Conversation: conv}, Facts{AssigneeAway: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Deliverable(tt.e, tt.ev, tt.f); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := DefaultBackoff
	for _, tt := range []struct {
		name     string
		attempts int
		failing  time.Duration
		want     time.Duration
	}{
		{"first retry", 1, 0, time.Second},
		{"doubling", 2, time.Second, 2 * time.Second},
		{"doubling again", 3, 3 * time.Second, 4 * time.Second},
		{"the fourth", 4, 7 * time.Second, 8 * time.Second},
		{"capped", 40, 0, 10 * time.Minute},
		// A probe of a receiver down for a while: another delivery,
		// attempted for the first time.
		{"a probe after 90 s down", 1, 90 * time.Second, 90 * time.Second},
		{"a probe after an hour down", 1, time.Hour, 10 * time.Minute},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := b.Delay(tt.attempts, tt.failing); got != tt.want {
				t.Fatalf("Delay(%d, %s) = %s, want %s", tt.attempts, tt.failing, got, tt.want)
			}
		})
	}
}

func TestInQuiet(t *testing.T) {
	for _, tt := range []struct {
		start, end, m int
		want          bool
	}{
		{-1, -1, 600, false}, {1320, 480, 1400, true}, {1320, 480, 100, true}, {1320, 480, 480, false},
		{1320, 480, 900, false}, {720, 780, 750, true}, {720, 780, 781, false},
	} {
		if got := InQuiet(tt.start, tt.end, tt.m); got != tt.want {
			t.Errorf("InQuiet(%d, %d, %d) = %v", tt.start, tt.end, tt.m, got)
		}
	}
}

func TestCheckURL(t *testing.T) {
	for _, tt := range []struct {
		url  string
		code string
	}{
		{"https://hooks.slack.com/services/T0/B0/x", ""},
		{"http://example.com:8080/hook?x=1", ""},
		{"ftp://example.com/", ErrInvalidURL},
		{"https://", ErrInvalidURL},
		{"https://user:pw@example.com/", ErrInvalidURL},
		{"http://10.0.0.5/", ErrPrivateAddress},
		{"http://[::1]:80/", ErrPrivateAddress},
		{"http://192.168.0.1/", ErrPrivateAddress},
		{"http://100.64.1.1/", ErrPrivateAddress},
		{"http://169.254.169.254/", ErrPrivateAddress},
		{"http://api.localhost/", ErrPrivateAddress},
		{"http://0.0.0.0/", ErrPrivateAddress},
		{"http://LOCALHOST./", ErrPrivateAddress}, // the root's dot: the same name
		{"http://api.localhost./", ErrPrivateAddress},
		{"http://[::ffff:127.0.0.1]/", ErrPrivateAddress},
		{"http://[fe80::1%25eth0]/", ErrPrivateAddress},
		// "This network" (0/8): 0.0.0.0 is this machine, the rest no
		// destination a receiver has.
		{"http://0.1.2.3/", ErrPrivateAddress},
		// IPv6 addresses that carry an IPv4 one are judged by it: NAT64
		// (a NAT64 gateway connects to 10.0.0.5), 6to4, IPv4-compatible.
		{"http://[64:ff9b::10.0.0.5]/", ErrPrivateAddress},
		{"http://[64:ff9b::a9fe:a9fe]/", ErrPrivateAddress},
		{"http://[64:ff9b:1::a00:5]/", ErrPrivateAddress},
		{"http://[2002:a00:5::1]/", ErrPrivateAddress},
		{"http://[::127.0.0.1]/", ErrPrivateAddress},
		{"http://[64:ff9b::8.8.8.8]/", ""},
		{"http://[2002:808:808::1]/", ""},
		{"http://[2001:db8::1]/", ""},
		// Ports out of range, and IPv4 addresses not in the dotted form.
		{"https://example.com:99999/", ErrInvalidURL},
		{"https://example.com:0/", ErrInvalidURL},
		{"http://127.1/", ErrInvalidURL},
		{"http://2130706433/", ErrInvalidURL},
		{"http://0x7f.0.0.1/", ErrInvalidURL},
		{"http://example.0x1f/", ErrInvalidURL},
		{"http://1.2.3.4.5/", ErrInvalidURL},
		{"https://hooks.example.com:443/", ""},
		{"https://24x7.example.com/", ""},
		{"https://3com.com/", ""},
		{"https://소담.한국/hook", ""},
	} {
		if got := chat.ErrorCode(CheckURL(tt.url, false)); got != tt.code {
			t.Errorf("%s: %q, want %q", tt.url, got, tt.code)
		}
	}
	if err := CheckURL("http://127.0.0.1:9/", true); err != nil {
		t.Fatal(err)
	}
	if chat.ErrorCode(CheckURL("http://127.1:9/", true)) != ErrInvalidURL {
		t.Fatal("a short IPv4 address is accepted where private addresses are allowed")
	}
}

// TestSignatureVerifies checks Sign against the Standard Webhooks
// project's own Go verifier.
func TestSignatureVerifies(t *testing.T) {
	secret := NewSecret()
	key, err := ParseSecret(secret)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"message.created","data":{"body":"안녕하세요"}}`)
	h := http.Header{}
	SetHeaders(h, key, "msg_42", time.Now(), body)
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(body, h); err != nil {
		t.Fatal(err)
	}
	if err := wh.Verify(append(body, ' '), h); err == nil {
		t.Fatal("a changed body verified")
	}
	s := NewSealer("material")
	sealed := s.Seal(secret)
	if got, err := s.Open(sealed); err != nil || got != secret {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := NewSealer("other").Open(sealed); err == nil {
		t.Fatal("opened with another key")
	}
}

// TestExcerptStoresAsText: what a receiver answered is kept as text any
// database column takes — valid UTF-8 without NUL — or recording the
// attempt would fail (PostgreSQL refuses NUL in text) and the delivery
// would be sent again and again.
func TestExcerptStoresAsText(t *testing.T) {
	if got := Excerpt(strings.NewReader("error\x00 \xff\xfe점검 중")); got != "error 점검 중" {
		t.Fatalf("excerpt %q", got)
	}
}

// TestClientRefusesPrivateAtConnect: names and spellings CheckURL lets
// through (they are not address literals) are refused when the client
// connects, whatever they resolve to; a receiver on this machine is never
// reached.
func TestClientRefusesPrivateAtConnect(t *testing.T) {
	reached := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached = true }))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	c := NewClient(false, 2*time.Second)
	for _, host := range []string{"localhost", "0.0.0.0", "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "127.0.0.1."} {
		resp, err := c.Get("http://" + host + ":" + port + "/")
		if err == nil {
			resp.Body.Close()
			t.Errorf("%s: connected", host)
		}
	}
	if reached {
		t.Fatal("the receiver on this machine was reached")
	}
}
