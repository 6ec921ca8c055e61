package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/attach"
	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// The API channel (§1.2, §1.3): a messenger bridge posts what its users
// write with the channel's token; what agents answer reaches the bridge
// through the outbox, signed like a webhook.

type channelMessageRequest struct {
	ExternalUserID string                 `json:"external_user_id"`
	ClientMsgID    string                 `json:"client_msg_id"`
	Text           string                 `json:"text"`
	AttachmentURL  string                 `json:"attachment_url"`
	Profile        *outbox.ChannelProfile `json:"profile"`
	// Language is the one the user is spoken to in, ko or en; none keeps
	// the one given before (Korean unless one was).
	Language string `json:"language"`
}

type channelMessageResponse struct {
	ConversationID int64 `json:"conversation_id"`
	MessageID      int64 `json:"message_id"`
	// Closed: the text was the end command, which ended the conversation.
	Closed bool `json:"closed,omitempty"`
}

// maxExternalUserID bounds a messenger user's ID.
const maxExternalUserID = 128

// checkExternalUserID refuses a messenger user's ID that is empty, too
// long, or has spaces (any: a wide one too), control or text-direction
// characters: it becomes part of the customer identifier agents read.
func checkExternalUserID(id string) error {
	bad := func(r rune) bool { return unicode.IsSpace(r) || chat.IsControlOrBidi(r) }
	if n := utf8.RuneCountInString(id); n == 0 || n > maxExternalUserID || strings.ContainsFunc(id, bad) {
		return chat.Errorf(chat.ErrInvalid, "external_user_id is required: 1 to %d characters without spaces", maxExternalUserID)
	}
	return nil
}

// checkChannelLanguage refuses a language Sodam cannot speak to a
// messenger's user: the widget's languages (chat.Languages), or none.
func checkChannelLanguage(lang string) error {
	if lang != "" && !slices.Contains(chat.Languages, lang) {
		return chat.Errorf(chat.ErrInvalid, "language must be ko or en (or left out: the language given before, else Korean)")
	}
	return nil
}

// channelCaller is the channel whose token the request carries as
// Authorization: Bearer, and the outbox store that keeps it.
func (s *Server) channelCaller(r *http.Request) (outbox.Store, *outbox.Endpoint, error) {
	token, ok := bearer(r)
	if !ok {
		return nil, nil, chat.Errorf(chat.ErrUnauthorized, "send the channel's token as Authorization: Bearer <token>")
	}
	ob, err := s.outbox()
	if err != nil {
		return nil, nil, err
	}
	ch, err := ob.ChannelByToken(r.Context(), auth.HashToken(token))
	return ob, ch, err
}

// fetchTimeout bounds fetching an attachment from a bridge's URL.
const fetchTimeout = 20 * time.Second

func (s *Server) channelMessage(w http.ResponseWriter, r *http.Request) error {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		return s.channelUpload(w, r)
	}
	var req channelMessageRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	ob, ch, err := s.channelCaller(r)
	if err != nil {
		return err
	}
	if err := checkExternalUserID(req.ExternalUserID); err != nil {
		return err
	}
	if err := chat.CheckClientMsgID(req.ClientMsgID); err != nil {
		return err
	}
	if err := checkChannelLanguage(req.Language); err != nil {
		return err
	}
	if req.Text == "" && req.AttachmentURL == "" {
		return chat.Errorf(chat.ErrEmptyMessage, "send text, an attachment_url, or both")
	}
	// The text is checked as Send will check it, before anything is
	// stored: a refusal must not leave a customer or a conversation behind.
	if req.Text != "" {
		if err := chat.CheckText(req.Text); err != nil {
			return err
		}
	}
	// The profile is stored as the check leaves it (trimmed), as an
	// agent's edit is.
	var p outbox.ChannelProfile
	if req.Profile != nil {
		in := *req.Profile
		patch := chat.ProfilePatch{Name: &in.Name, Phone: &in.Phone, Email: &in.Email}
		var prof chat.Profile
		if err := patch.Apply(&prof, s.now()); err != nil {
			return err
		}
		p = outbox.ChannelProfile{Name: prof.Name, Phone: prof.Phone, Email: prof.Email}
	}
	p.Language = req.Language
	if req.AttachmentURL != "" {
		if err := outbox.CheckURL(req.AttachmentURL, s.cfg.AllowPrivateWebhooks); err != nil {
			return err
		}
	}
	ws, err := s.openWorkspace(ctx, ch.WorkspaceID)
	if err != nil {
		return err
	}
	// The file first: a fetch that fails changes nothing.
	var file *chat.Attachment
	if req.AttachmentURL != "" {
		if file, err = s.fetchAttachment(ctx, ws, req.AttachmentURL); err != nil {
			return err
		}
	}
	return s.channelStore(w, r, ob, ch, ws, req.ExternalUserID, req.ClientMsgID, req.Text, file, p)
}

