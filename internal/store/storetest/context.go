package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// contextTests cover §1.3 identity and §4–§5: profiles, customer IDs and
// merging, tags, categories, wrap-up notes, ratings, greeting and canned
// responses.
var contextTests = []struct {
	name string
	fn   func(*testing.T, chat.Store)
}{
	{"ProfileEdit", testProfileEdit},
	{"ChangeCustomerIDAndMerge", testMerge},
	{"MergeLimit", testMergeLimit},
	{"Tags", testTags},
	{"Categories", testCategories},
	{"NoteAndHistory", testNoteAndHistory},
	{"GreetingAndRating", testGreetingAndRating},
	{"CannedResponses", testCanned},
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
	kim := newCustomer(t, s, f.ws, "kim")
	_, _, err := s.UpdateProfile(ctx, f.ws.ID, kim.ID, chat.ProfilePatch{Name: strp("김철수"), Note: strp("VIP")})
	must(t, err)
	c1, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c1.ID, f.manager)
	must(t, err)

	anon := newCustomer(t, s, f.ws, "v-anon")
	_, _, err = s.UpdateProfile(ctx, f.ws.ID, anon.ID, chat.ProfilePatch{Phone: strp("010-0000-0000"), Note: strp("익명 메모")})
	must(t, err)
	c2, _, err := openConversation(s, f.ws.ID, anon.ID, chat.ChannelWeb)
	must(t, err)

	// A free customer ID is a rename.
	cu, _, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "anon-renamed", false)
	must(t, err)
	if cu.CustomerID != "anon-renamed" || cu.ExternalID != "v-anon" {
		t.Fatalf("renamed %+v", cu)
	}
	// A taken one needs confirmation, and changes nothing without it.
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim", false)
	wantCode(t, err, chat.ErrMergeRequired)
	if got, _ := s.Customer(ctx, f.ws.ID, anon.ID); got.CustomerID != "anon-renamed" || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("unconfirmed merge changed %+v", got)
	}
	_, _, err = s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "bad id!", true)
	wantCode(t, err, chat.ErrInvalid)

	cu, events, err := s.ChangeCustomerID(ctx, f.ws.ID, anon.ID, "kim", true)
	must(t, err)
	// kim keeps what it had and gains what it lacked.
	if cu.CustomerID != "kim" || cu.Name != "김철수" || cu.Note != "VIP" || cu.Phone != "010-0000-0000" || cu.Identifiers != 2 || len(events) != 1 {
		t.Fatalf("merged %+v, events %d", cu, len(events))
	}
	history, err := s.CustomerConversations(ctx, f.ws.ID, kim.ID)
	must(t, err)
	if len(history) != 2 || history[0].ID != c2.ID || history[1].ID != c1.ID {
		t.Fatalf("history after merge %+v", history)
	}
	// The same history from either identifier.
	if h, _ := s.CustomerConversations(ctx, f.ws.ID, anon.ID); len(h) != 2 {
		t.Fatalf("history from the merged identifier: %d", len(h))
	}
}

func testMergeLimit(t *testing.T, s chat.Store) {
	f := setup(t, s, "limit")
	target := newCustomer(t, s, f.ws, "full")
	for i := 1; i < chat.MaxIdentifiers; i++ {
		cu := newCustomer(t, s, f.ws, fmt.Sprintf("full-%d", i))
		_, _, err := s.ChangeCustomerID(ctx, f.ws.ID, cu.ID, "full", true)
		must(t, err)
	}
	if got, _ := s.Customer(ctx, f.ws.ID, target.ID); got.Identifiers != chat.MaxIdentifiers {
		t.Fatalf("identifiers = %d", got.Identifiers)
	}
	one := newCustomer(t, s, f.ws, "one-more")
	seq := lastSeq(t, s, f.ws.ID)
	_, _, err := s.ChangeCustomerID(ctx, f.ws.ID, one.ID, "full", true)
	wantCode(t, err, chat.ErrTooManyIdentifiers)
	if got, _ := s.Customer(ctx, f.ws.ID, one.ID); got.CustomerID != "one-more" || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("refused merge changed %+v", got)
	}
}

