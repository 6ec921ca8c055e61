// Package e2e drives Sodam as people use it: a real node started in-process,
// Debian's Chromium through chromedp, a visitor on a host page of another
// origin holding the embed snippet, and an agent in the console.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/auth/authtest"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/node"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

const (
	adminEmail    = "admin@sodam.local"
	adminPassword = "e2e-password-1"
)

// site is a running node plus a host page that embeds its widget.
type site struct {
	t       *testing.T
	node    *node.Main // nil while stopped
	baseURL string
	addr    string // the node's address, kept across restarts
	dataDir string
	ws      *chat.Workspace
	host    *httptest.Server // the company's page, another origin
	// env holds SODAM_* settings for the node's next start (withSMTP).
	env map[string]string
}

// startSite starts a node on a fresh data directory and a host page whose
// origin is allowed to embed the widget. The host page's ?head= is put in
// its <head> before the snippet, e.g. a script setting window.SodamSettings.
//
// Nothing is shared with other tests but the Chromium process (each person
// has a browser context of their own), so browser tests call t.Parallel.
// Without Chromium the test skips (fails under SODAM_E2E_REQUIRED) before
// any node starts.
func startSite(t *testing.T) *site {
	t.Helper()
	chromium(t)
	s := &site{t: t, addr: "127.0.0.1:0", dataDir: t.TempDir()}
	sqlite.WriteMigrated(t, filepath.Join(s.dataDir, "sodam.db")) // the name node.Main opens
	s.start()
	t.Cleanup(func() {
		if s.node != nil {
			s.node.Close()
		}
	})
	s.baseURL = "http://" + s.addr
	ctx := context.Background()
	var err error
	if s.ws, err = s.node.Store.Workspace(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.host = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, hostPage, r.URL.Query().Get("head"), s.baseURL, s.ws.SiteID)
	}))
	t.Cleanup(s.host.Close)
	s.ws.AllowedOrigins = []string{s.host.URL}
	if _, err := s.node.Store.UpdateWorkspace(ctx, s.ws, chat.Who{}); err != nil {
		t.Fatal(err)
	}
	return s
}

// hostPage is the company's page: a small shop with the embed snippet
// before </head>. Its arguments are extra head HTML, Sodam's base URL and
// the site ID.
const hostPage = `<!doctype html>
<html lang="ko">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>소담 상점</title>
<style>
body { margin: 0; color: #2b2622; background: #faf7f2; font-family: system-ui, "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", sans-serif; }
header { padding: 18px 40px; background: #fff; border-bottom: 1px solid #ebe4da; font-size: 1.3rem; font-weight: 800; color: #6b4a2b; }
main { max-width: 760px; padding: 36px 40px; }
h1 { margin: 0 0 8px; font-size: 1.8rem; }
p { margin: 0; color: #5b524a; }
ul { display: grid; grid-template-columns: repeat(2, 1fr); gap: 18px; margin: 32px 0 0; padding: 0; list-style: none; }
li { padding: 96px 16px 14px; border-radius: 14px; background: linear-gradient(#d9c6a5 0 82px, #fff 82px); border: 1px solid #ebe4da; font-weight: 600; }
</style>%s
<script src="%s/widget.js" data-site-id="%s" async></script>
</head>
<body>
<header>소담 상점</header>
<main>
<h1>봄맞이 다기 기획전</h1>
<p>손으로 빚은 찻잔과 햇차를 만나 보세요. 궁금한 점은 채팅으로 물어보세요.</p>
<ul><li>백자 찻잔 2인 세트 · 32,000원</li><li>대나무 찻상 · 58,000원</li><li>하동 햇녹차 40g · 24,000원</li><li>린넨 다포 · 9,000원</li></ul>
</main>
</body>
</html>`

// memberHead is host page head HTML for a visitor logged in to the
// company's site: their ID signed as the company's server would, and name.
func (s *site) memberHead(uid, name string) string {
	return fmt.Sprintf(`<script>window.SodamSettings = {siteUid: %s, siteUidSig: %s, extra: {cus_extra_username: %s}};</script>`,
		js(uid), js(chat.SignSiteUID(s.ws.IdentitySecret, uid)), js(name))
}

// verifiedMemberHead is memberHead with a mobile number the company's
// site verified, signed with the member's ID.
func (s *site) verifiedMemberHead(uid, name, phone string) string {
	return fmt.Sprintf(`<script>window.SodamSettings = {siteUid: %s, siteUidSig: %s, verifiedPhone: %s, verifiedPhoneSig: %s, extra: {cus_extra_username: %s}};</script>`,
		js(uid), js(chat.SignSiteUID(s.ws.IdentitySecret, uid)), js(phone), js(chat.SignVerifiedPhone(s.ws.IdentitySecret, uid, phone)), js(name))
}

// configure changes the workspace's settings in the store, as the settings
// page would. Settings carry no event: consoles already open should reload.
func (s *site) configure(change func(*chat.Settings)) {
	s.t.Helper()
	ctx := context.Background()
	ws, err := s.node.Store.Workspace(ctx, s.ws.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	change(&ws.Settings)
	if _, err := s.node.Store.UpdateWorkspace(ctx, ws, chat.Who{}); err != nil {
		s.t.Fatalf("update workspace settings: %v", err)
	}
	s.ws = ws
}

// addAgent creates an agent with the agent role in the workspace and
// returns their ID.
func (s *site) addAgent(email, name, password string) int64 {
	s.t.Helper()
	return s.addMember(email, name, password, chat.RoleAgent)
}

// addMember creates an offline member of the workspace with role and
// returns their ID.
func (s *site) addMember(email, name, password string, role chat.Role) int64 {
	s.t.Helper()
	ctx := context.Background()
	a := &chat.Agent{Email: email, Name: name, PasswordHash: authtest.Hash(password)}
	if err := s.node.Store.CreateAgent(ctx, a); err != nil {
		s.t.Fatalf("create agent %s: %v", email, err)
	}
	if err := s.node.Store.AddMember(ctx, chat.Member{WorkspaceID: s.ws.ID, AgentID: a.ID, Role: role, Status: chat.StatusOffline}); err != nil {
		s.t.Fatalf("add member %s: %v", email, err)
	}
	return a.ID
}

// start runs a node on s.addr and s.dataDir. After a stop, the address may
// take a moment to be free again.
func (s *site) start() {
	s.t.Helper()
	getenv := func(k string) string {
		if v, ok := s.env[k]; ok {
			return v
		}
		switch k {
		case "SODAM_ADMIN_PASSWORD":
			return adminPassword
		case "SODAM_WEBHOOK_ALLOW_PRIVATE":
			return "true" // webhook receivers started by tests are on loopback
		}
		return ""
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		m := node.New(&bytes.Buffer{})
		if err := m.ParseFlags([]string{"--addr", s.addr, "--data", s.dataDir, "--log-level", "warn"}, getenv); err != nil {
			s.t.Fatal(err)
		}
		err := m.Run(context.Background())
		if err == nil {
			s.node = m
			s.addr = m.Addr()
			return
		}
		m.Close()
		if !errors.Is(err, syscall.EADDRINUSE) || time.Now().After(deadline) {
			s.t.Fatalf("start node on %s: %v", s.addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop ends the node as an operator would (its sockets drop, its
// listener closes) and leaves the data directory for start.
func (s *site) stop() {
	s.t.Helper()
	if err := s.node.Close(); err != nil {
		s.t.Fatalf("stop node: %v", err)
	}
	s.node = nil
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
		buf, err = chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, not JPEG
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
