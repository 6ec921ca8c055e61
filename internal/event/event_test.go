package event

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// fixture is an event with every field the log stores set, so the golden
// file pins every field's name and form.
func fixture() chat.Event {
	at := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	later := at.Add(time.Minute)
	capacity := 4
	age := 36
	tags := []chat.Tag{{ID: 7, Kind: chat.TagConversation, Name: "환불"}}
	return chat.Event{
		WorkspaceID: 1, Seq: 42, Type: chat.EventMessageCreated,
		Conversation: &chat.Conversation{
			ID: 3, WorkspaceID: 1, RoomNo: 12, CustomerID: 5, Channel: chat.ChannelWeb, State: chat.StateActive,
			AssigneeID: 2, AssigneeName: "김상담", CustomerName: "홍길동", Identifier: "shop_u1", CloseReason: chat.CloseByAgent,
			Important: true, OnHold: true, AgentPath: []chat.PathStep{{AgentID: 2, Name: "김상담"}},
			CustomerLeftAt: &later, FirstReplyAt: &later, LastSeq: 9, LastMessage: "안녕하세요", LastMessageAt: at,
			CreatedAt: at, ClosedAt: &later, Processed: true, CategoryID: 4, CategoryPath: []string{"배송", "지연"},
			Memo: "재발송 안내", Tags: tags, Rating: &chat.Rating{Score: 5, Comment: "감사합니다", CreatedAt: later},
			RatingRequestedAt: &later, QueuePosition: 2, AgentReadSeq: 8, VisitorReadSeq: 9, QueuedAt: &at, AgentRefusedAt: &at,
		},
		Message: &chat.Message{
			ID: 8, WorkspaceID: 1, ConversationID: 3, Seq: 9, SenderType: chat.SenderAgent, SenderID: 2, SenderName: "김상담",
			ClientMsgID: "c-1", Kind: chat.KindFile, Body: "영수증.pdf", Meta: map[string]string{"k": "v"}, Internal: true, CreatedAt: at, Mentions: []int64{2},
			Attachment: &chat.Attachment{ID: 6, ConversationID: 3, MessageID: 8, Name: "영수증.pdf", Size: 1024,
				ContentType: "application/pdf", Kind: chat.FileDocument, Width: 10, Height: 20, Thumbnail: true,
				URL: "/u", ThumbnailURL: "/t", CreatedAt: at},
			Masks: []pii.Span{{Start: 0, End: 3, Kind: pii.Phone}},
		},
		Member: &chat.Member{WorkspaceID: 1, AgentID: 2, Role: chat.RoleManager, Status: chat.StatusOnline, Capacity: &capacity, Active: true,
			Name: "김상담", Email: "kim@example.com"},
		Ticket: &chat.Ticket{ID: 11, WorkspaceID: 1, CustomerID: 5, Name: "홍길동", Contact: "010-0000-0000", Message: "연락 주세요",
			Status: chat.TicketSolved, AssigneeID: 2, Note: "처리함", CreatedAt: at, UpdatedAt: later, SolvedAt: &later,
			ConversationID: 3, Channel: chat.TicketChat, Subject: "환불 요청", Priority: chat.PriorityHigh, CreatedBy: 2,
			DueAt: &later, Tags: []string{"환불"}, Replies: 1, ActivityAt: later},
		TicketReply: &chat.TicketReply{ID: 21, WorkspaceID: 1, TicketID: 11, AuthorID: 2, Internal: false, Body: "환불 처리해 드렸습니다",
			CreatedAt: later, Delivery: chat.DeliverySent, DeliveryTo: "hong@example.com", DeliveryAttempts: 2,
			DeliveryError: "451 try later", DeliveredAt: &later},
		Customer: &chat.Customer{ID: 5, WorkspaceID: 1, ExternalID: "u1", Identifier: "shop_u1", Verified: true,
			Profile: chat.Profile{ID: 13, CustomerID: "u1", Name: "홍길동", Nickname: "단골", Phone: "01000000000",
				VerifiedPhone: "01000000000", Email: "hong@example.com", BirthDate: "1990-01-01", Address: "서울",
				Note: "VIP", Extra: map[string]string{"cus_extra_grade": "gold"}},
			Age: &age, Language: "ko", IP: "127.0.0.1", Device: "Chrome", Tags: []chat.Tag{{ID: 1, Kind: chat.TagCustomer, Name: "단골"}},
			Identifiers: 2, CreatedAt: at, BlockedAt: &later, BlockReason: "spam", BlockNote: "광고"},
		PrevAssigneeID: 9, PrevState: chat.StateWaiting, CreatedAt: at,
	}
}

