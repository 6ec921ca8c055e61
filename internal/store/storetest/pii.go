package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

func keyring(t *testing.T) *pii.Keyring {
	t.Helper()
	k, err := pii.NewKeyring(pii.GenerateKey())
	must(t, err)
	return k
}

// eventsHold reports whether any stored event of the conversation holds s.
func eventsHold(t *testing.T, s chat.Store, ws, conv int64, text string) bool {
	t.Helper()
	evs, err := s.Events(ctx, ws, chat.EventFilter{ConversationID: conv})
	must(t, err)
	for _, ev := range evs {
		if strings.Contains(string(ev.Encoded), text) {
			return true
		}
		if ev.Message != nil && strings.Contains(ev.Message.Body, text) || ev.Conversation != nil && strings.Contains(ev.Conversation.LastMessage, text) {
			return true
		}
	}
	return false
}

func onlyMessage(t *testing.T, s chat.Store, ws, conv, id int64) chat.Message {
	t.Helper()
	ms, err := s.Messages(ctx, ws, conv, 0, 100)
	must(t, err)
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %d is gone", id)
	return chat.Message{}
}

// A write that ran before a mask in the same batch (group commit) stored
// its events only when the batch ended, after the mask had scrubbed the
// stored ones: its event kept the masked text in the conversation's
// preview. The mask now scrubs those events too.
func testPIIMaskInBatch(t *testing.T, s chat.Store) {
	f := setup(t, s, "piibatch")
	k := keyring(t)
	by := chat.Who{AgentID: f.a1.AgentID, Name: "kim", Address: "127.0.0.1"}
	c := f.open(t, s)
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "배송지는 마포구 월드컵로 12길 34, 302호예요")
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if !eventsHold(t, s, f.ws.ID, c.ID, "월드컵로") {
		t.Fatal("the event log never held the address: the test proves nothing")
	}
	groupNext(s, 2)
	flagged := make(chan error, 1)
	go func() {
		_, _, err := s.SetImportant(ctx, f.ws.ID, c.ID, f.a1, true)
		flagged <- err
	}()
	// The flag first in the batch: GroupNext holds it until the mask
	// arrives, and writes run in the order they arrived.
	waitQueued(t, s, 1)
	m, _, err := s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 9, End: 16, Kind: pii.Other}, k, by)
	must(t, err)
	must(t, <-flagged)
	if m.Body != "배송지는 마포구 *******길 34, 302호예요" {
		t.Fatalf("masked %q", m.Body)
	}
	if eventsHold(t, s, f.ws.ID, c.ID, "월드컵로") {
		t.Fatal("an event of the mask's batch keeps the masked text")
	}
}