func testTags(t *testing.T, s chat.Store) {
	f := setup(t, s, "tags")
	vip, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, " VIP고객 ")
	must(t, err)
	refund, err := s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "환불")
	must(t, err)
	if vip.Name != "VIP고객" || vip.Kind != chat.TagCustomer {
		t.Fatalf("tag %+v", vip)
	}
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "VIP고객")
	wantCode(t, err, chat.ErrConflict)
	// The same name is free in the other kind.
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "VIP고객")
	must(t, err)
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, strings.Repeat("가", chat.MaxTagName+1))
	wantCode(t, err, chat.ErrInvalid)
	_, err = s.CreateTag(ctx, f.ws.ID, "robot", "x")
	wantCode(t, err, chat.ErrInvalid)

	cu, _, err := s.SetCustomerTags(ctx, f.ws.ID, f.customer.ID, []int64{vip.ID})
	must(t, err)
	if len(cu.Tags) != 1 || cu.Tags[0].Name != "VIP고객" {
		t.Fatalf("customer tags %+v", cu.Tags)
	}
	// A conversation tag, or another workspace's, is not a customer tag.
	other := setup(t, s, "tags-other")
	foreign, err := s.CreateTag(ctx, other.ws.ID, chat.TagCustomer, "남의 태그")
	must(t, err)
	for _, ids := range [][]int64{{refund.ID}, {vip.ID, foreign.ID}, {999999}} {
		_, _, err = s.SetCustomerTags(ctx, f.ws.ID, f.customer.ID, ids)
		wantCode(t, err, chat.ErrNotFound)
	}
	if got, _ := s.Customer(ctx, f.ws.ID, f.customer.ID); len(got.Tags) != 1 {
		t.Fatalf("a refused change left tags %+v", got.Tags)
	}
	_, err = s.RenameTag(ctx, other.ws.ID, vip.ID, "x")
	wantCode(t, err, chat.ErrNotFound)
	renamed, err := s.RenameTag(ctx, f.ws.ID, vip.ID, "우수고객")
	must(t, err)
	if renamed.Name != "우수고객" {
		t.Fatalf("renamed %+v", renamed)
	}
	wantCode(t, s.DeleteTag(ctx, other.ws.ID, vip.ID), chat.ErrNotFound)
	must(t, s.DeleteTag(ctx, f.ws.ID, vip.ID))
	if got, _ := s.Customer(ctx, f.ws.ID, f.customer.ID); len(got.Tags) != 0 {
		t.Fatalf("a deleted tag is still linked: %+v", got.Tags)
	}
	list, err := s.Tags(ctx, f.ws.ID, chat.TagConversation)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("conversation tags %+v", list)
	}
}

func testCategories(t *testing.T, s chat.Store) {
	f := setup(t, s, "cats")
	large, err := s.CreateCategory(ctx, f.ws.ID, 0, "배송")
	must(t, err)
	medium, err := s.CreateCategory(ctx, f.ws.ID, large.ID, "지연")
	must(t, err)
	small, err := s.CreateCategory(ctx, f.ws.ID, medium.ID, "택배사")
	must(t, err)
	if large.Depth != 1 || medium.Depth != 2 || small.Depth != 3 || small.ParentID != medium.ID {
		t.Fatalf("depths %+v %+v %+v", large, medium, small)
	}
	_, err = s.CreateCategory(ctx, f.ws.ID, small.ID, "네 번째")
	wantCode(t, err, chat.ErrCategoryTooDeep)
	_, err = s.CreateCategory(ctx, f.ws.ID, large.ID, "지연")
	wantCode(t, err, chat.ErrConflict)
	other := setup(t, s, "cats-other")
	_, err = s.CreateCategory(ctx, other.ws.ID, large.ID, "남의 하위")
	wantCode(t, err, chat.ErrNotFound)

	c := f.open(t, s)
	c, _, err = s.SetNote(ctx, f.ws.ID, c.ID, chat.Note{CategoryID: small.ID, Memo: "택배 지연 안내함"})
	must(t, err)
	if strings.Join(c.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("path %v", c.CategoryPath)
	}
	wantCode(t, s.DeleteCategory(ctx, f.ws.ID, medium.ID), chat.ErrCategoryHasChildren)
	must(t, s.DeleteCategory(ctx, f.ws.ID, small.ID))
	list, err := s.Categories(ctx, f.ws.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("categories after delete %+v", list)
	}
	// Past conversations still show the retired category; it cannot be chosen.
	if got := conv(t, s, f.ws.ID, c.ID); strings.Join(got.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("path after delete %v", got.CategoryPath)
	}
	_, _, err = s.SetNote(ctx, f.ws.ID, c.ID, chat.Note{CategoryID: small.ID})
	wantCode(t, err, chat.ErrNotFound)
	_, err = s.RenameCategory(ctx, f.ws.ID, medium.ID, "배송 지연")
	must(t, err)
	if got := conv(t, s, f.ws.ID, c.ID); strings.Join(got.CategoryPath, ">") != "배송>배송 지연>택배사" {
		t.Fatalf("path after rename %v", got.CategoryPath)
	}
}

