package httpapi

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// The FAQ (§8): the console's editor (managers), the agents' ? search, the
// widget's public search and articles, import and export. The help center
// pages are in helpcenter.go.

// maxImport bounds an FAQ import file (JSON or CSV).
const maxImport = 8 << 20

// articleURL is an article's page in the help center.
func (s *Server) articleURL(siteID string, id int64) string {
	return fmt.Sprintf("%s/help/%s/articles/%d", strings.TrimSuffix(s.cfg.BaseURL, "/"), siteID, id)
}

func (s *Server) listFAQCategories(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.store.FAQCategories(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, cs)
	return nil
}

// faqCategoryRequest creates a category (name required) or changes one
// (the fields sent).
type faqCategoryRequest = chat.FAQCategoryPatch

func (s *Server) createFAQCategory(w http.ResponseWriter, r *http.Request) error {
	var req faqCategoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	c := &chat.FAQCategory{WorkspaceID: memberOf(r).WorkspaceID}
	req.Apply(c)
	if err := s.store.CreateFAQCategory(r.Context(), c, who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) updateFAQCategory(w http.ResponseWriter, r *http.Request) error {
	var req faqCategoryRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	c, err := s.store.UpdateFAQCategory(r.Context(), memberOf(r).WorkspaceID, id, req, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) deleteFAQCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	if err := s.store.DeleteFAQCategory(r.Context(), memberOf(r).WorkspaceID, id, who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// articleListItem is an article in the list: everything but its body,
// which GET …/faq/articles/{id} gives (the editor reads it there).
type articleListItem struct {
	ID         int64     `json:"id"`
	CategoryID int64     `json:"category_id,omitempty"`
	Lang       string    `json:"lang"`
	Title      string    `json:"title"`
	Keywords   []string  `json:"keywords"`
	Published  bool      `json:"published"`
	Position   int       `json:"position"`
	Helpful    int       `json:"helpful"`
	NotHelpful int       `json:"not_helpful"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// listArticles lists the workspace's articles, drafts included, without
// their bodies: a workspace may hold 10,000 of up to 60,000 bytes each.
func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) error {
	as, err := s.store.ArticleList(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	out := make([]articleListItem, len(as))
	for i, a := range as {
		out[i] = articleListItem{a.ID, a.CategoryID, a.Lang, a.Title, a.Keywords, a.Published, a.Position, a.Helpful, a.NotHelpful, a.CreatedAt, a.UpdatedAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	a, err := s.store.Article(r.Context(), memberOf(r).WorkspaceID, id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", versionETag(a.UpdatedAt))
	writeJSON(w, http.StatusOK, a)
	return nil
}

// articleRequest creates an article (title and body_html required) or
// changes one (the fields sent; with If-Match, only as it was read).
type articleRequest = chat.ArticlePatch

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	var req articleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Title == nil {
		return chat.Errorf(chat.ErrInvalid, "title is required")
	}
	if req.BodyHTML == nil {
		return chat.Errorf(chat.ErrInvalid, "body_html is required")
	}
	a := &chat.Article{WorkspaceID: memberOf(r).WorkspaceID}
	req.Apply(a)
	if err := s.store.CreateArticle(r.Context(), a, who(r)); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, a)
	return nil
}

func (s *Server) updateArticle(w http.ResponseWriter, r *http.Request) error {
	var req articleRequest
	if err := decode(w, r, &req); err != nil {
		return err
	}
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	// With If-Match (the editor sends the whole article), only the article
	// as it was read: a colleague's save since is 409, not overwritten.
	if req.Unchanged, err = ifMatch(r); err != nil {
		return err
	}
	a, err := s.store.UpdateArticle(r.Context(), memberOf(r).WorkspaceID, id, req, who(r))
	if err != nil {
		return err
	}
	w.Header().Set("ETag", versionETag(a.UpdatedAt))
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (s *Server) deleteArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	if err := s.store.DeleteArticle(r.Context(), memberOf(r).WorkspaceID, id, who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// previewArticle sanitizes a body as saving would, without saving: the
// editor's preview shows exactly what visitors will see.
func (s *Server) previewArticle(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		BodyHTML string `json:"body_html"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	a := &chat.Article{Title: "preview", BodyHTML: req.BodyHTML}
	if err := faq.Prepare(a); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"body_html": a.BodyHTML, "body_text": a.BodyText})
	return nil
}

// agentFAQHit is what the console's ? shows and inserts.
type agentFAQHit struct {
	ID    int64   `json:"id"`
	Title string  `json:"title"`
	Text  string  `json:"text"`
	URL   string  `json:"url"`
	Score float64 `json:"score"`
}

// searchFAQ is the console's ?: the same search as the widget's, with each
// article's text version and link to insert.
func (s *Server) searchFAQ(w http.ResponseWriter, r *http.Request) error {
	m := memberOf(r)
	q := r.URL.Query()
	if err := checkParam("q", q.Get("q")); err != nil {
		return err
	}
	ws, err := s.store.Workspace(r.Context(), m.WorkspaceID)
	if err != nil {
		return err
	}
	found, err := s.app.FAQ().Search(r.Context(), m.WorkspaceID, q.Get("q"), q.Get("lang"), 5)
	if err != nil {
		return err
	}
	out := []agentFAQHit{}
	for _, f := range found {
		out = append(out, agentFAQHit{ID: f.Article.ID, Title: f.Article.Title, Text: f.Article.BodyText, URL: s.articleURL(ws.SiteID, f.Article.ID), Score: f.Score})
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": out})
	return nil
}

func (s *Server) getSynonyms(w http.ResponseWriter, r *http.Request) error {
	syn, err := s.store.FAQSynonyms(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"synonyms": syn})
	return nil
}

func (s *Server) putSynonyms(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Synonyms *[][]string `json:"synonyms"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Synonyms == nil {
		return chat.Errorf(chat.ErrInvalid, "synonyms is required (a list of groups of words)")
	}
	wid := memberOf(r).WorkspaceID
	if err := s.store.SetFAQSynonyms(r.Context(), wid, *req.Synonyms, who(r)); err != nil {
		return err
	}
	return s.getSynonyms(w, r)
}

// exportFAQ writes the workspace's FAQ as JSON (everything, as import
// takes it) or CSV (one article a row: for spreadsheets).
func (s *Server) exportFAQ(w http.ResponseWriter, r *http.Request) error {
	f, err := s.faqExport(r, memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" {
		return chat.Errorf(chat.ErrInvalid, "format must be json or csv")
	}
	// The whole FAQ, drafts included, leaves: recorded before it is sent
	// (no record, no file), as a history export is.
	by := who(r)
	if err := s.store.AppendAudit(r.Context(), chat.AuditEntry{WorkspaceID: memberOf(r).WorkspaceID, At: s.now(), ActorID: by.AgentID,
		ActorName: by.Name, Address: by.Address, Action: chat.AuditFAQExport, Target: "faq",
		After: map[string]any{"format": cmp.Or(format, "json"), "articles": len(f.Articles), "categories": len(f.Categories)}}); err != nil {
		return err
	}
	switch format {
	case "", "json":
		w.Header().Set("Content-Disposition", `attachment; filename="faq.json"`)
		writeJSON(w, http.StatusOK, f)
	case "csv":
		names := map[int64]string{}
		for _, c := range f.Categories {
			names[c.ID] = c.Name
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="faq.csv"`)
		// A byte-order mark, so that spreadsheet programs read Korean as UTF-8.
		io.WriteString(w, "\ufeff")
		cw := csv.NewWriter(w)
		cw.Write(csvHeader)
		for _, a := range f.Articles {
			// What people wrote never reads as a formula (import takes the
			// apostrophe off again).
			cw.Write([]string{strconv.FormatInt(a.ID, 10), csvSafe(names[a.CategoryID]), a.Lang, csvSafe(a.Title), csvSafe(a.BodyHTML),
				csvSafe(strings.Join(a.Keywords, ", ")), strconv.FormatBool(a.Published), strconv.Itoa(a.Position)})
		}
		cw.Flush()
	default:
		return chat.Errorf(chat.ErrInvalid, "format must be json or csv")
	}
	return nil
}

