package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
)

// historyStore is the store's history part (§9).
func (s *Server) historyStore() (history.Store, error) {
	hs, ok := s.store.(history.Store)
	if !ok {
		return nil, chat.Errorf(chat.ErrNotFound, "this store keeps no history")
	}
	return hs, nil
}

// historyFilter reads and checks a filter: its IDs must be the
// workspace's, and an agent sees only what chat.CanSee lets them.
func (s *Server) historyFilter(ctx context.Context, m *chat.Member, v url.Values) (history.Filter, error) {
	ws, err := s.store.Workspace(ctx, m.WorkspaceID)
	if err != nil {
		return history.Filter{}, err
	}
	f, err := history.Parse(v, ws.Settings.Location())
	if err != nil {
		return f, err
	}
	if f.AgentID != 0 {
		if _, err := s.store.Member(ctx, m.WorkspaceID, f.AgentID); err != nil {
			if chat.ErrorCode(err) != "" {
				return f, chat.Errorf(chat.ErrAgentNotFound, "agent_id: no such agent in this workspace")
			}
			return f, err
		}
	}
	if f.CategoryID != 0 {
		cats, err := s.store.Categories(ctx, m.WorkspaceID)
		if err != nil {
			return f, err
		}
		found := false
		for _, c := range cats {
			found = found || c.ID == f.CategoryID
		}
		if !found {
			return f, chat.Errorf(chat.ErrCategoryUnknown, "category_id: no such category in this workspace")
		}
	}
	if f.TagID != 0 {
		found := false
		for _, kind := range []chat.TagKind{chat.TagConversation, chat.TagCustomer} {
			tags, err := s.store.Tags(ctx, m.WorkspaceID, kind)
			if err != nil {
				return f, err
			}
			for _, t := range tags {
				found = found || t.ID == f.TagID
			}
		}
		if !found {
			return f, chat.Errorf(chat.ErrTagUnknown, "tag_id: no such tag in this workspace")
		}
	}
	if !m.Role.SeesAll() {
		f.VisibleTo = m.AgentID
	}
	return f, nil
}

type historyPage struct {
	Conversations []chat.Conversation `json:"conversations"`
	// NextCursor fetches the next page; null on the last.
	NextCursor *string `json:"next_cursor"`
}

