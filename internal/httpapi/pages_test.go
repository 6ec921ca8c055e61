package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// fetch gets path from the server without credentials.
func (e *env) fetch(path string) (*http.Response, string) {
	e.t.Helper()
	resp, err := http.Get(e.srv.URL + path)
	must(e.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(e.t, err)
	return resp, string(body)
}

// allowsSelf reports whether a Content-Security-Policy lets the page use
// its own origin for directive (say, script-src), else for default-src.
func allowsSelf(policy, directive string) bool {
	sources := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		sources[name] = " " + value + " "
	}
	list, ok := sources[directive]
	if !ok {
		list = sources["default-src"]
	}
	return strings.Contains(list, " 'self' ")
}

func TestAssetRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		path   string
		status int
		cache  string // Cache-Control, when the status is 200
		csp    bool   // a page: its policy must allow its own scripts and catalogs
		json   bool   // a message catalog
	}{
		{path: "/console/", status: 200, cache: "no-cache", csp: true},
		{path: "/console/app.js", status: 200, cache: "no-cache"},
		{path: "/widget.js", status: 200, cache: "public, max-age=300"},
		{path: "/widget/frame?site_id=shop", status: 200, cache: "no-cache", csp: true},
		{path: "/widget/frame.js", status: 200, cache: "no-cache"},
		{path: "/shared/dom.js", status: 200, cache: "no-cache"},
		{path: "/shared/locale.js", status: 200, cache: "no-cache"},
		// The message catalogs, fetched by shared/locale.js.
		{path: "/shared/i18n/ko.json", status: 200, cache: "no-cache", json: true},
		{path: "/console/i18n/en.json", status: 200, cache: "no-cache", json: true},
		{path: "/widget/i18n/ko.json", status: 200, cache: "no-cache", json: true},
		// No directory listings, and the loader only at /widget.js.
		{path: "/shared/", status: 404},
		{path: "/widget/", status: 404},
		{path: "/widget/i18n/", status: 404},
		{path: "/console/settings/", status: 404},
		{path: "/console/settings/card.js", status: 200, cache: "no-cache"},
		{path: "/shared/i18n/", status: 404},
		{path: "/widget/loader.js", status: 404},
		// The frame's page only at /widget/frame, under its policy: as a
		// file it would be served with none, and any site could frame
		// any workspace's chat, past its allowed origins.
		{path: "/widget/frame.html?site_id=shop", status: 404},
		{path: "/widget/i18n/../frame.html?site_id=shop", status: 404},
		{path: "/shared/missing.js", status: 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, _ := e.fetch(tt.path)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if got := resp.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if ct := resp.Header.Get("Content-Type"); tt.json && ct != "application/json" {
				t.Errorf("Content-Type %q, want application/json", ct)
			}
			// The page runs its modules and fetches its catalogs from its
			// own origin.
			policy := resp.Header.Get("Content-Security-Policy")
			for _, directive := range []string{"script-src", "connect-src"} {
				if tt.csp && !allowsSelf(policy, directive) {
					t.Errorf("Content-Security-Policy %q does not allow %s 'self'", policy, directive)
				}
			}
		})
	}
}

var (
	scriptSrc = regexp.MustCompile(`<script type="module" src="([^"]+)"`)
	// An import's or re-export's clause has no parentheses or "=": that
	// keeps `export function f(…) {…}` (vendor/uplot) from reading on to
	// some later quoted string.
	staticImport = regexp.MustCompile(`(?m)^(?:import|export)\b[^'";()=]*?(?:from\s+)?'([^']+)';`)
)

// TestModuleGraphs follows the console's and the widget frame's static
// imports from their pages, as a browser would, and checks that every
// module is served as JavaScript.
func TestModuleGraphs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, page := range []string{"/console/", "/widget/frame?site_id=shop"} {
		t.Run(page, func(t *testing.T) {
			resp, html := e.fetch(page)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			base := mustURL(e.srv.URL + page)
			var queue []*url.URL
			for _, m := range scriptSrc.FindAllStringSubmatch(html, -1) {
				queue = append(queue, base.ResolveReference(mustURL(m[1])))
			}
			if len(queue) == 0 {
				t.Fatal("the page loads no module")
			}
			seen := map[string]bool{}
			for len(queue) > 0 {
				u := queue[0]
				queue = queue[1:]
				if seen[u.Path] {
					continue
				}
				seen[u.Path] = true
				resp, src := e.fetch(u.Path)
				if resp.StatusCode != 200 {
					t.Errorf("%s: status %d", u.Path, resp.StatusCode)
					continue
				}
				if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
					t.Errorf("%s: Content-Type %q", u.Path, ct)
				}
				for _, m := range staticImport.FindAllStringSubmatch(src, -1) {
					queue = append(queue, u.ResolveReference(mustURL(m[1])))
				}
			}
			if len(seen) < 5 {
				t.Errorf("followed only %d modules: %v", len(seen), seen)
			}
			t.Logf("%d modules", len(seen))
		})
	}
}

