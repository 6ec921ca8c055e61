package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// Heartbeat timing: every PingInterval the server sends a heartbeat frame
// and a ping, and closes a connection whose pong does not come back within
// PongTimeout. Clients reconnect when they hear nothing for a few intervals.
const (
	PingInterval = 20 * time.Second
	PongTimeout  = 10 * time.Second
	replayPage   = 500
)

// Session is one client's connection to a workspace's feed.
type Session struct {
	Conn        Conn
	WorkspaceID int64
	// After is the last sequence the client saw; the session replays the
	// rest. A negative After, or one beyond the log's end (a client that
	// remembers a database since restored), starts at the end: the client
	// loads current state over REST once it gets "ready".
	After int64
	// ConversationID, when set, limits the session to one conversation:
	// its replay and the live events the hub hands it.
	ConversationID int64
	// Queued says the conversation waits in the queue as the session
	// starts; the session then also hears what moves the queue (for
	// Notice). Events of the conversation keep it up to date.
	Queued bool
	// MaySee reports whether the client may see ev. For a workspace-wide
	// session it runs as the hub hands the event over, under the hub's
	// lock: it must be quick and must not block. Calls are never
	// concurrent, so it may keep state.
	MaySee func(chat.Event) bool
	// Audience names how the session shows events: every session of one
	// audience shows an event alike, through Render, so a live event is
	// rendered and encoded once per audience on a node however many
	// sessions show it. Empty renders per session.
	Audience string
	// Render returns what the audience sees of an event it may see; a
	// json.RawMessage is taken as the event's JSON as it is.
	Render func(chat.Event) any
	// ShowTyping reports whether the client may see t.
	ShowTyping func(Typing) bool
	// SessionKey names the console session the socket belongs to; an
	// EndSession signal for it closes the socket.
	SessionKey string
	// EndOn, when set, closes the socket after an event it reports true
	// for (the agent was deactivated or their role changed: the console
	// reconnects, or signs out, with what they may now see).
	EndOn func(chat.Event) bool
	// Check, when set, runs once the session has subscribed, before the
	// replay; an error ends the session ("access changed; reconnect").
	// The handshake authorized the client before the subscription
	// existed: a change in between (a new role, a deactivation, a
	// sign-out) is not in what the subscription hears, nor, without After,
	// in a replay, so Check reads the client's access again.
	Check func(ctx context.Context) error
	// OnFrame handles a frame the client sent.
	OnFrame func(ctx context.Context, data []byte)
	// Notice, when set, may add a frame of its own after "ready" (ev nil)
	// and after each event (a visitor's place in the queue); nil adds none.
	Notice func(ctx context.Context, ev *chat.Event) any
	// PingInterval overrides the package's PingInterval (tests).
	PingInterval time.Duration
	// OnEnd, when set, is called once when a session that Start began
	// ends, whatever ended it (also when Start fails).
	OnEnd func(error)
}

type frame struct {
	Type  string `json:"type"`
	Event any    `json:"event,omitempty"`
	Seq   int64  `json:"seq,omitempty"`
	*Typing
}

// eventFrameHead and eventFrameTail are an event frame around its event:
// json.Marshal(frame{Type: "event", Event: e}) for an event e already
// encoded.
var (
	eventFrameHead = []byte(`{"type":"event","event":`)
	eventFrameTail = []byte(`}`)
)

// ErrDropped ends a session whose client could not keep up.
var ErrDropped = errors.New("subscriber fell behind")

// ErrSessionEnded ends a socket whose login ended or whose access changed.
var ErrSessionEnded = errors.New("session ended")

// ErrShutdown ends the sessions of a node that stops.
var ErrShutdown = errors.New("server stopping")

// Serve runs a session until the client leaves, the connection dies, or ctx
// ends, and returns why it ended. See Start.
func (h *Hub) Serve(ctx context.Context, s Session) error {
	l, err := h.start(ctx, s)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { l.end(context.Cause(ctx), "") })
	defer stop()
	<-l.done
	return l.err
}

// Start subscribes, replays from the store, says "ready", and returns with
// the session live: from then on it holds no goroutine while idle. Events
// the hub hands it are queued (a bounded queue: a client that falls behind
// is dropped and told to reconnect) and written by a goroutine that exists
// only while there is something to write; a timer sends the heartbeat; the
// connection's poller hands in the client's frames. The session ends when
// the client leaves, stops answering pings, falls behind, or the hub stops
// (Hub.Run returns), and then calls s.OnEnd. ctx serves the replay only.
func (h *Hub) Start(ctx context.Context, s Session) error {
	_, err := h.start(ctx, s)
	return err
}

