package storetest

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

func testCustomers(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "cust")
	c := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "u1", Profile: chat.Profile{Name: "홍길동", Extra: map[string]string{"cus_extra_plan": "gold"}}}
	must(t, s.UpsertCustomer(ctx, c))
	id := c.ID
	again := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "u1", Verified: true, Profile: chat.Profile{Email: "hong@example.com", Extra: map[string]string{"cus_extra_level": "3"}}}
	must(t, s.UpsertCustomer(ctx, again))
	if again.ID != id || again.Name != "홍길동" || again.Email != "hong@example.com" || !again.Verified ||
		again.Extra["cus_extra_plan"] != "gold" || again.Extra["cus_extra_level"] != "3" {
		t.Fatalf("merged customer %+v", again)
	}
	got, err := s.Customer(ctx, ws.ID, id)
	must(t, err)
	if got.ExternalID != "u1" || got.Name != "홍길동" {
		t.Fatalf("customer %+v", got)
	}
	_, err = s.Customer(ctx, ws.ID, 999999)
	wantCode(t, err, chat.ErrNotFound)

	must(t, s.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: "vt", WorkspaceID: ws.ID, CustomerID: id}))
	vs, err := s.VisitorSession(ctx, "vt")
	must(t, err)
	if vs.CustomerID != id || vs.WorkspaceID != ws.ID {
		t.Fatalf("visitor session %+v", vs)
	}
	_, err = s.VisitorSession(ctx, "nope")
	wantCode(t, err, chat.ErrUnauthorized)
	// The session and its workspace in one read, refused alike.
	vs, w, err := s.VisitorSessionWorkspace(ctx, "vt")
	must(t, err)
	if vs.CustomerID != id || vs.WorkspaceID != ws.ID || w.ID != ws.ID || w.SiteID != ws.SiteID || w.Settings.Robot != ws.Settings.Robot {
		t.Fatalf("visitor session %+v, workspace %+v", vs, w)
	}
	_, _, err = s.VisitorSessionWorkspace(ctx, "nope")
	wantCode(t, err, chat.ErrUnauthorized)

	// With a conversation's state, in the same read: only the session's
	// customer's conversation in that workspace has one.
	mine, _, err := openConversation(s, ws.ID, id, chat.ChannelWeb)
	must(t, err)
	vs, w, state, err := s.VisitorSessionConversation(ctx, "vt", mine.ID)
	must(t, err)
	if vs.CustomerID != id || vs.WorkspaceID != ws.ID || w.ID != ws.ID || w.SiteID != ws.SiteID || state != mine.State || state == "" {
		t.Fatalf("visitor session %+v, workspace %+v, state %q (conversation %+v)", vs, w, state, mine)
	}
	other := newCustomer(t, s, ws, "someone-else")
	theirs, _, err := openConversation(s, ws.ID, other.ID, chat.ChannelWeb)
	must(t, err)
	ws2 := newWorkspace(t, s, "cust-elsewhere")
	elsewhere, _, err := openConversation(s, ws2.ID, newCustomer(t, s, ws2, "u1").ID, chat.ChannelWeb)
	must(t, err)
	for _, cid := range []int64{theirs.ID, elsewhere.ID, 999999} {
		vs, w, state, err = s.VisitorSessionConversation(ctx, "vt", cid)
		must(t, err)
		if vs.CustomerID != id || w.ID != ws.ID || state != "" {
			t.Fatalf("conversation %d: visitor session %+v, workspace %+v, state %q", cid, vs, w, state)
		}
	}
	_, _, _, err = s.VisitorSessionConversation(ctx, "nope", mine.ID)
	wantCode(t, err, chat.ErrUnauthorized)
	// The state alone, by customer: the same answers.
	state, err = s.CustomerConversationState(ctx, ws.ID, id, mine.ID)
	if err != nil || state != mine.State {
		t.Fatalf("own conversation: state %q, %v; want %q", state, err, mine.State)
	}
	for _, c := range []struct{ ws, customer, conv int64 }{{ws.ID, id, theirs.ID}, {ws.ID, id, elsewhere.ID}, {ws.ID, id, 999999}, {ws2.ID, id, mine.ID}, {ws.ID, other.ID, mine.ID}} {
		if state, err := s.CustomerConversationState(ctx, c.ws, c.customer, c.conv); err != nil || state != "" {
			t.Fatalf("%+v: state %q, %v; want none", c, state, err)
		}
	}
}