// channelStore files a bridge's message: the messenger user's customer
// identifier, their open conversation (or a new one), then the text and
// the file (already stored: removed again when it is not used).
func (s *Server) channelStore(w http.ResponseWriter, r *http.Request, ob outbox.Store, ch *outbox.Endpoint, ws *chat.Workspace,
	externalUserID, clientMsgID, text string, file *chat.Attachment, p outbox.ChannelProfile) error {
	ctx := r.Context()
	cu, err := ob.ChannelCustomer(ctx, *ch, externalUserID, p)
	if err != nil {
		s.dropFile(ctx, file)
		return err
	}
	kind := chat.Channel(ch.ChannelKind)
	if file == nil && chat.IsEndCommand(text) {
		return s.channelEnd(w, r, ws, cu, kind)
	}
	c, err := s.store.CurrentConversation(ctx, ws.ID, cu.ID, kind)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound {
		// A retry of a message stored in a conversation that has closed
		// since (the user's !종료 went through first) is answered as the
		// retry it is, not filed again in a new conversation.
		conv, msg, found, rerr := ob.ChannelRetry(ctx, ws.ID, cu.ID, clientMsgID)
		if rerr != nil || found {
			s.dropFile(ctx, file)
		}
		if rerr != nil {
			return rerr
		}
		if found {
			writeJSON(w, http.StatusOK, channelMessageResponse{ConversationID: conv, MessageID: msg})
			return nil
		}
		// A messenger's user cannot be turned away like the widget's: a new
		// conversation starts whatever the hours, and waits in the queue
		// (the user is told so below, AwayReply). It speaks the user's
		// language, the one the bridge gave now or before.
		var started chat.Conversation
		started, _, err = s.app.StartConversation(ctx, ws.ID, cu.ID, kind, ws.Settings.Widget.WidgetLanguage(cu.Language), "")
		c = &started
	}
	if err != nil {
		s.dropFile(ctx, file)
		return err
	}
	resp := channelMessageResponse{ConversationID: c.ID}
	dup := true
	after := *c // the conversation as the last send left it
	if text != "" {
		sent, err := s.app.Send(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: clientMsgID, Body: text})
		if err != nil {
			s.dropFile(ctx, file)
			return err
		}
		resp.MessageID, dup = sent.Message.ID, sent.Dup
		if sent.Conversation != nil {
			after = *sent.Conversation
		}
	}
	if file != nil {
		id := clientMsgID
		if text != "" {
			id += ".file" // the text took the bridge's ID
		}
		sent, err := s.app.Send(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: id, Attachment: file})
		if err != nil || sent.Dup {
			s.dropFile(ctx, file)
		}
		if err != nil {
			return err
		}
		if resp.MessageID == 0 {
			resp.MessageID = sent.Message.ID
		}
		dup = dup && sent.Dup
		if sent.Conversation != nil {
			after = *sent.Conversation
		}
	}
	if !dup {
		// While the desk takes no chats the user is answered at once, as
		// the widget shows its form (chat.AwayReplyDue); the message is
		// stored either way, so a failure here is logged, not answered.
		if _, err := s.app.AwayReply(ctx, ws, after, s.now()); err != nil {
			s.log.Error("automatic reply", slog.Int64("conversation", c.ID), slog.Any("err", err))
		}
	}
	writeJSON(w, createdStatus(dup), resp)
	return nil
}