// live is a session in progress.
type live struct {
	h      *Hub
	s      Session
	sub    *Subscription
	ctx    context.Context
	cancel context.CancelFunc
	every  time.Duration
	buffer int
	done   chan struct{}
	last   int64 // the last sequence the client has; the writer's alone

	mu      sync.Mutex
	queue   []Item
	running bool // a writer owns the connection
	dropped bool
	beat    bool
	ended   bool
	err     error
	timer   *time.Timer
}

func (h *Hub) start(ctx context.Context, s Session) (*live, error) {
	l := &live{h: h, s: s, every: s.PingInterval, buffer: SubscriptionBuffer, done: make(chan struct{}), running: true}
	if l.every == 0 {
		l.every = PingInterval
	}
	if s.ConversationID != 0 {
		l.buffer = ConversationBuffer
	}
	// The live phase outlives the request: it keeps no request state.
	l.ctx, l.cancel = context.WithCancel(context.Background())
	sub, err := h.subscribe(ctx, s.WorkspaceID, s.ConversationID, s.After, l.push, func() { l.end(ErrShutdown, "server restarting; reconnect") })
	if err != nil {
		l.cancel()
		s.Conn.Close("bye")
		if s.OnEnd != nil {
			s.OnEnd(err)
		}
		return nil, err
	}
	l.mu.Lock()
	l.sub = sub
	ended := l.ended // dropped before it had its subscription
	l.mu.Unlock()
	if ended {
		sub.Close()
		return nil, l.err
	}
	sub.SetQueued(s.Queued)
	if s.Check != nil {
		if err := s.Check(ctx); err != nil {
			l.end(err, "access changed; reconnect")
			return nil, err
		}
	}
	s.Conn.Serve(func(data []byte) {
		if s.OnFrame != nil {
			s.OnFrame(l.ctx, data)
		}
	}, func(err error) { l.end(err, "") })
	if err := l.replay(ctx); err != nil {
		l.end(err, "")
		return nil, err
	}
	l.mu.Lock()
	if !l.ended {
		l.timer = time.AfterFunc(l.every, l.heartbeat)
	}
	l.mu.Unlock()
	l.run()
	return l, nil
}

// replay sends what the client missed, then "ready". A client that starts
// at the end, or dropped recently enough for the hub to remember what it
// missed, costs no store read: every event after the subscription's start
// reaches it live.
func (l *live) replay(ctx context.Context) error {
	switch {
	case l.s.After < 0:
		l.last = l.sub.from
	case l.sub.backlogOK && !l.rewrittenAhead(ctx):
		l.last = l.s.After
		for _, it := range l.sub.backlog {
			if err := l.sendEvent(*it.Event, it.frames, false); err != nil {
				return err
			}
		}
		l.sub.backlog = nil
		l.last = max(l.last, l.sub.from)
	default:
		if err := l.replayStored(ctx); err != nil {
			return err
		}
	}
	if err := l.send(frame{Type: "ready", Seq: l.last}); err != nil {
		return err
	}
	return l.notice(nil)
}

// rewrittenAhead reports whether the store holds, after the events the
// hub had delivered when the session subscribed, one that rewrote text
// its remembered events carry (rewroteText: a mask). They may then still
// carry the text the mask hid, which the store has already scrubbed from
// its log; the replay must read the store. The hub hears a
// commit a moment after it, so a client reconnecting in that moment would
// otherwise be replayed the original text after the mask committed (§11).
// A session with nothing remembered to replay, as a visitor reconnecting
// after a moment mostly has, has no text a mask could hide: it costs no
// read. Otherwise, when the hub has heard everything, as it mostly has,
// this costs one read of the log's end; a failed read says true, and the
// store replay reports the error.
func (l *live) rewrittenAhead(ctx context.Context) bool {
	if len(l.sub.backlog) == 0 {
		return false
	}
	end, err := l.h.src.LastEventSeq(ctx, l.s.WorkspaceID)
	switch {
	case err != nil || end-l.sub.from > replayPage:
		return true
	case end <= l.sub.from:
		return false
	}
	events, err := l.h.src.Events(ctx, l.s.WorkspaceID, chat.EventFilter{AfterSeq: l.sub.from, ConversationID: l.s.ConversationID, Limit: int(end - l.sub.from)})
	if err != nil {
		return true
	}
	return slices.ContainsFunc(events, func(ev chat.Event) bool { return rewroteText(&ev, l.sub.backlog) })
}

