package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Customer routes go through a conversation the member may see, so an
// agent reaches only the customers of their own conversations and the
// queue; changes through one they see themselves, not through a mention
// (changeableConversation).

// changeCustomer applies a store change to the customer of {cid} and
// publishes what it committed.
func (s *Server) changeCustomer(w http.ResponseWriter, r *http.Request,
	change func(c *chat.Conversation) (*chat.Customer, error)) error {
	c, err := s.changeableConversation(r)
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
		// Like a block, a new customer ID reaches past this conversation
		// (on the web it may fold two identifiers into one, §1.3): the
		// assigned agent or a manager may change it.
		if m := memberOf(r); c.AssigneeID != m.AgentID && !m.Role.SeesAll() {
			return nil, chat.Errorf(chat.ErrNotAssignee, "only the assigned agent or a manager can change this customer's ID")
		}
		cu, err := s.app.ChangeCustomerID(r.Context(), c.WorkspaceID, c.CustomerID, req.CustomerID, req.Confirm, who(r))
		// Widget sessions may have moved: this node reads them again at
		// once (others within WorkspaceTTL, see visitorCache).
		s.visitors.forget(c.WorkspaceID)
		return cu, err
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

type blockRequest struct {
	Reason string `json:"reason"`
	Note   string `json:"note"`
}

// block blocks the conversation's customer (§5.5): its assigned agent or a
// manager may, from any of the customer's conversations.
func (s *Server) block(w http.ResponseWriter, r *http.Request) error {
	var req blockRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c, err := s.visibleConversation(r)
	if err != nil {
		return err
	}
	m := memberOf(r)
	if c.AssigneeID != m.AgentID && !m.Role.SeesAll() {
		return chat.Errorf(chat.ErrNotAssignee, "only the assigned agent or a manager can block this customer")
	}
	cu, err := s.app.BlockCustomer(r.Context(), c.WorkspaceID, c.CustomerID, req.Reason, req.Note, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

func (s *Server) listBlocked(w http.ResponseWriter, r *http.Request) error {
	page, err := pageOf(r)
	if err != nil {
		return err
	}
	cs, err := s.store.BlockedCustomers(r.Context(), memberOf(r).WorkspaceID, probe(page))
	if err != nil {
		return err
	}
	cs, next := nextPage(cs, page, func(c chat.Customer) chat.Cursor {
		return chat.Cursor{Key: c.BlockedAt.UnixMicro(), ID: c.ID}
	})
	linkNext(w, r, next)
	writeJSON(w, http.StatusOK, cs)
	return nil
}

func (s *Server) unblock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "customer")
	if err != nil {
		return err
	}
	cu, err := s.store.UnblockCustomer(r.Context(), memberOf(r).WorkspaceID, id, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cu)
	return nil
}

// customerRoutes are the customer panel routes.
func (s *Server) customerRoutes() []route {
	return []route{
		{pattern: "POST /api/v1/workspaces/{wid}/conversations/{cid}/block", access: member, h: s.block, api: true, audit: chat.AuditBlock},
		{pattern: "GET /api/v1/workspaces/{wid}/blocked", access: member, minRole: chat.RoleManager, h: s.listBlocked, api: true},
		{pattern: "DELETE /api/v1/workspaces/{wid}/blocked/{customer}", access: member, minRole: chat.RoleManager, h: s.unblock, api: true, audit: chat.AuditUnblock},
		{pattern: "PATCH /api/v1/workspaces/{wid}/conversations/{cid}/customer", access: member, h: s.patchCustomer, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/id", access: member, h: s.changeCustomerID, api: true, audit: chat.AuditCustomerID},
		{pattern: "PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/tags", access: member, h: s.setCustomerTags, api: true},
	}
}
