package httpapi

import (
	"context"
	"net/http"
	"strconv"

	"github.com/sodam-chat/sodam/internal/chat"
)

// afterValue parses an ?after= value; "" is 0.
func afterValue(v string) (int64, error) {
	return seqValue(v, "after")
}

// seqValue parses a message sequence parameter; "" is 0.
func seqValue(v, name string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, chat.Errorf(chat.ErrInvalid, "%s must be a non-negative integer", name)
	}
	return n, nil
}

// Transcripts are read a page at a time, never cut off silently:
// ?after=SEQ reads onwards from the start (0), ?before=SEQ backwards from
// the end (0), at most ?limit= messages (1 to chat.MaxMessagePage, the
// most when absent), oldest first either way. A page says where the rest
// is: a bare list in a Link header (rel="next" for the messages after it,
// rel="prev" for those before), an object in its earlier field.

// messageQuery is a request for a page of a transcript.
type messageQuery struct {
	seq      int64 // after it, or before it when backward (0: from the end)
	backward bool
	limit    int
}

// messageQueryOf reads ?after=, ?before= and ?limit=; mayAfter says
// whether the route reads onwards (and does so when neither is given),
// else it reads backwards only.
func messageQueryOf(r *http.Request, mayAfter bool) (messageQuery, error) {
	q := r.URL.Query()
	_, after := q["after"]
	_, before := q["before"]
	mq := messageQuery{backward: before || !mayAfter, limit: chat.MaxMessagePage}
	var err error
	switch {
	case after && !mayAfter:
		return mq, chat.Errorf(chat.ErrInvalid, "this transcript is read from its end: use before, not after")
	case after && before:
		return mq, chat.Errorf(chat.ErrInvalid, "give after or before, not both")
	case before:
		mq.seq, err = seqValue(q.Get("before"), "before")
	default:
		mq.seq, err = seqValue(q.Get("after"), "after")
	}
	if err != nil {
		return mq, err
	}
	if v := q.Get("limit"); v != "" {
		n, err := parseID(v, "limit")
		if err != nil || n > chat.MaxMessagePage {
			return mq, chat.Errorf(chat.ErrInvalid, "limit must be a whole number from 1 to %d", chat.MaxMessagePage)
		}
		mq.limit = int(n)
	}
	return mq, nil
}

// messagePage is a page of a transcript and where its neighbours start.
type messagePage struct {
	msgs []chat.Message
	// earlier is the before= of the page before this one (its first
	// message's seq) when this one was read backwards and does not start
	// at the first message; later the after= of the page after this one
	// when it was read onwards and does not end at the last. 0: none.
	earlier, later int64
}

// readMessages reads the page mq asks for of a conversation's transcript,
// with one message more than it shows, which says whether another page
// follows.
func (s *Server) readMessages(ctx context.Context, workspaceID, conversationID int64, mq messageQuery) (messagePage, error) {
	var p messagePage
	var err error
	if mq.backward {
		p.msgs, err = s.store.MessagesBefore(ctx, workspaceID, conversationID, mq.seq, mq.limit+1)
		if len(p.msgs) > mq.limit {
			p.msgs = p.msgs[len(p.msgs)-mq.limit:]
			p.earlier = p.msgs[0].Seq
		}
	} else {
		p.msgs, err = s.store.Messages(ctx, workspaceID, conversationID, mq.seq, mq.limit+1)
		if len(p.msgs) > mq.limit {
			p.msgs = p.msgs[:mq.limit]
			p.later = p.msgs[mq.limit-1].Seq
		}
	}
	return p, err
}

// linkMessages points a Link header at the transcript's page before
// (rel="prev") or after (rel="next") the one answered, if there is one.
func linkMessages(w http.ResponseWriter, r *http.Request, p messagePage, mq messageQuery) {
	rel, param, seq := "next", "after", p.later
	if mq.backward {
		rel, param, seq = "prev", "before", p.earlier
	}
	if seq == 0 {
		return
	}
	u := *r.URL
	q := u.Query()
	q.Del("after")
	q.Del("before")
	q.Set(param, strconv.FormatInt(seq, 10))
	q.Set("limit", strconv.Itoa(mq.limit))
	u.RawQuery = q.Encode()
	w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="`+rel+`"`)
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	msgs, err := s.messagePage(w, r, c)
	if err != nil {
		return err
	}
	out := make([]*chat.Message, len(msgs))
	for i := range msgs {
		out[i] = consoleMessage(&msgs[i])
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// messagePage reads the page of c's messages the request asks for and
// links the next (or, read backwards, the previous) one.
func (s *Server) messagePage(w http.ResponseWriter, r *http.Request, c *chat.Conversation) ([]chat.Message, error) {
	mq, err := messageQueryOf(r, true)
	if err != nil {
		return nil, err
	}
	p, err := s.readMessages(r.Context(), c.WorkspaceID, c.ID, mq)
	if err != nil {
		return nil, err
	}
	linkMessages(w, r, p, mq)
	return p.msgs, nil
}

type sendRequest struct {
	ClientMsgID string `json:"client_msg_id"`
	Body        string `json:"body"`
}

// agentSendRequest is an agent's message; Internal (or a "/note" prefix,
// chat.NoteCommand) makes it an internal note for agents only.
type agentSendRequest struct {
	ClientMsgID string `json:"client_msg_id"`
	Body        string `json:"body"`
	Internal    bool   `json:"internal"`
}

func (s *Server) agentSend(w http.ResponseWriter, r *http.Request) error {
	var req agentSendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if text, ok := chat.NoteCommand(req.Body); ok || req.Internal {
		c, err := s.visibleConversation(r)
		if err != nil {
			return err
		}
		return s.addNote(w, r, c, req.ClientMsgID, text) // notes.go
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	// No read before the send: only the assigned agent may reply
	// (chat.Next, in the batch, under the conversation's lock), and the
	// assignee always sees the conversation. A refused send is told as
	// not found when the agent may not see the conversation, as before.
	m := memberOf(r)
	sent, err := s.app.Send(r.Context(), m.WorkspaceID, cid, actorOf(r),
		chat.NewMessage{ClientMsgID: req.ClientMsgID, Body: req.Body, SenderName: m.Name})
	if err != nil {
		if _, hidden := s.visibleConversation(r); hidden != nil {
			return hidden
		}
		return err
	}
	writeJSON(w, createdStatus(sent.Dup), sent.Message)
	return nil
}

// createdStatus is 201 for a new message and 200 for a retried one.
func createdStatus(dup bool) int {
	if dup {
		return http.StatusOK
	}
	return http.StatusCreated
}

// messageRoutes are the message routes.
func (s *Server) messageRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.listMessages, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/messages", access: member, h: s.agentSend, api: true, send: true},
	}
}
