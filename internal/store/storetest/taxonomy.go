package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testTags: tags, each change audited in its own transaction (a refused
// one not at all).
func testTags(t *testing.T, s chat.Store) {
	f := setup(t, s, "tags")
	by := whoOf(f.manager, "manager")
	vip, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, " VIP고객 ", by)
	must(t, err)
	refund, err := s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "환불", by)
	must(t, err)
	if vip.Name != "VIP고객" || vip.Kind != chat.TagCustomer {
		t.Fatalf("tag %+v", vip)
	}
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "VIP고객", by)
	wantCode(t, err, chat.ErrNameInUse)
	// Nor the same but for its case: people type a name to choose a tag.
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "vip고객", by)
	wantCode(t, err, chat.ErrNameInUse)
	gold, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, "Gold", by)
	must(t, err)
	_, err = s.RenameTag(ctx, f.ws.ID, gold.ID, "vip고객", by)
	wantCode(t, err, chat.ErrNameInUse)
	if gold, err = s.RenameTag(ctx, f.ws.ID, gold.ID, "GOLD", by); err != nil || gold.Name != "GOLD" {
		t.Fatalf("a tag's own name in capitals: %+v, %v", gold, err)
	}
	must(t, s.DeleteTag(ctx, f.ws.ID, gold.ID, by))
	// The same name is free in the other kind.
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "VIP고객", by)
	must(t, err)
	_, err = s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, strings.Repeat("가", chat.MaxTagName+1), by)
	wantCode(t, err, chat.ErrInvalid)
	_, err = s.CreateTag(ctx, f.ws.ID, "robot", "x", by)
	wantCode(t, err, chat.ErrInvalid)

	cu, _, err := s.SetCustomerTags(ctx, f.ws.ID, f.customer.ID, []int64{vip.ID})
	must(t, err)
	if len(cu.Tags) != 1 || cu.Tags[0].Name != "VIP고객" {
		t.Fatalf("customer tags %+v", cu.Tags)
	}
	// A conversation tag, or another workspace's, is not a customer tag.
	other := setup(t, s, "tags-other")
	foreign, err := s.CreateTag(ctx, other.ws.ID, chat.TagCustomer, "남의 태그", by)
	must(t, err)
	for _, ids := range [][]int64{{refund.ID}, {vip.ID, foreign.ID}, {999999}} {
		_, _, err = s.SetCustomerTags(ctx, f.ws.ID, f.customer.ID, ids)
		wantCode(t, err, chat.ErrNotFound)
	}
	if got, _ := s.Customer(ctx, f.ws.ID, f.customer.ID); len(got.Tags) != 1 {
		t.Fatalf("a refused change left tags %+v", got.Tags)
	}
	_, err = s.RenameTag(ctx, other.ws.ID, vip.ID, "x", by)
	wantCode(t, err, chat.ErrNotFound)
	renamed, err := s.RenameTag(ctx, f.ws.ID, vip.ID, "우수고객", by)
	must(t, err)
	if renamed.Name != "우수고객" {
		t.Fatalf("renamed %+v", renamed)
	}
	wantCode(t, s.DeleteTag(ctx, other.ws.ID, vip.ID, by), chat.ErrNotFound)
	must(t, s.DeleteTag(ctx, f.ws.ID, vip.ID, by))
	if got, _ := s.Customer(ctx, f.ws.ID, f.customer.ID); len(got.Tags) != 0 {
		t.Fatalf("a deleted tag is still linked: %+v", got.Tags)
	}
	list, err := s.Tags(ctx, f.ws.ID, chat.TagConversation)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("conversation tags %+v", list)
	}
	wantAudit(t, s, f.ws.ID, "tag.delete:우수고객 tag.rename:우수고객 tag.create:VIP고객 tag.delete:GOLD tag.rename:GOLD tag.create:Gold tag.create:환불 tag.create:VIP고객")
	if e := lastAudit(t, s, f.ws.ID, chat.AuditTagRename); e.ActorID != f.manager.AgentID || e.ActorName != "manager" || e.Address != "127.0.0.1" ||
		!strings.Contains(jsonOf(e), `"before":{"id":`+fmt.Sprint(vip.ID)+`,"kind":"customer","name":"VIP고객"},"after":{"id":`+fmt.Sprint(vip.ID)+`,"kind":"customer","name":"우수고객"}`) {
		t.Fatalf("the rename's entry %s", jsonOf(e))
	}
}

