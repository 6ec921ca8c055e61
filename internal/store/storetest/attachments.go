package storetest

import (
	"reflect"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// attachmentTests cover §3.4: file messages and their attachments table.

// photo is a file already in blob storage, as the HTTP layer hands it over.
func photo(key string) *chat.Attachment {
	return &chat.Attachment{Name: "영수증 사진.png", Size: 48213, ContentType: "image/png", Kind: chat.FileImage,
		Width: 640, Height: 480, BlobKey: key, ThumbnailKey: key + ".thumb"}
}

func sendFile(t *testing.T, s chat.Store, ws, conv int64, actor chat.Actor, id string, a *chat.Attachment) (chat.Message, []chat.Event, bool) {
	t.Helper()
	m, events, dup, err := s.AppendMessage(ctx, ws, conv, actor, chat.NewMessage{ClientMsgID: id, Attachment: a})
	must(t, err)
	return m, events, dup
}

// withoutKeys is a as a client sees it in an event: no storage keys.
func withoutKeys(a chat.Attachment) chat.Attachment {
	a.BlobKey, a.ThumbnailKey, a.WorkspaceID = "", "", 0
	return a
}

func testFileMessages(t *testing.T, s chat.Store) {
	f := setup(t, s, "files")
	c := f.open(t, s)
	m, events, dup := sendFile(t, s, f.ws.ID, c.ID, chat.VisitorActor, "f1", photo("1/aaaa"))
	a := m.Attachment
	if dup || m.Kind != chat.KindFile || m.Body != "영수증 사진.png" || a == nil {
		t.Fatalf("file message %+v", m)
	}
	if a.ID == 0 || a.MessageID != m.ID || a.ConversationID != c.ID || a.WorkspaceID != f.ws.ID || !a.Thumbnail ||
		a.BlobKey != "1/aaaa" || a.Size != 48213 || a.Width != 640 || a.CreatedAt.IsZero() {
		t.Fatalf("attachment %+v", a)
	}
	if len(events) != 1 || events[0].Type != chat.EventMessageCreated || events[0].Message.Attachment == nil {
		t.Fatalf("events %+v", events)
	}
	cur := conv(t, s, f.ws.ID, c.ID)
	if cur.LastMessage != "영수증 사진.png" || cur.LastSeq != m.Seq {
		t.Fatalf("the list does not show the file's name: %+v", cur)
	}
	// A visitor that names another customer is refused, and nothing is stored.
	stranger := chat.Actor{Kind: chat.SenderVisitor, CustomerID: f.customer.ID + 1000}
	_, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, stranger, chat.NewMessage{ClientMsgID: "f2", Attachment: photo("1/bbbb")})
	wantCode(t, err, chat.ErrConversationNotFound)
	if now := conv(t, s, f.ws.ID, c.ID); now.LastSeq != m.Seq {
		t.Fatalf("a refused file moved the conversation to seq %d", now.LastSeq)
	}

	// The stored row, the message list and the replayed event agree; the
	// event log never holds the storage keys.
	got, err := s.Attachment(ctx, f.ws.ID, a.ID)
	must(t, err)
	if !reflect.DeepEqual(*got, *a) {
		t.Fatalf("Attachment = %+v, want %+v", got, a)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 1 || msgs[0].Attachment == nil || !reflect.DeepEqual(*msgs[0].Attachment, *a) {
		t.Fatalf("messages %+v", msgs)
	}
	replay, err := s.Events(ctx, f.ws.ID, chat.EventFilter{AfterSeq: events[0].Seq - 1})
	must(t, err)
	if len(replay) != 1 || replay[0].Message.Attachment == nil || !reflect.DeepEqual(*replay[0].Message.Attachment, withoutKeys(*a)) {
		t.Fatalf("replayed %+v", replay[0].Message)
	}

	// A retry with the same client_msg_id stores nothing; the same ID for
	// another file is a conflict.
	seq := lastSeq(t, s, f.ws.ID)
	again, events, dup := sendFile(t, s, f.ws.ID, c.ID, chat.VisitorActor, "f1", photo("1/bbbb"))
	if !dup || len(events) != 0 || again.ID != m.ID || again.Attachment.ID != a.ID || again.Attachment.BlobKey != "1/aaaa" {
		t.Fatalf("retry: %+v dup=%v", again, dup)
	}
	other := photo("1/cccc")
	other.Name = "다른 사진.png"
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "f1", Attachment: other})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "f1", Body: "영수증 사진.png"})
	wantCode(t, err, chat.ErrClientMsgIDConflict)
	if lastSeq(t, s, f.ws.ID) != seq {
		t.Fatal("a retry or a conflict wrote an event")
	}

	// An agent's file follows the text rules: the first one starts the chat.
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	doc := &chat.Attachment{Name: "견적서.pdf", Size: 1200, ContentType: "application/pdf", Kind: chat.FileDocument, BlobKey: "1/dddd"}
	m2, events, _ := sendFile(t, s, f.ws.ID, c.ID, f.a1, "a1", doc)
	if m2.SenderID != f.a1.AgentID || m2.Attachment.Thumbnail || events[0].Conversation.State != chat.StateActive || events[0].Conversation.FirstReplyAt == nil {
		t.Fatalf("agent's file %+v, conversation %+v", m2, events[0].Conversation)
	}
	// The bytes of one attachment cannot be claimed by another message.
	_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a2", Attachment: photo("1/dddd")})
	wantCode(t, err, chat.ErrConflict)
}