func strp(s string) *string { return &s }

func testProfileEdit(t *testing.T, s chat.Store) {
	f := setup(t, s, "profile")
	withClock(t, s) // 2026-11-23: the birthday below is tomorrow
	cu, events, err := s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, chat.ProfilePatch{
		Name: strp(" 홍길동 "), Nickname: strp("단골"), Email: strp("hong@example.com"), BirthDate: strp("1990-11-24"),
		Note: strp(strings.Repeat("메", chat.MaxNote)),
	})
	must(t, err)
	if cu.Name != "홍길동" || cu.Nickname != "단골" || cu.Age == nil || *cu.Age != 35 || len(events) != 1 ||
		events[0].Type != chat.EventCustomerUpdated || events[0].Customer.Name != "홍길동" {
		t.Fatalf("customer %+v age %v, events %+v", cu, cu.Age, events)
	}
	c := f.open(t, s)
	if c.CustomerName != "단골" {
		t.Fatalf("conversation lists the customer as %q, want the nickname", c.CustomerName)
	}
	seq := lastSeq(t, s, f.ws.ID)
	for _, bad := range []chat.ProfilePatch{
		{Email: strp("not-an-email")},
		{Email: strp("Hong <hong@example.com>")},
		{BirthDate: strp("1990-13-01")},
		{BirthDate: strp("2030-01-01")},
		{Note: strp(strings.Repeat("메", chat.MaxNote+1))},
		{Name: strp("two\nlines")},
		{Phone: strp("call me")},
		{Name: strp("바뀐 이름"), Email: strp("bad")}, // one bad field changes nothing
	} {
		_, _, err := s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, bad)
		wantCode(t, err, chat.ErrInvalid)
	}
	got, err := s.Customer(ctx, f.ws.ID, f.customer.ID)
	must(t, err)
	if got.Name != "홍길동" || got.Email != "hong@example.com" || got.BirthDate != "1990-11-24" || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a refused edit changed %+v", got)
	}
	// The widget's parameters fill the profile but never clear an agent's edits.
	again := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: f.customer.ExternalID, Language: "ko-KR", IP: "127.0.0.1",
		Profile: chat.Profile{Phone: "010-1234-5678", Extra: map[string]string{"cus_extra_plan": "gold"}}}
	must(t, s.UpsertCustomer(ctx, again))
	if again.Name != "홍길동" || again.Phone != "010-1234-5678" || again.IP != "127.0.0.1" || again.Extra["cus_extra_plan"] != "gold" {
		t.Fatalf("upserted %+v", again)
	}
	other := setup(t, s, "profile-other")
	_, _, err = s.UpdateProfile(ctx, other.ws.ID, f.customer.ID, chat.ProfilePatch{Name: strp("x")})
	wantCode(t, err, chat.ErrNotFound)
}