// replayStored replays from the store.
func (l *live) replayStored(ctx context.Context) error {
	end, err := l.h.src.LastEventSeq(ctx, l.s.WorkspaceID)
	if err != nil {
		return err
	}
	l.last = l.s.After
	if l.last < 0 || l.last > end {
		l.last = end
	}
	for {
		events, err := l.h.src.Events(ctx, l.s.WorkspaceID, chat.EventFilter{AfterSeq: l.last, ConversationID: l.s.ConversationID, Limit: replayPage})
		if err != nil {
			return err
		}
		for _, ev := range events {
			if err := l.sendEvent(ev, nil, false); err != nil {
				return err
			}
		}
		if len(events) < replayPage {
			break
		}
	}
	// Every event up to end was committed before the replay read the log,
	// so the replay has considered it even when it filtered by conversation.
	l.last = max(l.last, end)
	return nil
}

// maySee asks s.MaySee under l.mu: push asks it too, from the hub's
// goroutine, and a MaySee may keep state (the conversations an agent
// follows once mentioned).
func (l *live) maySee(ev chat.Event) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s.MaySee(ev)
}

// push queues an item from the hub (h.mu is held); false drops the session.
func (l *live) push(it Item) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ended {
		return true
	}
	if it.Event != nil && (it.Event.Type == chat.EventMessageUpdated && it.Event.Message != nil || it.Event.Ticket != nil) {
		l.rewriteQueued(*it.Event)
	}
	if it.Event != nil && l.s.ConversationID == 0 && l.s.Notice == nil && !l.s.MaySee(*it.Event) &&
		(l.s.EndOn == nil || !l.s.EndOn(*it.Event)) {
		// Not for this client (an agent hears only what their lists show):
		// it takes no place in the queue, so a busy workspace does not
		// drop an agent over events the agent would never see.
		return true
	}
	if len(l.queue) >= l.buffer {
		// End it now, not after the write in progress: that write may be
		// what is stuck. (Not here: h.mu is held.)
		l.dropped = true
		go l.end(ErrDropped, "too slow; reconnect to resume")
		return false
	}
	l.queue = append(l.queue, it)
	l.kick()
	return true
}

// rewriteQueued gives the events still queued for this client the text of
// upd, a message.updated or a ticket event (a mask, §11): a client that
// reads slowly would otherwise be written the text the mask hid after the
// mask committed, from events queued before it. Their shared frames are
// left behind: the copies are rendered for this session. l.mu is held.
func (l *live) rewriteQueued(upd chat.Event) {
	for i, it := range l.queue {
		if it.Event == nil || it.Event.Seq >= upd.Seq {
			continue
		}
		ev, ok := *it.Event, false
		if upd.Message != nil && upd.Type == chat.EventMessageUpdated {
			ev, ok = rewritten(ev, *upd.Message)
		}
		if t := ev.Ticket; upd.Ticket != nil && t != nil && t.ID == upd.Ticket.ID && t.Message != upd.Ticket.Message {
			cp := *t
			cp.Message, cp.Masks = upd.Ticket.Message, upd.Ticket.Masks
			ev.Ticket, ok = &cp, true
		}
		if ok {
			l.queue[i] = Item{Event: &ev}
		}
	}
}

// rewritten is ev with m's text where it carries an older text of m: the
// message itself (a file's name with it), or the conversation's preview
// of it — a preview that is m's text but where m's masks now hide it.
// Copies: ev's parts are shared with other sessions.
func rewritten(ev chat.Event, m chat.Message) (chat.Event, bool) {
	changed := false
	if ev.Message != nil && ev.Message.ID == m.ID && ev.Message.Body != m.Body {
		msg := *ev.Message
		msg.Body, msg.Masks = m.Body, m.Masks
		if msg.Attachment != nil {
			f := *msg.Attachment
			f.Name = m.Body
			msg.Attachment = &f
		}
		ev.Message, changed = &msg, true
	}
	if c := ev.Conversation; c != nil && c.ID == m.ConversationID && len(m.Masks) > 0 {
		if p := pii.Apply(c.LastMessage, m.Masks); p != c.LastMessage && strings.HasPrefix(m.Body, p) {
			conv := *c
			conv.LastMessage = p
			ev.Conversation, changed = &conv, true
		}
	}
	return ev, changed
}

