package httpapi

import (
	"net/http"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The right-hand panel and the agent tools (§4, §5). Customer routes go
// through a conversation the member may see, so an agent reaches only the
// customers of their own conversations and the queue.

// conversationDetail is the open conversation with its customer.
type conversationDetail struct {
	Conversation *chat.Conversation `json:"conversation"`
	Customer     *chat.Customer     `json:"customer"`
	// TotalConversations counts the customer ID's conversations (§4.1).
	TotalConversations int `json:"total_conversations"`
}

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cu, err := s.store.Customer(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	history, err := s.store.CustomerConversations(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, conversationDetail{Conversation: c, Customer: cu, TotalConversations: len(history)})
	return nil
}

// changeCustomer applies a store change to the customer of {cid} and
// publishes what it committed.
func (s *Server) changeCustomer(w http.ResponseWriter, r *http.Request,
	change func(c *chat.Conversation) (*chat.Customer, error)) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	cu, err := change(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (s *Server) patchCustomer(w http.ResponseWriter, r *http.Request) error {
	var p chat.ProfilePatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	return s.changeCustomer(w, r, func(c *chat.Conversation) (*chat.Customer, error) {
		return s.app.UpdateProfile(r.Context(), c.WorkspaceID, c.CustomerID, p)
	})
}

func (s *Server) changeCustomerID(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		CustomerID string `json:"customer_id"`
		Confirm    bool   `json:"confirm"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.changeCustomer(w, r, func(c *chat.Conversation) (*chat.Customer, error) {
		return s.app.ChangeCustomerID(r.Context(), c.WorkspaceID, c.CustomerID, req.CustomerID, req.Confirm)
	})
}

type tagIDsRequest struct {
	TagIDs []int64 `json:"tag_ids"`
}

func (s *Server) setCustomerTags(w http.ResponseWriter, r *http.Request) error {
	var req tagIDsRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	return s.changeCustomer(w, r, func(c *chat.Conversation) (*chat.Customer, error) {
		return s.app.SetCustomerTags(r.Context(), c.WorkspaceID, c.CustomerID, req.TagIDs)
	})
}

func (s *Server) setNote(w http.ResponseWriter, r *http.Request) error {
	var n chat.Note
	if err := decode(w, r, &n); err != nil {
		return err
	}
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	updated, err := s.app.SetNote(r.Context(), c.WorkspaceID, c.ID, n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, updated)
	return nil
}

func (s *Server) requestRating(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	msg, err := s.app.RequestRating(r.Context(), c.WorkspaceID, c.ID, actorOf(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, msg)
	return nil
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	cs, err := s.store.CustomerConversations(r.Context(), c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(cs))
	return nil
}

// pastConversation is one conversation of the customer's history, opened.
type pastConversation struct {
	Conversation *chat.Conversation `json:"conversation"`
	Messages     []chat.Message     `json:"messages"`
	// DurationSeconds runs from start to close, or to now while open.
	DurationSeconds int64 `json:"duration_seconds"`
}

func (s *Server) historyItem(w http.ResponseWriter, r *http.Request) error {
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	hid, err := pathID(r, "hid")
	if err != nil {
		return err
	}
	ctx := r.Context()
	past, err := s.store.Conversation(ctx, c.WorkspaceID, hid)
	if err != nil {
		return err
	}
	// Only the same customer ID's conversations: its history is what the
	// panel may show, whoever served them.
	history, err := s.store.CustomerConversations(ctx, c.WorkspaceID, c.CustomerID)
	if err != nil {
		return err
	}
	found := false
	for _, h := range history {
		found = found || h.ID == past.ID
	}
	if !found {
		return chat.Errorf(chat.ErrConversationNotFound, "no such conversation in this customer's history")
	}
	msgs, err := s.store.Messages(ctx, c.WorkspaceID, past.ID, 0, 0)
	if err != nil {
		return err
	}
	end := time.Now()
	if past.ClosedAt != nil {
		end = *past.ClosedAt
	}
	writeJSON(w, http.StatusOK, pastConversation{Conversation: past, Messages: nonNil(msgs), DurationSeconds: int64(end.Sub(past.CreatedAt).Seconds())})
	return nil
}

func tagKindParam(v string) (chat.TagKind, error) {
	k := chat.TagKind(v)
	if !k.Valid() {
		return "", chat.Errorf(chat.ErrInvalid, "kind must be customer or conversation")
	}
	return k, nil
}

func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	kind, err := tagKindParam(r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	tags, err := s.store.Tags(r.Context(), memberOf(r).WorkspaceID, kind)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tags)
	return nil
}

type nameRequest struct {
	Name string `json:"name"`
}

func (s *Server) createTag(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Kind string `json:"kind"`
		Name string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	kind, err := tagKindParam(req.Kind)
	if err != nil {
		return err
	}
	tag, err := s.store.CreateTag(r.Context(), memberOf(r).WorkspaceID, kind, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, tag)
	return nil
}

func (s *Server) renameTag(w http.ResponseWriter, r *http.Request) error {
	var req nameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "tag")
	if err != nil {
		return err
	}
	tag, err := s.store.RenameTag(r.Context(), memberOf(r).WorkspaceID, id, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tag)
	return nil
}

func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "tag")
	if err != nil {
		return err
	}
	if err := s.store.DeleteTag(r.Context(), memberOf(r).WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.Categories(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		ParentID int64  `json:"parent_id"`
		Name     string `json:"name"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.ParentID < 0 {
		return chat.Errorf(chat.ErrInvalid, "parent_id must be a category or 0 for the top level")
	}
	c, err := s.store.CreateCategory(r.Context(), memberOf(r).WorkspaceID, req.ParentID, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) renameCategory(w http.ResponseWriter, r *http.Request) error {
	var req nameRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	c, err := s.store.RenameCategory(r.Context(), memberOf(r).WorkspaceID, id, req.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	if err := s.store.DeleteCategory(r.Context(), memberOf(r).WorkspaceID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listCanned searches the canned responses the member may use; with
// conversation_id their variables are filled for that conversation.
func (s *Server) listCanned(w http.ResponseWriter, r *http.Request) error {
	m := memberOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	var vars *chat.CannedVars
	if v := q.Get("conversation_id"); v != "" {
		id, err := parseID(v, "conversation_id")
		if err != nil {
			return err
		}
		c, err := s.store.Conversation(ctx, m.WorkspaceID, id)
		if err == nil && !chat.CanSee(*c, m.AgentID, m.Role) {
			err = chat.Errorf(chat.ErrConversationNotFound, "no such conversation")
		}
		if err != nil {
			return err
		}
		cu, err := s.store.Customer(ctx, m.WorkspaceID, c.CustomerID)
		if err != nil {
			return err
		}
		vars = &chat.CannedVars{CustomerName: cu.Name, AgentName: m.Name, RoomNo: c.RoomNo}
	}
	all, err := s.store.CannedResponses(ctx, m.WorkspaceID, m.AgentID)
	if err != nil {
		return err
	}
	found := chat.SearchCanned(all, q.Get("q"))
	if vars != nil {
		for i := range found {
			found[i].Text = vars.Fill(found[i].Body)
		}
	}
	writeJSON(w, http.StatusOK, nonNil(found))
	return nil
}

type cannedRequest struct {
	Title  string `json:"title"`
	Body   string `json:"body"`
	Shared bool   `json:"shared"`
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request) error {
	var req cannedRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	m := memberOf(r)
	c := &chat.Canned{WorkspaceID: m.WorkspaceID, OwnerID: m.AgentID, Title: req.Title, Body: req.Body}
	if req.Shared {
		if !m.Role.SeesAll() {
			return chat.Errorf(chat.ErrRoleRequired, "only managers and masters add shared canned responses")
		}
		c.OwnerID = 0
	}
	if err := s.store.CreateCanned(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) updateCanned(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Title string `json:"title"`
		Body  string `json:"body"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	c, err := s.store.UpdateCanned(r.Context(), memberOf(r).WorkspaceID, id, actorOf(r), req.Title, req.Body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	if err := s.store.DeleteCanned(r.Context(), memberOf(r).WorkspaceID, id, actorOf(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) favouriteCanned(w http.ResponseWriter, r *http.Request) error {
	var req toggleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.On == nil {
		return chat.Errorf(chat.ErrInvalid, "on (true or false) is required")
	}
	id, err := pathID(r, "canned")
	if err != nil {
		return err
	}
	m := memberOf(r)
	if err := s.store.SetCannedFavourite(r.Context(), m.WorkspaceID, id, m.AgentID, *req.On); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
	updated, err := s.app.Rate(r.Context(), c.WorkspaceID, c.ID, req.Score, req.Comment)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewForVisitor(&updated))
	return nil
}