func testPII(t *testing.T, s chat.Store) {
	f := setup(t, s, "pii")
	k := keyring(t)
	if id, err := s.PIIKeyID(ctx); err != nil || id != "" {
		t.Fatalf("a key ID before any was recorded: %q %v", id, err)
	}
	by := chat.Who{AgentID: f.a1.AgentID, Name: "kim", Address: "127.0.0.1"}
	c := f.open(t, s)
	text := "주민번호 900101-1234568이에요. 연락처는 010-1234-5678 👍🏽"
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", text)
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)

	// Refusals change nothing.
	for _, tt := range []struct {
		ws, conv, msg int64
		span          pii.Span
		code          string
	}{
		{f.ws.ID, c.ID, v.ID, pii.Span{Start: 5, End: 99, Kind: pii.RRN}, chat.ErrSpanOutOfRange},
		{f.ws.ID, c.ID, v.ID, pii.Span{Start: 7, End: 7, Kind: pii.RRN}, chat.ErrSpanOutOfRange},
		{f.ws.ID, c.ID, v.ID, pii.Span{Start: 43, End: 44, Kind: pii.Other}, chat.ErrSpanSplits},
		{f.ws.ID, c.ID, v.ID + 1000, pii.Span{Start: 5, End: 19, Kind: pii.RRN}, chat.ErrMessageNotFound},
		{f.ws.ID + 1000, c.ID, v.ID, pii.Span{Start: 5, End: 19, Kind: pii.RRN}, chat.ErrWorkspaceNotFound},
	} {
		_, _, err := s.MaskMessage(ctx, tt.ws, tt.conv, tt.msg, tt.span, k, by)
		wantCode(t, err, tt.code)
	}
	other := setup(t, s, "pii-other")
	_, _, err = s.MaskMessage(ctx, other.ws.ID, c.ID, v.ID, pii.Span{Start: 5, End: 19, Kind: pii.RRN}, k, by)
	wantCode(t, err, chat.ErrConversationNotFound)
	if m := onlyMessage(t, s, f.ws.ID, c.ID, v.ID); m.Body != text || len(m.Masks) != 0 {
		t.Fatalf("a refused mask changed the message: %+v", m)
	}

	// A system message is not maskable.
	ms, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 100)
	must(t, err)
	for _, m := range ms {
		if m.Kind == chat.KindSystem {
			_, _, err := s.MaskMessage(ctx, f.ws.ID, c.ID, m.ID, pii.Span{Start: 0, End: 1, Kind: pii.Other}, k, by)
			wantCode(t, err, chat.ErrNotMaskable)
		}
	}

	// Mask the registration number: the message, the preview and every
	// stored event lose it.
	if !eventsHold(t, s, f.ws.ID, c.ID, "1234568") {
		t.Fatal("the event log never held the number: the test proves nothing")
	}
	m, events, err := s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 5, End: 19, Kind: pii.RRN}, k, by)
	must(t, err)
	want := "주민번호 **************이에요. 연락처는 010-1234-5678 👍🏽"
	if m.Body != want || len(m.Masks) != 1 || m.Masks[0] != (pii.Span{Start: 5, End: 19, Kind: pii.RRN}) {
		t.Fatalf("masked %+v", m)
	}
	if len(events) != 1 || events[0].Type != chat.EventMessageUpdated || events[0].Message.Body != want || len(events[0].Encoded) == 0 {
		t.Fatalf("mask events %+v", events)
	}
	if got := onlyMessage(t, s, f.ws.ID, c.ID, v.ID); got.Body != want || len(got.Masks) != 1 {
		t.Fatalf("stored %+v", got)
	}
	if eventsHold(t, s, f.ws.ID, c.ID, "1234568") {
		t.Fatal("a stored event still holds the masked number")
	}
	conv, err := s.Conversation(ctx, f.ws.ID, c.ID)
	must(t, err)
	if strings.Contains(conv.LastMessage, "1234568") {
		t.Fatalf("the preview holds the number: %q", conv.LastMessage)
	}
	// Masking it again changes nothing.
	_, events, err = s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 6, End: 10, Kind: pii.Other}, k, by)
	must(t, err)
	if len(events) != 0 {
		t.Fatalf("a mask inside a mask wrote %+v", events)
	}

	// Two overlapping masks over the phone merge into one.
	_, _, err = s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 29, End: 36, Kind: pii.Phone}, k, by)
	must(t, err)
	m, _, err = s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 33, End: 42, Kind: pii.Phone}, k, by)
	must(t, err)
	if len(m.Masks) != 2 || m.Masks[1] != (pii.Span{Start: 29, End: 42, Kind: pii.Phone}) || strings.Contains(m.Body, "5678") {
		t.Fatalf("merged %+v", m)
	}

	// Unmasking: a span that cuts a mask, or holds none, is refused.
	_, _, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, v.ID, chat.Unmask{Start: 29, End: 38, Reason: "확인"}, k, by)
	wantCode(t, err, chat.ErrSpanCrossesMask)
	_, _, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, v.ID, chat.Unmask{Start: 0, End: 4, Reason: "확인"}, k, by)
	wantCode(t, err, chat.ErrMaskNotFound)

	// A view opens the original for the caller only.
	m, originals, events, err := s.UnmaskMessage(ctx, f.ws.ID, c.ID, v.ID, chat.Unmask{Start: 29, End: 42, Reason: "배송지 확인"}, k, by)
	must(t, err)
	if len(originals) != 1 || originals[0].Text != "010-1234-5678" || len(events) != 0 || !strings.Contains(m.Body, "*************") {
		t.Fatalf("view: %+v %+v %+v", m, originals, events)
	}
	// A permanent unmask puts it back in storage.
	m, originals, events, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, v.ID, chat.Unmask{Start: 0, End: 42, Reason: "고객 요청", Permanent: true}, k, by)
	must(t, err)
	if m.Body != text || len(m.Masks) != 0 || len(originals) != 2 || originals[0].Text != "900101-1234568" || len(events) != 1 {
		t.Fatalf("restore: %+v %+v %+v", m, originals, events)
	}
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{})
	must(t, err)
	actions := map[string]int{}
	for _, e := range entries {
		actions[e.Action]++
		if strings.Contains(jsonOf(e), "1234568") || strings.Contains(jsonOf(e), "5678") {
			t.Fatalf("the audit log holds a value: %+v", e)
		}
	}
	if actions[chat.AuditPIIMask] != 3 || actions[chat.AuditPIIView] != 1 || actions[chat.AuditPIIUnmask] != 1 {
		t.Fatalf("audit actions %v", actions)
	}

	// Automatic masking: the message arrives masked with sealed originals.
	ws, err := s.Workspace(ctx, f.ws.ID)
	must(t, err)
	ws.Settings.PII.Mode = chat.PIIAuto
	raw := "카드 4111-1111-1111-1111 로 결제했어요"
	masked, masks, plain := ws.Settings.PII.AutoMask(raw)
	if len(masks) != 1 || plain[0] != "4111-1111-1111-1111" {
		t.Fatalf("AutoMask %q %v %v", masked, masks, plain)
	}
	sealed, err := k.Seal(f.ws.ID, c.ID, plain[0])
	must(t, err)
	nm := chat.NewMessage{ClientMsgID: "v2", Body: masked, Masks: masks,
		Originals: []chat.SealedOriginal{{Span: masks[0], KeyID: k.KeyID(), Sealed: sealed}}}
	auto, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, nm)
	must(t, err)
	if auto.Body != masked || len(auto.Masks) != 1 || eventsHold(t, s, f.ws.ID, c.ID, "1111-1111") {
		t.Fatalf("auto-masked %+v", auto)
	}
	_, originals, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, auto.ID, chat.Unmask{Start: masks[0].Start, End: masks[0].End, Reason: "결제 확인"}, k, by)
	must(t, err)
	if len(originals) != 1 || originals[0].Text != plain[0] {
		t.Fatalf("auto original %+v", originals)
	}

	// The store masks a visitor's raw text itself in automatic mode, under
	// the settings its batch reads; agents' messages are left alone.
	must(t, s.UsePIIKey(ctx, k.KeyID()))
	s.(interface{ UsePII(chat.Sealer) }).UsePII(k)
	ws.Settings.PII.Kinds = []pii.Kind{pii.Phone}
	_, err = s.UpdateWorkspace(ctx, ws, chat.Who{}) // a manager's setting
	must(t, err)
	raw2 := "제 번호 010-2345-6789 이고 카드 4111-1111-1111-1111"
	v3, events, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v3", Body: raw2})
	must(t, err)
	if v3.Body != "제 번호 ************* 이고 카드 4111-1111-1111-1111" || len(v3.Masks) != 1 || strings.Contains(string(events[0].Encoded), "2345-6789") ||
		eventsHold(t, s, f.ws.ID, c.ID, "2345-6789") {
		t.Fatalf("auto-masked by the store: %+v", v3)
	}
	again, _, dup, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v3", Body: raw2})
	must(t, err)
	if !dup || again.ID != v3.ID {
		t.Fatalf("a retry of an auto-masked message: dup %v %+v", dup, again)
	}
	a3, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a3", Body: "확인차 010-2345-6789 로 연락드릴게요"})
	must(t, err)
	if len(a3.Masks) != 0 {
		t.Fatalf("an agent's message was masked: %+v", a3)
	}
	_, originals, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, v3.ID, chat.Unmask{Start: 5, End: 18, Reason: "확인"}, k, by)
	must(t, err)
	if originals[0].Text != "010-2345-6789" {
		t.Fatalf("store-sealed original %+v", originals)
	}

	// Keys: the first is recorded, another refused; rotation re-seals.
	id, err := s.PIIKeyID(ctx)
	must(t, err)
	if id != k.KeyID() {
		t.Fatalf("key ID %q, want %q", id, k.KeyID())
	}
	must(t, s.UsePIIKey(ctx, k.KeyID()))
	k2 := keyring(t)
	wantCode(t, s.UsePIIKey(ctx, k2.KeyID()), chat.ErrPIIKeyMismatch)
	_, err = s.RotatePIIKey(ctx, k2, k)
	wantCode(t, err, chat.ErrPIIKeyMismatch)
	n, err := s.RotatePIIKey(ctx, k, k2)
	must(t, err)
	if n != 2 {
		t.Fatalf("re-sealed %d originals, want 2", n)
	}
	must(t, s.UsePIIKey(ctx, k2.KeyID()))
	_, _, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, auto.ID, chat.Unmask{Start: masks[0].Start, End: masks[0].End, Reason: "x"}, k, by)
	wantCode(t, err, chat.ErrPIIKeyMismatch)
	_, originals, _, err = s.UnmaskMessage(ctx, f.ws.ID, c.ID, auto.ID, chat.Unmask{Start: masks[0].Start, End: masks[0].End, Reason: "x"}, k2, by)
	must(t, err)
	if originals[0].Text != plain[0] {
		t.Fatalf("after rotation %+v", originals)
	}
}