// kick starts a writer unless one runs; l.mu is held.
func (l *live) kick() {
	if !l.running {
		l.running = true
		go l.run()
	}
}

func (l *live) heartbeat() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.ended {
		l.beat = true
		l.kick()
	}
}

// run writes what is queued, then gives up the connection.
func (l *live) run() {
	for {
		l.mu.Lock()
		switch {
		case l.ended:
			l.running = false
			l.mu.Unlock()
			return
		case l.dropped:
			l.mu.Unlock()
			l.end(ErrDropped, "too slow; reconnect to resume")
			return
		case l.beat:
			l.beat = false
			l.mu.Unlock()
			// A heartbeat frame lets the browser, which cannot see protocol
			// pings, notice a dead server; the ping finds a dead client.
			err := l.send(frame{Type: "heartbeat"})
			if err == nil {
				err = l.s.Conn.Ping()
			}
			if err != nil {
				l.end(err, "")
				return
			}
			l.mu.Lock()
			if !l.ended {
				l.timer.Reset(l.every)
			}
			l.mu.Unlock()
		case len(l.queue) == 0:
			l.queue = nil // an idle session keeps no buffer
			l.running = false
			l.mu.Unlock()
			return
		default:
			it := l.queue[0]
			l.queue[0] = Item{}
			l.queue = l.queue[1:]
			l.mu.Unlock()
			if reason, err := l.item(it); err != nil {
				l.end(err, reason)
				return
			}
		}
	}
}

// item writes one live item; an error (with a reason for the client) ends
// the session.
func (l *live) item(it Item) (string, error) {
	switch {
	case it.EndSession != "" && it.EndSession == l.s.SessionKey:
		return "signed out", ErrSessionEnded
	case it.Event != nil:
		if err := l.sendEvent(*it.Event, it.frames, true); err != nil {
			return "", err
		}
		if l.s.EndOn != nil && l.s.EndOn(*it.Event) {
			return "access changed; reconnect", ErrSessionEnded
		}
	case it.Typing != nil && l.s.ShowTyping(*it.Typing):
		return "", l.send(frame{Type: "typing", Typing: it.Typing})
	}
	return "", nil
}

// end ends the session once: stop the heartbeat, unsubscribe, close the
// connection (telling the client why when there is a reason) and call OnEnd.
func (l *live) end(err error, reason string) {
	l.mu.Lock()
	if l.ended {
		l.mu.Unlock()
		return
	}
	l.ended, l.err = true, err
	l.queue = nil
	if l.timer != nil {
		l.timer.Stop()
	}
	sub := l.sub
	l.mu.Unlock()
	l.cancel()
	if sub != nil {
		sub.Close()
	}
	if reason == "" {
		reason = "bye"
	}
	l.s.Conn.Close(reason)
	if l.s.OnEnd != nil {
		l.s.OnEnd(err)
	}
	close(l.done)
}

func (l *live) send(f frame) error {
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return l.s.Conn.Write(data)
}

func (l *live) notice(ev *chat.Event) error {
	if l.s.Notice == nil {
		return nil
	}
	v := l.s.Notice(l.ctx, ev)
	if v == nil {
		return nil
	}
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return l.s.Conn.Write(data)
}

// sendEvent sends ev unless the client has it. Events the hub delivered
// (live, or remembered for a replay) come with the node's shared frames;
// live ones are timed from their commit.
func (l *live) sendEvent(ev chat.Event, frames *frames, live bool) error {
	if ev.Seq <= l.last {
		return nil
	}
	l.last = ev.Seq
	s := l.s
	if s.ConversationID != 0 && ev.Conversation != nil && ev.Conversation.ID == s.ConversationID {
		l.sub.SetQueued(ev.Conversation.State == chat.StateUnassigned)
	}
	if l.maySee(ev) {
		render := func() ([]byte, error) {
			v := s.Render(ev)
			if raw, ok := v.(json.RawMessage); ok { // JSON already: framed as json.Marshal would
				return slices.Concat(eventFrameHead, raw, eventFrameTail), nil
			}
			return json.Marshal(frame{Type: "event", Event: v})
		}
		var data []byte
		var err error
		if frames != nil && s.Audience != "" {
			data, err = frames.get(s.Audience, render)
		} else {
			data, err = render()
		}
		if err != nil {
			return err
		}
		if err := s.Conn.Write(data); err != nil {
			return err
		}
		if live {
			l.h.Metrics.Delivered(ev.CreatedAt)
		}
	}
	return l.notice(&ev)
}