// channelEnd is a messenger user's end command (§2.3): it ends their open
// conversation as the widget's does — as the customer — and is not stored
// as a message. With no conversation open it does nothing, so a retry is
// harmless.
func (s *Server) channelEnd(w http.ResponseWriter, r *http.Request, ws *chat.Workspace, cu *chat.Customer, kind chat.Channel) error {
	c, err := s.store.CurrentConversation(r.Context(), ws.ID, cu.ID, kind)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound {
		writeJSON(w, http.StatusOK, channelMessageResponse{})
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := s.app.CloseConversation(r.Context(), ws.ID, c.ID, chat.VisitorActor); err != nil && chat.ErrorCode(err) != chat.ErrConversationClosed {
		return err
	}
	writeJSON(w, http.StatusOK, channelMessageResponse{ConversationID: c.ID, Closed: true})
	return nil
}

// channelUpload is a bridge's file sent as multipart/form-data: the fields
// external_user_id and client_msg_id, then the file, streamed into
// storage through the same checks as an upload.
func (s *Server) channelUpload(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ob, ch, err := s.channelCaller(r)
	if err != nil {
		return err
	}
	ws, err := s.openWorkspace(ctx, ch.WorkspaceID)
	if err != nil {
		return err
	}
	_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	limits := ws.Settings.Attachments
	if r.ContentLength > limits.MaxBytes()+uploadSlack {
		return chat.Errorf(chat.ErrFileTooLarge, "the file is larger than %d MB, the limit here", limits.MaxSizeMB)
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, limits.MaxBytes()+uploadSlack), params["boundary"])
	bad := chat.Errorf(chat.ErrInvalid, "send the fields external_user_id and client_msg_id (and language, if you like), then one file, as multipart/form-data")
	// field reads a text field with the checks decode gives a JSON field.
	field := func(name string, max int64) (string, error) {
		part, err := mr.NextPart()
		if err != nil || part.FormName() != name {
			return "", bad
		}
		v, err := io.ReadAll(io.LimitReader(part, max))
		if err != nil {
			return "", bad
		}
		return string(v), checkParam(name, string(v))
	}
	userID, err := field("external_user_id", 4*maxExternalUserID+1)
	if err != nil {
		return err
	}
	if err := checkExternalUserID(userID); err != nil {
		return err
	}
	msgID, err := field("client_msg_id", 65)
	if err != nil {
		return err
	}
	if err := chat.CheckClientMsgID(msgID); err != nil {
		return err
	}
	part, err := mr.NextPart()
	// An optional language field may come before the file.
	var lang string
	if err == nil && part.FormName() == "language" {
		v, rerr := io.ReadAll(io.LimitReader(part, 9))
		if rerr != nil {
			return bad
		}
		if lang = string(v); lang == "" {
			return bad
		}
		if err := checkChannelLanguage(lang); err != nil {
			return err
		}
		part, err = mr.NextPart()
	}
	if err != nil || part.FormName() != "file" || part.FileName() == "" {
		return bad
	}
	file, err := attach.Receive(ctx, s.files, limits, ws.ID, part.FileName(), part)
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return chat.Errorf(chat.ErrFileTooLarge, "the file is larger than %d MB, the limit here", limits.MaxSizeMB)
		}
		if chat.ErrorCode(err) != "" {
			return err
		}
		return bad
	}
	if _, err := mr.NextPart(); !errors.Is(err, io.EOF) {
		s.dropFile(ctx, file)
		return chat.Errorf(chat.ErrInvalid, "send one file per message")
	}
	return s.channelStore(w, r, ob, ch, ws, userID, msgID, "", file, outbox.ChannelProfile{Language: lang})
}

// channelFile serves a bridge a file of one of its users' conversations
// — one an agent sent, so the bridge can pass it on: message.created
// carries the attachment's ID, never a link (the log holds none). Any
// other file is not found.
func (s *Server) channelFile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	ob, ch, err := s.channelCaller(r)
	if err != nil {
		return err
	}
	if _, err := s.openWorkspace(ctx, ch.WorkspaceID); err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	notFound := chat.Errorf(chat.ErrAttachmentNotFound, "no such file")
	a, err := s.store.Attachment(ctx, ch.WorkspaceID, aid)
	if err != nil {
		return err
	}
	c, err := s.store.Conversation(ctx, ch.WorkspaceID, a.ConversationID)
	if err != nil {
		return notFound
	}
	u, err := ob.ChannelUserOf(ctx, ch.WorkspaceID, c.CustomerID)
	if err != nil || u.ChannelID != ch.ID {
		return notFound
	}
	return s.serveAttachment(w, r, a, false)
}

func (s *Server) dropFile(ctx context.Context, a *chat.Attachment) {
	if a != nil {
		s.removeFile(ctx, a)
	}
}

// fetchAttachment downloads a bridge's attachment: never from a private
// address unless allowed, redirects only on the same host, within the
// workspace's file size limit and fetchTimeout, checked like an upload.
func (s *Server) fetchAttachment(ctx context.Context, ws *chat.Workspace, raw string) (*chat.Attachment, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, chat.Errorf(outbox.ErrInvalidURL, "attachment_url is not a valid URL")
	}
	req.Header.Set("User-Agent", "Sodam-Channel/1")
	client := outbox.NewClient(s.cfg.AllowPrivateWebhooks, fetchTimeout)
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, chat.Errorf(outbox.ErrFetchFailed, "the attachment could not be fetched: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, chat.Errorf(outbox.ErrFetchFailed, "the attachment URL answered %d", resp.StatusCode)
	}
	limits := ws.Settings.Attachments
	if resp.ContentLength > limits.MaxBytes() {
		return nil, chat.Errorf(chat.ErrFileTooLarge, "the file is larger than %d MB, the limit here", limits.MaxSizeMB)
	}
	name := path.Base(resp.Request.URL.Path)
	if _, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err == nil && params["filename"] != "" {
		name = params["filename"]
	}
	if name == "" || name == "/" || name == "." {
		name = "file"
	}
	a, err := attach.Receive(ctx, s.files, limits, ws.ID, name, io.Reader(resp.Body))
	if err != nil {
		if chat.ErrorCode(err) != "" {
			return nil, err
		}
		return nil, chat.Errorf(outbox.ErrFetchFailed, "the attachment could not be fetched: %s", fmt.Sprint(err))
	}
	return a, nil
}