// csvUnsafe undoes csvSafe: the apostrophe the export put before a cell
// that starts like a formula.
func csvUnsafe(v string) string {
	if len(v) > 1 && v[0] == '\'' && csvSafe(v[1:]) == v {
		return v[1:]
	}
	return v
}

var csvHeader = []string{"id", "category", "lang", "title", "body_html", "keywords", "published", "position"}

func (s *Server) faqExport(r *http.Request, wid int64) (chat.FAQExport, error) {
	ctx := r.Context()
	cs, err := s.store.FAQCategories(ctx, wid)
	if err != nil {
		return chat.FAQExport{}, err
	}
	as, err := s.store.Articles(ctx, wid, false)
	if err != nil {
		return chat.FAQExport{}, err
	}
	syn, err := s.store.FAQSynonyms(ctx, wid)
	if err != nil {
		return chat.FAQExport{}, err
	}
	return chat.FAQExport{Version: 1, Categories: cs, Articles: as, Synonyms: syn}, nil
}

// importFAQ takes an export: JSON as exportFAQ writes it, or CSV with the
// export's columns (category by name: a new name makes a category).
func (s *Server) importFAQ(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxImport))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return chat.Errorf(codeBodyTooLarge, "an import file may be at most %d bytes", maxImport)
	}
	if err != nil {
		return err
	}
	m := memberOf(r)
	var f chat.FAQExport
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "", "application/json":
		if err := decodeStrict(bytes.NewReader(body), &f); err != nil {
			return err
		}
		if f.Version != 1 {
			return chat.Errorf(chat.ErrInvalid, "version must be 1 (the export's)")
		}
	case "text/csv":
		cats, err := s.store.FAQCategories(r.Context(), m.WorkspaceID)
		if err != nil {
			return err
		}
		stored, err := s.store.Articles(r.Context(), m.WorkspaceID, false)
		if err != nil {
			return err
		}
		if f, err = parseFAQCSV(body, cats, stored); err != nil {
			return err
		}
	default:
		return chat.Errorf(codeMediaType, "send the file as application/json or text/csv")
	}
	created, updated, err := s.store.ImportFAQ(r.Context(), m.WorkspaceID, f, who(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"created": created, "updated": updated})
	return nil
}