// TestGolden pins version 1's layout: a change to the domain's Go types
// must never change what the log stores or a client receives.
func TestGolden(t *testing.T) {
	got, err := Encode(fixture())
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	const golden = "testdata/v1.json"
	if os.Getenv("SODAM_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(golden, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("version 1 encoding changed; a new layout needs a new version.\ngot:\n%s\nwant:\n%s", pretty.Bytes(), want)
	}
	// And the stored form decodes back to the same event.
	ev, err := Decode(want)
	if err != nil {
		t.Fatal(err)
	}
	if wantEv := fixture(); !reflect.DeepEqual(ev, wantEv) {
		t.Errorf("decoded golden event differs:\n got %+v\nwant %+v", ev, wantEv)
	}
}

// TestEveryFieldCarried fills every stored field of the domain's types by
// reflection, so a field added to chat without a place in the event fails
// here rather than silently vanishing from the log.
func TestEveryFieldCarried(t *testing.T) {
	var ev chat.Event
	fill(reflect.ValueOf(&ev).Elem(), 1)
	data, err := Encode(ev)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ev) {
		t.Errorf("round trip lost something:\n got %+v\nwant %+v", back, ev)
	}
}

// fill sets every exported field that JSON carries to a non-zero value.
func fill(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2026, 1, n%28+1, 0, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			fill(v.Field(i), n+i)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // raw bytes are not part of the event
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(reflect.ValueOf("k"), reflect.ValueOf(strings.Repeat("v", n%5+1)))
	case reflect.String:
		v.SetString(strings.Repeat("s", n%7+1))
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(n + 1))
	case reflect.Bool:
		v.SetBool(true)
	}
}

// TestLegacyPayload reads a payload stored before events had versions.
func TestLegacyPayload(t *testing.T) {
	legacy := `{"workspace_id":1,"seq":5,"type":"conversation.closed","conversation":{"id":3,"state":"closed","agent_path":[],"category_path":[]},"created_at":"2026-03-01T09:30:00Z"}`
	ev, err := Decode([]byte(legacy))
	if err != nil {
		t.Fatal(err)
	}
	if ev.Seq != 5 || ev.Type != chat.EventConversationClosed || ev.Conversation.State != chat.StateClosed {
		t.Errorf("legacy payload read as %+v", ev)
	}
	// Version 1 is the layout events were stored in before: the domain's
	// own JSON of the same event reads back the same.
	old, err := json.Marshal(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if ev, err := Decode(old); err != nil || !reflect.DeepEqual(ev, fixture()) {
		t.Errorf("the pre-version layout read as %+v, %v", ev, err)
	}
	if _, err := Decode([]byte(`{"v":2,"seq":1}`)); err == nil {
		t.Error("a newer version was read without complaint")
	}
}

// TestEncodeParts: the parts around the number give Encode's bytes for
// any number, even when a text inside the event looks like the field.
func TestEncodeParts(t *testing.T) {
	ev := fixture()
	ev.Message.Body = `주문 확인 부탁드려요 ,"seq":0, {"seq":7}`
	head, tail, err := EncodeParts(ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, seq := range []int64{1, 9, 10, 4096, 1 << 40} {
		ev.Seq = seq
		want, err := Encode(ev)
		if err != nil {
			t.Fatal(err)
		}
		got := append(strconv.AppendInt(head, seq, 10), tail...) // as a store does
		if !bytes.Equal(got, want) {
			t.Errorf("seq %d: parts give\n%s\nwant\n%s", seq, got, want)
		}
	}
}
