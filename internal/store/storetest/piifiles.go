package storetest

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/pii"
)

// testPIIFileNames: a file's name is masked as a text is (§11). In
// automatic mode a visitor's file arrives with the personal information in
// its name masked — the message, the attachment (what lists show and a
// download is named), the conversation's preview, the events and the
// search — and its original sealed and audited; an agent's is left alone;
// a retry is recognised. By hand, any file's name masks and unmasks as a
// text does, the attachment's name following; the stored bytes never
// change.
func testPIIFileNames(t *testing.T, s chat.Store) {
	f := setup(t, s, "piifile")
	k := keyring(t)
	must(t, s.UsePIIKey(ctx, k.KeyID()))
	s.(interface{ UsePII(chat.Sealer) }).UsePII(k)
	by := chat.Who{AgentID: f.manager.AgentID, Name: "manager", Address: "127.0.0.1"}
	ws, err := s.Workspace(ctx, f.ws.ID)
	must(t, err)
	ws.Settings.PII.Mode = chat.PIIAuto
	_, err = s.UpdateWorkspace(ctx, ws, by)
	must(t, err)
	c := f.open(t, s)
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)

	const name, masked = "홍길동_010-1234-5678_주민등록증.jpg", "홍길동_*************_주민등록증.jpg"
	file := func(key string) *chat.Attachment {
		a := photo(key)
		a.Name = name
		return a
	}
	v, events, dup := sendFile(t, s, f.ws.ID, c.ID, chat.VisitorActor, "id-card", file("1/idcard"))
	span := pii.Span{Start: 4, End: 17, Kind: pii.Phone}
	if dup || v.Body != masked || v.Attachment.Name != masked || len(v.Masks) != 1 || v.Masks[0] != span || v.Attachment.BlobKey != "1/idcard" {
		t.Fatalf("the visitor's file %+v, attachment %+v", v, v.Attachment)
	}
	if len(events) != 1 || events[0].Message.Attachment.Name != masked || strings.Contains(string(events[0].Encoded), "1234-5678") {
		t.Fatalf("the file's event %+v", events)
	}
	got, err := s.Attachment(ctx, f.ws.ID, v.Attachment.ID)
	must(t, err)
	if got.Name != masked || got.BlobKey != "1/idcard" {
		t.Fatalf("the stored attachment %+v", got)
	}
	if m := onlyMessage(t, s, f.ws.ID, c.ID, v.ID); m.Body != masked || m.Attachment.Name != masked || len(m.Masks) != 1 {
		t.Fatalf("the stored message %+v", m)
	}
	if cur := conv(t, s, f.ws.ID, c.ID); cur.LastMessage != masked || eventsHold(t, s, f.ws.ID, c.ID, "1234-5678") {
		t.Fatalf("the preview %q, or an event, holds the number", cur.LastMessage)
	}
	hs := s.(history.Store)
	find := func(q string) int {
		t.Helper()
		fl, err := history.Parse(url.Values{"q": {q}}, time.UTC)
		must(t, err)
		return len(allHistory(t, hs, f.ws.ID, fl))
	}
	if find("010-1234-5678") != 0 || find("주민등록증") != 1 {
		t.Fatal("the search finds the masked number, or not the rest of the name")
	}
	// A retry of the same upload is the same message.
	again, _, dup := sendFile(t, s, f.ws.ID, c.ID, chat.VisitorActor, "id-card", file("1/idcard"))
	if !dup || again.ID != v.ID {
		t.Fatalf("a retry: dup %v %+v", dup, again)
	}
	// The original is sealed: a view opens it, audited.
	_, originals, _, err := s.UnmaskMessage(ctx, f.ws.ID, c.ID, v.ID, chat.Unmask{Start: 4, End: 17, Reason: "본인 확인"}, k, by)
	must(t, err)
	if len(originals) != 1 || originals[0].Text != "010-1234-5678" {
		t.Fatalf("the sealed original %+v", originals)
	}
	// An agent's file keeps its name.
	a, _, _ := sendFile(t, s, f.ws.ID, c.ID, f.a1, "agent-file", file("1/agentfile"))
	if a.Body != name || a.Attachment.Name != name || len(a.Masks) != 0 {
		t.Fatalf("an agent's file was masked: %+v", a)
	}

	// By hand: mask a part of the agent's file's name, then restore it.
	m, events, err := s.MaskMessage(ctx, f.ws.ID, c.ID, a.ID, pii.Span{Start: 0, End: 3, Kind: pii.Other}, k, by)
	must(t, err)
	if m.Body != "***_010-1234-5678_주민등록증.jpg" || m.Attachment.Name != m.Body || len(events) != 1 || events[0].Message.Attachment.Name != m.Body {
		t.Fatalf("masked by hand %+v, events %+v", m, events)
	}
	got, err = s.Attachment(ctx, f.ws.ID, m.Attachment.ID)
	must(t, err)
	if got.Name != m.Body || got.BlobKey != "1/agentfile" {
		t.Fatalf("the attachment after a mask %+v", got)
	}
	if eventsHold(t, s, f.ws.ID, c.ID, "홍길동_010") {
		t.Fatal("a stored event keeps the masked name")
	}
	m, originals, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, a.ID, chat.Unmask{Start: 0, End: 3, Reason: "고객 요청", Permanent: true}, k, by)
	must(t, err)
	got, err = s.Attachment(ctx, f.ws.ID, m.Attachment.ID)
	must(t, err)
	if m.Body != name || m.Attachment.Name != name || got.Name != name || len(originals) != 1 || originals[0].Text != "홍길동" {
		t.Fatalf("restored %+v, attachment %+v, originals %+v", m, got, originals)
	}

	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{})
	must(t, err)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
		if strings.Contains(jsonOf(e), "1234-5678") || strings.Contains(jsonOf(e), "홍길동") {
			t.Fatalf("the audit log holds a value: %+v", e)
		}
	}
	if actions[chat.AuditPIIMask] != 2 || actions[chat.AuditPIIView] != 1 || actions[chat.AuditPIIUnmask] != 1 {
		t.Fatalf("audit actions %v", actions)
	}
}
