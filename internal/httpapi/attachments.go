package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/attach"
	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// Attachments (§3.4). Uploads are multipart/form-data: a client_msg_id
// field, then one file. The file streams through attach.Receive into blob
// storage; the store then records the message and its attachment in one
// transaction, under the rules that apply to text. Whatever is refused
// after the bytes were stored is deleted again.
//
// Downloads: the console's links are plain API paths its session cookie
// opens, checked like the conversation they belong to. The widget keeps
// its token in script (third-party cookies are not dependable in an
// iframe), and an <img> cannot send it, so visitors get links signed with
// the installation's secret, valid for a day: a link that leaks stops
// working, and only the visitor's own messages ever carry one.

// uploadSlack is what a multipart body may hold besides the file: the
// boundaries, the parts' headers and the client_msg_id field.
const uploadSlack = 64 << 10

// receiveUpload reads an upload and stores its file; the caller records
// the attachment or removes it.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, ws *chat.Workspace) (string, *chat.Attachment, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return "", nil, chat.Errorf(codeMediaType, "send the file as multipart/form-data: a client_msg_id field, then a file field")
	}
	limits := ws.Settings.Attachments
	tooLarge := chat.Errorf(chat.ErrFileTooLarge, "the file is larger than %d MB, the limit here", limits.MaxSizeMB)
	if r.ContentLength > limits.MaxBytes()+uploadSlack {
		return "", nil, tooLarge
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, limits.MaxBytes()+uploadSlack), params["boundary"])
	malformed := func(err error) error {
		var big *http.MaxBytesError
		switch {
		case errors.As(err, &big):
			return tooLarge
		case chat.ErrorCode(err) != "":
			return err
		case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
			return chat.Errorf(chat.ErrInvalid, "the upload ended before the file did")
		}
		return chat.Errorf(chat.ErrInvalid, "the upload is not well-formed multipart/form-data: %v", err)
	}
	part, err := mr.NextPart()
	if err != nil {
		return "", nil, malformed(err)
	}
	if part.FormName() != "client_msg_id" {
		return "", nil, chat.Errorf(chat.ErrInvalid, "the first field must be client_msg_id, then the file")
	}
	id, err := io.ReadAll(io.LimitReader(part, 65))
	if err != nil {
		return "", nil, malformed(err)
	}
	clientMsgID := string(id)
	if err := chat.CheckClientMsgID(clientMsgID); err != nil {
		return "", nil, err
	}
	if part, err = mr.NextPart(); err != nil {
		return "", nil, malformed(err)
	}
	if part.FormName() != "file" || part.FileName() == "" {
		return "", nil, chat.Errorf(chat.ErrInvalid, "after client_msg_id send one file, as the field named file")
	}
	a, err := attach.Receive(r.Context(), s.files, limits, ws.ID, part.FileName(), part)
	if err != nil {
		return "", nil, malformed(err)
	}
	if _, err := mr.NextPart(); !errors.Is(err, io.EOF) {
		s.removeFile(r.Context(), a)
		if err != nil {
			return "", nil, malformed(err)
		}
		return "", nil, chat.Errorf(chat.ErrInvalid, "send one file per message")
	}
	return clientMsgID, a, nil
}

// sendFile receives an upload and records it as a file message of c.
func (s *Server) sendFile(w http.ResponseWriter, r *http.Request, ws *chat.Workspace, c *chat.Conversation, actor chat.Actor, senderName string) (chat.Message, bool, error) {
	clientMsgID, a, err := s.receiveUpload(w, r, ws)
	if err != nil {
		return chat.Message{}, false, err
	}
	sent, err := s.app.Send(r.Context(), c.WorkspaceID, c.ID, actor,
		chat.NewMessage{ClientMsgID: clientMsgID, SenderName: senderName, Attachment: a})
	if err != nil || sent.Dup {
		// Refused, or a retry of a file already stored: keep one copy.
		s.removeFile(r.Context(), a)
	}
	if err != nil {
		return chat.Message{}, false, err
	}
	return sent.Message, sent.Dup, nil
}

// removeFile deletes an attachment's bytes that no message will refer to.
func (s *Server) removeFile(ctx context.Context, a *chat.Attachment) {
	if err := attach.Remove(context.WithoutCancel(ctx), s.files, a); err != nil {
		s.log.Error("remove an unused upload", slog.String("key", a.BlobKey), slog.Any("err", err))
	}
}

