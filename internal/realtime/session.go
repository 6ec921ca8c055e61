package realtime

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Heartbeat timing: every PingInterval the server sends a heartbeat frame
// and a ping, and closes a connection whose pong does not come back within
// PongTimeout. Clients reconnect when they hear nothing for a few intervals.
const (
	PingInterval = 20 * time.Second
	PongTimeout  = 10 * time.Second
	WriteTimeout = 10 * time.Second
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
	// MaySee reports whether the client may see ev.
	MaySee func(chat.Event) bool
	// Audience names how the session shows events: every session of one
	// audience shows an event alike, through Render, so a live event is
	// rendered and encoded once per audience on a node however many
	// sessions show it. Empty renders per session.
	Audience string
	// Render returns what the audience sees of an event it may see.
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
	// OnFrame handles a frame the client sent.
	OnFrame func(ctx context.Context, data []byte)
	// Notice, when set, may add a frame of its own after "ready" (ev nil)
	// and after each event (a visitor's place in the queue); nil adds none.
	Notice func(ctx context.Context, ev *chat.Event) any
	// PingInterval overrides the package's PingInterval (tests).
	PingInterval time.Duration
}

type frame struct {
	Type  string `json:"type"`
	Event any    `json:"event,omitempty"`
	Seq   int64  `json:"seq,omitempty"`
	*Typing
}

// ErrDropped ends a session whose client could not keep up.
var ErrDropped = errors.New("subscriber fell behind")

// ErrSessionEnded ends a socket whose login ended or whose access changed.
var ErrSessionEnded = errors.New("session ended")

// Serve runs a session until the client leaves, the connection dies, or ctx
// ends: subscribe first, replay from the store, then stream live items,
// skipping any the replay already sent.
func (h *Hub) Serve(ctx context.Context, s Session) error {
	sub, err := h.Subscribe(ctx, s.WorkspaceID, s.ConversationID)
	if err != nil {
		return err
	}
	defer sub.Close()
	sub.SetQueued(s.Queued)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		for {
			data, err := s.Conn.Read(ctx)
			if err != nil {
				cancel(err)
				return
			}
			s.OnFrame(ctx, data)
		}
	}()

	write := func(data []byte) error {
		wctx, wcancel := context.WithTimeout(ctx, WriteTimeout)
		defer wcancel()
		return s.Conn.Write(wctx, data)
	}
	send := func(f frame) error {
		data, err := json.Marshal(f)
		if err != nil {
			return err
		}
		return write(data)
	}
	render := func(ev chat.Event) func() ([]byte, error) {
		return func() ([]byte, error) { return json.Marshal(frame{Type: "event", Event: s.Render(ev)}) }
	}
	end, err := h.src.LastEventSeq(ctx, s.WorkspaceID)
	if err != nil {
		return err
	}
	last := s.After
	if last < 0 || last > end {
		last = end
	}
	notice := func(ev *chat.Event) error {
		if s.Notice == nil {
			return nil
		}
		v := s.Notice(ctx, ev)
		if v == nil {
			return nil
		}
		data, err := json.Marshal(v)
		if err != nil {
			return err
		}
		return write(data)
	}
	// sendEvent sends ev unless the client has it; live events (not
	// replayed ones) come with the node's shared frames and are timed
	// from their commit.
	sendEvent := func(ev chat.Event, frames *frames) error {
		if ev.Seq <= last {
			return nil
		}
		last = ev.Seq
		if s.ConversationID != 0 && ev.Conversation != nil && ev.Conversation.ID == s.ConversationID {
			sub.SetQueued(ev.Conversation.State == chat.StateUnassigned)
		}
		if s.MaySee(ev) {
			var data []byte
			var err error
			if frames != nil && s.Audience != "" {
				data, err = frames.get(s.Audience, render(ev))
			} else {
				data, err = render(ev)()
			}
			if err != nil {
				return err
			}
			if err := write(data); err != nil {
				return err
			}
			if frames != nil {
				h.Metrics.Delivered(ev.CreatedAt)
			}
		}
		return notice(&ev)
	}

	for {
		events, err := h.src.Events(ctx, s.WorkspaceID, chat.EventFilter{AfterSeq: last, ConversationID: s.ConversationID, Limit: replayPage})
		if err != nil {
			return err
		}
		for _, ev := range events {
			if err := sendEvent(ev, nil); err != nil {
				return err
			}
		}
		if len(events) < replayPage {
			break
		}
	}
	// Every event up to end was committed before the replay read the log,
	// so the replay has considered it even when it filtered by conversation.
	last = max(last, end)
	if err := send(frame{Type: "ready", Seq: last}); err != nil {
		return err
	}
	if err := notice(nil); err != nil {
		return err
	}

	every := s.PingInterval
	if every == 0 {
		every = PingInterval
	}
	ping := time.NewTicker(every)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-sub.Dropped:
			s.Conn.Close("too slow; reconnect to resume")
			return ErrDropped
		case it := <-sub.C:
			switch {
			case it.EndSession != "" && it.EndSession == s.SessionKey:
				s.Conn.Close("signed out")
				return ErrSessionEnded
			case it.Event != nil:
				err = sendEvent(*it.Event, it.frames)
				if err == nil && s.EndOn != nil && s.EndOn(*it.Event) {
					s.Conn.Close("access changed; reconnect")
					return ErrSessionEnded
				}
			case it.Typing != nil && s.ShowTyping(*it.Typing):
				err = send(frame{Type: "typing", Typing: it.Typing})
			}
			if err != nil {
				return err
			}
		case <-ping.C:
			// A heartbeat frame lets the browser, which cannot see protocol
			// pings, notice a dead server; the ping finds a dead client.
			if err := send(frame{Type: "heartbeat"}); err != nil {
				return err
			}
			pctx, pcancel := context.WithTimeout(ctx, PongTimeout)
			err := s.Conn.Ping(pctx)
			pcancel()
			if err != nil {
				return err
			}
		}
	}
}
