package httpapi

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
	"github.com/sodam-chat/sodam/internal/web"
)

// The help center (§8, issue 12): a public site per workspace at
// /help/{site_id}, rendered by the server with html/template so that it
// works without JavaScript and search engines read it (titles, canonical
// URLs, sitemap.xml). It follows the workspace's colour and language;
// "chat with us" opens the widget (help.js) or, without JavaScript, the
// chat frame as a page.

// helpPolicy: the pages run only Sodam's own scripts (help.js and the
// widget loader) and show images from Sodam or https.
const helpPolicy = "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

type helpItem struct {
	ID      int64
	Title   string
	Excerpt string
}

type helpGroup struct {
	ID       int64
	Name     string
	Articles []helpItem
}

// helpPage is what every help center template reads.
type helpPage struct {
	Lang, SiteID, Name, Color string
	PageTitle, Description    string
	Canonical, Query          string
	NoIndex                   bool
	T                         map[string]string
	Groups                    []helpGroup
	Results                   []helpItem
	Problem                   string // why a search has no results
	Category                  *chat.FAQCategory
	Body                      template.HTML
	Updated, UpdatedISO       string
	workspace                 *chat.Workspace
	article                   bool // an article's page, in the article's one language
	categories                []chat.FAQCategory
	articles                  []chat.Article
}

// LangHref is the address of this page in lang, for the language links:
// the search's query kept. A bare ?lang= dropped it, and a visitor who
// switched language on their results got an empty search page.
//
// An article is in one language (its page shows it whatever ?lang= says):
// its other language's link is the help center's home in that language,
// where a link that changed nothing had been.
func (p *helpPage) LangHref(lang string) string {
	if p.article && lang != p.Lang {
		return "/help/" + url.PathEscape(p.SiteID) + "?lang=" + url.QueryEscape(lang)
	}
	v := url.Values{"lang": {lang}}
	if p.Query != "" {
		v.Set("q", p.Query)
	}
	// Spaces as %20: a + in an attribute is written &#43;.
	return "?" + strings.ReplaceAll(v.Encode(), "+", "%20")
}

// helpColor is the help center's colour when the workspace chose none.
const helpColor = "#1d6b58"

// helpLang is the language of a help center page: ?lang=, else the
// widget's language setting, else the browser's, else Korean.
func helpLang(r *http.Request, ws *chat.Workspace) string {
	return pickLanguage(r, r.URL.Query().Get("lang"), ws.Settings.Widget.Language)
}

// pickLanguage is the first of chosen that is ko or en, else the
// browser's English (Accept-Language), else Korean.
func pickLanguage(r *http.Request, chosen ...string) string {
	for _, l := range chosen {
		if l == "ko" || l == "en" {
			return l
		}
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en") {
		return "en"
	}
	return "ko"
}

// helpBase reads what every page needs: the workspace, its categories and,
// for the pages that list them, its published articles in the page's
// language (ws, when given, is the workspace already read).
func (s *Server) helpBase(r *http.Request, path string, ws *chat.Workspace, listing bool) (*helpPage, error) {
	var err error
	if ws == nil {
		if ws, err = s.publicWorkspace(r, r.PathValue("site")); err != nil {
			return nil, err
		}
	}
	lang := helpLang(r, ws)
	var cats []chat.FAQCategory
	var arts []chat.Article
	if listing {
		cats, arts, err = s.publishedFAQ(r, ws.ID, lang)
	} else {
		cats, err = s.store.FAQCategories(r.Context(), ws.ID)
	}
	if err != nil {
		return nil, err
	}
	color := ws.Color
	if color == "" {
		color = helpColor
	}
	name := ws.Title
	if name == "" {
		name = ws.Name
	}
	p := &helpPage{Lang: lang, SiteID: ws.SiteID, Name: name, Color: color, T: web.HelpCatalogs()[lang],
		workspace: ws, categories: cats, articles: arts}
	p.Canonical = fmt.Sprintf("%s/help/%s%s?lang=%s", strings.TrimSuffix(s.cfg.BaseURL, "/"), ws.SiteID, path, lang)
	return p, nil
}

