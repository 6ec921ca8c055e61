package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestTagsCategoriesNote manages tags and categories, tags customers and
// wraps up a conversation.
func TestTagsCategoriesNote(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, lee, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	shop := e.shopPath()
	other := fmt.Sprintf("/api/v1/workspaces/%d", e.other.ID)
	vis := e.visitor("shop", "")
	cA := vis.start()
	kim.json("POST", e.convPath(cA.ID)+"/assign", "", 200, nil)
	kim.json("POST", e.convPath(cA.ID)+"/messages", `{"client_msg_id":"k1","body":"네"}`, 201, nil)
	cL := e.visitor("shop", "").start()
	lee.json("POST", e.convPath(cL.ID)+"/assign", "", 200, nil)

	var vip, refund, delivery, foreignTag chat.Tag
	manager.json("POST", shop+"/tags", `{"kind":"customer","name":" VIP "}`, 201, &vip)
	manager.json("POST", shop+"/tags", `{"kind":"conversation","name":"환불"}`, 201, &refund)
	manager.json("POST", shop+"/tags", `{"kind":"conversation","name":"VIP"}`, 201, &delivery) // same name, other kind
	olga.json("POST", other+"/tags", `{"kind":"conversation","name":"남의 태그"}`, 201, &foreignTag)
	if vip.Name != "VIP" || vip.Kind != chat.TagCustomer || refund.Kind != chat.TagConversation || vip.ID == 0 {
		t.Fatalf("tags %+v %+v", vip, refund)
	}
	var top, mid, leaf, foreignCat chat.Category
	manager.json("POST", shop+"/categories", `{"parent_id":0,"name":"배송"}`, 201, &top)
	manager.json("POST", shop+"/categories", fmt.Sprintf(`{"parent_id":%d,"name":"지연"}`, top.ID), 201, &mid)
	manager.json("POST", shop+"/categories", fmt.Sprintf(`{"parent_id":%d,"name":"택배사"}`, mid.ID), 201, &leaf)
	olga.json("POST", other+"/categories", `{"parent_id":0,"name":"남의 분류"}`, 201, &foreignCat)
	if top.Depth != 1 || mid.Depth != 2 || leaf.Depth != 3 || leaf.ParentID != mid.ID || top.ParentID != 0 {
		t.Fatalf("categories %+v %+v %+v", top, mid, leaf)
	}
	var cats []chat.Category
	kim.json("GET", shop+"/categories", "", 200, &cats)
	if len(cats) != 3 || cats[0].ID != top.ID || cats[2].ID != leaf.ID {
		t.Fatalf("category list %+v", cats)
	}
	var cu chat.Customer
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", fmt.Sprintf(`{"tag_ids":[%d]}`, vip.ID), 200, &cu)
	if len(cu.Tags) != 1 || cu.Tags[0] != vip {
		t.Fatalf("customer tags %+v", cu.Tags)
	}

	tagPath := func(tg chat.Tag) string { return fmt.Sprintf("%s/tags/%d", shop, tg.ID) }
	catPath := func(c chat.Category) string { return fmt.Sprintf("%s/categories/%d", shop, c.ID) }
	note := e.convPath(cA.ID) + "/note"
	state := func() string {
		return manager.state(shop+"/tags?kind=customer", shop+"/tags?kind=conversation", shop+"/categories", e.convPath(cA.ID), e.convPath(cL.ID)) +
			olga.state(other+"/tags?kind=conversation", other+"/categories")
	}
	e.refuse(state, []scenario{
		// Tags.
		{name: "agent creates a tag", as: kim, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"블랙"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent renames a tag", as: kim, method: "PATCH", path: tagPath(vip), body: `{"name":"VVIP"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent deletes a tag", as: kim, method: "DELETE", path: tagPath(vip), status: 403, code: chat.ErrRoleRequired},
		{name: "duplicate tag", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"VIP"}`, status: 409, code: chat.ErrNameInUse},
		{name: "tag of 21 characters", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"` + strings.Repeat("가", chat.MaxTagName+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "blank tag", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"customer","name":"  "}`, status: 400, code: chat.ErrInvalid},
		{name: "tag of an unknown kind", as: manager, method: "POST", path: shop + "/tags", body: `{"kind":"agent","name":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "list tags without a kind", as: kim, method: "GET", path: shop + "/tags", status: 400, code: chat.ErrInvalid},
		{name: "rename to a taken name", as: manager, method: "PATCH", path: tagPath(delivery), body: `{"name":"환불"}`, status: 409, code: chat.ErrNameInUse},
		{name: "rename another workspace's tag", as: manager, method: "PATCH", path: tagPath(foreignTag), body: `{"name":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "delete another workspace's tag", as: manager, method: "DELETE", path: tagPath(foreignTag), status: 404, code: chat.ErrNotFound},
		{name: "customer tag from another workspace", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: fmt.Sprintf(`{"tag_ids":[%d]}`, foreignTag.ID), status: 404, code: chat.ErrNotFound},
		{name: "conversation tag as a customer tag", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: fmt.Sprintf(`{"tag_ids":[%d,%d]}`, vip.ID, refund.ID), status: 404, code: chat.ErrNotFound},
		{name: "unknown customer tag", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":[99999]}`, status: 404, code: chat.ErrNotFound},
		{name: "tag_ids of the wrong type", as: kim, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":"VIP"}`, status: 400, code: chat.ErrInvalid},
		{name: "colleague tags the customer", as: lee, method: "PUT", path: e.convPath(cA.ID) + "/customer/tags", body: `{"tag_ids":[]}`, status: 404, code: chat.ErrConversationNotFound},

		// Categories.
		{name: "fourth level", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"너무 깊음"}`, leaf.ID), status: 422, code: chat.ErrCategoryTooDeep},
		{name: "parent in another workspace", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"x"}`, foreignCat.ID), status: 404, code: chat.ErrNotFound},
		{name: "unknown parent", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":99999,"name":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "negative parent", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":-1,"name":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "category name of 31 characters", as: manager, method: "POST", path: shop + "/categories", body: `{"parent_id":0,"name":"` + strings.Repeat("가", chat.MaxCategoryName+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "agent creates a category", as: kim, method: "POST", path: shop + "/categories", body: `{"parent_id":0,"name":"x"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "agent deletes a category", as: kim, method: "DELETE", path: catPath(leaf), status: 403, code: chat.ErrRoleRequired},
		{name: "delete a category with children", as: manager, method: "DELETE", path: catPath(mid), status: 409, code: chat.ErrCategoryHasChildren},
		{name: "delete another workspace's category", as: manager, method: "DELETE", path: catPath(foreignCat), status: 404, code: chat.ErrNotFound},
		{name: "rename another workspace's category", as: manager, method: "PATCH", path: catPath(foreignCat), body: `{"name":"x"}`, status: 404, code: chat.ErrNotFound},

		// Wrap-up note.
		{name: "memo of 1001 characters", as: kim, method: "PUT", path: note, body: `{"memo":"` + strings.Repeat("메", chat.MaxMemo+1) + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "category of another workspace", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"category_id":%d}`, foreignCat.ID), status: 404, code: chat.ErrNotFound},
		{name: "negative category", as: kim, method: "PUT", path: note, body: `{"category_id":-1}`, status: 400, code: chat.ErrInvalid},
		{name: "conversation tag of another workspace", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"tag_ids":[%d]}`, foreignTag.ID), status: 404, code: chat.ErrNotFound},
		{name: "customer tag on a conversation", as: kim, method: "PUT", path: note, body: fmt.Sprintf(`{"tag_ids":[%d]}`, vip.ID), status: 404, code: chat.ErrNotFound},
		{name: "note on a colleague's conversation", as: kim, method: "PUT", path: e.convPath(cL.ID) + "/note", body: `{"memo":"x"}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "note with an unknown field", as: kim, method: "PUT", path: note, body: `{"memo":"x","closed":true}`, status: 400, code: chat.ErrInvalid},
	})

	// Names of 20 characters are fine; renaming keeps the links.
	long := strings.Repeat("가", chat.MaxTagName)
	var renamed chat.Tag
	var longTag chat.Tag
	manager.json("POST", shop+"/tags", `{"kind":"customer","name":"`+long+`"}`, 201, &longTag)
	manager.json("PATCH", tagPath(delivery), `{"name":"배송"}`, 200, &renamed)
	if renamed.Name != "배송" || renamed.ID != delivery.ID || renamed.Kind != chat.TagConversation {
		t.Fatalf("renamed %+v", renamed)
	}
	var tags []chat.Tag
	kim.json("GET", shop+"/tags?kind=customer", "", 200, &tags)
	if len(tags) != 2 {
		t.Fatalf("customer tags %+v", tags)
	}

	// The wrap-up: category path from the top, tags, memo; after the close too.
	var c chat.Conversation
	memo := strings.Repeat("메", chat.MaxMemo)
	kim.json("PUT", note, fmt.Sprintf(`{"category_id":%d,"tag_ids":[%d,%d],"memo":"%s"}`, leaf.ID, refund.ID, delivery.ID, memo), 200, &c)
	if c.CategoryID != leaf.ID || strings.Join(c.CategoryPath, ">") != "배송>지연>택배사" || c.Memo != memo || len(c.Tags) != 2 {
		t.Fatalf("noted %+v", c)
	}
	kim.json("POST", e.convPath(cA.ID)+"/close", "", 200, nil)
	kim.json("PUT", note, fmt.Sprintf(`{"category_id":%d,"tag_ids":[%d],"memo":"환불 요청, 택배사 지연"}`, leaf.ID, refund.ID), 200, &c)
	d := kim.detailOf(cA.ID)
	if d.Conversation.State != chat.StateClosed || d.Conversation.Memo != "환불 요청, 택배사 지연" || len(d.Conversation.Tags) != 1 || d.Conversation.Tags[0].ID != refund.ID {
		t.Fatalf("after the close %+v", d.Conversation)
	}

	// A deleted category keeps its name in past conversations, and the
	// conversations filed under it may keep it, but it serves no other
	// conversation's note; deleting a tag removes its links.
	manager.json("DELETE", catPath(leaf), "", 204, nil)
	manager.json("DELETE", catPath(mid), "", 204, nil)
	kim.json("GET", shop+"/categories", "", 200, &cats)
	if len(cats) != 1 || cats[0].ID != top.ID {
		t.Fatalf("categories after deleting %+v", cats)
	}
	if p := kim.detailOf(cA.ID).Conversation.CategoryPath; strings.Join(p, ">") != "배송>지연>택배사" {
		t.Fatalf("path of a deleted category %v", p)
	}
	var past []chat.Conversation
	kim.json("GET", e.convPath(cA.ID)+"/history", "", 200, &past)
	if len(past) != 1 || strings.Join(past[0].CategoryPath, ">") != "배송>지연>택배사" || past[0].Memo != "환불 요청, 택배사 지연" {
		t.Fatalf("history %+v", past)
	}
	e.refuse(state, []scenario{
		{name: "note with a deleted category", as: manager, method: "PUT", path: e.convPath(cL.ID) + "/note", body: fmt.Sprintf(`{"category_id":%d}`, leaf.ID), status: 404, code: chat.ErrNotFound},
		{name: "child of a deleted category", as: manager, method: "POST", path: shop + "/categories", body: fmt.Sprintf(`{"parent_id":%d,"name":"x"}`, mid.ID), status: 404, code: chat.ErrNotFound},
		{name: "delete a deleted category", as: manager, method: "DELETE", path: catPath(leaf), status: 404, code: chat.ErrNotFound},
	})
	kim.json("PUT", note, fmt.Sprintf(`{"category_id":%d,"memo":"환불 완료"}`, leaf.ID), 200, nil)
	if c := kim.detailOf(cA.ID).Conversation; c.Memo != "환불 완료" || strings.Join(c.CategoryPath, ">") != "배송>지연>택배사" {
		t.Fatalf("the note under its deleted category %+v", c)
	}
	manager.json("DELETE", tagPath(refund), "", 204, nil)
	manager.json("DELETE", tagPath(vip), "", 204, nil)
	d = kim.detailOf(cA.ID)
	if len(d.Conversation.Tags) != 0 || len(d.Customer.Tags) != 0 {
		t.Fatalf("links of deleted tags: %+v %+v", d.Conversation.Tags, d.Customer.Tags)
	}
	// An empty list clears the customer's tags.
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", fmt.Sprintf(`{"tag_ids":[%d]}`, longTag.ID), 200, &cu)
	if len(cu.Tags) != 1 || cu.Tags[0].Name != long {
		t.Fatalf("tagged %+v", cu.Tags)
	}
	kim.json("PUT", e.convPath(cA.ID)+"/customer/tags", `{"tag_ids":[]}`, 200, &cu)
	if len(cu.Tags) != 0 {
		t.Fatalf("cleared %+v", cu.Tags)
	}
}
