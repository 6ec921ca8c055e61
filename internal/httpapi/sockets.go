package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/realtime"
)

// clientFrame is what a WebSocket client may send.
type clientFrame struct {
	Type           string `json:"type"`
	ConversationID int64  `json:"conversation_id"`
	Typing         bool   `json:"typing"`
}

// eventsAfterParam reads a socket's ?after=; without it the session starts
// at the end of the log.
func eventsAfterParam(q url.Values) (int64, error) {
	v := q.Get("after")
	if v == "" {
		return -1, nil
	}
	return afterValue(v)
}

func (s *Server) agentWS(w http.ResponseWriter, r *http.Request) error {
	if err := needSession(r); err != nil {
		return err
	}
	after, err := eventsAfterParam(r.URL.Query())
	if err != nil {
		return err
	}
	m := memberOf(r)
	following, err := s.following(r.Context(), m) // notes.go
	if err != nil {
		return err
	}
	// Only the console's own origin may open an agent socket (the library
	// refuses other hosts when no patterns are given) — and, behind https,
	// not a plain-http page of the same host, which anyone on the network
	// path can write: the cookie goes with the handshake, and the socket
	// streams the agent's conversations.
	if o := r.Header.Get("Origin"); strings.HasPrefix(s.cfg.BaseURL, "https://") && strings.HasPrefix(strings.ToLower(o), "http://") {
		http.Error(w, "WebSocket origin "+o+" is not allowed for this site", http.StatusForbidden)
		return nil
	}
	conn, err := realtime.Accept(w, r, nil)
	if err != nil {
		return nil // Accept has answered the client
	}
	defer conn.Close("bye")
	defer s.metrics.Connected("agent")()
	ctx, stop := context.WithCancel(r.Context())
	defer stop()
	if !s.lingering.start(func() { s.keepPresence(ctx, m, agentOf(r).session.TokenHash, stop) }) {
		return nil // the node is stopping: the console reconnects to another
	}
	typing := s.typingGate("agent " + strconv.FormatInt(m.AgentID, 10))
	audience, render := "console", renderConsole
	if !m.Role.SeesAll() {
		audience, render = "console-agent", renderAgentConsole
	}
	err = s.hub.Serve(ctx, realtime.Session{
		Conn: conn, WorkspaceID: m.WorkspaceID, After: after,
		MaySee: func(ev chat.Event) bool { return following.MaySee(ev, *m) },
		// Signing out ends the socket; so do deactivation and a new role,
		// which change what the agent may see (the console reconnects),
		// and the workspace's archive, which closes it to its members.
		SessionKey: sessionKey(agentOf(r).session.TokenHash),
		EndOn: func(ev chat.Event) bool {
			return ev.Archived || ev.Type == chat.EventAgentStatus && ev.Member != nil && ev.Member.AgentID == m.AgentID &&
				(!ev.Member.Active || ev.Member.Role != m.Role)
		},
		// What changed between the request's read of the member and the
		// subscription reaches neither EndOn nor the sign-out signal.
		Check: func(ctx context.Context) error {
			_, _, cur, err := s.store.ConsoleMember(ctx, agentOf(r).session.TokenHash, s.now(), m.WorkspaceID)
			if err != nil {
				return err
			}
			if cur == nil || !cur.Active || cur.Role != m.Role {
				return realtime.ErrSessionEnded
			}
			return nil
		},
		Audience: audience,
		Render:   render,
		ShowTyping: func(t realtime.Typing) bool {
			return t.SenderType == chat.SenderVisitor && chat.CanSee(chat.Conversation{AssigneeID: t.AssigneeID, State: t.State}, m.AgentID, m.Role)
		},
		OnFrame: func(ctx context.Context, data []byte) {
			var f clientFrame
			if json.Unmarshal(data, &f) != nil || f.Type != "typing" || !typing.pass(f.ConversationID, f.Typing) {
				return
			}
			c, err := s.store.Conversation(ctx, m.WorkspaceID, f.ConversationID)
			if err != nil || c.AssigneeID != m.AgentID || !c.State.Open() {
				return
			}
			s.hub.PublishTyping(ctx, m.WorkspaceID, realtime.Typing{ConversationID: c.ID, SenderType: chat.SenderAgent, Typing: f.Typing, AssigneeID: c.AssigneeID, State: c.State})
		},
	})
	s.log.Debug("agent socket closed", slog.Int64("agent", m.AgentID), slog.Any("err", err))
	return nil
}