func jsonOf(e chat.AuditEntry) string {
	b, _ := json.Marshal(e)
	return string(b)
}

// MaskLeavesNoTrace: the text a mask hid is gone from the database's
// files (read returns them) once the mask is answered, for a message
// short enough to sit in its table's page and for one long enough to
// spill into pages of its own. A mask's promise (§11) is that the
// original leaves the files, not only the rows; on SQLite that is the
// checkpoint after the rewrite (afterRewrite), without which this fails.
func MaskLeavesNoTrace(t *testing.T, s chat.Store, read func() []byte) {
	f := setup(t, s, "trace")
	k := keyring(t)
	by := chat.Who{AgentID: f.a1.AgentID, Name: "kim", Address: "127.0.0.1"}
	c := f.open(t, s)
	for i, tt := range []struct{ before, secret, after string }{
		{"배송지를 ", "마포구 월드컵로 12길 34", "로 바꿔 주세요."},
		{strings.Repeat("주문한 상품이 아직 도착하지 않았어요. 송장번호를 확인해 주실 수 있을까요? ", 60) + "받는 곳은 ",
			"서초구 반포대로 58길 7", "입니다. " + strings.Repeat("부재 시 경비실에 맡겨 주세요. ", 40)},
	} {
		m := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, fmt.Sprintf("trace-%d", i), tt.before+tt.secret+tt.after)
		if !bytes.Contains(read(), []byte(tt.secret)) {
			t.Fatalf("message %d: the files never held the text: the test proves nothing", i)
		}
		start := utf8.RuneCountInString(tt.before)
		span := pii.Span{Start: start, End: start + utf8.RuneCountInString(tt.secret), Kind: pii.Other}
		_, _, err := s.MaskMessage(ctx, f.ws.ID, c.ID, m.ID, span, k, by)
		must(t, err)
		if bytes.Contains(read(), []byte(tt.secret)) {
			t.Fatalf("message %d (%d bytes): the database's files still hold the masked text", i, len(tt.before+tt.secret+tt.after))
		}
	}
}