func testNoteAndHistory(t *testing.T, s chat.Store) {
	f := setup(t, s, "note")
	cat, err := s.CreateCategory(ctx, f.ws.ID, 0, "환불")
	must(t, err)
	tag, err := s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "재문의")
	must(t, err)
	custTag, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "VIP")
	must(t, err)
	first := active(t, s, f, "hist", f.a1)
	seq := lastSeq(t, s, f.ws.ID)
	for _, bad := range []struct {
		n    chat.Note
		code string
	}{
		{chat.Note{Memo: strings.Repeat("메", chat.MaxMemo+1)}, chat.ErrInvalid},
		{chat.Note{CategoryID: 999999}, chat.ErrNotFound},
		{chat.Note{TagIDs: []int64{custTag.ID}}, chat.ErrNotFound},
		{chat.Note{Memo: "ok", TagIDs: []int64{tag.ID, 999999}}, chat.ErrNotFound},
	} {
		_, _, err := s.SetNote(ctx, f.ws.ID, first.ID, bad.n)
		wantCode(t, err, bad.code)
	}
	if got := conv(t, s, f.ws.ID, first.ID); got.Memo != "" || len(got.Tags) != 0 || lastSeq(t, s, f.ws.ID) != seq {
		t.Fatalf("a refused note changed %+v", got)
	}
	c, events, err := s.SetNote(ctx, f.ws.ID, first.ID, chat.Note{CategoryID: cat.ID, TagIDs: []int64{tag.ID}, Memo: "환불 접수"})
	must(t, err)
	if c.Memo != "환불 접수" || len(c.Tags) != 1 || c.CategoryID != cat.ID || len(events) != 1 || events[0].Type != chat.EventConversationUpdated {
		t.Fatalf("note %+v events %+v", c, events)
	}
	// Wrap-up after the close still works.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, first.ID, f.a1)
	must(t, err)
	c, _, err = s.SetNote(ctx, f.ws.ID, first.ID, chat.Note{CategoryID: cat.ID, Memo: "환불 완료"})
	must(t, err)
	if c.Memo != "환불 완료" || len(c.Tags) != 0 {
		t.Fatalf("note after close %+v", c)
	}
	second, _, err := openConversation(s, f.ws.ID, first.CustomerID, chat.ChannelWeb)
	must(t, err)
	history, err := s.CustomerConversations(ctx, f.ws.ID, first.CustomerID)
	must(t, err)
	if len(history) != 2 || history[0].ID != second.ID || history[1].Memo != "환불 완료" ||
		len(history[1].AgentPath) != 1 || strings.Join(history[1].CategoryPath, ">") != "환불" {
		t.Fatalf("history %+v", history)
	}
	other := setup(t, s, "note-other")
	_, _, err = s.SetNote(ctx, other.ws.ID, first.ID, chat.Note{Memo: "x"})
	wantCode(t, err, chat.ErrConversationNotFound)
	if h, _ := s.CustomerConversations(ctx, other.ws.ID, first.CustomerID); len(h) != 0 {
		t.Fatalf("another workspace sees history %+v", h)
	}
}

