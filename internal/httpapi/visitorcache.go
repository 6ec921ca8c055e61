package httpapi

import (
	"context"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// WorkspaceTTL is how long a node answers widget requests from the
// workspace it read last (visitorCache). A change made on this node
// takes effect at once; one made on another node, or by `sodam admin`,
// within this time. The hub cannot be the only invalidation: it decodes
// only the events of workspaces with sockets on this node, and a publish
// may be lost.
const WorkspaceTTL = time.Second

// maxCachedSessions bounds the sessions one node remembers (about 100
// bytes each); past it the cache starts again empty.
const maxCachedSessions = 50_000

// visitorReader is what the cache reads on a miss.
type visitorReader interface {
	VisitorSessionWorkspace(ctx context.Context, tokenHash string) (*chat.VisitorSession, *chat.Workspace, error)
	Workspace(ctx context.Context, id int64) (*chat.Workspace, error)
	VisitorSessionConversation(ctx context.Context, tokenHash string, conversationID int64) (*chat.VisitorSession, *chat.Workspace, chat.State, error)
	CustomerConversationState(ctx context.Context, workspaceID, customerID, conversationID int64) (chat.State, error)
}

// visitorCache keeps, per node, what every widget request reads first:
// the visitor's session and its workspace, the workspace for at most
// WorkspaceTTL and until this node changes it. At 2,000 messages a second
// these two reads were a tenth of the node's CPU. A session changes only
// when an agent's change of customer ID folds its identifier into another
// (§1.3); that counts in the workspace's SessionMoves, so a session read
// under another count than its workspace's is read again: within
// WorkspaceTTL on every node, at once on the node that made the change.
// Callers share the workspace it returns and must not change it.
type visitorCache struct {
	store visitorReader
	now   func() time.Time

	mu         sync.Mutex
	sessions   map[string]cachedSession
	workspaces map[int64]cachedWorkspace
	gen        uint64 // counts forget calls, so a read that raced one is not kept
}

// cachedSession is a session and its workspace's SessionMoves when it was
// read.
type cachedSession struct {
	vs    chat.VisitorSession
	moves int64
}

type cachedWorkspace struct {
	ws   *chat.Workspace
	read time.Time
}

func newVisitorCache(store visitorReader, now func() time.Time) *visitorCache {
	return &visitorCache{store: store, now: now, sessions: map[string]cachedSession{}, workspaces: map[int64]cachedWorkspace{}}
}

// cached is what the cache holds for a visitor token's hash: the session
// if known, its workspace if fresh, and the generation to keep a read by.
// A session read before sessions last moved is not known.
func (c *visitorCache) cached(tokenHash string, now time.Time) (vs cachedSession, known bool, ws *chat.Workspace, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	vs, known = c.sessions[tokenHash]
	if cw, ok := c.workspaces[vs.vs.WorkspaceID]; ok && known && now.Sub(cw.read) < WorkspaceTTL {
		if cw.ws.SessionMoves != vs.moves {
			return cachedSession{}, false, nil, c.gen
		}
		ws = cw.ws
	}
	return vs, known, ws, c.gen
}

// lookup returns the session of a visitor token's hash and its workspace.
func (c *visitorCache) lookup(ctx context.Context, tokenHash string) (*chat.VisitorSession, *chat.Workspace, error) {
	now := c.now()
	vs, known, ws, gen := c.cached(tokenHash, now)
	switch {
	case ws != nil:
		return &vs.vs, ws, nil
	case known:
		ws, err := c.store.Workspace(ctx, vs.vs.WorkspaceID)
		if err != nil {
			return nil, nil, err
		}
		c.keep(gen, nil, ws, now)
		if ws.SessionMoves == vs.moves {
			return &vs.vs, ws, nil
		}
	}
	s, ws, err := c.store.VisitorSessionWorkspace(ctx, tokenHash)
	if err != nil {
		return nil, nil, err
	}
	c.keep(gen, s, ws, now)
	return s, ws, nil
}

// lookupConversation is lookup and the state of the visitor's
// conversation id ("" when it is not theirs): what a visitor's socket
// reads to open. With the session known and its workspace fresh only the
// conversation's state is read (one primary-key lookup); otherwise all
// three come in one read, as after a node's start, when a reconnect storm
// finds the cache empty.
func (c *visitorCache) lookupConversation(ctx context.Context, tokenHash string, id int64) (*chat.VisitorSession, *chat.Workspace, chat.State, error) {
	now := c.now()
	vs, _, ws, gen := c.cached(tokenHash, now)
	if ws != nil {
		state, err := c.store.CustomerConversationState(ctx, vs.vs.WorkspaceID, vs.vs.CustomerID, id)
		if err != nil {
			return nil, nil, "", err
		}
		return &vs.vs, ws, state, nil
	}
	s, ws, state, err := c.store.VisitorSessionConversation(ctx, tokenHash, id)
	if err != nil {
		return nil, nil, "", err
	}
	c.keep(gen, s, ws, now)
	return s, ws, state, nil
}

// keep remembers a session (if not nil) and a workspace read at now,
// unless forget was called since the read began.
func (c *visitorCache) keep(gen uint64, s *chat.VisitorSession, ws *chat.Workspace, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s != nil {
		if len(c.sessions) >= maxCachedSessions {
			clear(c.sessions)
		}
		c.sessions[s.TokenHash] = cachedSession{vs: *s, moves: ws.SessionMoves}
	}
	if c.gen == gen {
		c.workspaces[ws.ID] = cachedWorkspace{ws: ws, read: now}
	}
}

// forget drops a workspace this node just changed (or tried to), so its
// next widget request reads it again.
func (c *visitorCache) forget(workspaceID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.workspaces, workspaceID)
}
