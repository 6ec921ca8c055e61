package httpapi

import (
	_ "embed"
	"net/http"
	pathpkg "path"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/web"
)

//go:embed openapi.json
var openAPISpec []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPISpec)
	return nil
}

var (
	consoleFS = newStaticFiles(web.Assets, "console")
	widgetFS  = newStaticFiles(web.Assets, "widget")
	sharedFS  = newStaticFiles(web.Assets, "shared")
)

// consolePolicy keeps the console's pages from running anything but its own
// scripts and from being framed by another site. Images may come from
// https too: an FAQ article's may (faq.Sanitize), and the FAQ editor's
// preview shows them as the help center does.
const consolePolicy = "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

func (s *Server) consoleAsset(w http.ResponseWriter, r *http.Request) error {
	if path := strings.TrimPrefix(r.URL.Path, "/console"); path != "/" && strings.HasSuffix(path, "/") {
		return chat.Errorf(chat.ErrNotFound, "no such file")
	}
	w.Header().Set("Content-Security-Policy", consolePolicy)
	w.Header().Set("Cache-Control", "no-cache")
	http.StripPrefix("/console", consoleFS).ServeHTTP(w, r)
	return nil
}

// consoleLink serves the console's page for a link someone was sent (an
// invitation, a password reset): the console reads the token from the URL.
func (s *Server) consoleLink(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Security-Policy", consolePolicy)
	w.Header().Set("Cache-Control", "no-store")
	// The token must not leak to other sites through the Referer header.
	w.Header().Set("Referrer-Policy", "no-referrer")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/"
	consoleFS.ServeHTTP(w, r2)
	return nil
}

func (s *Server) widgetLoader(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	r2 := r.Clone(r.Context())
	r2.URL.Path = "/loader.js"
	widgetFS.ServeHTTP(w, r2)
	return nil
}

// widgetAsset serves the chat iframe and its files. The frame may be
// embedded only by Sodam itself and the workspace's allowed origins.
func (s *Server) widgetAsset(w http.ResponseWriter, r *http.Request) error {
	path := strings.TrimPrefix(r.URL.Path, "/widget")
	if pathpkg.Clean(path) == "/frame.html" {
		// The page only at /widget/frame, under its policy: as a file it
		// would go out with none, and any site could frame any
		// workspace's chat, its requests Sodam's own origin, past the
		// allowed origins.
		return chat.Errorf(chat.ErrNotFound, "no such file")
	}
	if path == "/frame" {
		siteID := r.URL.Query().Get("site_id")
		if err := checkParam("site_id", siteID); err != nil {
			return err
		}
		ws, err := s.store.WorkspaceBySiteID(r.Context(), siteID)
		if err != nil {
			return err
		}
		ancestors := append([]string{"'self'"}, ws.AllowedOrigins...)
		// https images: the FAQ's articles may show them (consolePolicy).
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob: https:; style-src 'self' 'unsafe-inline'; base-uri 'none'; frame-ancestors "+strings.Join(ancestors, " "))
		path = "/frame.html"
	}
	if strings.HasSuffix(path, "/") || path == "/loader.js" {
		return chat.Errorf(chat.ErrNotFound, "no such file")
	}
	w.Header().Set("Cache-Control", "no-cache")
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	widgetFS.ServeHTTP(w, r2)
	return nil
}

// sharedAsset serves the modules the console and the widget both import.
// They are public and cached like the widget's files: the chat iframe loads
// them before any visitor session exists. The pages that load them (the
// console and the widget frame) allow scripts from their own origin, which
// this is.
func (s *Server) sharedAsset(w http.ResponseWriter, r *http.Request) error {
	path := strings.TrimPrefix(r.URL.Path, "/shared")
	if strings.HasSuffix(path, "/") {
		return chat.Errorf(chat.ErrNotFound, "no such file")
	}
	w.Header().Set("Cache-Control", "no-cache")
	r2 := r.Clone(r.Context())
	r2.URL.Path = path
	sharedFS.ServeHTTP(w, r2)
	return nil
}

// tryPolicy keeps the try-it page, a page of Sodam's origin for a signed-in
// member, from being framed by another site. Its scripts are a sample
// shop's (an inline SodamSettings, the loader), as on a real site.
const tryPolicy = "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// tryData feeds the try-it page template.
type tryData struct {
	WorkspaceID         int64
	SiteID, BaseURL     string
	Member              bool
	SiteUID, SiteUIDSig string
	MemberName, Lang    string
}

// tryPage shows the widget on a sample shop page, as an anonymous or a
// logged-in visitor (signed server-side, as a real site would), so a new
// user can play both sides at once (Gitple's chat-app test).
func (s *Server) tryPage(w http.ResponseWriter, r *http.Request) error {
	r, err := s.authAgent(r)
	if err != nil {
		http.Redirect(w, r, "/console/", http.StatusFound)
		return nil
	}
	// The page signs a member's site_uid with the workspace's identity
	// secret: only for a workspace the agent is active in, and that is
	// not archived, as the console's own routes (Store.ConsoleMember).
	ms, err := s.store.Memberships(r.Context(), agentOf(r).agent.ID)
	if err != nil {
		return err
	}
	var want int64
	if v := r.URL.Query().Get("ws"); v != "" {
		if want, err = parseID(v, "ws"); err != nil {
			return err
		}
	}
	var ws *chat.Workspace
	for _, m := range ms {
		if !m.Active || want != 0 && m.WorkspaceID != want {
			continue
		}
		w, err := s.store.Workspace(r.Context(), m.WorkspaceID)
		if err != nil {
			return err
		}
		if w.ArchivedAt == nil {
			ws = w
			break
		}
	}
	if ws == nil {
		return chat.Errorf(chat.ErrWorkspaceNotFound, "no such workspace")
	}
	d := tryData{WorkspaceID: ws.ID, SiteID: ws.SiteID, BaseURL: s.cfg.BaseURL, Member: r.URL.Query().Get("as") == "member", Lang: "en", MemberName: "Sodam Kim"}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "ko") {
		d.Lang, d.MemberName = "ko", "김소담"
	}
	if d.Member {
		d.SiteUID = "demo-member-1"
		d.SiteUIDSig = chat.SignSiteUID(ws.IdentitySecret, d.SiteUID)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", tryPolicy)
	return web.TryTemplate.Execute(w, d)
}

// pageRoutes are the page and asset routes.
func (s *Server) pageRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/openapi.json", access: public, h: s.openAPI},
		{pattern: "GET /console/", access: public, h: s.consoleAsset},
		{pattern: "GET /console/try", access: public, h: s.tryPage},
		{pattern: "GET /widget.js", access: public, h: s.widgetLoader},
		{pattern: "GET /widget/", access: public, h: s.widgetAsset},
		{pattern: "GET /console/invite", access: public, h: s.consoleLink},
		{pattern: "GET /console/reset", access: public, h: s.consoleLink},
		{pattern: "GET /shared/", access: public, h: s.sharedAsset},
	}
}