// parseFAQCSV reads a CSV import: the export's columns in any order (id,
// category, lang, title, body_html, keywords, published, position; title
// and body_html required). An article the workspace has keeps what the
// file has no column for (FAQExport.Columns); a new one is published unless
// the file says otherwise. published takes true/false or 1/0 in any case,
// as spreadsheet programs write it back. Two categories may share a name:
// an article the workspace has (stored) stays in its category when the
// file names that category's name, and a name several categories share is
// refused for any other row (which one is meant is not known).
func parseFAQCSV(body []byte, cats []chat.FAQCategory, stored []chat.Article) (chat.FAQExport, error) {
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	if !utf8.Valid(body) {
		return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "the file is not valid UTF-8")
	}
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "malformed CSV: %v", err)
	}
	if len(rows) == 0 {
		return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "the file is empty")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		name := strings.ToLower(strings.TrimSpace(h))
		if _, twice := col[name]; twice && name != "" {
			return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "the first row names the column %s twice", name)
		}
		col[name] = i
	}
	for _, need := range []string{"title", "body_html"} {
		if _, ok := col[need]; !ok {
			return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "the first row must name the columns; %s is missing", need)
		}
	}
	f := chat.FAQExport{Version: 1, Columns: map[string]bool{}}
	for name := range col {
		f.Columns[name] = true
	}
	catByName := map[string][]int64{}
	nameOf := map[int64]string{}
	for _, c := range cats {
		catByName[c.Name] = append(catByName[c.Name], c.ID)
		nameOf[c.ID] = c.Name
	}
	storedCat := map[int64]int64{}
	for _, a := range stored {
		storedCat[a.ID] = a.CategoryID
	}
	next := int64(-1) // file-local IDs of new categories
	for n, row := range rows[1:] {
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(row) {
				return csvUnsafe(strings.TrimSpace(row[i]))
			}
			return ""
		}
		for _, v := range row {
			if strings.ContainsFunc(v, badControl) {
				return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "row %d has control characters", n+2)
			}
		}
		a := chat.Article{Title: get("title"), BodyHTML: get("body_html"), Lang: get("lang"), Published: true}
		if f.Columns["published"] {
			switch strings.ToLower(get("published")) {
			case "true", "1":
			case "false", "0":
				a.Published = false
			default:
				return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "row %d: published must be true or false (or 1 or 0), not %q", n+2, get("published"))
			}
		}
		if f.Columns["position"] {
			p, err := strconv.Atoi(get("position"))
			if err != nil {
				return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "row %d: position must be a whole number, not %q", n+2, get("position"))
			}
			a.Position = p
		}
		if v := get("id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "row %d: id must be a number", n+2)
			}
			a.ID = id
		}
		if v := get("keywords"); v != "" {
			for _, k := range strings.Split(v, ",") {
				a.Keywords = append(a.Keywords, strings.TrimSpace(k))
			}
		}
		if name := get("category"); name != "" {
			ids := catByName[name]
			switch cur, ok := storedCat[a.ID]; {
			case ok && cur != 0 && nameOf[cur] == name:
				a.CategoryID = cur // where it is: the name may be shared
			case len(ids) == 0:
				a.CategoryID = next
				catByName[name] = []int64{next}
				next--
				f.Categories = append(f.Categories, chat.FAQCategory{ID: a.CategoryID, Name: name, Position: len(cats) + len(f.Categories)})
				f.CategoryRows = append(f.CategoryRows, n+2)
			case len(ids) == 1:
				a.CategoryID = ids[0]
			default:
				return chat.FAQExport{}, chat.Errorf(chat.ErrInvalid, "row %d: %d categories are named %q; rename one so that the file can say which, or import JSON", n+2, len(ids), name)
			}
		}
		f.Articles = append(f.Articles, a)
		f.ArticleRows = append(f.ArticleRows, n+2)
	}
	return f, nil
}