func testMerge(t *testing.T, s chat.Store) {
	f := setup(t, s, "merge")
	kakao := messengers(t, s, f.ws)
	kim := newCustomer(t, s, f.ws, "kim")
	_, _, err := s.UpdateProfile(ctx, f.ws.ID, kim.ID, chat.ProfilePatch{Name: strp("김철수"), Note: strp("VIP")})
	must(t, err)
	c1, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c1.ID, f.manager)
	must(t, err)

	// A KakaoTalk account writes: a messenger identifier keeps its name
	// whatever its customer ID.
	anon := kakao("u-anon")
	_, _, err = s.UpdateProfile(ctx, f.ws.ID, anon.ID, chat.ProfilePatch{Phone: strp("010-0000-0000"), Note: strp("익명 메모")})
	must(t, err)
	c2, _, err := openConversation(s, f.ws.ID, anon.ID, "kakao")
	must(t, err)

	// A free customer ID is a rename.
	cu, _, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "anon-renamed", false, chat.Who{})
	must(t, err)
	if cu.CustomerID != "anon-renamed" || cu.ExternalID != anon.ExternalID {
		t.Fatalf("renamed %+v", cu)
	}
	// A taken one needs confirmation, and changes nothing without it.
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim", false, chat.Who{})
	wantCode(t, err, chat.ErrMergeRequired)
	if got, _ := s.Customer(ctx, f.ws.ID, anon.ID); got.CustomerID != "anon-renamed" || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("unconfirmed merge changed %+v", got)
	}
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "bad id!", true, chat.Who{})
	wantCode(t, err, chat.ErrInvalid)

	cu, events, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim", true, chat.Who{})
	must(t, err)
	// kim keeps what it had and gains what it lacked.
	if cu.CustomerID != "kim" || cu.Name != "김철수" || cu.Note != "VIP" || cu.Phone != "010-0000-0000" || cu.Identifiers != 2 || len(events) != 2 {
		t.Fatalf("merged %+v, events %d", cu, len(events))
	}
	// The profile is shared: every identifier is told when it changes, so
	// whatever shows the other one follows.
	_, events, err = s.UpdateProfile(ctx, f.ws.ID, anon.ID, chat.ProfilePatch{Name: strp("김철수 고객")})
	must(t, err)
	told := map[int64]string{}
	for _, ev := range events {
		if ev.Type == chat.EventCustomerUpdated {
			told[ev.Customer.ID] = ev.Customer.Name
		}
	}
	if len(told) != 2 || told[kim.ID] != "김철수 고객" || told[anon.ID] != "김철수 고객" {
		t.Fatalf("profile edit told %v, want both identifiers with the new name", told)
	}
	// An identifier's own tags are not the profile's: only it is told.
	_, events, err = s.SetCustomerTags(ctx, f.ws.ID, anon.ID, nil)
	must(t, err)
	if len(events) != 1 {
		t.Fatalf("tag change gave %d events, want 1", len(events))
	}
	history, err := s.CustomerConversations(ctx, f.ws.ID, kim.ID, chat.Page{})
	must(t, err)
	if len(history) != 2 || history[0].ID != c2.ID || history[1].ID != c1.ID {
		t.Fatalf("history after merge %+v", history)
	}
	// The same history from either identifier.
	if h, _ := s.CustomerConversations(ctx, f.ws.ID, anon.ID, chat.Page{}); len(h) != 2 {
		t.Fatalf("history from the merged identifier: %d", len(h))
	}
}

// testMergeLimit: at most 50 identifiers share a customer ID. Messenger
// identifiers count one each; a web identifier folds into the customer
// ID's own, so it adds none.
func testMergeLimit(t *testing.T, s chat.Store) {
	f := setup(t, s, "limit")
	kakao := messengers(t, s, f.ws)
	target := newCustomer(t, s, f.ws, "full")
	for i := 1; i < chat.MaxIdentifiers; i++ {
		cu := kakao(fmt.Sprintf("full-%d", i))
		_, _, err := s.ChangeCustomerID(ctx, f.ws.ID, cu.ID, "full", true, chat.Who{})
		must(t, err)
	}
	if got, _ := s.Customer(ctx, f.ws.ID, target.ID); got.Identifiers != chat.MaxIdentifiers {
		t.Fatalf("identifiers = %d", got.Identifiers)
	}
	one := kakao("one-more")
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err := s.ChangeCustomerID(ctx, f.ws.ID, one.ID, "full", true, chat.Who{})
	wantCode(t, err, chat.ErrTooManyIdentifiers)
	if got, _ := s.Customer(ctx, f.ws.ID, one.ID); got.CustomerID != one.ExternalID || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("refused merge changed %+v", got)
	}
	web := newCustomer(t, s, f.ws, "v-web")
	cu, _, err := s.ChangeCustomerID(ctx, f.ws.ID, web.ID, "full", true, chat.Who{})
	must(t, err)
	if cu.ID != target.ID || cu.Identifiers != chat.MaxIdentifiers {
		t.Fatalf("a web identifier folded at the limit: %+v", cu)
	}
}

