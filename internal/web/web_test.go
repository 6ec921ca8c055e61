package web

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
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
		"console/index.html", "console/app.js", "console/i18n.js", "console/i18n/ko.json", "console/i18n/en.json", "console/style.css", "console/tickets.js",
		"console/team.js", "console/audit.js", "console/workspaces.js", "console/profile.js", "console/welcome.js", "console/deactivated.js",
		"console/session.js", "console/password.js", "console/copy.js", "console/settings/tokens.js",
		"widget/loader.js", "widget/frame.html", "widget/frame.js", "widget/frame.css", "widget/i18n.js", "widget/i18n/ko.json", "widget/i18n/en.json",
		"shared/i18n/ko.json", "shared/i18n/en.json",
		"shared/dom.js", "shared/net.js", "shared/live.js", "shared/thread.js", "shared/composer.js", "shared/files.js", "shared/locale.js",
	} {
		if _, err := fs.Stat(Assets, name); err != nil {
			t.Errorf("missing %s: %v", name, err)
		}
	}
}

var (
	htmlKey  = regexp.MustCompile(`data-i18n="([^"]+)"`)
	htmlAttr = regexp.MustCompile(`data-i18n-attr="([^"]+)"`)
	jsKey    = regexp.MustCompile(`\bt\('([a-z0-9_.]+)'[,)]`)
	// placeholder is what Locale.t fills from its vars.
	placeholder = regexp.MustCompile(`\{(\w+)\}`)
)

// literalBraces are messages whose braces are text, not placeholders: the
// canned responses' help names the variables an agent may write.
var literalBraces = map[string]bool{"canned.variables": true}

// catalog reads a JSON message catalog: one object of key → message. It
// refuses a key written twice (encoding/json would silently keep the
// last) and an empty message.
func catalog(t *testing.T, name string) map[string]string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(read(t, name)))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%s: not a JSON object (%v, %v)", name, tok, err)
	}
	messages := map[string]string{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		key := tok.(string)
		var text string
		if err := dec.Decode(&text); err != nil {
			t.Fatalf("%s: %q: %v", name, key, err)
		}
		if _, twice := messages[key]; twice {
			t.Errorf("%s: %q is written twice", name, key)
		}
		if strings.TrimSpace(text) == "" {
			t.Errorf("%s: %q is empty", name, key)
		}
		messages[key] = text
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		t.Fatalf("%s: unterminated object (%v, %v)", name, tok, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("%s: data after the object", name)
	}
	return messages
}

// catalogPair reads dir/ko.json and dir/en.json and checks that they hold
// the same keys, each with the same placeholders in both languages.
func catalogPair(t *testing.T, dir string) (ko, en map[string]string) {
	t.Helper()
	ko, en = catalog(t, dir+"/ko.json"), catalog(t, dir+"/en.json")
	for k := range ko {
		if _, ok := en[k]; !ok {
			t.Errorf("%s: %q is Korean only", dir, k)
		}
	}
	for k := range en {
		if _, ok := ko[k]; !ok {
			t.Errorf("%s: %q is English only", dir, k)
		}
	}
	names := func(text string) string {
		var found []string
		for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
			found = append(found, m[1])
		}
		slices.Sort(found)
		return strings.Join(slices.Compact(found), " ")
	}
	for k, text := range ko {
		if other, ok := en[k]; ok && !literalBraces[k] && names(text) != names(other) {
			t.Errorf("%s: %q fills {%s} in Korean but {%s} in English", dir, k, names(text), names(other))
		}
	}
	return ko, en
}

