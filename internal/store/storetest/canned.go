package storetest

import (
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// testCanned: shared and own canned responses; a change to a shared one
// is audited in its own transaction, an agent's own are not.
func testCanned(t *testing.T, s chat.Store) {
	f := setup(t, s, "canned")
	manager, kim, lee := whoOf(f.manager, "manager"), whoOf(f.a1, "kim"), whoOf(f.a2, "lee")
	shared := &chat.Canned{WorkspaceID: f.ws.ID, Title: "환불 안내", Body: "{고객명}님, 환불은 3일 안에 처리됩니다."}
	must(t, s.CreateCanned(ctx, shared, manager))
	mine := &chat.Canned{WorkspaceID: f.ws.ID, OwnerID: f.a1.AgentID, Title: "인사", Body: "안녕하세요, {상담사명}입니다."}
	must(t, s.CreateCanned(ctx, mine, kim))
	theirs := &chat.Canned{WorkspaceID: f.ws.ID, OwnerID: f.a2.AgentID, Title: "이씨 문구", Body: "..."}
	must(t, s.CreateCanned(ctx, theirs, lee))
	wantCode(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: f.ws.ID, Title: "", Body: "x"}, manager), chat.ErrInvalid)

	list, err := s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if len(list) != 2 {
		t.Fatalf("a1 sees %+v", list)
	}
	// Agents change their own; shared ones need a manager.
	_, err = s.UpdateCanned(ctx, f.ws.ID, shared.ID, f.a1, "환불", "x", kim)
	wantCode(t, err, chat.ErrRoleRequired)
	_, err = s.UpdateCanned(ctx, f.ws.ID, theirs.ID, f.a1, "mine now", "x", kim)
	wantCode(t, err, chat.ErrNotFound)
	wantCode(t, s.DeleteCanned(ctx, f.ws.ID, shared.ID, f.a1, kim), chat.ErrRoleRequired)
	up, err := s.UpdateCanned(ctx, f.ws.ID, shared.ID, f.manager, "환불 안내", "{고객명}님, 환불은 영업일 3일 안에 처리됩니다.", manager)
	must(t, err)
	if !strings.Contains(up.Body, "영업일") || !up.Shared {
		t.Fatalf("updated %+v", up)
	}
	_, err = s.UpdateCanned(ctx, f.ws.ID, mine.ID, f.a1, "인사말", "안녕하세요!", kim)
	must(t, err)
	must(t, s.SetCannedFavourite(ctx, f.ws.ID, mine.ID, f.a1.AgentID, true))
	wantCode(t, s.SetCannedFavourite(ctx, f.ws.ID, theirs.ID, f.a1.AgentID, true), chat.ErrNotFound)
	list, err = s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	found := chat.SearchCanned(list, "")
	if len(found) != 2 || found[0].ID != mine.ID || !found[0].Favourite {
		t.Fatalf("favourites first: %+v", found)
	}
	must(t, s.DeleteCanned(ctx, f.ws.ID, mine.ID, f.a1, kim))
	other := setup(t, s, "canned-other")
	wantCode(t, s.DeleteCanned(ctx, other.ws.ID, shared.ID, other.manager, whoOf(other.manager, "manager")), chat.ErrNotFound)
	list, err = s.CannedResponses(ctx, f.ws.ID, f.a1.AgentID)
	must(t, err)
	if len(list) != 1 || list[0].ID != shared.ID {
		t.Fatalf("after delete %+v", list)
	}
	must(t, s.DeleteCanned(ctx, f.ws.ID, shared.ID, f.manager, manager))
	wantAudit(t, s, f.ws.ID, "canned.delete:환불 안내 canned.update:환불 안내 canned.create:환불 안내")
	if e := lastAudit(t, s, f.ws.ID, chat.AuditCannedUpdate); e.ActorName != "manager" ||
		!strings.Contains(jsonOf(e), `"before":{"id":`) || !strings.Contains(jsonOf(e), `"body":"{고객명}님, 환불은 3일 안에 처리됩니다."},"after":{"id":`) {
		t.Fatalf("the update's entry %s", jsonOf(e))
	}
}