// widgetFAQHit is one answer of the public search.
type widgetFAQHit struct {
	ID      int64   `json:"id"`
	Title   string  `json:"title"`
	Excerpt string  `json:"excerpt"`
	URL     string  `json:"url"`
	Score   float64 `json:"score"`
}

// publicWorkspace is the workspace of a public FAQ request: an archived one
// has no help center.
func (s *Server) publicWorkspace(r *http.Request, siteID string) (*chat.Workspace, error) {
	ws, err := s.siteWorkspace(r, siteID)
	if err != nil {
		return nil, err
	}
	if ws.ArchivedAt != nil {
		return nil, chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	return ws, nil
}

// widgetFAQSearch is the public search: best first, nothing when nothing
// answers well enough (the threshold at which the robot says it has no
// answer).
func (s *Server) widgetFAQSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := checkParam("q", q.Get("q")); err != nil {
		return err
	}
	if err := faq.CheckQuery(q.Get("q")); err != nil {
		return err
	}
	ws, err := s.publicWorkspace(r, q.Get("site_id"))
	if err != nil {
		return err
	}
	found, err := s.app.FAQ().Search(r.Context(), ws.ID, q.Get("q"), q.Get("lang"), 3)
	if err != nil {
		return err
	}
	out := []widgetFAQHit{}
	for _, f := range found {
		out = append(out, widgetFAQHit{ID: f.Article.ID, Title: f.Article.Title, Excerpt: faq.Excerpt(f.Article.BodyText, 90),
			URL: s.articleURL(ws.SiteID, f.Article.ID), Score: f.Score})
	}
	writeJSON(w, http.StatusOK, map[string]any{"articles": out})
	return nil
}

