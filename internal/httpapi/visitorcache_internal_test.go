package httpapi

import (
	"context"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// countingReader is a store of one session and one workspace that counts
// its reads; during runs while a workspace read is under way.
type countingReader struct {
	sessionReads, workspaceReads, stateReads int
	name                                     string
	during                                   func()
	// customer is the session's customer (3 when 0), moves the
	// workspace's SessionMoves.
	customer, moves int64
}

// VisitorSessionConversation counts as a session read; conversation 11 is
// the visitor's, open.
func (r *countingReader) VisitorSessionConversation(ctx context.Context, tokenHash string, id int64) (*chat.VisitorSession, *chat.Workspace, chat.State, error) {
	vs, ws, err := r.VisitorSessionWorkspace(ctx, tokenHash)
	if err != nil {
		return nil, nil, "", err
	}
	r.stateReads--
	state, _ := r.CustomerConversationState(ctx, vs.WorkspaceID, vs.CustomerID, id)
	return vs, ws, state, nil
}

func (r *countingReader) CustomerConversationState(ctx context.Context, workspaceID, customerID, id int64) (chat.State, error) {
	r.stateReads++
	if workspaceID == 7 && customerID == 3 && id == 11 {
		return chat.StateActive, nil
	}
	return "", nil
}

func (r *countingReader) VisitorSessionWorkspace(ctx context.Context, tokenHash string) (*chat.VisitorSession, *chat.Workspace, error) {
	if tokenHash != "known" && tokenHash != "another" {
		return nil, nil, chat.Errorf(chat.ErrUnauthorized, "unknown visitor token")
	}
	r.sessionReads++
	ws, _ := r.Workspace(ctx, 7)
	r.workspaceReads--
	customer := r.customer
	if customer == 0 {
		customer = 3
	}
	return &chat.VisitorSession{TokenHash: tokenHash, WorkspaceID: 7, CustomerID: customer}, ws, nil
}

func (r *countingReader) Workspace(ctx context.Context, id int64) (*chat.Workspace, error) {
	r.workspaceReads++
	if r.during != nil {
		r.during()
	}
	return &chat.Workspace{ID: id, Name: r.name, SessionMoves: r.moves}, nil
}

// A node reads a visitor's session once and its workspace at most once per
// WorkspaceTTL, and again at once after it changed the workspace itself.
func TestVisitorCache(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	store := &countingReader{name: "before"}
	c := newVisitorCache(store, func() time.Time { return now })
	lookup := func(want string) {
		t.Helper()
		vs, ws, err := c.lookup(t.Context(), "known")
		if err != nil || vs.CustomerID != 3 || ws.Name != want {
			t.Fatalf("lookup: %+v %+v %v, want workspace %q", vs, ws, err, want)
		}
	}
	reads := func(sessions, workspaces int) {
		t.Helper()
		if store.sessionReads != sessions || store.workspaceReads != workspaces {
			t.Fatalf("%d session and %d workspace reads, want %d and %d", store.sessionReads, store.workspaceReads, sessions, workspaces)
		}
	}

	// The first request reads both in one read; the next ones nothing.
	lookup("before")
	lookup("before")
	reads(1, 0)

	// A change on another node shows within WorkspaceTTL; the session is
	// not read again.
	store.name = "elsewhere"
	now = now.Add(WorkspaceTTL - time.Millisecond)
	lookup("before")
	now = now.Add(time.Millisecond)
	lookup("elsewhere")
	reads(1, 1)

	// A change on this node shows at once.
	store.name = "here"
	c.forget(7)
	lookup("here")
	reads(1, 2)

	// A read that a change overtakes is answered but not kept: the next
	// request reads again.
	c.forget(7)
	store.during = func() { store.name = "after"; c.forget(7) }
	lookup("after")
	store.during = nil
	lookup("after")
	reads(1, 4)
	lookup("after")
	reads(1, 4)

	// An unknown token is refused, and not remembered.
	if _, _, err := c.lookup(t.Context(), "unknown"); chat.ErrorCode(err) != chat.ErrUnauthorized {
		t.Fatalf("unknown token: %v", err)
	}
	if len(c.sessions) != 1 {
		t.Fatalf("%d sessions kept, want 1", len(c.sessions))
	}
}

// A cached session is read again once its workspace counts a move of
// sessions (an agent's change of customer ID folded the visitor's
// identifier into another, §1.3): within WorkspaceTTL when another node
// made it, at once when this node did (it forgets the workspace).
func TestVisitorCacheSessionMoves(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	store := &countingReader{name: "shop"}
	c := newVisitorCache(store, func() time.Time { return now })
	lookup := func(want int64) {
		t.Helper()
		vs, _, err := c.lookup(t.Context(), "known")
		if err != nil || vs.CustomerID != want {
			t.Fatalf("lookup: %+v %v, want customer %d", vs, err, want)
		}
	}
	reads := func(sessions, workspaces int) {
		t.Helper()
		if store.sessionReads != sessions || store.workspaceReads != workspaces {
			t.Fatalf("%d session and %d workspace reads, want %d and %d", store.sessionReads, store.workspaceReads, sessions, workspaces)
		}
	}
	lookup(3)
	lookup(3)
	reads(1, 0)

	// Another node moves the session: seen once the workspace is read
	// again, and then kept.
	store.customer, store.moves = 5, 1
	now = now.Add(WorkspaceTTL - time.Millisecond)
	lookup(3)
	now = now.Add(time.Millisecond)
	lookup(5)
	lookup(5)
	reads(2, 1)

	// This node moves it: at once.
	store.customer, store.moves = 8, 2
	c.forget(7)
	lookup(8)
	reads(3, 2)

	// Another visitor's session, cached before a move that a third
	// request's read of the workspace learnt of, is read again too: a
	// socket opens on the conversation of the customer it moved to.
	if vs, _, err := c.lookup(t.Context(), "another"); err != nil || vs.CustomerID != 8 {
		t.Fatalf("another visitor: %+v %v", vs, err)
	}
	store.customer, store.moves = 3, 3
	now = now.Add(WorkspaceTTL)
	lookup(3)
	reads(5, 3)
	vs, _, state, err := c.lookupConversation(t.Context(), "another", 11)
	if err != nil || vs.CustomerID != 3 || state != chat.StateActive {
		t.Fatalf("socket lookup after a move: %+v %q %v", vs, state, err)
	}
	reads(6, 3)
}

// A visitor's socket reads only its conversation's state while the node
// holds the session and a fresh workspace, and all three in one read
// otherwise; a conversation not the visitor's has no state either way.
func TestVisitorCacheConversation(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	store := &countingReader{name: "before"}
	c := newVisitorCache(store, func() time.Time { return now })
	open := func(id int64, wantState chat.State, wantWorkspace string) {
		t.Helper()
		vs, ws, state, err := c.lookupConversation(t.Context(), "known", id)
		if err != nil || vs.CustomerID != 3 || ws.Name != wantWorkspace || state != wantState {
			t.Fatalf("conversation %d: %+v %+v %q %v, want %q in workspace %q", id, vs, ws, state, err, wantState, wantWorkspace)
		}
	}
	reads := func(joined, states int) {
		t.Helper()
		if store.sessionReads != joined || store.stateReads != states || store.workspaceReads != 0 {
			t.Fatalf("%d joined, %d state and %d workspace reads, want %d, %d and 0", store.sessionReads, store.stateReads, store.workspaceReads, joined, states)
		}
	}
	// The first socket reads all three at once; the next only the state.
	open(11, chat.StateActive, "before")
	reads(1, 0)
	open(11, chat.StateActive, "before")
	open(12, "", "before")
	reads(1, 2)

	// A workspace older than WorkspaceTTL, or one this node changed, is
	// read again with the rest.
	store.name = "elsewhere"
	now = now.Add(WorkspaceTTL)
	open(11, chat.StateActive, "elsewhere")
	reads(2, 2)
	store.name = "here"
	c.forget(7)
	open(12, "", "here")
	open(11, chat.StateActive, "here")
	reads(3, 3)

	// An unknown token is refused and not remembered, whatever the
	// conversation.
	if _, _, _, err := c.lookupConversation(t.Context(), "unknown", 11); chat.ErrorCode(err) != chat.ErrUnauthorized {
		t.Fatalf("unknown token: %v", err)
	}
	if len(c.sessions) != 1 {
		t.Fatalf("%d sessions kept, want 1", len(c.sessions))
	}
}
