package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	st := chat.TicketStatus(r.URL.Query().Get("status"))
	if st != "" && !st.Valid() {
		return chat.Errorf(chat.ErrInvalid, "status must be open or solved")
	}
	ts, err := s.store.Tickets(r.Context(), memberOf(r).WorkspaceID, chat.TicketFilter{Status: st})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, nonNil(ts))
	return nil
}

type ticketPatch struct {
	Status     *chat.TicketStatus `json:"status"`
	AssigneeID *int64             `json:"assignee_id"`
	Note       *string            `json:"note"`
}

func (s *Server) patchTicket(w http.ResponseWriter, r *http.Request) error {
	var p ticketPatch
	if err := decode(w, r, &p); err != nil {
		return err
	}
	id, err := pathID(r, "tid")
	if err != nil {
		return err
	}
	tk, err := s.app.UpdateTicket(r.Context(), memberOf(r).WorkspaceID, id, chat.TicketPatch(p))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, tk)
	return nil
}

// ticketRoutes are the ticket routes.
func (s *Server) ticketRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/tickets", access: member, h: s.listTickets, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/tickets/{tid}", access: member, h: s.patchTicket, api: true},
	}
}
