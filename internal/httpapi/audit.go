package httpapi

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The audit log (§13): masters read it, filter it and export it; nothing
// edits or deletes it.

type auditPage struct {
	Entries    []chat.AuditEntry `json:"entries"`
	NextCursor string            `json:"next_cursor"`
}

// auditFilter reads ?actor=&action=&from=&to=&cursor=. Periods are
// RFC 3339 times, or dates in the workspace's time zone (to's day counts).
func auditFilter(r *http.Request, loc *time.Location, limit int) (chat.AuditFilter, error) {
	q := r.URL.Query()
	f := chat.AuditFilter{Action: q.Get("action"), Limit: limit}
	if err := checkParam("action", f.Action); err != nil {
		return f, err
	}
	if v := q.Get("actor"); v != "" {
		id, err := parseID(v, "actor")
		if err != nil {
			return f, err
		}
		f.ActorID = id
	}
	if v := q.Get("cursor"); v != "" {
		id, err := parseID(v, "cursor")
		if err != nil {
			return f, err
		}
		f.Before = id
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
		end  bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			*p.dst = t
			continue
		}
		d, err := chat.ParseDay(v, loc, p.end)
		if err != nil {
			return f, chat.Errorf(chat.ErrInvalid, "%s must be a date (YYYY-MM-DD) or an RFC 3339 time", p.name)
		}
		*p.dst = d
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return f, chat.Errorf(chat.ErrInvalid, "from must be before to")
	}
	return f, nil
}

// auditLog answers a page of the log (?limit=, as other lists; ?cursor=,
// the next_cursor of the page before).
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) error {
	pageSize, err := limitOf(r)
	if err != nil {
		return err
	}
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	f, err := auditFilter(r, ws.Settings.Location(), pageSize+1)
	if err != nil {
		return err
	}
	entries, err := s.store.Audit(r.Context(), memberOf(r).WorkspaceID, f)
	if err != nil {
		return err
	}
	page := auditPage{Entries: nonNil(entries)}
	if len(entries) > pageSize {
		page.Entries = entries[:pageSize]
		page.NextCursor = strconv.FormatInt(entries[pageSize-1].ID, 10)
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// auditCSV exports the filtered log as CSV, UTF-8 with a byte-order mark
// so that Excel reads Korean right, page by page from the store.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	loc := ws.Settings.Location()
	f, err := auditFilter(r, loc, 500)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", contentDisposition("attachment", "audit-log-"+ws.SiteID+".csv"))
	w.Write([]byte("\ufeff"))
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "actor_id", "actor_name", "address", "action", "target", "refused", "before", "after"})
	text := func(v any) string {
		if v == nil {
			return ""
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	for {
		entries, err := s.store.Audit(r.Context(), ws.ID, f)
		if err != nil {
			return err // the status line is sent; the file ends early
		}
		for _, e := range entries {
			cw.Write([]string{strconv.FormatInt(e.ID, 10), e.At.In(loc).Format(time.RFC3339), strconv.FormatInt(e.ActorID, 10),
				csvSafe(e.ActorName), e.Address, e.Action, csvSafe(e.Target), e.Refused, csvSafe(text(e.Before)), csvSafe(text(e.After))})
		}
		cw.Flush()
		if len(entries) < f.Limit {
			return cw.Error()
		}
		f.Before = entries[len(entries)-1].ID
	}
}

// csvSafe keeps a spreadsheet from reading text people typed as a formula.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}

func (s *Server) auditRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/audit-log", access: member, minRole: chat.RoleMaster, h: s.auditLog, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/audit-log.csv", access: member, minRole: chat.RoleMaster, h: s.auditCSV, api: true},
	}
}