func (s *Server) searchHistory(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.historyStore()
	if err != nil {
		return err
	}
	m := memberOf(r)
	q := r.URL.Query()
	f, err := s.historyFilter(r.Context(), m, q)
	if err != nil {
		return err
	}
	after, err := history.ParseCursor(q.Get("cursor"))
	if err != nil {
		return err
	}
	limit, err := history.ParseLimit(q.Get("limit"))
	if err != nil {
		return err
	}
	cs, err := hs.History(r.Context(), m.WorkspaceID, f, after, limit+1)
	if err != nil {
		return err
	}
	ws, err := s.workspace(r)
	if err != nil {
		return err
	}
	history.NameRobot(cs, ws.SiteID)
	page := historyPage{Conversations: nonNil(cs)}
	if len(cs) > limit {
		page.Conversations = cs[:limit]
		last := cs[limit-1]
		next := history.Cursor{ID: last.ID}.Encode()
		page.NextCursor = &next
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

type exportRequest struct {
	Format string         `json:"format"`
	Layout string         `json:"layout"`
	Filter map[string]any `json:"filter"`
	// Language is the reader's, ko or en (see exportLanguage).
	Language string `json:"language"`
}

// exportLanguage is the language an export writes Sodam's own words in
// (its system messages' lines): the request's, else the person's console
// language, else their browser's (Accept-Language), else Korean. The
// export is written later by a job, so it is fixed when asked for.
func exportLanguage(r *http.Request, asked string) (string, error) {
	if asked != "" && asked != "ko" && asked != "en" {
		return "", chat.Errorf(chat.ErrInvalid, "language must be ko or en")
	}
	return pickLanguage(r, asked, agentOf(r).agent.Language), nil
}

// exportView is an export as the API shows it.
type exportView struct {
	history.Export
	Progress    float64 `json:"progress"`
	DownloadURL string  `json:"download_url,omitempty"`
}

func (s *Server) viewExport(e *history.Export) exportView {
	v := exportView{Export: *e, Progress: e.Progress()}
	if e.State == history.ExportDone && !e.Expired(s.now()) {
		v.DownloadURL = fmt.Sprintf("/api/v1/workspaces/%d/exports/%d/file", e.WorkspaceID, e.ID)
	}
	return v
}

func (s *Server) createExport(w http.ResponseWriter, r *http.Request) error {
	var req exportRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Format != history.FormatXLSX && req.Format != history.FormatCSV {
		return chat.Errorf(chat.ErrInvalid, "format must be xlsx or csv")
	}
	if req.Layout == "" {
		req.Layout = history.LayoutConversations
	}
	if req.Layout != history.LayoutConversations && req.Layout != history.LayoutMessages {
		return chat.Errorf(chat.ErrInvalid, "layout must be conversations or messages")
	}
	lang, err := exportLanguage(r, req.Language)
	if err != nil {
		return err
	}
	v, err := history.Values(req.Filter)
	if err != nil {
		return err
	}
	m := memberOf(r)
	if _, err := s.historyFilter(r.Context(), m, v); err != nil {
		return err
	}
	filter := map[string]string{}
	for k := range v {
		filter[k] = v.Get(k)
	}
	e := &history.Export{WorkspaceID: m.WorkspaceID, AgentID: m.AgentID, Format: req.Format, Layout: req.Layout, Language: lang, Filter: filter}
	if err := s.app.CreateExport(r.Context(), e, who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]int64{"id": e.ID})
	return nil
}

// ownExport loads {eid}: only the person who asked for an export sees it
// (it holds customers' data); to anyone else it does not exist.
func (s *Server) ownExport(r *http.Request) (*history.Export, error) {
	hs, err := s.historyStore()
	if err != nil {
		return nil, err
	}
	id, err := pathID(r, "eid")
	if err != nil {
		return nil, err
	}
	m := memberOf(r)
	e, err := hs.Export(r.Context(), m.WorkspaceID, id)
	if err != nil {
		return nil, err
	}
	if e.AgentID != m.AgentID {
		return nil, chat.Errorf(chat.ErrExportNotFound, "no such export")
	}
	return e, nil
}

func (s *Server) getExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.ownExport(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.viewExport(e))
	return nil
}

func (s *Server) downloadExport(w http.ResponseWriter, r *http.Request) error {
	e, err := s.ownExport(r)
	if err != nil {
		return err
	}
	switch {
	case e.State != history.ExportDone:
		return chat.Errorf(chat.ErrExportNotReady, "the export is %s", e.State)
	case e.Expired(s.now()):
		return chat.Errorf(chat.ErrExportExpired, "the export's file has expired; export again")
	}
	f, err := s.files.Open(r.Context(), e.BlobKey)
	if errors.Is(err, blob.ErrNotFound) {
		s.log.Error("an export's file is missing from storage", slog.Int64("export", e.ID), slog.String("key", e.BlobKey))
		return chat.Errorf(chat.ErrExportExpired, "the export's file is gone; export again")
	}
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	if e.Format == history.FormatXLSX {
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", "private, no-store")
	name := "sodam-history-" + e.CreatedAt.In(s.location(r)).Format("20060102-1504") + "-" + strconv.FormatInt(e.ID, 10) + "." + e.Format
	h.Set("Content-Disposition", contentDisposition("attachment", name))
	http.ServeContent(w, r, "", *e.FinishedAt, f)
	return nil
}

// location is the workspace's time zone.
func (s *Server) location(r *http.Request) *time.Location {
	if ws, err := s.store.Workspace(r.Context(), memberOf(r).WorkspaceID); err == nil {
		return ws.Settings.Location()
	}
	return time.UTC
}

// historyRoutes are the history page's and exports' routes (§9).
func (s *Server) historyRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/history", access: member, h: s.searchHistory, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/exports", access: member, minRole: chat.RoleManager, h: s.createExport, api: true, audit: chat.AuditExport},
		{pattern: "GET /api/v1/workspaces/{wid}/exports/{eid}", access: member, minRole: chat.RoleManager, h: s.getExport, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/exports/{eid}/file", access: member, minRole: chat.RoleManager, h: s.downloadExport, api: true},
	}
}