func read(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(Assets, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// usedKeys collects the message keys named literally in the HTML and JS
// under dir (markup in JS templates too), each with a file using it.
func usedKeys(t *testing.T, dir string) map[string]string {
	t.Helper()
	used := map[string]string{}
	use := func(key, file string) {
		if _, ok := used[key]; !ok {
			used[key] = file
		}
	}
	err := fs.WalkDir(Assets, dir, func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".js")) {
			return err
		}
		src := read(t, name)
		for _, m := range htmlKey.FindAllStringSubmatch(src, -1) {
			use(m[1], name)
		}
		for _, m := range htmlAttr.FindAllStringSubmatch(src, -1) {
			for _, pair := range strings.Split(m[1], ";") {
				if _, key, ok := strings.Cut(pair, ":"); ok {
					use(strings.TrimSpace(key), name)
				}
			}
		}
		for _, m := range jsKey.FindAllStringSubmatch(src, -1) {
			use(m[1], name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
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
	for _, code := range []string{chat.SystemAssigned, chat.SystemTransferred, chat.SystemHeld, chat.SystemUnheld, chat.SystemCustomerLeft, chat.SystemClosed, chat.SystemReturned} {
		computed = append(computed, "system."+code)
	}
	for _, k := range chat.FileKinds {
		computed = append(computed, "file_kind."+string(k))
	}
	// The tags card's heading and help for each kind (settings/tags.js).
	for _, k := range []chat.TagKind{chat.TagCustomer, chat.TagConversation} {
		computed = append(computed, "tag_settings."+string(k), "tag_settings."+string(k)+"_help")
	}
	// Team administration: the audit log's actions (audit.js), the
	// invitations' statuses (team.js), API token scopes and states
	// (settings/tokens.js), the password hint's levels and reasons
	// (password.js) and the settings page's section menu (settings.js).
	for _, a := range []string{chat.AuditInvite, chat.AuditInviteResend, chat.AuditInviteRevoke, chat.AuditInviteAccept,
		chat.AuditMemberRole, chat.AuditMemberActive, chat.AuditCapacity, chat.AuditPasswordReset, chat.AuditPasswordChange,
		chat.AuditWorkspaceCreate, chat.AuditWorkspaceUpdate, chat.AuditSecretRotate, chat.AuditWorkspaceArchive, chat.AuditOwnerGrant,
		chat.AuditTokenCreate, chat.AuditTokenRevoke, chat.AuditBlock, chat.AuditUnblock, chat.AuditCustomerID, chat.AuditCustomerMerge,
		chat.AuditTagCreate, chat.AuditTagRename, chat.AuditTagDelete, chat.AuditCategoryCreate, chat.AuditCategoryRename, chat.AuditCategoryDelete,
		chat.AuditCannedCreate, chat.AuditCannedUpdate, chat.AuditCannedDelete, chat.AuditArticleCreate, chat.AuditArticleUpdate, chat.AuditArticleDelete,
		chat.AuditFAQCategoryCreate, chat.AuditFAQCategoryUpdate, chat.AuditFAQCategoryDelete, chat.AuditFAQSynonyms,
		chat.AuditFAQImport, chat.AuditFAQExport, chat.AuditFAQImageUpload, chat.AuditFAQImageDelete} {
		computed = append(computed, "audit_action."+a)
	}
	for _, s := range []chat.InvitationStatus{chat.InvitationPending, chat.InvitationAccepted, chat.InvitationRevoked, chat.InvitationExpired} {
		computed = append(computed, "invitation_status."+string(s))
	}
	for _, s := range []chat.Scope{chat.ScopeRead, chat.ScopeWrite, chat.ScopeAdmin} {
		computed = append(computed, "scope."+string(s))
	}
	computed = append(computed, "tokens.active", "tokens.revoked", "tokens.expired",
		"team.role_help_agent", "team.role_help_manager", "team.role_help_master",
		"password.level_0", "password.level_1", "password.level_2", "password.level_3", "password.level_4",
		"password.too_short", "password.has_email", "password.repeated", "password.guessable")
	for _, card := range settingsCards(t) {
		computed = append(computed, "settings_menu."+card)
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
	// What a messenger's user reads (outbox.CustomerText).
	widget = append(widget, "messenger.to_agent", "messenger.no_agent", "robot.welcome", "robot.answered", "robot.no_answer", "rating.request_default", "system.handover")
	widget = append(widget, "ended", "ended."+chat.CloseByAgent, "ended."+chat.CloseByManager, "ended."+chat.CloseByInactivity,
		"error.network", "error.unknown", "msg.pending", "msg.retrying", "msg.failed", "connection.connecting", "connection.reconnecting")
	for _, code := range errorCodes(t) {
		computed = append(computed, "error."+code)
	}
	computed = append(computed, "channel."+string(chat.ChannelWeb), "error.network", "error.unknown",
		"msg.pending", "msg.retrying", "msg.failed",
		"connection.connecting", "connection.live", "connection.reconnecting", "connection.stopped")

	// Each page loads shared/i18n and its own catalogs: every key it uses
	// must be in one of them, and in only one.
	sharedKo, _ := catalogPair(t, "shared/i18n")
	inShared := usedKeys(t, "shared")
	type audience struct{ ko, en map[string]string }
	audiences := map[string]audience{}
	usedBy := map[string]map[string]string{}
	for _, dir := range []string{"console", "widget"} {
		t.Run(dir, func(t *testing.T) {
			ko, en := catalogPair(t, dir+"/i18n")
			audiences[dir] = audience{ko, en}
			known := func(k string) bool {
				_, own := ko[k]
				_, shared := sharedKo[k]
				return own || shared
			}
			for k := range ko {
				if _, ok := sharedKo[k]; ok {
					t.Errorf("%q is in both shared/i18n and %s/i18n", k, dir)
				}
			}
			used := usedKeys(t, dir)
			for k, file := range used {
				if !known(k) {
					t.Errorf("%q is used in %s but not in the catalogs", k, file)
				}
			}
			for k, file := range inShared {
				if !known(k) {
					t.Errorf("%q is used in %s but not in the %s's catalogs", k, file, dir)
				}
			}
			want := widget
			if dir == "console" {
				want = computed
			}
			for _, k := range want {
				if !known(k) {
					t.Errorf("%q is not in the catalogs", k)
				}
				used[k] = "(computed)"
			}
			usedBy[dir] = used
		})
	}
	t.Run("shared", func(t *testing.T) {
		console, widget := audiences["console"], audiences["widget"]
		if console.ko == nil || widget.ko == nil {
			t.Skip("an audience's catalogs did not load")
		}
		// What both say alike is written once, in shared/i18n.
		for k, text := range console.ko {
			if w, ok := widget.ko[k]; ok && w == text && widget.en[k] == console.en[k] {
				t.Errorf("%q says the same in console/i18n and widget/i18n: write it once, in shared/i18n", k)
			}
		}
		// And shared/i18n holds only what both say.
		for k := range sharedKo {
			for _, dir := range []string{"console", "widget"} {
				if _, ok := usedBy[dir][k]; !ok && inShared[k] == "" {
					t.Errorf("%q is in shared/i18n but the %s never uses it", k, dir)
				}
			}
		}
	})
}

// settingsCards lists the settings page's cards by section name: the
// element <sodam-settings-NAME> of each module under console/settings/.
func settingsCards(t *testing.T) []string {
	t.Helper()
	define := regexp.MustCompile(`customElements\.define\('sodam-settings-([a-z]+)'`)
	entries, err := fs.ReadDir(Assets, "console/settings")
	if err != nil {
		t.Fatal(err)
	}
	var cards []string
	for _, e := range entries {
		if m := define.FindStringSubmatch(read(t, "console/settings/"+e.Name())); m != nil {
			cards = append(cards, m[1])
		}
	}
	if len(cards) < 10 {
		t.Fatalf("found only %d settings cards", len(cards))
	}
	return cards
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
	err = fs.WalkDir(Assets, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.HasSuffix(name, ".html") || strings.HasSuffix(name, ".js")) {
			return err
		}
		src := read(t, name)
		for _, re := range []*regexp.Regexp{htmlTestID, jsTestID} {
			for _, m := range re.FindAllStringSubmatch(src, -1) {
				seen++
				if !strings.Contains(string(doc), "data-testid="+m[1]+"]") {
					t.Errorf("%s: data-testid %q is not in SELECTORS.md", name, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 100 {
		t.Errorf("found only %d data-testid attributes", seen)
	}
}

// TestSettingsFileTable checks that the settings page offers exactly the
// extensions Sodam can check (chat.KnownExtensions), kind by kind.
func TestSettingsFileTable(t *testing.T) {
	src := read(t, "console/settings/files.js")
	start := strings.Index(src, "const fileTable = {")
	end := strings.Index(src[start:], "\n};")
	if start < 0 || end < 0 {
		t.Fatal("settings/files.js has no fileTable")
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

// TestStylesheetsBalanced: every block of our stylesheets is closed where
// it should be. One lost "}" after an @media block puts every rule below it
// inside the media query, so a desktop browser silently ignores them.
func TestStylesheetsBalanced(t *testing.T) {
	comment := regexp.MustCompile(`(?s)/\*.*?\*/`)
	err := fs.WalkDir(Assets, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".css") || strings.Contains(name, "/vendor/") {
			return err
		}
		depth := 0
		for i, line := range strings.Split(comment.ReplaceAllStringFunc(read(t, name), func(c string) string {
			return strings.Repeat("\n", strings.Count(c, "\n"))
		}), "\n") {
			if strings.HasPrefix(line, "@media") && depth != 0 {
				t.Errorf("%s:%d: an @media block opens inside another block (a \"}\" is missing above)", name, i+1)
			}
			depth += strings.Count(line, "{") - strings.Count(line, "}")
			if depth < 0 {
				t.Errorf("%s:%d: a \"}\" closes nothing", name, i+1)
				depth = 0
			}
		}
		if depth != 0 {
			t.Errorf("%s: %d block(s) never closed", name, depth)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The help center's templates and catalogs are parsed on first use, no
// longer at start-up: a template that does not parse must still fail a
// test, and each page must know both languages' strings.
func TestHelpPages(t *testing.T) {
	pages := HelpPages()
	for _, page := range []string{"home", "category", "article", "search", "notfound"} {
		if pages[page] == nil || pages[page].Lookup("layout") == nil {
			t.Errorf("help page %q: no layout template", page)
		}
	}
	cat := HelpCatalogs()
	if len(cat["ko"]) == 0 || len(cat["ko"]) != len(cat["en"]) {
		t.Fatalf("help catalogs: %d Korean strings, %d English", len(cat["ko"]), len(cat["en"]))
	}
}