// widgetWS authenticates by the token the handshake offers as a protocol
// (realtime.TokenProtocol; the widget's way, which keeps it out of the URL
// and so out of proxies' access logs) or, else, by ?token= — browsers
// cannot set headers on a WebSocket handshake.
func (s *Server) widgetWS(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	token := q.Get("token")
	if token == "" {
		token = realtime.ProtocolToken(r)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	cid, err := parseID(q.Get("conversation_id"), "conversation_id")
	if err != nil {
		// Refused as before: the token and the origin are checked first.
		if _, authErr := s.authVisitor(r); authErr != nil {
			return authErr
		}
		return err
	}
	// The session, its workspace and the conversation's state in one read:
	// a reconnect storm opens thousands of these a second.
	r, state, err := s.authVisitorConversation(r, cid)
	if err != nil {
		return err
	}
	after, err := eventsAfterParam(q)
	if err != nil {
		return err
	}
	links, err := s.visitorLinks(r.Context())
	if err != nil {
		return err
	}
	v := visitorOf(r)
	customerID, ip := v.session.CustomerID, budgetAddress(r)
	// A visitor holds a few sockets (tabs), an address many; past that the
	// socket is refused before it costs a connection's memory.
	if !s.cfg.NoLimits {
		if err := s.sockets.open(customerID, ip); err != nil {
			w.Header().Set("Retry-After", "10")
			return err
		}
	}
	release := func() {
		if !s.cfg.NoLimits {
			s.sockets.close(customerID, ip)
		}
	}
	conn, err := realtime.Accept(w, r, originHosts(v.workspace))
	if err != nil {
		release()
		return nil // Accept has answered the client
	}
	disconnected := s.metrics.Connected("visitor")
	// The session outlives this handler: once live it holds no goroutine
	// while idle (see realtime.Hub.Start), so the closures below keep only
	// what they need, never the request.
	workspaceID, conversationID := v.workspace.ID, cid
	typing := s.typingGate("visitor " + strconv.FormatInt(customerID, 10))
	s.hub.Start(r.Context(), realtime.Session{
		Conn: conn, WorkspaceID: workspaceID, After: after, ConversationID: conversationID, Queued: state == chat.StateUnassigned,
		MaySee: func(ev chat.Event) bool { return chat.VisitorMaySee(ev, conversationID) },
		// An archive closes the workspace's widget (its routes answer 404).
		EndOn:    func(ev chat.Event) bool { return ev.Archived },
		Audience: "visitor",
		Render: func(ev chat.Event) any {
			return visitorEvent{Seq: ev.Seq, Type: ev.Type, Conversation: viewForVisitor(ev.Conversation), Message: messageForVisitor(ev.Message, links),
				OperationStopped: ev.OperationStopped, CreatedAt: ev.CreatedAt}
		},
		Notice: s.queueNotice(workspaceID, conversationID, state == chat.StateUnassigned),
		ShowTyping: func(t realtime.Typing) bool {
			return t.ConversationID == conversationID && t.SenderType == chat.SenderAgent
		},
		OnFrame: func(ctx context.Context, data []byte) {
			var f clientFrame
			if json.Unmarshal(data, &f) != nil || f.Type != "typing" || !typing.pass(conversationID, f.Typing) {
				return
			}
			cur, err := s.store.Conversation(ctx, workspaceID, conversationID)
			if err != nil || !cur.State.Open() {
				return
			}
			s.hub.PublishTyping(ctx, workspaceID, realtime.Typing{ConversationID: conversationID, SenderType: chat.SenderVisitor, Typing: f.Typing, AssigneeID: cur.AssigneeID, State: cur.State})
		},
		OnEnd: func(err error) {
			release()
			disconnected()
			s.log.Debug("visitor socket closed", slog.Int64("conversation", conversationID), slog.Any("err", err))
		},
	})
	return nil
}

// originHosts turns allowed origins into the host patterns the WebSocket
// library matches against the Origin header.
func originHosts(ws *chat.Workspace) []string {
	var hosts []string
	for _, o := range ws.AllowedOrigins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}

// queueFrame tells a visitor their place in the queue.
type queueFrame struct {
	Type     string `json:"type"`
	Position int    `json:"position"`
}

// queueNotice reports the visitor's queue position after "ready" (when the
// conversation was queued as the socket opened: a reconnect storm of
// answered chats costs no queue count), after each event that moves the
// queue while their conversation waits in it, and when their own
// conversation enters it again (its agent deactivated, the robot's
// handover).
func (s *Server) queueNotice(workspaceID, conversationID int64, queued bool) func(context.Context, *chat.Event) any {
	last := -1
	return func(ctx context.Context, ev *chat.Event) any {
		if ev == nil && !queued {
			return nil
		}
		entered := ev != nil && ev.Conversation != nil && ev.Conversation.ID == conversationID && ev.Conversation.State == chat.StateUnassigned
		if ev != nil && ev.Type != chat.EventConversationCreated && ev.PrevState != chat.StateUnassigned && !entered {
			return nil
		}
		var pos int
		var err error
		if ev == nil {
			pos, err = s.store.QueuePosition(ctx, workspaceID, conversationID)
		} else {
			pos, err = s.queues.position(ctx, s.store, workspaceID, conversationID, ev.Seq)
		}
		if err != nil || pos == last {
			return nil
		}
		last = pos
		return queueFrame{Type: "queue", Position: pos}
	}
}

// queueReads shares one read of a workspace's queue among the node's
// sockets of its queued visitors. An event that moves the queue has each
// of them tell its visitor their place: a count each made the event cost
// the database the queue's length squared (a queue of 1,000 let 20 chats
// a second in); one read of the order costs its length.
type queueReads struct {
	mu sync.Mutex
	ws map[int64]*queueRead
}

// queueRead is a workspace's queue as read after the event seq.
type queueRead struct {
	mu  sync.Mutex
	seq int64
	pos map[int64]int // conversation → 1-based place
}

// position is conversationID's place in the workspace's queue, or 0, as
// read after the event seq: the first socket to ask after an event reads
// the queue, and the others the event reaches use that read (they wait
// for it rather than each count).
func (q *queueReads) position(ctx context.Context, store chat.Store, workspaceID, conversationID, seq int64) (int, error) {
	q.mu.Lock()
	if q.ws == nil {
		q.ws = map[int64]*queueRead{}
	}
	r := q.ws[workspaceID]
	if r == nil {
		r = &queueRead{}
		q.ws[workspaceID] = r
	}
	q.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pos == nil || r.seq < seq {
		ids, err := store.QueueOrder(ctx, workspaceID)
		if err != nil {
			return 0, err
		}
		r.pos = make(map[int64]int, len(ids))
		for i, id := range ids {
			r.pos[id] = i + 1
		}
		r.seq = seq
	}
	return r.pos[conversationID], nil
}

// socketRoutes are the WebSocket routes.
func (s *Server) socketRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/ws", access: member, h: s.agentWS, api: true},
		{pattern: "GET /api/v1/widget/ws", access: public, h: s.widgetWS, api: true},
	}
}

// lingering counts the work agent sockets do after they end (the last
// presence renewal, see keepPresence), so that a stopping node closes its
// store after it: http.Server.Shutdown does not wait for WebSockets.
type lingering struct {
	mu      sync.Mutex
	wg      sync.WaitGroup
	stopped bool
}

// start runs f in a goroutine unless the server is stopping.
func (l *lingering) start(f func()) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped {
		return false
	}
	l.wg.Go(f)
	return true
}

// stop refuses new work and waits for what is running.
func (l *lingering) stop() {
	l.mu.Lock()
	l.stopped = true
	l.mu.Unlock()
	l.wg.Wait()
}