func testBlock(t *testing.T, s chat.Store) {
	f := setup(t, s, "block")
	c := active(t, s, f, "troll", f.a1)
	_, _, err := s.BlockCustomer(ctx, f.ws.ID, c.CustomerID, "rude", "", chat.Who{})
	wantCode(t, err, chat.ErrInvalid)
	cu, events, err := s.BlockCustomer(ctx, f.ws.ID, c.CustomerID, "abuse", "욕설 반복", chat.Who{Name: "manager"})
	must(t, err)
	if cu.BlockedAt == nil || cu.BlockReason != "abuse" || cu.BlockNote != "욕설 반복" {
		t.Fatalf("blocked %+v", cu)
	}
	if got := conv(t, s, f.ws.ID, c.ID); got.State != chat.StateClosed || got.CloseReason != chat.CloseByBlock || len(events) != 1 {
		t.Fatalf("conversation after block %+v, events %+v", got, events)
	}
	_, _, err = openConversation(s, f.ws.ID, c.CustomerID, chat.ChannelWeb)
	wantCode(t, err, chat.ErrCustomerBlocked)
	blocked, err := s.BlockedCustomers(ctx, f.ws.ID, chat.Page{})
	must(t, err)
	if len(blocked) != 1 || blocked[0].ID != c.CustomerID {
		t.Fatalf("blocked list %+v", blocked)
	}
	other := setup(t, s, "block2")
	_, _, err = s.BlockCustomer(ctx, other.ws.ID, c.CustomerID, "spam", "", chat.Who{})
	wantCode(t, err, chat.ErrNotFound)
	_, err = s.UnblockCustomer(ctx, other.ws.ID, c.CustomerID, chat.Who{})
	wantCode(t, err, chat.ErrNotFound)
	cu, err = s.UnblockCustomer(ctx, f.ws.ID, c.CustomerID, chat.Who{Name: "manager"})
	must(t, err)
	if cu.BlockedAt != nil {
		t.Fatalf("still blocked %+v", cu)
	}
	_, _, err = openConversation(s, f.ws.ID, c.CustomerID, chat.ChannelWeb)
	must(t, err)
}

// testBlockedMessengerUser (§5.5): a blocked messenger user is refused as
// their bridge's next message looks them up, and the profile it carries
// is not merged; once unblocked it fills the profile again.
func testBlockedMessengerUser(t *testing.T, s chat.Store) {
	f := setup(t, s, "blockmsg")
	ob := outboxOf(t, s)
	ch := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindChannel, ChannelKind: "kakao", URL: "https://bridge.example.com/blockmsg",
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, ch, "channel-token-blockmsg", chat.Who{}))
	cu, err := ob.ChannelCustomer(ctx, *ch, "kk_1", outbox.ChannelProfile{Name: "곰돌이"})
	must(t, err)
	_, _, err = s.BlockCustomer(ctx, f.ws.ID, cu.ID, "spam", "", chat.Who{})
	must(t, err)
	before, err := s.Customer(ctx, f.ws.ID, cu.ID)
	must(t, err)
	spam := outbox.ChannelProfile{Name: "스팸왕", Email: "spam@example.com"}
	_, err = ob.ChannelCustomer(ctx, *ch, "kk_1", spam)
	wantCode(t, err, chat.ErrCustomerBlocked)
	after, err := s.Customer(ctx, f.ws.ID, cu.ID)
	must(t, err)
	if !reflect.DeepEqual(after, before) {
		t.Fatalf("a blocked user's refused lookup changed the customer:\nbefore %+v\nafter  %+v", before, after)
	}
	_, err = s.UnblockCustomer(ctx, f.ws.ID, cu.ID, chat.Who{})
	must(t, err)
	again, err := ob.ChannelCustomer(ctx, *ch, "kk_1", spam)
	must(t, err)
	if again.ID != cu.ID || again.Name != "곰돌이" || again.Email != "spam@example.com" || again.Extra["cus_extra_messenger_name"] != "스팸왕" {
		t.Fatalf("unblocked, the profile is %+v", again)
	}
}