func (p *helpPage) categoryName(c chat.FAQCategory) string {
	if p.Lang == "en" && c.NameEN != "" {
		return c.NameEN
	}
	return c.Name
}

// groups puts the articles under their categories, in order; articles
// without a category come last, under "other".
func (p *helpPage) groups(only int64) []helpGroup {
	var out []helpGroup
	byCat := map[int64][]helpItem{}
	for _, a := range p.articles {
		byCat[a.CategoryID] = append(byCat[a.CategoryID], helpItem{ID: a.ID, Title: a.Title, Excerpt: faq.Excerpt(a.BodyText, 120)})
	}
	for _, c := range p.categories {
		if len(byCat[c.ID]) > 0 && (only == 0 || only == c.ID) {
			out = append(out, helpGroup{ID: c.ID, Name: p.categoryName(c), Articles: byCat[c.ID]})
		}
	}
	if only == 0 && len(byCat[0]) > 0 {
		out = append(out, helpGroup{Name: p.T["other"], Articles: byCat[0]})
	}
	return out
}

// render writes a page, buffered so that a template error is a clean 500.
func (s *Server) render(w http.ResponseWriter, page string, p *helpPage) error {
	var b bytes.Buffer
	if err := web.HelpPages()[page].ExecuteTemplate(&b, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", helpPolicy)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Language", p.Lang)
	w.Write(b.Bytes())
	return nil
}

func (s *Server) helpHome(w http.ResponseWriter, r *http.Request) error {
	p, err := s.helpBase(r, "", nil, true)
	if err != nil {
		return err
	}
	p.Groups = p.groups(0)
	p.Description = p.Name + " " + p.T["help_center"]
	return s.render(w, "home", p)
}

func (s *Server) helpCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "cat")
	if err != nil {
		return err
	}
	p, err := s.helpBase(r, fmt.Sprintf("/categories/%d", id), nil, false)
	if err != nil {
		return err
	}
	// The category's published articles in the page's language, else in
	// the other: a category of drafts only is not public.
	arts, err := s.store.Articles(r.Context(), p.workspace.ID, true)
	if err != nil {
		return err
	}
	for _, a := range arts {
		if a.CategoryID == id {
			p.articles = append(p.articles, a)
		}
	}
	p.articles = inLang(p.articles, p.Lang)
	for _, c := range publicCategories(p.categories, p.articles) {
		if c.ID == id {
			p.PageTitle = p.categoryName(c)
		}
	}
	if p.PageTitle == "" {
		return chat.Errorf(chat.ErrNotFound, "no such FAQ category")
	}
	p.Groups = p.groups(id)
	return s.render(w, "category", p)
}

func (s *Server) helpArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "article")
	if err != nil {
		return err
	}
	ws, err := s.publicWorkspace(r, r.PathValue("site"))
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
	p, err := s.helpBase(r, fmt.Sprintf("/articles/%d", id), ws, false)
	if err != nil {
		return err
	}
	// An article is in one language: its page is canonical in it.
	p.Lang, p.T, p.article = a.Lang, web.HelpCatalogs()[a.Lang], true
	p.Canonical = fmt.Sprintf("%s/help/%s/articles/%d?lang=%s", strings.TrimSuffix(s.cfg.BaseURL, "/"), ws.SiteID, id, a.Lang)
	p.PageTitle, p.Description = a.Title, faq.Excerpt(a.BodyText, 150)
	// Sanitized when saved; sanitized again here, so that a body stored by
	// an older policy never reaches a page unchecked.
	p.Body = template.HTML(faq.Sanitize(a.BodyHTML))
	loc := ws.Settings.Location()
	p.UpdatedISO = a.UpdatedAt.In(loc).Format(time.RFC3339)
	p.Updated = a.UpdatedAt.In(loc).Format("2006-01-02")
	for _, c := range p.categories {
		if c.ID == a.CategoryID {
			c.Name = p.categoryName(c)
			p.Category = &c
		}
	}
	return s.render(w, "article", p)
}

