package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/pii"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// visitorConversation is what a visitor may know of their conversation. A
// conversation the customer left is closed as far as they are concerned.
type visitorConversation struct {
	ID            int64      `json:"id"`
	RoomNo        int64      `json:"room_no"`
	State         chat.State `json:"state"`
	AssigneeName  string     `json:"assignee_name"`
	CloseReason   string     `json:"close_reason,omitempty"`
	LastSeq       int64      `json:"last_seq"`
	QueuePosition int        `json:"queue_position,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	// CanRate says the visitor may open the rating now (§5.3).
	CanRate bool         `json:"can_rate"`
	Rating  *chat.Rating `json:"rating,omitempty"`
	// AgentReadSeq is the read receipt: the last message the agent read.
	AgentReadSeq int64 `json:"agent_read_seq"`
	// VisitorReadSeq is how far the visitor has read (the launcher's
	// unread count on a page where the chat is not open).
	VisitorReadSeq int64 `json:"visitor_read_seq"`
}

func viewForVisitor(c *chat.Conversation) *visitorConversation {
	if c == nil {
		return nil
	}
	v := &visitorConversation{ID: c.ID, RoomNo: c.RoomNo, State: c.State, AssigneeName: c.AssigneeName, CloseReason: c.CloseReason,
		LastSeq: c.LastSeq, QueuePosition: c.QueuePosition, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt,
		CanRate: chat.CanRate(*c) == nil, Rating: c.Rating, AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq}
	if c.CustomerLeftAt != nil {
		v.State, v.ClosedAt = chat.StateClosed, c.CustomerLeftAt
	}
	return v
}

// visitorMessage is a message without the agent's account ID. Internal
// messages never reach visitors; a transfer's reason is for agents only.
type visitorMessage struct {
	ID             int64             `json:"id"`
	ConversationID int64             `json:"conversation_id"`
	Seq            int64             `json:"seq"`
	SenderType     chat.SenderType   `json:"sender_type"`
	SenderName     string            `json:"sender_name,omitempty"`
	ClientMsgID    string            `json:"client_msg_id"`
	Kind           chat.MessageKind  `json:"kind"`
	Body           string            `json:"body"`
	Meta           map[string]string `json:"meta,omitempty"`
	// Attachment carries links signed for this visitor.
	Attachment *chat.Attachment `json:"attachment,omitempty"`
	CreatedAt  time.Time        `json:"created_at"`
	// Masks are the spans shown as '*' (§11).
	Masks []pii.Span `json:"masks,omitempty"`
}

func messageForVisitor(m *chat.Message, links visitorLinks) *visitorMessage {
	if !chat.VisitorMaySeeMessage(m) {
		return nil
	}
	v := &visitorMessage{ID: m.ID, ConversationID: m.ConversationID, Seq: m.Seq, SenderType: m.SenderType, SenderName: m.SenderName,
		ClientMsgID: m.ClientMsgID, Kind: m.Kind, Body: m.Body, CreatedAt: m.CreatedAt, Masks: m.Masks}
	if m.Attachment != nil {
		v.Attachment = links.attachment(m.Attachment, m.WorkspaceID)
	}
	v.Meta = chat.VisitorMeta(m)
	return v
}

// withQueue fills in the visitor's place in the queue.
func (s *Server) withQueue(ctx context.Context, c *chat.Conversation) error {
	if c.State != chat.StateUnassigned {
		return nil
	}
	pos, err := s.store.QueuePosition(ctx, c.WorkspaceID, c.ID)
	c.QueuePosition = pos
	return err
}

type visitorEvent struct {
	Seq          int64                `json:"seq"`
	Type         chat.EventType       `json:"type"`
	Conversation *visitorConversation `json:"conversation,omitempty"`
	Message      *visitorMessage      `json:"message,omitempty"`
	// OperationStopped is set on workspace.updated when operation stopped
	// (true) or resumed (false): the widget says so while the chat is open.
	OperationStopped *bool     `json:"operation_stopped,omitempty"`
	CreatedAt        time.Time `json:"created_at"`
}

// siteWorkspace is the workspace a public request names by its site_id.
func (s *Server) siteWorkspace(r *http.Request, siteID string) (*chat.Workspace, error) {
	if siteID == "" {
		return nil, chat.Errorf(chat.ErrInvalid, "site_id is required")
	}
	if err := checkParam("site_id", siteID); err != nil {
		return nil, err
	}
	return s.store.WorkspaceBySiteID(r.Context(), siteID)
}

// workspaceBySite is siteWorkspace for a page of an allowed origin; an
// archived workspace's widget is closed, as its help center is.
func (s *Server) workspaceBySite(r *http.Request, siteID string) (*chat.Workspace, error) {
	ws, err := s.publicWorkspace(r, siteID)
	if err != nil {
		return nil, err
	}
	return ws, s.checkOrigin(r, ws)
}

type widgetConfig struct {
	SiteID string `json:"site_id"`
	Name   string `json:"name"`
	// Language is the one the widget speaks (the workspace's setting, or
	// the visitor's ?lang=); Title and ConsentText are in it.
	Language     string `json:"language"`
	Title        string `json:"title"`
	Color        string `json:"color"`
	ConsentText  string `json:"consent_text"`
	AgentsOnline bool   `json:"agents_online"`
	// Availability is "available", or why the widget offers leave-a-message
	// instead: operation_stopped, outside_hours, nobody_online.
	Availability chat.Availability `json:"availability"`
	// Attachments say which files the visitor may send.
	Attachments chat.AttachmentSettings `json:"attachments"`
	// Robot says the robot answers first (§8.2): the widget offers "back
	// to the bot" during a chat with a person.
	Robot bool `json:"robot"`
	// TimeZone is the workspace's (its business hours'): the widget shows
	// times in it, as the console does (§15).
	TimeZone string `json:"time_zone"`
	// ReopensAt is when the desk next opens, while it is outside its
	// hours (§6): the leave-a-message form says so.
	ReopensAt *time.Time `json:"reopens_at,omitempty"`
}

// launcherConfig is what the loader on the company's page needs before it
// draws the launcher: the look, and whether this page may open the chat.
type launcherConfig struct {
	// Allowed is false when the page's origin is not one of the allowed
	// origins: the loader then shows a small notice instead of the chat.
	Allowed  bool   `json:"allowed"`
	Color    string `json:"color"`
	Position string `json:"position"`
	OffsetX  int    `json:"offset_x"`
	OffsetY  int    `json:"offset_y"`
	// Language is the workspace's choice for the widget; "" follows the
	// visitor's browser.
	Language string `json:"language"`
}

// widgetLauncher answers the loader, which runs in the company's page: any
// origin may read it (CORS), since it says only how the launcher looks
// and whether that origin may open the chat; a refused origin is noted
// for the settings page.
func (s *Server) widgetLauncher(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "no-cache")
	ws, err := s.siteWorkspace(r, r.URL.Query().Get("site_id"))
	if err != nil {
		return err
	}
	look := ws.Settings.Widget
	writeJSON(w, http.StatusOK, launcherConfig{Allowed: s.checkOrigin(r, ws) == nil && ws.ArchivedAt == nil, Color: ws.Color,
		Position: look.Position, OffsetX: look.OffsetX, OffsetY: look.OffsetY, Language: look.Language})
	return nil
}

// availability decides whether ws takes chats now.
func (s *Server) availability(ctx context.Context, ws *chat.Workspace) (chat.Availability, int, error) {
	ms, err := s.store.Members(ctx, ws.ID)
	if err != nil {
		return "", 0, err
	}
	online := 0
	for _, m := range ms {
		if m.Status == chat.StatusOnline {
			online++
		}
	}
	return ws.Settings.AvailabilityAt(s.now(), online), online, nil
}

func (s *Server) widgetConfig(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspaceBySite(r, r.URL.Query().Get("site_id"))
	if err != nil {
		return err
	}
	avail, online, err := s.availability(r.Context(), ws)
	if err != nil {
		return err
	}
	lang := ws.Settings.Widget.WidgetLanguage(r.URL.Query().Get("lang"))
	texts := ws.TextsFor(lang)
	config := widgetConfig{SiteID: ws.SiteID, Name: ws.Name, Language: lang, Title: texts.Title, Color: ws.Color,
		ConsentText: texts.Consent, AgentsOnline: online > 0, Availability: avail, Attachments: ws.Settings.Attachments, Robot: ws.Settings.Robot.Enabled,
		TimeZone: ws.Settings.Location().String()}
	if avail == chat.UnavailableHours {
		if at, ok := ws.Settings.Hours.NextOpen(s.now()); ok {
			config.ReopensAt = &at
		}
	}
	writeJSON(w, http.StatusOK, config)
	return nil
}

type sessionRequest struct {
	SiteID       string            `json:"site_id"`
	VisitorToken string            `json:"visitor_token"`
	SiteUID      string            `json:"site_uid"`
	SiteUIDSig   string            `json:"site_uid_sig"`
	Language     string            `json:"language"`
	Extra        map[string]string `json:"extra"`

	// A mobile number the site verified for the signed site_uid, signed
	// with it (chat.SignVerifiedPhone).
	VerifiedPhone    string `json:"verified_phone"`
	VerifiedPhoneSig string `json:"verified_phone_sig"`
}

type sessionResponse struct {
	VisitorToken string               `json:"visitor_token"`
	CustomerID   string               `json:"customer_id"`
	Identifier   string               `json:"identifier"`
	Conversation *visitorConversation `json:"conversation"`
	// Blocked customers see a polite notice instead of the chat (§5.5).
	Blocked bool `json:"blocked"`
	// Consented says the visitor already agreed to the privacy notice's
	// current wording (or there is none): the widget asks only once.
	Consented bool `json:"consented"`
}

// customerFromRequest validates what the widget says about the visitor.
func customerFromRequest(ws *chat.Workspace, req sessionRequest, now time.Time) (*chat.Customer, error) {
	c := &chat.Customer{WorkspaceID: ws.ID, Profile: chat.Profile{Extra: map[string]string{}}}
	if req.SiteUID != "" {
		if err := chat.VerifySiteUID(ws.IdentitySecret, req.SiteUID, req.SiteUIDSig); err != nil {
			return nil, err
		}
		c.ExternalID, c.Verified = req.SiteUID, true
	} else if req.SiteUIDSig != "" {
		return nil, chat.Errorf(chat.ErrInvalid, "site_uid_sig without site_uid")
	}
	if req.VerifiedPhone != "" || req.VerifiedPhoneSig != "" {
		if req.SiteUID == "" {
			return nil, chat.Errorf(chat.ErrInvalid, "verified_phone needs a signed site_uid")
		}
		if err := chat.VerifyVerifiedPhone(ws.IdentitySecret, req.SiteUID, req.VerifiedPhone, req.VerifiedPhoneSig); err != nil {
			return nil, err
		}
		c.VerifiedPhone = strings.TrimSpace(req.VerifiedPhone)
	}
	if len(req.Language) > 35 {
		return nil, chat.Errorf(chat.ErrInvalid, "language must be a language tag such as ko-KR")
	}
	c.Language = req.Language
	if len(req.Extra) > chat.MaxExtra {
		return nil, chat.Errorf(chat.ErrInvalid, "at most %d extra parameters", chat.MaxExtra)
	}
	for k, v := range req.Extra {
		// A name is one line agents read as a label: no control or
		// text-direction characters, which would reorder it on screen.
		if !strings.HasPrefix(k, "cus_extra_") || len(k) == len("cus_extra_") || len(k) > 64 || strings.ContainsFunc(k, chat.IsControlOrBidi) {
			return nil, chat.Errorf(chat.ErrInvalid, "extra parameter %q must be named cus_extra_… (at most 64 bytes, without control or text-direction characters)", k)
		}
		if utf8.RuneCountInString(v) > 500 {
			return nil, chat.Errorf(chat.ErrInvalid, "extra parameter %q is longer than 500 characters", k)
		}
		// A value is what agents read beside that label, in the panel and
		// the exports: a text-direction character would disguise it too
		// ("\u202emoc.elpmaxe" shows as "example.com").
		if strings.ContainsFunc(v, chat.IsBidi) {
			return nil, chat.Errorf(chat.ErrInvalid, "extra parameter %q must not contain text-direction characters", k)
		}
		// The name, phone and email go through the checks an agent's edit
		// does. They are optional (§1.3), so one that fails is left out
		// rather than the visitor refused: a malformed value would only
		// stop a ticket from being made from the chat later.
		var p chat.ProfilePatch
		switch k {
		case "cus_extra_username":
			p.Name = &v
		case "cus_extra_phone":
			p.Phone = &v
		case "cus_extra_email":
			p.Email = &v
		default:
			c.Extra[k] = v
			continue
		}
		if err := p.Apply(&c.Profile, now); err != nil {
			slog.Debug("widget: a profile parameter left out", slog.String("param", k), slog.String("why", err.Error()))
		}
	}
	return c, nil
}

// device is the visitor's User-Agent, bounded for storage.
func device(ua string) string {
	const max = 300
	ua = cleanHeader(ua)
	if utf8.RuneCountInString(ua) <= max {
		return ua
	}
	return string([]rune(ua)[:max])
}

// widgetSession starts or resumes a visitor. A valid token is kept unless
// the visitor's identity changed: a signed site_uid always maps to its own
// customer, and a logged-out page never resumes a session a login opened.
// An anonymous session resumes its customer whatever an agent made of it:
// folded into a member's identifier (§1.3), it is that member's now.
func (s *Server) widgetSession(w http.ResponseWriter, r *http.Request) error {
	var req sessionRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	ws, err := s.workspaceBySite(r, req.SiteID)
	if err != nil {
		return err
	}
	c, err := customerFromRequest(ws, req, s.now())
	if err != nil {
		return err
	}
	c.IP, c.Device = clientIP(r), device(r.UserAgent())
	ctx := r.Context()
	token := req.VisitorToken
	var prev *chat.Customer
	var signed bool
	if token != "" {
		if vs, err := s.store.VisitorSession(ctx, auth.HashToken(token)); err == nil && vs.WorkspaceID == ws.ID {
			prev, _ = s.store.Customer(ctx, ws.ID, vs.CustomerID)
			signed = vs.Signed
		}
	}
	switch {
	case prev != nil && c.Verified && prev.ExternalID == c.ExternalID:
	case prev != nil && !c.Verified && !signed:
		c.ExternalID = prev.ExternalID
	case c.Verified:
		token = ""
	default:
		token = ""
		c.ExternalID = "v" + strings.ToLower(auth.NewToken()[:16]) // anonymousID
	}
	if err := s.store.UpsertCustomer(ctx, c); err != nil {
		return err
	}
	if c.Verified && prev != nil && !signed && prev.ExternalID != c.ExternalID {
		if c, err = s.loginMidChat(r, ws, prev, c); err != nil {
			return err
		}
	}
	if token == "" {
		token = auth.NewToken()
		if err := s.store.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: auth.HashToken(token), WorkspaceID: ws.ID, CustomerID: c.ID, Signed: c.Verified}); err != nil {
			return err
		}
	}
	consent := ws.TextsFor(ws.Settings.Widget.WidgetLanguage(c.Language)).Consent
	resp := sessionResponse{VisitorToken: token, CustomerID: c.ExternalID, Identifier: chat.Identifier(ws.SiteID, c.ExternalID), Blocked: c.BlockedAt != nil,
		Consented: consent == "" || c.ConsentVersion == chat.ConsentVersion(consent)}
	cur, err := s.store.CurrentConversation(ctx, ws.ID, c.ID, chat.ChannelWeb)
	switch {
	case err == nil:
		if err := s.withQueue(ctx, cur); err != nil {
			return err
		}
		resp.Conversation = viewForVisitor(cur)
	case chat.ErrorCode(err) != chat.ErrConversationNotFound:
		return err
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// anonymousID is the form of the random ID an anonymous visitor gets (a
// "v" and 16 characters of crypto/rand.Text, lower case); an agent who
// gives them a customer ID renames it (§1.3).
var anonymousID = regexp.MustCompile(`^v[a-z2-7]{16}$`)

// loginMidChat carries an anonymous visitor's chat into the member they
// logged in as, mid-chat (§1.3): the page that held the anonymous session
// now passes a signed site_uid, so the same browser holds both, and the
// chat goes on in the member's widget instead of being left with nobody
// to read the agent's answers. The anonymous identifier folds into the
// member's, as an agent's change of customer ID does (its profile merges
// into the member's). Only a visitor who is still anonymous — no customer
// ID given by an agent, no other identifier — and in a chat they have not
// left is carried; when the fold is refused (the member has a chat open
// too, one of them is blocked) the member starts as before and the
// anonymous chat stays where it was.
//
// It answers the member as they now are.
func (s *Server) loginMidChat(r *http.Request, ws *chat.Workspace, anon, member *chat.Customer) (*chat.Customer, error) {
	ctx := r.Context()
	if anon.Verified || !anonymousID.MatchString(anon.ExternalID) || anon.CustomerID != anon.ExternalID || anon.Identifiers > 1 {
		return member, nil
	}
	cur, err := s.store.CurrentConversation(ctx, ws.ID, anon.ID, chat.ChannelWeb)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound || err == nil && cur.CustomerLeftAt != nil {
		return member, nil
	} else if err != nil {
		return nil, err
	}
	by := chat.Who{Name: "visitor " + chat.Identifier(ws.SiteID, member.ExternalID), Address: clientIP(r)}
	after, err := s.app.ChangeCustomerID(ctx, ws.ID, anon.ID, member.ExternalID, true, by)
	s.visitors.forget(ws.ID)
	var refused *chat.Error
	switch {
	case errors.As(err, &refused):
		s.log.Info("widget: a login mid-chat left the anonymous chat where it was", slog.Int64("conversation", cur.ID), slog.String("why", refused.Code))
		return member, nil
	case err != nil:
		return nil, err
	case after.ID != member.ID: // never: the member's identifier is the one that stays
		return nil, fmt.Errorf("login mid-chat: folded into identifier %d, not the member's %d", after.ID, member.ID)
	}
	return after, nil
}

func (s *Server) widgetStart(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Consent bool `json:"consent"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	v := visitorOf(r)
	ctx := r.Context()
	cu, err := s.store.Customer(ctx, v.workspace.ID, v.session.CustomerID)
	if err != nil {
		return err
	}
	// Consent is asked once per wording: recorded with its time and
	// version, it stands until the notice changes. It is recorded with the
	// start, in its transaction: a start refused here or by the store
	// (blocked, unavailable) leaves the customer as they were.
	consent := consentToRecord(v.workspace, cu)
	if consent != "" && !req.Consent {
		return chat.Errorf(chat.ErrConsentRequired, "agree to the privacy notice to start a chat")
	}
	if cu.BlockedAt != nil {
		return chat.Errorf(chat.ErrCustomerBlocked, "this customer is blocked")
	}
	// A conversation already going on continues whatever the hours; a new
	// one needs the desk to be taking chats (§6).
	if _, err := s.store.CurrentConversation(ctx, v.workspace.ID, v.session.CustomerID, chat.ChannelWeb); chat.ErrorCode(err) == chat.ErrConversationNotFound {
		avail, _, err := s.availability(ctx, v.workspace)
		if err != nil {
			return err
		}
		// The robot answers at any hour, or with nobody online: a person is
		// asked for later. Operation stopped turns the widget to
		// leave-a-message, the robot's too (§6).
		robot := v.workspace.Settings.Robot.Enabled && avail != chat.UnavailableStopped
		if avail != chat.Available && !robot {
			return chat.Errorf(chat.ErrUnavailable, "chat is not available now (%s); leave a message instead", avail)
		}
	} else if err != nil {
		return err
	}
	c, started, err := s.app.StartConversation(ctx, v.workspace.ID, v.session.CustomerID, chat.ChannelWeb, cu.Language, consent)
	if err != nil {
		return err
	}
	if err := s.withQueue(ctx, &c); err != nil {
		return err
	}
	writeJSON(w, createdStatus(!started), viewForVisitor(&c))
	return nil
}