// wantAudit checks a workspace's audit log, newest first, as
// "action:target" separated by spaces.
func wantAudit(t *testing.T, s chat.Store, workspaceID int64, want string) {
	t.Helper()
	if got := strings.Join(actions(t, s, workspaceID), " "); got != want {
		t.Fatalf("audit log\n%s\nwant\n%s", got, want)
	}
}

// lastAudit is the workspace's newest audit entry of action.
func lastAudit(t *testing.T, s chat.Store, workspaceID int64, action string) chat.AuditEntry {
	t.Helper()
	entries, err := s.Audit(ctx, workspaceID, chat.AuditFilter{Action: action, Limit: 1})
	must(t, err)
	if len(entries) == 0 {
		t.Fatalf("no %s in the audit log", action)
	}
	return entries[0]
}

// testCategories: the category tree, each change audited in its own
// transaction (a refused one not at all).
func testCategories(t *testing.T, s chat.Store) {
	f := setup(t, s, "cats")
	by := whoOf(f.manager, "manager")
	large, err := s.CreateCategory(ctx, f.ws.ID, 0, "배송", by)
	must(t, err)
	medium, err := s.CreateCategory(ctx, f.ws.ID, large.ID, "지연", by)
	must(t, err)
	small, err := s.CreateCategory(ctx, f.ws.ID, medium.ID, "택배사", by)
	must(t, err)
	if large.Depth != 1 || medium.Depth != 2 || small.Depth != 3 || small.ParentID != medium.ID {
		t.Fatalf("depths %+v %+v %+v", large, medium, small)
	}
	_, err = s.CreateCategory(ctx, f.ws.ID, small.ID, "네 번째", by)
	wantCode(t, err, chat.ErrCategoryTooDeep)
	_, err = s.CreateCategory(ctx, f.ws.ID, large.ID, "지연", by)
	wantCode(t, err, chat.ErrNameInUse)
	other := setup(t, s, "cats-other")
	_, err = s.CreateCategory(ctx, other.ws.ID, large.ID, "남의 하위", by)
	wantCode(t, err, chat.ErrNotFound)

	c := f.open(t, s)
	c, _, err = s.SetNote(ctx, f.ws.ID, c.ID, chat.Note{CategoryID: small.ID, Memo: "택배 지연 안내함"})
	must(t, err)
	if strings.Join(c.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("path %v", c.CategoryPath)
	}
	wantCode(t, s.DeleteCategory(ctx, f.ws.ID, medium.ID, by), chat.ErrCategoryHasChildren)
	must(t, s.DeleteCategory(ctx, f.ws.ID, small.ID, by))
	list, err := s.Categories(ctx, f.ws.ID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("categories after delete %+v", list)
	}
	// Past conversations still show the retired category; it cannot be chosen.
	if got := conv(t, s, f.ws.ID, c.ID); strings.Join(got.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("path after delete %v", got.CategoryPath)
	}
	c2, _, err := openConversation(s, f.ws.ID, newCustomer(t, s, f.ws, "cust-2").ID, chat.ChannelWeb)
	must(t, err)
	_, _, err = s.SetNote(ctx, f.ws.ID, c2.ID, chat.Note{CategoryID: small.ID})
	wantCode(t, err, chat.ErrNotFound)
	// The conversation filed under it keeps it: its memo can still be
	// saved (and the chat closed) without choosing another category.
	got, _, err := s.SetNote(ctx, f.ws.ID, c.ID, chat.Note{CategoryID: small.ID, Memo: "택배사 재발송 완료"})
	must(t, err)
	if got.CategoryID != small.ID || got.Memo != "택배사 재발송 완료" || strings.Join(got.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("note on the retired category %+v", got)
	}
	_, err = s.RenameCategory(ctx, f.ws.ID, medium.ID, "배송 지연", by)
	must(t, err)
	if got := conv(t, s, f.ws.ID, c.ID); strings.Join(got.CategoryPath, ">") != "배송>배송 지연>택배사" {
		t.Fatalf("path after rename %v", got.CategoryPath)
	}
	wantAudit(t, s, f.ws.ID, "category.rename:배송 지연 category.delete:택배사 category.create:택배사 category.create:지연 category.create:배송")
	if e := lastAudit(t, s, f.ws.ID, chat.AuditCategoryDelete); e.ActorName != "manager" || !strings.Contains(jsonOf(e), `"before":{"id":`+fmt.Sprint(small.ID)) || e.After != nil {
		t.Fatalf("the deletion's entry %s", jsonOf(e))
	}
}