func (s *Server) helpSearch(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	p, err := s.helpBase(r, "/search", nil, false)
	if err != nil {
		return err
	}
	p.Query, p.NoIndex = q, true
	p.PageTitle = fmt.Sprintf(p.T["results_for"], q)
	if q == "" {
		// The box sent empty (Enter pressed on it): a search page, not
		// the results for ‘’.
		p.PageTitle = p.T["search"]
	}
	if checkParam("q", q) != nil {
		// Nothing a person typed: the box starts empty again.
		p.Query, p.PageTitle, p.Problem = "", p.T["query_invalid"], p.T["query_invalid_text"]
		w.WriteHeader(http.StatusBadRequest)
		return s.render(w, "search", p)
	}
	if faq.CheckQuery(q) != nil {
		// The form allows no more; an address made by hand gets a page
		// that says why, with the query to shorten in the box.
		p.PageTitle, p.Problem = p.T["query_too_long"], fmt.Sprintf(p.T["query_too_long_text"], chat.MaxFAQQuery)
		w.WriteHeader(http.StatusBadRequest)
		return s.render(w, "search", p)
	}
	if q != "" {
		found, err := s.app.FAQ().Search(r.Context(), p.workspace.ID, q, p.Lang, 10)
		if err != nil {
			return err
		}
		for _, f := range found {
			p.Results = append(p.Results, helpItem{ID: f.Article.ID, Title: f.Article.Title, Excerpt: faq.Excerpt(f.Article.BodyText, 120)})
		}
	}
	return s.render(w, "search", p)
}

// helpSitemap lists the help center's pages for search engines.
func (s *Server) helpSitemap(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.publicWorkspace(r, r.PathValue("site"))
	if err != nil {
		return err
	}
	cats, err := s.store.FAQCategories(r.Context(), ws.ID)
	if err != nil {
		return err
	}
	arts, err := s.store.Articles(r.Context(), ws.ID, true)
	if err != nil {
		return err
	}
	type entry struct {
		Loc     string `xml:"loc"`
		LastMod string `xml:"lastmod,omitempty"`
	}
	type urlset struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []entry  `xml:"url"`
	}
	base := fmt.Sprintf("%s/help/%s", strings.TrimSuffix(s.cfg.BaseURL, "/"), ws.SiteID)
	// The time an article changed, in the workspace's time zone as every
	// time Sodam shows (W3C datetime, its offset written).
	loc := ws.Settings.Location()
	set := urlset{URLs: []entry{{Loc: base + "?lang=ko"}, {Loc: base + "?lang=en"}}}
	// A category's page, in each language its published articles are in.
	used := map[string]map[int64]bool{"ko": {}, "en": {}}
	for _, a := range arts {
		set.URLs = append(set.URLs, entry{Loc: fmt.Sprintf("%s/articles/%d?lang=%s", base, a.ID, a.Lang), LastMod: a.UpdatedAt.In(loc).Format(time.RFC3339)})
		if used[a.Lang] != nil {
			used[a.Lang][a.CategoryID] = true
		}
	}
	for _, c := range cats {
		for _, lang := range chat.FAQLangs {
			if used[lang][c.ID] {
				set.URLs = append(set.URLs, entry{Loc: fmt.Sprintf("%s/categories/%d?lang=%s", base, c.ID, lang)})
			}
		}
	}
	b, err := xml.MarshalIndent(set, "", "  ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	w.Write(b)
	return nil
}

// maxRobotsSitemaps is how many help centers' sitemaps robots.txt names:
// a line each keeps it well under the 500 KiB crawlers read.
const maxRobotsSitemaps = 1000