func testGreetingAndRating(t *testing.T, s chat.Store) {
	f := setup(t, s, "rating")
	settings(t, s, f.ws, func(st *chat.Settings) {
		st.Greeting = "안녕하세요, 소담입니다."
		st.RatingRequest = "별점을 남겨 주세요"
	})
	cu := newCustomer(t, s, f.ws, "rater")
	c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	msgs, err := s.Messages(ctx, f.ws.ID, c.ID, 0, 0)
	must(t, err)
	if len(msgs) != 1 || msgs[0].Body != chat.SystemGreeting || msgs[0].Meta["text"] != "안녕하세요, 소담입니다." || msgs[0].Internal {
		t.Fatalf("greeting %+v", msgs)
	}
	_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrNotReplied)
	_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 5, "")
	wantCode(t, err, chat.ErrNotReplied)
	send(t, s, f.ws.ID, c.ID, f.a1, "r1", "도와드릴까요?")
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a2)
	wantCode(t, err, chat.ErrNotAssignee)
	msg, events, err := s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	if msg.Body != chat.SystemRatingRequested || msg.Meta["text"] != "별점을 남겨 주세요" || len(events) != 1 {
		t.Fatalf("request %+v", msg)
	}
	for _, score := range []int{0, 6} {
		_, _, err = s.Rate(ctx, f.ws.ID, c.ID, score, "")
		wantCode(t, err, chat.ErrInvalid)
	}
	_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	// Rating after the close, once.
	rated, events, err := s.Rate(ctx, f.ws.ID, c.ID, 4, "친절했어요")
	must(t, err)
	if rated.Rating == nil || rated.Rating.Score != 4 || rated.Rating.Comment != "친절했어요" || len(events) != 1 ||
		events[0].Message.Body != chat.SystemRated || events[0].Message.Meta["score"] != "4" {
		t.Fatalf("rated %+v events %+v", rated.Rating, events)
	}
	_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 1, "")
	wantCode(t, err, chat.ErrAlreadyRated)
	if got := conv(t, s, f.ws.ID, c.ID); got.Rating.Score != 4 {
		t.Fatalf("rating changed to %+v", got.Rating)
	}
	_, _, err = s.RequestRating(ctx, f.ws.ID, c.ID, f.a1)
	wantCode(t, err, chat.ErrConversationClosed)
}

func testCanned(t *testing.T, s chat.Store) {
	f := setup(t, s, "canned")
	shared := &chat.Canned{WorkspaceID: f.ws.ID, Title: "환불 안내", Body: "{고객명}님, 환불은 3일 안에 처리됩니다."}
	must(t, s.CreateCanned(ctx, shared))
	mine := &chat.Canned{WorkspaceID: f.ws.ID, OwnerID: f.a1.AgentID, Title: "인사", Body: "안녕하세요, {상담사명}입니다."}
	must(t, s.CreateCanned(ctx, mine))
	theirs := &chat.Canned{WorkspaceID: f.ws.ID, OwnerID: f.a2.AgentID, Title: "이씨 문구", Body: "..."}
	must(t, s.CreateCanned(ctx, theirs))
	wantCode(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: f.ws.ID, Title: "", Body: "x"}), chat.ErrInvalid)

	list, err := s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("a1 sees %+v", list)
	}
	// Agents change their own; shared ones need a manager.
	_, err = s.UpdateCanned(ctx, f.ws.ID, shared.ID, f.a1, "환불", "x")
	wantCode(t, err, chat.ErrRoleRequired)
	_, err = s.UpdateCanned(ctx, f.ws.ID, theirs.ID, f.a1, "mine now", "x")
	wantCode(t, err, chat.ErrNotFound)
	wantCode(t, s.DeleteCanned(ctx, f.ws.ID, shared.ID, f.a1), chat.ErrRoleRequired)
	up, err := s.UpdateCanned(ctx, f.ws.ID, shared.ID, f.manager, "환불 안내", "{고객명}님, 환불은 영업일 3일 안에 처리됩니다.")
	must(t, err)
	if !strings.Contains(up.Body, "영업일") || !up.Shared {
		t.Fatalf("updated %+v", up)
	}
	must(t, s.SetCannedFavourite(ctx, f.ws.ID, mine.ID, f.a1.AgentID, true))
	wantCode(t, s.SetCannedFavourite(ctx, f.ws.ID, theirs.ID, f.a1.AgentID, true), chat.ErrNotFound)
	list, err = s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	found := chat.SearchCanned(list, "")
	if len(found) != 2 || found[0].ID != mine.ID || !found[0].Favourite {
		t.Fatalf("favourites first: %+v", found)
	}
	must(t, s.DeleteCanned(ctx, f.ws.ID, mine.ID, f.a1))
	other := setup(t, s, "canned-other")
	wantCode(t, s.DeleteCanned(ctx, other.ws.ID, shared.ID, other.manager), chat.ErrNotFound)
	list, err = s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if len(list) != 1 || list[0].ID != shared.ID {
		t.Fatalf("after delete %+v", list)
	}
}