func testFileRefusals(t *testing.T, s chat.Store) {
	f := setup(t, s, "filerefuse")
	c := f.open(t, s)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "hi")
	seq := lastSeq(t, s, f.ws.ID)
	file := func(change func(a *chat.Attachment)) *chat.Attachment {
		a := photo("1/key")
		change(a)
		return a
	}
	fileErr := func(conv int64, actor chat.Actor, id string, a *chat.Attachment) error {
		_, _, _, err := s.AppendMessage(ctx, f.ws.ID, conv, actor, chat.NewMessage{ClientMsgID: id, Attachment: a})
		return err
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"empty file", fileErr(c.ID, chat.VisitorActor, "e1", file(func(a *chat.Attachment) { a.Size = 0 })), chat.ErrFileEmpty},
		{"no bytes stored", fileErr(c.ID, chat.VisitorActor, "e2", file(func(a *chat.Attachment) { a.BlobKey = "" })), chat.ErrInvalid},
		{"no name", fileErr(c.ID, chat.VisitorActor, "e3", file(func(a *chat.Attachment) { a.Name = " " })), chat.ErrInvalid},
		{"unknown kind", fileErr(c.ID, chat.VisitorActor, "e4", file(func(a *chat.Attachment) { a.Kind = "program" })), chat.ErrInvalid},
		{"unknown conversation", fileErr(999999, chat.VisitorActor, "e5", photo("1/x")), chat.ErrConversationNotFound},
		{"agent not assigned", fileErr(c.ID, f.a1, "e6", photo("1/y")), chat.ErrConversationNotOpen},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.err, tc.code) })
	}
	// A conversation the customer closed refuses files as it refuses text.
	_, _, err := s.CloseConversation(ctx, f.ws.ID, c.ID, chat.VisitorActor)
	must(t, err)
	seq = lastSeq(t, s, f.ws.ID)
	wantCode(t, fileErr(c.ID, chat.VisitorActor, "e7", photo("1/z")), chat.ErrConversationClosed)
	if got := lastSeq(t, s, f.ws.ID); got != seq {
		t.Fatalf("refusals wrote events: seq %d → %d", seq, got)
	}
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	for _, m := range msgs {
		if m.Kind == chat.KindFile {
			t.Fatalf("a refused file was stored: %+v", m)
		}
	}
}

func testAttachmentIsolation(t *testing.T, s chat.Store) {
	a := setup(t, s, "fisoa")
	b := setup(t, s, "fisob")
	ca := a.open(t, s)
	m, _, _ := sendFile(t, s, a.ws.ID, ca.ID, chat.VisitorActor, "f1", photo("1/iso"))
	_, err := s.Attachment(ctx, b.ws.ID, m.Attachment.ID)
	wantCode(t, err, chat.ErrAttachmentNotFound)
	_, err = s.Attachment(ctx, a.ws.ID, m.Attachment.ID+1000)
	wantCode(t, err, chat.ErrAttachmentNotFound)
	_, _, _, err = s.AppendMessage(ctx, b.ws.ID, ca.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "f2", Attachment: photo("1/iso2")})
	wantCode(t, err, chat.ErrConversationNotFound)
}

func testInstallationSecret(t *testing.T, s chat.Store) {
	first, err := s.InstallationSecret(ctx)
	must(t, err)
	again, err := s.InstallationSecret(ctx)
	must(t, err)
	if len(first) < 32 || first != again {
		t.Fatalf("secret %q then %q: want one stable secret of at least 32 characters", first, again)
	}
}