// widgetFAQHome is the widget's FAQ home: the categories and the titles
// of the published articles in the visitor's language (falling back to
// all when there are none in it).
func (s *Server) widgetFAQHome(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ws, err := s.publicWorkspace(r, q.Get("site_id"))
	if err != nil {
		return err
	}
	cats, arts, err := s.publishedFAQ(r, ws.ID, q.Get("lang"))
	if err != nil {
		return err
	}
	type item struct {
		ID         int64  `json:"id"`
		CategoryID int64  `json:"category_id,omitempty"`
		Title      string `json:"title"`
		URL        string `json:"url"`
	}
	items := []item{}
	for _, a := range arts {
		items = append(items, item{ID: a.ID, CategoryID: a.CategoryID, Title: a.Title, URL: s.articleURL(ws.SiteID, a.ID)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": cats, "articles": items})
	return nil
}

// publishedFAQ reads the published articles in lang (all when lang has
// none) and the categories they are in: a category whose articles are all
// drafts is not public (its name may announce what is not yet).
func (s *Server) publishedFAQ(r *http.Request, wid int64, lang string) ([]chat.FAQCategory, []chat.Article, error) {
	cats, err := s.store.FAQCategories(r.Context(), wid)
	if err != nil {
		return nil, nil, err
	}
	arts, err := s.store.Articles(r.Context(), wid, true)
	if err != nil {
		return nil, nil, err
	}
	arts = inLang(arts, lang)
	return publicCategories(cats, arts), arts, nil
}

// inLang keeps the articles in lang, or all of them when none is.
func inLang(arts []chat.Article, lang string) []chat.Article {
	var in []chat.Article
	for _, a := range arts {
		if a.Lang == lang {
			in = append(in, a)
		}
	}
	if len(in) > 0 {
		return in
	}
	return arts
}

// publicCategories keeps the categories that hold one of arts.
func publicCategories(cats []chat.FAQCategory, arts []chat.Article) []chat.FAQCategory {
	used := map[int64]bool{}
	for _, a := range arts {
		used[a.CategoryID] = true
	}
	out := []chat.FAQCategory{}
	for _, c := range cats {
		if used[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// widgetArticle is one published article, for reading in the frame.
func (s *Server) widgetArticle(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.publicWorkspace(r, r.URL.Query().Get("site_id"))
	if err != nil {
		return err
	}
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	a, err := s.store.Article(r.Context(), ws.ID, id)
	if err == nil && !a.Published {
		err = chat.Errorf(chat.ErrNotFound, "no such FAQ article")
	}
	if err != nil {
		return err
	}
	// Sanitized when saved; sanitized again here, as the help center does,
	// so that a body stored by an older policy never reaches the frame
	// (which puts it in the page as HTML) unchecked.
	writeJSON(w, http.StatusOK, map[string]any{"id": a.ID, "title": a.Title, "body_html": faq.Sanitize(a.BodyHTML), "url": s.articleURL(ws.SiteID, a.ID), "updated_at": a.UpdatedAt})
	return nil
}

// widgetArticleFeedback records a visitor's "did this answer your
// question?".
func (s *Server) widgetArticleFeedback(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Helpful *bool `json:"helpful"`
	}
	if err := decode(w, r, &req); err != nil {
		return err
	}
	if req.Helpful == nil {
		return chat.Errorf(chat.ErrInvalid, "helpful (true or false) is required")
	}
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	if err := s.store.RateArticle(r.Context(), visitorOf(r).session.WorkspaceID, id, *req.Helpful); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// faqRoutes are the FAQ's routes: the console's (reading for members,
// editing for managers) and the widget's (public, limited).
func (s *Server) faqRoutes() []route {
	mgr := chat.RoleManager
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/faq/categories", access: member, h: s.listFAQCategories, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/faq/categories", access: member, minRole: mgr, h: s.createFAQCategory, api: true, audit: chat.AuditFAQCategoryCreate},
		{pattern: "PATCH /api/v1/workspaces/{wid}/faq/categories/{cat}", access: member, minRole: mgr, h: s.updateFAQCategory, api: true, audit: chat.AuditFAQCategoryUpdate},
		{pattern: "DELETE /api/v1/workspaces/{wid}/faq/categories/{cat}", access: member, minRole: mgr, h: s.deleteFAQCategory, api: true, audit: chat.AuditFAQCategoryDelete},
		{pattern: "GET /api/v1/workspaces/{wid}/faq/articles", access: member, h: s.listArticles, api: true},
		{pattern: "POST /api/v1/workspaces/{wid}/faq/articles", access: member, minRole: mgr, h: s.createArticle, api: true, audit: chat.AuditArticleCreate},
		{pattern: "GET /api/v1/workspaces/{wid}/faq/articles/{article}", access: member, h: s.getArticle, api: true},
		{pattern: "PATCH /api/v1/workspaces/{wid}/faq/articles/{article}", access: member, minRole: mgr, h: s.updateArticle, api: true, audit: chat.AuditArticleUpdate},
		{pattern: "DELETE /api/v1/workspaces/{wid}/faq/articles/{article}", access: member, minRole: mgr, h: s.deleteArticle, api: true, audit: chat.AuditArticleDelete},
		{pattern: "POST /api/v1/workspaces/{wid}/faq/preview", access: member, minRole: mgr, h: s.previewArticle, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/faq/search", access: member, h: s.searchFAQ, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/faq/synonyms", access: member, h: s.getSynonyms, api: true},
		{pattern: "PUT /api/v1/workspaces/{wid}/faq/synonyms", access: member, minRole: mgr, h: s.putSynonyms, api: true, audit: chat.AuditFAQSynonyms},
		{pattern: "GET /api/v1/workspaces/{wid}/faq/export", access: member, minRole: mgr, h: s.exportFAQ, api: true, audit: chat.AuditFAQExport},
		{pattern: "POST /api/v1/workspaces/{wid}/faq/import", access: member, minRole: mgr, h: s.importFAQ, api: true, audit: chat.AuditFAQImport},
		{pattern: "POST /api/v1/workspaces/{wid}/faq/images", access: member, minRole: mgr, h: s.uploadFAQImage, api: true, audit: chat.AuditFAQImageUpload},
		{pattern: "DELETE /api/v1/workspaces/{wid}/faq/images/{image}", access: member, minRole: mgr, h: s.deleteFAQImage, api: true, audit: chat.AuditFAQImageDelete},
		{pattern: "GET /api/v1/widget/faq", access: public, h: s.widgetFAQHome, api: true, limit: limitFAQ},
		{pattern: "GET /api/v1/widget/faq/search", access: public, h: s.widgetFAQSearch, api: true, limit: limitFAQ},
		{pattern: "GET /api/v1/widget/faq/articles/{article}", access: public, h: s.widgetArticle, api: true, limit: limitFAQ},
		{pattern: "POST /api/v1/widget/faq/articles/{article}/feedback", access: visitor, h: s.widgetArticleFeedback, api: true, limit: limitFAQFeedback},
	}
}