// consentToRecord is the version of the privacy notice cu is shown and
// has not agreed to yet; "" when there is none or they agreed to it.
func consentToRecord(ws *chat.Workspace, cu *chat.Customer) string {
	text := ws.TextsFor(ws.Settings.Widget.WidgetLanguage(cu.Language)).Consent
	if version := chat.ConsentVersion(text); text != "" && cu.ConsentVersion != version {
		return version
	}
	return ""
}

// ownConversation loads {cid} if it is the visitor's; anything else is not found.
func (s *Server) ownConversation(r *http.Request, id int64) (*chat.Conversation, error) {
	v := visitorOf(r)
	c, err := s.store.Conversation(r.Context(), v.workspace.ID, id)
	if err != nil {
		return nil, err
	}
	if c.CustomerID != v.session.CustomerID {
		return nil, chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
	}
	return c, nil
}

func (s *Server) ownConversationParam(r *http.Request) (*chat.Conversation, error) {
	cid, err := pathID(r, "cid")
	if err != nil {
		return nil, err
	}
	return s.ownConversation(r, cid)
}

func (s *Server) widgetMessages(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	msgs, err := s.messagePage(w, r, c)
	if err != nil {
		return err
	}
	links, err := s.visitorLinks(r.Context())
	if err != nil {
		return err
	}
	out := []*visitorMessage{}
	for i := range msgs {
		if v := messageForVisitor(&msgs[i], links); v != nil {
			out = append(out, v)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type widgetSendResponse struct {
	Message      *visitorMessage      `json:"message"`
	Conversation *visitorConversation `json:"conversation"`
}

func (s *Server) widgetSend(w http.ResponseWriter, r *http.Request) error {
	var req sendRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	if chat.IsEndCommand(req.Body) {
		c, err := s.ownConversation(r, cid)
		if err != nil {
			return err
		}
		return s.visitorClose(w, r, c)
	}
	// The store checks that the conversation is the visitor's as it
	// appends (Actor.CustomerID), in the batch that reads and locks it
	// anyway: no read of the conversation before the send.
	v := visitorOf(r)
	actor := chat.VisitorActor
	actor.CustomerID = v.session.CustomerID
	sent, err := s.app.Send(r.Context(), v.workspace.ID, cid, actor,
		chat.NewMessage{ClientMsgID: req.ClientMsgID, Body: req.Body})
	if err != nil {
		return err
	}
	c := sent.Conversation
	if c == nil { // a retry of a send already stored: nothing changed
		if c, err = s.ownConversation(r, cid); err != nil {
			return err
		}
	}
	if sent.RobotErr != nil {
		s.log.Warn("robot answer", slog.Int64("conversation", c.ID), slog.Any("err", sent.RobotErr))
	}
	if c.State == chat.StateBot { // the robot may have handed it over
		if now, err := s.store.Conversation(r.Context(), c.WorkspaceID, c.ID); err == nil {
			c = now
		}
	}
	// A text message: there is no attachment to sign a link for.
	writeJSON(w, createdStatus(sent.Dup), widgetSendResponse{Message: messageForVisitor(&sent.Message, visitorLinks{}), Conversation: viewForVisitor(c)})
	return nil
}

func (s *Server) widgetClose(w http.ResponseWriter, r *http.Request) error {
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	return s.visitorClose(w, r, c)
}

// visitorClose ends the visitor's conversation. Ending an already closed
// one answers with it, so a retried "end" is harmless; so does one that
// the agent, or the visitor's other tab, ended since c was read: as it
// now is, closed.
func (s *Server) visitorClose(w http.ResponseWriter, r *http.Request, c *chat.Conversation) error {
	if c.State != chat.StateClosed {
		closed, err := s.app.CloseConversation(r.Context(), c.WorkspaceID, c.ID, chat.VisitorActor)
		switch {
		case err == nil:
			c = &closed
		case chat.ErrorCode(err) != chat.ErrConversationClosed:
			return err
		default:
			if c, err = s.ownConversation(r, c.ID); err != nil {
				return err
			}
		}
	}
	writeJSON(w, http.StatusOK, widgetSendResponse{Conversation: viewForVisitor(c)})
	return nil
}

type ticketRequest struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Message string `json:"message"`
	// Website is the form's honeypot: a field people never see, which
	// form-filling bots fill in.
	Website string `json:"website"`
	// Consent says the visitor agreed to the privacy notice the widget
	// showed before the form: recorded once the message is taken, so they
	// are asked once, as for a chat.
	Consent bool `json:"consent"`
}

// visitorTicket is what the visitor hears back about a left message.
type visitorTicket struct {
	ID        int64     `json:"id"`
	CreatedAt time.Time `json:"created_at"`
}

// widgetTicket takes a left message (§7.1): it lands in the console's To
// check list.
func (s *Server) widgetTicket(w http.ResponseWriter, r *http.Request) error {
	var req ticketRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Website != "" {
		return chat.Errorf(chat.ErrSpamSuspected, "this message looks automated and was not sent")
	}
	v := visitorOf(r)
	cu, err := s.unblockedVisitor(r)
	if err != nil {
		return err
	}
	tk := &chat.Ticket{WorkspaceID: v.workspace.ID, CustomerID: cu.ID, Name: strings.TrimSpace(req.Name), Contact: strings.TrimSpace(req.Contact), Message: req.Message}
	if err := s.app.CreateTicket(r.Context(), tk); err != nil {
		return err
	}
	// After the message, which is what the visitor came for: a refused one
	// records nothing, and a consent that fails to record is only asked
	// again, never the message sent twice.
	if version := consentToRecord(v.workspace, cu); version != "" && req.Consent {
		err := s.app.Commit(r.Context(), func(tx chat.Tx) error { return tx.RecordConsent(r.Context(), v.workspace.ID, cu.ID, version) })
		if err != nil {
			s.log.Warn("widget: the consent with a left message was not recorded", slog.Int64("customer", cu.ID), slog.Any("err", err))
		}
	}
	writeJSON(w, http.StatusCreated, visitorTicket{ID: tk.ID, CreatedAt: tk.CreatedAt})
	return nil
}

// unblockedVisitor is the visitor's customer, refused (403
// customer_blocked) when blocked (§5.5).
func (s *Server) unblockedVisitor(r *http.Request) (*chat.Customer, error) {
	v := visitorOf(r)
	cu, err := s.store.Customer(r.Context(), v.workspace.ID, v.session.CustomerID)
	if err != nil {
		return nil, err
	}
	if cu.BlockedAt != nil {
		return nil, chat.Errorf(chat.ErrCustomerBlocked, "this customer is blocked")
	}
	return cu, nil
}

// widgetRate stores the visitor's rating of their conversation (§5.3).
func (s *Server) widgetRate(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Score   int    `json:"score"`
		Comment string `json:"comment"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.ownConversationParam(r)
	if err != nil {
		return err
	}
	// A customer blocked for abuse does not rate the agent who blocked
	// them (the widget offers no rating then; this is the API's answer).
	if _, err := s.unblockedVisitor(r); err != nil {
		return err
	}
	// Kept as read: a comment of spaces is none.
	updated, err := s.app.Rate(r.Context(), c.WorkspaceID, c.ID, req.Score, strings.TrimSpace(req.Comment))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewForVisitor(&updated))
	return nil
}

// widgetRoutes are the visitor (widget) routes.
func (s *Server) widgetRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/widget/config", access: public, h: s.widgetConfig, api: true, limit: limitWidgetRead},
		{pattern: "GET /api/v1/widget/launcher", access: public, h: s.widgetLauncher, api: true, limit: limitWidgetRead},
		{pattern: "POST /api/v1/widget/sessions", access: public, h: s.widgetSession, api: true, limit: limitSession},
		{pattern: "POST /api/v1/widget/conversations", access: visitor, h: s.widgetStart, api: true, limit: limitStart},
		{pattern: "GET /api/v1/widget/conversations/{cid}/messages", access: visitor, h: s.widgetMessages, api: true, limit: limitWidgetRead},
		{pattern: "POST /api/v1/widget/conversations/{cid}/messages", access: visitor, h: s.widgetSend, api: true, limit: limitMessage, send: true},
		{pattern: "POST /api/v1/widget/conversations/{cid}/close", access: visitor, h: s.widgetClose, api: true, noBody: true, limit: limitStart},
		{pattern: "POST /api/v1/widget/conversations/{cid}/rating", access: visitor, h: s.widgetRate, api: true, limit: limitStart},
		{pattern: "POST /api/v1/widget/tickets", access: visitor, h: s.widgetTicket, api: true, limit: limitTicket},
		{pattern: "POST /api/v1/widget/conversations/{cid}/agent", access: visitor, h: s.widgetToAgent, api: true, noBody: true, limit: limitStart},
		{pattern: "POST /api/v1/widget/conversations/{cid}/bot", access: visitor, h: s.widgetToBot, api: true, noBody: true, limit: limitStart},
	}
}