func testConsent(t *testing.T, s chat.Store) {
	f := setup(t, s, "consent")
	clk := withClock(t, s)
	if f.customer.ConsentAt != nil || f.customer.ConsentVersion != "" {
		t.Fatalf("a new customer consented: %+v", f.customer)
	}
	v := chat.ConsentVersion("개인정보 수집에 동의합니다")
	// Consent is recorded with the start it comes with (app.StartConversation).
	record := func(workspaceID, customerID int64) error {
		_, err := s.Write(ctx, func(tx chat.Tx) error { return tx.RecordConsent(ctx, workspaceID, customerID, v) })
		return err
	}
	must(t, record(f.ws.ID, f.customer.ID))
	got, err := s.Customer(ctx, f.ws.ID, f.customer.ID)
	must(t, err)
	if got.ConsentVersion != v || got.ConsentAt == nil || !got.ConsentAt.Equal(clk.Now()) {
		t.Fatalf("after consent: %+v", got)
	}
	other := setup(t, s, "consent2")
	wantCode(t, record(other.ws.ID, f.customer.ID), chat.ErrNotFound)
	// A start the store refuses (the customer was blocked meanwhile)
	// records none of the consent that came with it.
	blocked := newCustomer(t, s, f.ws, "consent-blocked")
	_, _, err = s.BlockCustomer(ctx, f.ws.ID, blocked.ID, "spam", "", chat.Who{})
	must(t, err)
	_, _, err = app.New(s, &captured{}, nil).StartConversation(ctx, f.ws.ID, blocked.ID, chat.ChannelWeb, "ko", v)
	wantCode(t, err, chat.ErrCustomerBlocked)
	if got, err = s.Customer(ctx, f.ws.ID, blocked.ID); err != nil || got.ConsentVersion != "" || got.ConsentAt != nil {
		t.Fatalf("a refused start recorded consent: %+v %v", got, err)
	}
}

// testAgeInWorkspaceZone: a customer's age and "today" for a birth date
// are the workspace's (§4.2, §15): at 01:00 in Seoul on 24 November, still
// the 23rd in UTC, a customer born on 24 November has had their birthday
// and one born today may be entered; in Honolulu it is still the 23rd.
func testAgeInWorkspaceZone(t *testing.T, s chat.Store) {
	f := setup(t, s, "agezone")
	c := withClock(t, s)
	c.advance(15 * time.Hour) // 2026-11-23 16:00 UTC: 11-24 01:00 in Seoul
	cu, _, err := s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, chat.ProfilePatch{BirthDate: strp("1990-11-24")})
	must(t, err)
	if cu.Age == nil || *cu.Age != 36 {
		t.Fatalf("in Seoul on the birthday: age %v, want 36", ageOf(cu.Age))
	}
	if read, err := s.Customer(ctx, f.ws.ID, f.customer.ID); err != nil || read.Age == nil || *read.Age != 36 {
		t.Fatalf("read back: %+v, %v", read, err)
	}
	cu, _, err = s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, chat.ProfilePatch{BirthDate: strp("2026-11-24")})
	if err != nil || cu.Age == nil || *cu.Age != 0 {
		t.Fatalf("born today in Seoul: %+v, %v", cu, err)
	}
	settings(t, s, f.ws, func(x *chat.Settings) { x.Hours.TimeZone = "Pacific/Honolulu" })
	if _, _, err := s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, chat.ProfilePatch{BirthDate: strp("2026-11-24")}); chat.ErrorCode(err) != chat.ErrInvalid {
		t.Fatalf("tomorrow in Honolulu: %v, want invalid_input", err)
	}
	cu, _, err = s.UpdateProfile(ctx, f.ws.ID, f.customer.ID, chat.ProfilePatch{BirthDate: strp("1990-11-24")})
	if err != nil || cu.Age == nil || *cu.Age != 35 {
		t.Fatalf("in Honolulu the day before the birthday: age %v, %v", ageOf(cu.Age), err)
	}
}

// ageOf is a customer's age for a failure's message.
func ageOf(age *int) any {
	if age == nil {
		return "none"
	}
	return *age
}