// TestStaticFilesCompressedAndRevalidated: the console's and the widget's
// files go compressed to a client that takes gzip, plain to one that does
// not, and a browser revalidating what it holds gets 304 Not Modified.
func TestStaticFilesCompressedAndRevalidated(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := func(path string, header ...string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest("GET", e.srv.URL+path, nil)
		must(t, err)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // as sent: no transparent gzip
		must(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		must(t, err)
		return resp, body
	}
	for _, path := range []string{"/widget/frame.js", "/console/", "/shared/i18n/ko.json"} {
		t.Run(path, func(t *testing.T) {
			plain, data := get(path, "Accept-Encoding", "identity")
			zipped, gz := get(path, "Accept-Encoding", "br, gzip")
			if plain.StatusCode != 200 || zipped.StatusCode != 200 {
				t.Fatalf("status %d and %d", plain.StatusCode, zipped.StatusCode)
			}
			if plain.Header.Get("Content-Encoding") != "" || zipped.Header.Get("Content-Encoding") != "gzip" {
				t.Fatalf("Content-Encoding %q plain, %q with gzip", plain.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Encoding"))
			}
			zr, err := gzip.NewReader(bytes.NewReader(gz))
			must(t, err)
			unzipped, err := io.ReadAll(zr)
			must(t, err)
			if !bytes.Equal(unzipped, data) || len(gz) >= len(data) {
				t.Fatalf("%d bytes compressed to %d, which unzip to %d other bytes", len(data), len(gz), len(unzipped))
			}
			t.Logf("%d bytes, %d compressed", len(data), len(gz))
			for _, r := range []*http.Response{plain, zipped} {
				if r.Header.Get("Vary") != "Accept-Encoding" || r.Header.Get("Content-Type") != plain.Header.Get("Content-Type") || r.Header.Get("Cache-Control") != "no-cache" {
					t.Errorf("headers %v", r.Header)
				}
			}
			if plain.Header.Get("ETag") == "" || plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
				t.Fatalf("ETag %q plain, %q compressed", plain.Header.Get("ETag"), zipped.Header.Get("ETag"))
			}
			// Revalidation: each form's own ETag answers 304, with no body.
			for _, c := range []struct{ encoding, etag string }{{"identity", plain.Header.Get("ETag")}, {"gzip", zipped.Header.Get("ETag")}} {
				if r, body := get(path, "Accept-Encoding", c.encoding, "If-None-Match", c.etag); r.StatusCode != 304 || len(body) != 0 {
					t.Errorf("revalidating %s with %s: %d, %d bytes", c.encoding, c.etag, r.StatusCode, len(body))
				}
			}
			if r, _ := get(path, "Accept-Encoding", "gzip;q=0", "If-None-Match", `"stale"`); r.StatusCode != 200 || r.Header.Get("Content-Encoding") != "" {
				t.Errorf("gzip;q=0 with a stale ETag: %d, Content-Encoding %q", r.StatusCode, r.Header.Get("Content-Encoding"))
			}
		})
	}
}

// TestArticleImagesShown: an FAQ article may show images from Sodam's own
// uploads or from https (faq.Sanitize keeps both), and three pages put
// its body on screen — the help center, the widget's FAQ and the console's
// preview. Each page's policy allows both, or the widget and the preview
// showed a broken image where the help center showed the picture.
func TestArticleImagesShown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	imgSrc := func(policy string) string {
		for _, d := range strings.Split(policy, ";") {
			if name, value, _ := strings.Cut(strings.TrimSpace(d), " "); name == "img-src" {
				return " " + value + " "
			}
		}
		return ""
	}
	for _, page := range []string{"/help/shop", "/widget/frame?site_id=shop", "/console/"} {
		resp, _ := e.fetch(page)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: status %d", page, resp.StatusCode)
		}
		src := imgSrc(resp.Header.Get("Content-Security-Policy"))
		for _, want := range []string{" 'self' ", " https: "} {
			if !strings.Contains(src, want) {
				t.Errorf("%s: img-src%s does not allow %s", page, src, strings.TrimSpace(want))
			}
		}
	}
}