// robots tells search engines to read the help centers and nothing else
// (the console, the API and its files, the widget's frame), and names the
// sitemap of each public help center, the oldest workspaces' first.
// Crawlers keep it for hours; so may any cache on the way.
func (s *Server) robots(w http.ResponseWriter, r *http.Request) error {
	sites, err := s.store.HelpCenterSites(r.Context(), maxRobotsSitemaps)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("User-agent: *\nAllow: /help/\nAllow: /help-assets/\nDisallow: /\n")
	if len(sites) > 0 {
		b.WriteString("\n")
	}
	base := strings.TrimSuffix(s.cfg.BaseURL, "/")
	for _, site := range sites {
		fmt.Fprintf(&b, "Sitemap: %s/help/%s/sitemap.xml\n", base, url.PathEscape(site))
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write([]byte(b.String()))
	return nil
}

var helpAssets = func() http.Handler {
	sub, err := fs.Sub(web.Help, "help")
	if err != nil {
		panic(err)
	}
	return http.FileServerFS(sub)
}()

// helpAsset serves help.css and help.js.
func (s *Server) helpAsset(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimPrefix(r.URL.Path, "/help-assets/")
	if name != "help.css" && name != "help.js" {
		return chat.Errorf(chat.ErrNotFound, "no such file")
	}
	w.Header().Set("Cache-Control", "no-cache")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/" + name
	helpAssets.ServeHTTP(w, r2)
	return nil
}

// helpNotFound answers a page that does not exist (an unknown or draft
// article, a category of nothing, an address whose ID is not a number)
// with a page a person can read, 404, in the workspace's look; a site
// that does not exist (or is archived) gets one too, in Sodam's look and
// without the workspace's search and chat. Other refusals answer as the
// API does.
func (s *Server) helpNotFound(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := h(w, r)
		if code := chat.ErrorCode(err); code != chat.ErrNotFound && code != chat.ErrInvalid && code != chat.ErrWorkspaceNotFound {
			return err
		}
		var p *helpPage
		ws, werr := s.publicWorkspace(r, r.PathValue("site"))
		switch {
		case werr == nil:
			var perr error
			if p, perr = s.helpBase(r, "", ws, false); perr != nil {
				return err
			}
			p.PageTitle = p.T["not_found"]
		case chat.ErrorCode(werr) == chat.ErrWorkspaceNotFound || chat.ErrorCode(werr) == chat.ErrInvalid: // no workspace has such a site ID
			lang := helpLang(r, &chat.Workspace{})
			p = &helpPage{Lang: lang, Color: helpColor, T: web.HelpCatalogs()[lang]}
			p.PageTitle = p.T["site_not_found"]
		default:
			return err
		}
		p.NoIndex = true
		var b bytes.Buffer
		if rerr := web.HelpPages()["notfound"].ExecuteTemplate(&b, "layout", p); rerr != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", helpPolicy)
		w.Header().Set("Content-Language", p.Lang)
		w.WriteHeader(http.StatusNotFound)
		w.Write(b.Bytes())
		return nil
	}
}

// helpRoutes are the help center's pages: public and limited like the
// widget's FAQ reads.
func (s *Server) helpRoutes() []route {
	return []route{
		{pattern: "GET /help/{site}", access: public, h: s.helpNotFound(s.helpHome), limit: limitFAQ},
		{pattern: "GET /help/{site}/categories/{cat}", access: public, h: s.helpNotFound(s.helpCategory), limit: limitFAQ},
		{pattern: "GET /help/{site}/articles/{article}", access: public, h: s.helpNotFound(s.helpArticle), limit: limitFAQ},
		{pattern: "GET /help/{site}/search", access: public, h: s.helpNotFound(s.helpSearch), limit: limitFAQ},
		{pattern: "GET /help/{site}/sitemap.xml", access: public, h: s.helpSitemap, limit: limitFAQ},
		{pattern: "GET /help/{site}/images/{image}", access: public, h: s.helpImage, limit: limitFAQ},
		{pattern: "GET /help-assets/", access: public, h: s.helpAsset},
		{pattern: "GET /robots.txt", access: public, h: s.robots, limit: limitFAQ},
	}
}
