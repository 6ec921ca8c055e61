package storetest

import (
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func testWorkspaces(t *testing.T, s chat.Store) {
	w := &chat.Workspace{SiteID: "shop1", Name: "가게", IdentitySecret: "s", AllowedOrigins: []string{"https://shop.example"}, ConsentText: "동의"}
	must(t, s.CreateWorkspace(ctx, w))
	if w.ID == 0 || w.CreatedAt.IsZero() {
		t.Fatalf("ID/CreatedAt not filled: %+v", w)
	}
	wantCode(t, s.CreateWorkspace(ctx, &chat.Workspace{SiteID: "shop1", Name: "dup", IdentitySecret: "s"}), chat.ErrConflict)
	got, err := s.WorkspaceBySiteID(ctx, "shop1")
	must(t, err)
	if got.ID != w.ID || got.Name != "가게" || got.IdentitySecret != "s" || len(got.AllowedOrigins) != 1 || got.ConsentText != "동의" {
		t.Fatalf("got %+v", got)
	}
	got.Name, got.AllowedOrigins, got.Color = "새 이름", nil, "#123456"
	_, err = s.UpdateWorkspace(ctx, got, chat.Who{})
	must(t, err)
	got, err = s.Workspace(ctx, w.ID)
	must(t, err)
	if got.Name != "새 이름" || len(got.AllowedOrigins) != 0 || got.Color != "#123456" {
		t.Fatalf("after update %+v", got)
	}
	_, err = s.Workspace(ctx, 999999)
	wantCode(t, err, chat.ErrWorkspaceNotFound)
	_, err = s.WorkspaceBySiteID(ctx, "nope")
	wantCode(t, err, chat.ErrWorkspaceNotFound)
	_, err = s.UpdateWorkspace(ctx, &chat.Workspace{ID: 999999}, chat.Who{})
	wantCode(t, err, chat.ErrWorkspaceNotFound)

	// A patch applies to the workspace as the write holds it: a change
	// saved since another request read it stays.
	stale, err := s.Workspace(ctx, w.ID)
	must(t, err)
	got.Settings.Greeting = "안녕하세요, 고객센터입니다."
	_, err = s.UpdateWorkspace(ctx, got, chat.Who{})
	must(t, err)
	patched, _, err := s.PatchWorkspace(ctx, w.ID, func(ws *chat.Workspace) error {
		if ws.Settings.Greeting != "안녕하세요, 고객센터입니다." {
			t.Errorf("the patch sees greeting %q", ws.Settings.Greeting)
		}
		ws.Title = "소담 상담"
		return nil
	}, chat.Who{})
	must(t, err)
	if stale.Settings.Greeting != "" || patched.Title != "소담 상담" || patched.Settings.Greeting != "안녕하세요, 고객센터입니다." {
		t.Fatalf("patched %+v", patched)
	}
	// A refused patch changes nothing.
	_, _, err = s.PatchWorkspace(ctx, w.ID, func(ws *chat.Workspace) error {
		ws.Title = "바뀌면 안 됨"
		return chat.Errorf(chat.ErrInvalid, "refused")
	}, chat.Who{})
	wantCode(t, err, chat.ErrInvalid)
	if got, err = s.Workspace(ctx, w.ID); err != nil || got.Title != "소담 상담" || got.Settings.Greeting != "안녕하세요, 고객센터입니다." {
		t.Fatalf("after a refused patch %+v %v", got, err)
	}
	_, _, err = s.PatchWorkspace(ctx, 999999, func(*chat.Workspace) error { return nil }, chat.Who{})
	wantCode(t, err, chat.ErrWorkspaceNotFound)

	// Business hours read back as saved (§6): a weekday without a lunch
	// break has none, and a closed one keeps no hours, though the defaults
	// the settings are read over have them.
	got.Settings.Hours.AlwaysOpen = false
	got.Settings.Hours.Days[time.Monday] = chat.DayHours{Open: true, Start: "10:00", End: "17:00"}
	got.Settings.Hours.Days[time.Tuesday] = chat.DayHours{}
	must(t, got.Settings.Validate())
	_, err = s.UpdateWorkspace(ctx, got, chat.Who{})
	must(t, err)
	read, err := s.Workspace(ctx, w.ID)
	must(t, err)
	if mon, tue := read.Settings.Hours.Days[time.Monday], read.Settings.Hours.Days[time.Tuesday]; mon != got.Settings.Hours.Days[time.Monday] || tue != (chat.DayHours{}) {
		t.Fatalf("Monday %+v and Tuesday %+v read back, saved without a lunch break and closed", mon, tue)
	}
	if noon := time.Date(2026, 12, 7, 12, 30, 0, 0, read.Settings.Location()); !read.Settings.Hours.IsOpen(noon) {
		t.Fatalf("closed on Monday at 12:30 without a lunch break")
	}
}

// LastEventSeqs answers for several workspaces in one read, as
// LastEventSeq does for each, and leaves out a workspace that does not
// exist.
func testLastEventSeqs(t *testing.T, s chat.Store) {
	a := setup(t, s, "lasta")
	b := setup(t, s, "lastb")
	c := a.open(t, s)
	send(t, s, a.ws.ID, c.ID, chat.VisitorActor, "m1", "배송 언제 되나요?")
	want := map[int64]int64{a.ws.ID: lastSeq(t, s, a.ws.ID), b.ws.ID: lastSeq(t, s, b.ws.ID)}
	if want[a.ws.ID] <= want[b.ws.ID] {
		t.Fatalf("workspace a's log ends at %d, b's at %d: a wrote more", want[a.ws.ID], want[b.ws.ID])
	}
	got, err := s.LastEventSeqs(ctx, []int64{b.ws.ID, 999999, a.ws.ID})
	must(t, err)
	if !maps.Equal(got, want) {
		t.Fatalf("LastEventSeqs %v, want %v", got, want)
	}
	got, err = s.LastEventSeqs(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("LastEventSeqs of none: %v, %v", got, err)
	}
	_, err = s.LastEventSeq(ctx, 999999)
	wantCode(t, err, chat.ErrWorkspaceNotFound)
}

func testIsolation(t *testing.T, s chat.Store) {
	a := setup(t, s, "isoa")
	b := setup(t, s, "isob")
	ca := a.open(t, s)
	_, err := s.Conversation(ctx, b.ws.ID, ca.ID)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Messages(ctx, b.ws.ID, ca.ID, 0, 0)
	wantCode(t, err, chat.ErrConversationNotFound)
	_, _, err = s.Take(ctx, b.ws.ID, ca.ID, b.a1)
	wantCode(t, err, chat.ErrConversationNotFound)
	// An agent of workspace b cannot take a's conversation through a's ID either.
	_, _, err = s.Take(ctx, a.ws.ID, ca.ID, b.a1)
	wantCode(t, err, chat.ErrAgentNotFound)
	err = sendErr(s, b.ws.ID, ca.ID, chat.VisitorActor, "x", "hi")
	wantCode(t, err, chat.ErrConversationNotFound)
	_, err = s.Customer(ctx, b.ws.ID, a.customer.ID)
	wantCode(t, err, chat.ErrNotFound)
	_, _, err = openConversation(s, b.ws.ID, a.customer.ID, chat.ChannelWeb)
	wantCode(t, err, chat.ErrNotFound)
	evs, err := s.Events(ctx, b.ws.ID, chat.EventFilter{})
	must(t, err)
	for _, ev := range evs {
		if ev.WorkspaceID != b.ws.ID {
			t.Fatalf("workspace b sees event of %d", ev.WorkspaceID)
		}
	}
	cs, err := s.Conversations(ctx, b.ws.ID, chat.ConversationFilter{})
	must(t, err)
	if len(cs) != 0 {
		t.Fatalf("workspace b lists %d conversations", len(cs))
	}
}

func testBootstrap(t *testing.T, s chat.Store) {
	id, err := s.InstallationID(ctx)
	must(t, err)
	again, err := s.InstallationID(ctx)
	must(t, err)
	if len(id) != 16 || id != again {
		t.Fatalf("installation ID %q then %q", id, again)
	}
	const n = 4
	var wg sync.WaitGroup
	created := make([]bool, n)
	for i := range n {
		wg.Go(func() {
			ws := &chat.Workspace{SiteID: fmt.Sprint("first", i), Name: "first", IdentitySecret: "s"}
			a := &chat.Agent{Email: "admin@example.com", Name: "Admin", PasswordHash: "h"}
			ok, err := s.Bootstrap(ctx, ws, a)
			if err != nil {
				t.Error(err)
			}
			created[i] = ok
		})
	}
	wg.Wait()
	count := 0
	for _, ok := range created {
		if ok {
			count++
		}
	}
	if count != 1 {
		t.Fatalf("%d nodes bootstrapped", count)
	}
	a, err := s.AgentByEmail(ctx, "admin@example.com")
	must(t, err)
	ms, err := s.Memberships(ctx, a.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].Role != chat.RoleMaster {
		t.Fatalf("memberships %+v", ms)
	}
	if _, err := s.LastEventSeq(ctx, ms[0].WorkspaceID); err != nil {
		t.Fatal(err)
	}
}

func testRefusedOrigins(t *testing.T, s chat.Store) {
	ws := newWorkspace(t, s, "origins")
	other := newWorkspace(t, s, "origins2")
	clk := withClock(t, s)
	for i := range chat.MaxRefusedOrigins + 5 {
		must(t, s.NoteRefusedOrigin(ctx, ws.ID, fmt.Sprintf("https://shop%d.example", i), clk.advance(time.Second)))
	}
	must(t, s.NoteRefusedOrigin(ctx, ws.ID, "https://shop3.example", clk.advance(time.Second))) // forgotten, counted anew
	must(t, s.NoteRefusedOrigin(ctx, ws.ID, "https://shop24.example", clk.advance(time.Second)))
	list, err := s.RefusedOrigins(ctx, ws.ID)
	must(t, err)
	if len(list) != chat.MaxRefusedOrigins || list[0].Origin != "https://shop24.example" || list[0].Hits != 2 || list[1].Origin != "https://shop3.example" || list[1].Hits != 1 {
		t.Fatalf("refused origins %+v", list)
	}
	none, err := s.RefusedOrigins(ctx, other.ID)
	must(t, err)
	if len(none) != 0 {
		t.Fatalf("another workspace sees %+v", none)
	}
}
