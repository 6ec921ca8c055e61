package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestTryTemplate(t *testing.T) {
	tests := []struct {
		name      string
		data      map[string]any
		want      []string
		forbidden []string
	}{
		{
			name: "anonymous, Korean",
			data: map[string]any{"WorkspaceID": int64(3), "SiteID": "shop1", "BaseURL": "http://127.0.0.1:8080", "Lang": "ko"},
			want: []string{
				`<script src="http://127.0.0.1:8080/widget.js" data-site-id="shop1" async></script>`,
				`<html lang="ko">`, "소담 샘플 상점", `href="?ws=3&amp;as=member"`,
			},
			forbidden: []string{"window.SodamSettings"},
		},
		{
			name: "member, English",
			data: map[string]any{
				"WorkspaceID": int64(3), "SiteID": "shop1", "BaseURL": "http://127.0.0.1:8080", "Lang": "en", "Member": true,
				"SiteUID": "demo-member-1", "SiteUIDSig": "abc123", "MemberName": `Kim "</script>`,
			},
			want: []string{
				`window.SodamSettings = {siteUid: "demo-member-1", siteUidSig: "abc123", extra: {cus_extra_username: "Kim \"\u003c/script\u003e"}};`,
				"Sodam Sample Shop", `data-site-id="shop1"`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			if err := TryTemplate.Execute(&b, tt.data); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, s := range tt.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %s", s)
				}
			}
			for _, s := range tt.forbidden {
				if strings.Contains(page, s) {
					t.Errorf("page has %s", s)
				}
			}
		})
	}
}

func TestAssets(t *testing.T) {
	for _, name := range []string{
		"console/index.html", "console/app.js", "console/i18n.js", "console/style.css", "console/tickets.js",
		"widget/loader.js", "widget/frame.html", "widget/frame.js", "widget/frame.css", "widget/i18n.js",
		"shared/dom.js", "shared/net.js", "shared/live.js", "shared/thread.js", "shared/composer.js", "shared/files.js", "shared/locale.js",
	} {
		if _, err := fs.Stat(Assets, name); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
}

var (
	catalogKey = regexp.MustCompile(`(?m)^\s*'([^']+)':`)
	htmlKey    = regexp.MustCompile(`data-i18n="([^"]+)"`)
	htmlAttr   = regexp.MustCompile(`data-i18n-attr="([^"]+)"`)
	jsKey      = regexp.MustCompile(`\bt\('([a-z0-9_.]+)'[,)]`)
)

// catalogs reads the ko and en message catalogs of an i18n.js file.
func catalogs(t *testing.T, name string) (ko, en map[string]bool) {
	t.Helper()
	src := read(t, name)
	block := func(lang string) map[string]bool {
		start := strings.Index(src, "const "+lang+" = {")
		end := strings.Index(src[start:], "\n};")
		if start < 0 || end < 0 {
			t.Fatalf("%s: no %s catalog", name, lang)
		}
		keys := map[string]bool{}
		for _, m := range catalogKey.FindAllStringSubmatch(src[start:start+end], -1) {
			keys[m[1]] = true
		}
		return keys
	}
	return block("ko"), block("en")
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(Assets, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// usedKeys collects the message keys named literally in dir's HTML and JS.
func usedKeys(t *testing.T, dir string) map[string]bool {
	t.Helper()
	used := map[string]bool{}
	entries, err := fs.ReadDir(Assets, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		src := read(t, dir+"/"+name)
		switch {
		case strings.HasSuffix(name, ".html"):
			for _, m := range htmlKey.FindAllStringSubmatch(src, -1) {
				used[m[1]] = true
			}
			for _, m := range htmlAttr.FindAllStringSubmatch(src, -1) {
				for _, pair := range strings.Split(m[1], ";") {
					if _, key, ok := strings.Cut(pair, ":"); ok {
						used[strings.TrimSpace(key)] = true
					}
				}
			}
		case strings.HasSuffix(name, ".js") && name != "i18n.js" && name != "locale.js":
			for _, m := range jsKey.FindAllStringSubmatch(src, -1) {
				used[m[1]] = true
			}
		}
	}
	return used
}

func TestCatalogs(t *testing.T) {
	// Keys built at run time from the domain's values.
	var computed []string
	for _, s := range []chat.State{chat.StateBot, chat.StateUnassigned, chat.StateWaiting, chat.StateActive, chat.StateClosed} {
		computed = append(computed, "state."+string(s))
	}
	for _, s := range []chat.AgentStatus{chat.StatusOnline, chat.StatusAway, chat.StatusOffline} {
		computed = append(computed, "status."+string(s))
	}
	for _, r := range []string{chat.CloseByAgent, chat.CloseByManager, chat.CloseByCustomer, chat.CloseByBot, chat.CloseByBlock, chat.CloseByInactivity} {
		computed = append(computed, "close_reason."+r)
	}
	for _, r := range chat.BlockReasons {
		computed = append(computed, "block_reason."+r)
	}
	for _, r := range []chat.Role{chat.RoleMaster, chat.RoleManager, chat.RoleAgent} {
		computed = append(computed, "role."+string(r))
	}
	for _, m := range []chat.AssignmentMode{chat.AssignManual, chat.AssignAuto, chat.AssignHybrid} {
		computed = append(computed, "mode."+string(m), "mode."+string(m)+"_help")
	}
	for _, s := range []chat.TicketStatus{chat.TicketOpen, chat.TicketSolved} {
		computed = append(computed, "ticket_status."+string(s))
	}
	for _, code := range []string{chat.SystemAssigned, chat.SystemTransferred, chat.SystemHeld, chat.SystemUnheld, chat.SystemCustomerLeft, chat.SystemClosed} {
		computed = append(computed, "system."+code)
	}
	for _, k := range chat.FileKinds {
		computed = append(computed, "file_kind."+string(k))
	}
	// Why the composer is disabled (conversation.js #reasonCode).
	for _, r := range []string{"closed", "bot", "unassigned", "unassigned_auto", "other", "customer_left", "on_hold", "operation_stopped"} {
		computed = append(computed, "composer."+r)
	}
	// The widget translates what the server tells visitors.
	var widget []string
	for _, a := range []chat.Availability{chat.UnavailableStopped, chat.UnavailableHours, chat.UnavailableNobody} {
		widget = append(widget, "availability."+string(a), "leave.reason."+string(a))
	}
	for _, code := range []string{chat.SystemAssigned, chat.SystemTransferred, chat.SystemCustomerLeft, chat.SystemClosed} {
		widget = append(widget, "system."+code)
	}
	for _, code := range []string{chat.ErrUnavailable, chat.ErrCustomerBlocked, chat.ErrConsentRequired, chat.ErrBadSignature, chat.ErrEmptyMessage, chat.ErrMessageTooLong, chat.ErrInvalid,
		chat.ErrFileTypeNotAllowed, chat.ErrFileContentMismatch, chat.ErrFileTooLarge, chat.ErrFileEmpty} {
		widget = append(widget, "error."+code)
	}
	widget = append(widget, "ended", "ended."+chat.CloseByAgent, "ended."+chat.CloseByManager, "ended."+chat.CloseByInactivity,
		"error.network", "error.unknown", "msg.pending", "msg.retrying", "msg.failed", "connection.connecting", "connection.reconnecting")
	for _, code := range errorCodes(t) {
		computed = append(computed, "error."+code)
	}
	computed = append(computed, "channel."+string(chat.ChannelWeb), "error.network", "error.unknown",
		"msg.pending", "msg.retrying", "msg.failed",
		"connection.connecting", "connection.live", "connection.reconnecting", "connection.stopped")

	for _, dir := range []string{"console", "widget"} {
		t.Run(dir, func(t *testing.T) {
			ko, en := catalogs(t, dir+"/i18n.js")
			for k := range ko {
				if !en[k] {
					t.Errorf("%q is Korean only", k)
				}
			}
			for k := range en {
				if !ko[k] {
					t.Errorf("%q is English only", k)
				}
			}
			for k := range usedKeys(t, dir) {
				if !ko[k] {
					t.Errorf("%q is used but not in the catalog", k)
				}
			}
			want := widget
			if dir == "console" {
				want = computed
			}
			for _, k := range want {
				if !ko[k] {
					t.Errorf("%q is not in the catalog", k)
				}
			}
		})
	}
}

// errorCodes lists the values of the Err* constants in the chat package,
// every code the API may answer with.
func errorCodes(t *testing.T) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../chat/errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || len(spec.Values) != 1 || !strings.HasPrefix(spec.Names[0].Name, "Err") {
			return true
		}
		if lit, ok := spec.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
			code, _ := strconv.Unquote(lit.Value)
			codes = append(codes, code)
		}
		return true
	})
	if len(codes) < 20 {
		t.Fatalf("found only %d error codes in ../chat/errors.go", len(codes))
	}
	return codes
}

