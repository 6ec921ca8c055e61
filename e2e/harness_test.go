// Package e2e drives Sodam as people use it: a real node started in-process,
// Debian's Chromium through chromedp, a visitor on a host page of another
// origin holding the embed snippet, and an agent in the console.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/node"
)

const (
	adminEmail    = "admin@sodam.local"
	adminPassword = "e2e-password-1"
)

// site is a running node plus a host page that embeds its widget.
type site struct {
	t       *testing.T
	node    *node.Main
	baseURL string
	ws      *chat.Workspace
	host    *httptest.Server // the company's page, another origin
}

// startSite starts a node on a fresh data directory and a host page whose
// origin is allowed to embed the widget. settings, when not empty, is the
// JavaScript object assigned to window.SodamSettings before the snippet.
func startSite(t *testing.T) *site {
	t.Helper()
	m := node.New(&bytes.Buffer{})
	getenv := func(k string) string {
		if k == "SODAM_ADMIN_PASSWORD" {
			return adminPassword
		}
		return ""
	}
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "warn"}, getenv); err != nil {
		t.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	s := &site{t: t, node: m, baseURL: "http://" + m.Addr()}
	ctx := context.Background()
	var err error
	if s.ws, err = m.Store.Workspace(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.host = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="ko"><head><meta charset="utf-8"><title>소담 상점</title>%s
<script src="%s/widget.js" data-site-id="%s" async></script></head>
<body style="font-family: sans-serif"><h1>소담 상점</h1><p>Welcome to our shop.</p></body></html>`,
			r.URL.Query().Get("head"), s.baseURL, s.ws.SiteID)
	}))
	t.Cleanup(s.host.Close)
	s.ws.AllowedOrigins = []string{s.host.URL}
	if err := m.Store.UpdateWorkspace(ctx, s.ws); err != nil {
		t.Fatal(err)
	}
	return s
}

// chromium finds Debian's Chromium, or skips (fails under
// SODAM_E2E_REQUIRED=1, as in CI) when it is missing.
func chromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("SODAM_E2E_REQUIRED") != "" {
		t.Fatal("Chromium is required (SODAM_E2E_REQUIRED is set) but not installed: apt-get install chromium")
	}
	t.Skip("Chromium not installed (apt-get install chromium): skipping browser tests")
	return ""
}

// browser starts one headless Chromium for the test and returns its first
// tab's context, from which person opens isolated ones.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("lang", "ko-KR"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return root
}

// person opens a tab in a browser context of its own: separate cookies and
// storage, as if on another computer. It fails the test after timeout.
func person(t *testing.T, root context.Context, timeout time.Duration) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start browser tab: %v", err)
	}
	ctx, cancelT := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelT)
	return ctx
}

// screenshot saves a PNG to docs/screenshots/name.png when
// SODAM_UPDATE_SCREENSHOTS=1 (make screenshots), so README's pictures come
// from the same flows the tests check.
func screenshot(t *testing.T, ctx context.Context, name string, sel string) {
	t.Helper()
	if os.Getenv("SODAM_UPDATE_SCREENSHOTS") == "" {
		return
	}
	var buf []byte
	var err error
	if sel == "" {
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(90))
	} else {
		buf, err = chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS(sel)))
	}
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join("..", "docs", "screenshots", name+".png")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