// MaskedSearchInCopies: a backup holds no search entries of a masked
// text. indexHolds reports whether the live search index's stored data
// holds text's entries; copyHolds makes a backup copy and reports the
// same of it. (SQLite's index only marks a rewritten message's entries
// deleted, so the live file may keep them until its segments merge.)
func MaskedSearchInCopies(t *testing.T, s chat.Store, indexHolds, copyHolds func(text string) bool) {
	f := setup(t, s, "search-copy")
	k := keyring(t)
	by := chat.Who{AgentID: f.a1.AgentID, Name: "kim", Address: "127.0.0.1"}
	c := f.open(t, s)
	const before, secret, after = "환불은 ", "국민은행 123456-01-234567 홍길동", " 계좌로 부탁드려요."
	m := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "search-copy-1", before+secret+after)
	if !indexHolds(secret) {
		t.Fatal("the search index never held the text: the test proves nothing")
	}
	start := utf8.RuneCountInString(before)
	span := pii.Span{Start: start, End: start + utf8.RuneCountInString(secret), Kind: pii.Other}
	_, _, err := s.MaskMessage(ctx, f.ws.ID, c.ID, m.ID, span, k, by)
	must(t, err)
	if copyHolds(secret) {
		t.Fatal("a backup copy's search index holds the masked text's entries")
	}
}