var (
	htmlTestID = regexp.MustCompile(`data-testid="([^"]+)"`)
	jsTestID   = regexp.MustCompile(`testid: '([^']+)'`)
)

// TestSelectorsDocumented checks that SELECTORS.md, which browser tests
// are written against, names every data-testid the HTML and JS set.
func TestSelectorsDocumented(t *testing.T) {
	doc, err := os.ReadFile("SELECTORS.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, dir := range []string{"console", "widget", "shared"} {
		entries, err := fs.ReadDir(Assets, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			src := read(t, dir+"/"+e.Name())
			for _, re := range []*regexp.Regexp{htmlTestID, jsTestID} {
				for _, m := range re.FindAllStringSubmatch(src, -1) {
					seen++
					if !strings.Contains(string(doc), "data-testid="+m[1]+"]") {
						t.Errorf("%s/%s: data-testid %q is not in SELECTORS.md", dir, e.Name(), m[1])
					}
				}
			}
		}
	}
	if seen < 100 {
		t.Errorf("found only %d data-testid attributes", seen)
	}
}

// TestSettingsFileTable checks that the settings page offers exactly the
// extensions Sodam can check (chat.KnownExtensions), kind by kind.
func TestSettingsFileTable(t *testing.T) {
	src := read(t, "console/settings.js")
	start := strings.Index(src, "const fileTable = {")
	end := strings.Index(src[start:], "\n};")
	if start < 0 || end < 0 {
		t.Fatal("settings.js has no fileTable")
	}
	table := src[start : start+end]
	for _, k := range chat.FileKinds {
		m := regexp.MustCompile(`(?s)\b` + string(k) + `: \[(.*?)\]`).FindStringSubmatch(table)
		if m == nil {
			t.Errorf("fileTable has no %s", k)
			continue
		}
		var got []string
		for _, q := range regexp.MustCompile(`'([a-z0-9]+)'`).FindAllStringSubmatch(m[1], -1) {
			got = append(got, q[1])
		}
		if want := chat.KnownExtensions(k); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("fileTable.%s = %v, want %v", k, got, want)
		}
	}
}