func (s *Server) agentUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	msg, dup, err := s.sendFile(w, r, ws, c, actorOf(r), memberOf(r).Name)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(dup), consoleMessage(&msg))
	return nil
}

func (s *Server) widgetUpload(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	links, err := s.visitorLinks(r.Context())
	if err != nil {
		return err
	}
	msg, dup, err := s.sendFile(w, r, visitorOf(r).workspace, c, chat.VisitorActor, "")
	if err != nil {
		return err
	}
	c, err = s.store.Conversation(r.Context(), c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	writeJSON(w, createdStatus(dup), widgetSendResponse{Message: messageForVisitor(&msg, links), Conversation: viewForVisitor(c)})
	return nil
}

// consoleMessage returns m with its attachment's console links.
func consoleMessage(m *chat.Message) *chat.Message {
	return consoleMessageVia(m, "", 0)
}

// The items a transcript is shown through, named on its files' links
// (?conversation= or ?ticket=): the download route then lets whoever may
// see that item have the file, though the file's own conversation is not
// theirs to open.
const (
	// viaConversation: a conversation the member may read, whose
	// customer's history holds the file's (GET …/history/{hid}).
	viaConversation = "conversation"
	// viaTicket: a ticket made from the file's conversation (GET
	// …/tickets/{tid}/transcript).
	viaTicket = "ticket"
)

// consoleMessageVia is consoleMessage for a transcript shown through an
// item: via (viaConversation, viaTicket or "") and its ID go on the links.
func consoleMessageVia(m *chat.Message, via string, id int64) *chat.Message {
	if m == nil || m.Attachment == nil {
		return m
	}
	out, a := *m, *m.Attachment
	base := fmt.Sprintf("/api/v1/workspaces/%d/attachments/%d", m.WorkspaceID, a.ID)
	query := ""
	if via != "" {
		query = "?" + url.Values{via: {strconv.FormatInt(id, 10)}}.Encode()
	}
	a.URL, a.ThumbnailURL = base+query, ""
	if a.Thumbnail {
		a.ThumbnailURL = base + "/thumbnail" + query
	}
	out.Attachment = &a
	return &out
}

// consoleMessages is a transcript's messages with their files' console
// links, through an item (consoleMessageVia).
func consoleMessages(ms []chat.Message, via string, id int64) []chat.Message {
	out := make([]chat.Message, len(ms))
	for i := range ms {
		out[i] = *consoleMessageVia(&ms[i], via, id)
	}
	return out
}

// renderConsole is what a console socket sends of ev: consoleEvent, or,
// when consoleMessage leaves the message as stored (no file's links to
// add), the stored bytes as they are, not encoded again (4 % of a node's
// CPU at 2,000 messages a second).
func renderConsole(ev chat.Event) any {
	if len(ev.Encoded) > 0 && consoleMessage(ev.Message) == ev.Message {
		return json.RawMessage(ev.Encoded)
	}
	return consoleEvent(ev)
}

// renderAgentConsole is renderConsole for an agent who does not see every
// conversation, but for a customer's change: it says which customer
// changed, {id, profile_id}, and leaves the profile out. The profile is
// for those who may see the customer's conversations; a console that
// shows the customer reads it again through its conversation, where the
// routes check what the agent may see (customers.go).
func renderAgentConsole(ev chat.Event) any {
	if ev.Customer == nil {
		return renderConsole(ev)
	}
	type which struct {
		ID        int64 `json:"id"`
		ProfileID int64 `json:"profile_id"`
	}
	cu := which{ev.Customer.ID, ev.Customer.Profile.ID}
	ev.Customer = nil
	return struct {
		event.Envelope
		Customer which `json:"customer"`
	}{event.FromDomain(ev), cu}
}

// consoleEvent is what the console receives of ev: the versioned event,
// with its message's console links. Events are shared by every session on
// the node, so the message is copied.
func consoleEvent(ev chat.Event) event.Envelope {
	ev.Message = consoleMessage(ev.Message)
	return event.FromDomain(ev)
}

func (s *Server) agentFile(w http.ResponseWriter, r *http.Request) error {
	return s.agentAttachment(w, r, false)
}

func (s *Server) agentThumbnail(w http.ResponseWriter, r *http.Request) error {
	return s.agentAttachment(w, r, true)
}

// agentAttachment serves a file of a conversation the member may read, or
// may see through the item its link names (consoleMessageVia); any other
// answers not found, as if it did not exist.
func (s *Server) agentAttachment(w http.ResponseWriter, r *http.Request, thumb bool) error {
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	m := memberOf(r)
	a, err := s.store.Attachment(r.Context(), m.WorkspaceID, aid)
	if err != nil {
		return err
	}
	c, err := s.store.Conversation(r.Context(), m.WorkspaceID, a.ConversationID)
	if err != nil {
		return err
	}
	ok, err := s.mayRead(r, c)
	if err == nil && !ok {
		ok, err = s.seenThrough(r, c)
	}
	if err != nil {
		return err
	}
	if !ok {
		return chat.Errorf(chat.ErrAttachmentNotFound, "no such attachment")
	}
	return s.serveAttachment(w, r, a, thumb)
}

// seenThrough reports whether the item a file's link names shows the
// member conversation c: a conversation they may read whose customer's
// history holds c, or a ticket made from c.
func (s *Server) seenThrough(r *http.Request, c *chat.Conversation) (bool, error) {
	q := r.URL.Query()
	m := memberOf(r)
	ctx := r.Context()
	switch {
	case q.Has(viaConversation):
		id, err := parseID(q.Get(viaConversation), viaConversation)
		if err != nil {
			return false, err
		}
		through, err := s.store.Conversation(ctx, m.WorkspaceID, id)
		if chat.ErrorCode(err) == chat.ErrConversationNotFound {
			return false, nil
		} else if err != nil {
			return false, err
		}
		if ok, err := s.mayRead(r, through); err != nil || !ok {
			return false, err
		}
		err = s.inHistory(ctx, through, c)
		if chat.ErrorCode(err) == chat.ErrConversationNotFound {
			return false, nil
		}
		return err == nil, err
	case q.Has(viaTicket):
		id, err := parseID(q.Get(viaTicket), viaTicket)
		if err != nil {
			return false, err
		}
		tk, err := s.store.Ticket(ctx, m.WorkspaceID, id, m.AgentID)
		if chat.ErrorCode(err) == chat.ErrNotFound {
			return false, nil
		} else if err != nil {
			return false, err
		}
		return tk.ConversationID == c.ID, nil
	}
	return false, nil
}

// linkTTL is how long a visitor's link stays valid at least; links are
// signed to the end of the hour plus this, so the URLs of one message stay
// the same for an hour and browsers cache its thumbnail.
const linkTTL = 24 * time.Hour

// visitorLinks signs attachment links for visitors.
type visitorLinks struct {
	key []byte
	now func() time.Time
}

func (s *Server) visitorLinks(ctx context.Context) (visitorLinks, error) {
	s.linkMu.Lock()
	defer s.linkMu.Unlock()
	if s.linkKey == nil {
		secret, err := s.store.InstallationSecret(ctx)
		if err != nil {
			return visitorLinks{}, err
		}
		s.linkKey = []byte(secret)
	}
	return visitorLinks{key: s.linkKey, now: s.now}, nil
}

func (l visitorLinks) sign(workspaceID, attachmentID, exp int64) string {
	mac := hmac.New(sha256.New, l.key)
	fmt.Fprintf(mac, "sodam attachment link\x00%d\x00%d\x00%d", workspaceID, attachmentID, exp)
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

// attachment returns a with signed links to it and its thumbnail.
func (l visitorLinks) attachment(a *chat.Attachment, workspaceID int64) *chat.Attachment {
	out := *a
	exp := l.now().Truncate(time.Hour).Add(time.Hour + linkTTL).Unix()
	q := url.Values{"w": {strconv.FormatInt(workspaceID, 10)}, "exp": {strconv.FormatInt(exp, 10)}, "sig": {l.sign(workspaceID, a.ID, exp)}}
	base := fmt.Sprintf("/api/v1/widget/attachments/%d", a.ID)
	out.URL, out.ThumbnailURL = base+"?"+q.Encode(), ""
	if a.Thumbnail {
		out.ThumbnailURL = base + "/thumbnail?" + q.Encode()
	}
	return &out
}

// check verifies a link's signature, then its age.
func (l visitorLinks) check(workspaceID, attachmentID int64, exp int64, sig string) error {
	if !hmac.Equal([]byte(sig), []byte(l.sign(workspaceID, attachmentID, exp))) {
		return chat.Errorf(chat.ErrAttachmentNotFound, "no such attachment, or the link is not valid")
	}
	if l.now().Unix() > exp {
		return chat.Errorf(chat.ErrLinkExpired, "this link has expired; open the chat again for a new one")
	}
	return nil
}

func (s *Server) widgetFile(w http.ResponseWriter, r *http.Request) error {
	return s.widgetAttachment(w, r, false)
}

func (s *Server) widgetThumbnail(w http.ResponseWriter, r *http.Request) error {
	return s.widgetAttachment(w, r, true)
}

func (s *Server) widgetAttachment(w http.ResponseWriter, r *http.Request, thumb bool) error {
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	wid, err := parseID(q.Get("w"), "w")
	if err != nil {
		return err
	}
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil {
		return chat.Errorf(chat.ErrInvalid, "exp must be a Unix time")
	}
	links, err := s.visitorLinks(r.Context())
	if err != nil {
		return err
	}
	if err := links.check(wid, aid, exp, q.Get("sig")); err != nil {
		return err
	}
	a, err := s.store.Attachment(r.Context(), wid, aid)
	if err != nil {
		return err
	}
	return s.serveAttachment(w, r, a, thumb)
}

// serveAttachment sends a stored file so that nothing in it can run in
// Sodam's origin: the type Sodam checked at upload and no sniffing, a
// sandbox policy should a browser render it anyway, and a download unless
// it is an image asked for inline (?inline=1) or a thumbnail.
func (s *Server) serveAttachment(w http.ResponseWriter, r *http.Request, a *chat.Attachment, thumb bool) error {
	key, contentType := a.BlobKey, a.ContentType
	if thumb {
		if a.ThumbnailKey == "" {
			return chat.Errorf(chat.ErrAttachmentNotFound, "this file has no thumbnail")
		}
		key, contentType = a.ThumbnailKey, attach.ThumbnailType(a.ContentType)
	}
	f, err := s.files.Open(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		s.log.Error("an attachment's bytes are missing from storage", slog.Int64("attachment", a.ID), slog.String("key", key))
		return chat.Errorf(chat.ErrAttachmentNotFound, "the file is missing from storage")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox")
	// A download is asked for again each time (ServeContent answers 304
	// when the file is cached): a mask renames a file (§11), and a cached
	// answer would keep the name it hid. What a page shows, an image or a
	// thumbnail, is cached for an hour.
	disposition, cache := "attachment", "private, no-cache"
	if thumb || (a.Kind == chat.FileImage && r.URL.Query().Get("inline") == "1") {
		disposition, cache = "inline", "private, max-age=3600"
	}
	h.Set("Cache-Control", cache)
	h.Set("Content-Disposition", contentDisposition(disposition, a.Name))
	http.ServeContent(w, r, "", a.CreatedAt, f)
	return nil
}

// contentDisposition names the file for the browser: filename* carries
// the UTF-8 name (RFC 6266, RFC 8187), filename an ASCII stand-in for
// clients that know only that.
func contentDisposition(disposition, name string) string {
	var ascii, encoded strings.Builder
	for _, b := range []byte(name) {
		switch {
		case b >= 0x20 && b < 0x7f && b != '"' && b != '\\' && b != '%':
			ascii.WriteByte(b)
		case b < 0x80 || b >= 0xc0: // one stand-in per character
			ascii.WriteByte('_')
		}
		if isAttrChar(b) {
			encoded.WriteByte(b)
		} else {
			fmt.Fprintf(&encoded, "%%%02X", b)
		}
	}
	return fmt.Sprintf(`%s; filename="%s"; filename*=UTF-8''%s`, disposition, ascii.String(), encoded.String())
}

// isAttrChar reports the bytes RFC 8187 leaves unencoded.
func isAttrChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

// attachmentRoutes are the attachment routes.
func (s *Server) attachmentRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/files", access: member, h: s.agentUpload, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/attachments/{aid}", access: member, h: s.agentFile, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/attachments/{aid}/thumbnail", access: member, h: s.agentThumbnail, api: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/files", access: visitor, h: s.widgetUpload, api: true, limit: limitUpload},
		// Signed links: an <img> cannot send the visitor's bearer token.
		{pattern: "GET /api/v1/widget/attachments/{aid}", access: public, h: s.widgetFile, api: true, limit: limitFile},
		{pattern: "GET /api/v1/widget/attachments/{aid}/thumbnail", access: public, h: s.widgetThumbnail, api: true, limit: limitFile},
	}
}
