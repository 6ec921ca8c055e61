package httpapi_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

// TestBadInputCorpus sends every write route malformed bodies and
// non-canonical path IDs: each is refused with its own code, and nothing
// changes (the event log and the audit log stay as they were).
func TestBadInputCorpus(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { badInputCorpus(t, newEnvOn(t, kind, nil)) })
	}
}

func badInputCorpus(t *testing.T, e *env) {
	// The master owns the installation, so owner routes are reached too.
	_, err := e.store.SetOwner(t.Context(), e.agents["master"].ID, true, chat.Who{})
	must(t, err)
	master := e.login("master")
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	classes := []struct {
		name, body, code string
	}{
		{"null", `null`, "invalid_json"},
		{"an array", `[{}]`, "invalid_json"},
		{"a string", `"x"`, "invalid_json"},
		{"trailing data", `{} {}`, "invalid_json"},
		{"trailing garbage", `{}]`, "invalid_json"},
		{"invalid UTF-8", "{\"name\":\"\xff\xfe\"}", chat.ErrInvalid},
	}
	param := regexp.MustCompile(`\{([a-z$]+)\}`)
	// (Refused administrative attempts are audited: only done actions count.)
	state := func() string {
		entries, err := e.store.Audit(t.Context(), e.shop.ID, chat.AuditFilter{})
		must(t, err)
		done := 0
		for _, en := range entries {
			if en.Refused == "" {
				done++
			}
		}
		return fmt.Sprint(e.lastSeqs(), done)
	}
	n := 0
	for _, rt := range httpapi.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if method == "GET" || method == "DELETE" || !strings.HasPrefix(path, "/api/") || strings.HasSuffix(path, "/files") || strings.HasSuffix(path, "/faq/images") || rt.Pattern == "POST /api/v1/auth/logout" {
			continue // no JSON body (uploads are multipart; their refusals are in attachments_test.go)
		}
		as := master
		if rt.Access == "visitor" {
			as = visitor
		}
		path = param.ReplaceAllStringFunc(path, func(p string) string {
			switch p {
			case "{wid}":
				return fmt.Sprint(e.shop.ID)
			case "{cid}":
				return fmt.Sprint(conv.ID)
			}
			return "1"
		})
		var scenarios []scenario
		for _, c := range classes {
			code := c.code
			if rt.NoBody {
				code = "invalid_json" // any body is refused
			}
			scenarios = append(scenarios, scenario{name: rt.Pattern + " " + c.name, as: as, method: method, path: path, body: c.body, status: 400, code: code})
		}
		if strings.Contains(path, "/1") && !rt.NoBody {
			scenarios = append(scenarios, scenario{name: rt.Pattern + " a path ID +1", as: as, method: method, path: strings.Replace(path, "/1", "/+1", 1), body: `{}`, status: 400, code: chat.ErrInvalid})
		}
		n += len(scenarios)
		e.refuse(state, scenarios)
	}
	if n < 200 {
		t.Fatalf("only %d refusals: the corpus lost routes", n)
	}
}

// TestControlCharacters: text with NUL or other control characters is
// refused on every kind of field, the same on both stores, and a
// User-Agent header is cleaned rather than refused.
func TestControlCharacters(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { controlCharacters(t, newEnvOn(t, kind, nil)) })
	}
}

func controlCharacters(t *testing.T, e *env) {
	master := e.login("master")
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	master.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	nul := `\u0000`
	widget := func(p string) string { return fmt.Sprintf("/api/v1/widget/conversations/%d%s", conv.ID, p) }
	state := func() string { return fmt.Sprint(e.lastSeqs()) }
	e.refuse(state, []scenario{
		{name: "visitor message", as: visitor, method: "POST", path: widget("/messages"), body: `{"client_msg_id":"v1","body":"주문` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "agent message", as: master, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"a1","body":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "internal note", as: master, method: "POST", path: e.convPath(conv.ID) + "/messages", body: `{"client_msg_id":"n1","body":"/note x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "ticket", as: visitor, method: "POST", path: "/api/v1/widget/tickets", body: `{"name":"홍` + nul + `","contact":"010-0000-0000","message":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "profile", as: master, method: "PATCH", path: e.convPath(conv.ID) + "/customer", body: `{"name":"홍\u0007길동"}`, status: 400, code: chat.ErrInvalid},
		{name: "memo", as: master, method: "PUT", path: e.convPath(conv.ID) + "/note", body: `{"category_id":0,"tag_ids":[],"memo":"x\u001b[31m"}`, status: 400, code: chat.ErrInvalid},
		{name: "canned body", as: master, method: "POST", path: e.shopPath() + "/canned", body: `{"title":"t","body":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "consent text", as: master, method: "PATCH", path: e.shopPath(), body: `{"consent_text":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "unmask reason", as: master, method: "POST", path: e.convPath(conv.ID) + "/messages/1/unmask", body: `{"start":0,"end":1,"reason":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "scan text", as: master, method: "POST", path: e.shopPath() + "/pii/scan", body: `{"text":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "block note", as: master, method: "POST", path: e.convPath(conv.ID) + "/block", body: `{"reason":"spam","note":"x` + nul + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "login email", as: e.anonymous(), method: "POST", path: "/api/v1/auth/login", body: `{"email":"kim` + nul + `@example.com","password":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "a key of a map", as: visitor, method: "POST", path: "/api/v1/widget/sessions", body: `{"site_id":"shop","extra":{"cus_extra_` + nul + `":"x"}}`, status: 400, code: chat.ErrInvalid},
		{name: "an export's search", as: master, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv","filter":{"q":"환불` + nul + `"}}`, status: 400, code: chat.ErrInvalid},
	})
	// Tabs and line breaks are text.
	visitor.json("POST", widget("/messages"), `{"client_msg_id":"v2","body":"첫 줄\n둘째 줄\t끝"}`, 201, nil)
	// A User-Agent that is not UTF-8 is cleaned, not refused (HTTP itself
	// keeps control characters out of headers).
	c := e.anonymous()
	status, data := c.do("POST", "/api/v1/widget/sessions", `{"site_id":"shop"}`, "User-Agent", "Mozilla/5.0 \xff\xfe(evil)")
	if status != 200 {
		t.Fatalf("a User-Agent that is not UTF-8: %d %s", status, data)
	}
}

// TestControlCharactersInQueries: a search, a filter or a site ID in the
// address is text like a JSON field's: NUL, other control characters and
// bytes that are not UTF-8 get 400 invalid_input on both stores
// (PostgreSQL cannot take them: unchecked, they were a 500 there).
func TestControlCharactersInQueries(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { controlCharactersInQueries(t, newEnvOn(t, kind, nil)) })
	}
}

func controlCharactersInQueries(t *testing.T, e *env) {
	master, visitor, anyone := e.login("master"), e.visitor("shop", ""), e.anonymous()
	shop := e.shopPath()
	// NUL, ESC, DEL, a C1 control (U+0085) and a byte that is not UTF-8.
	bad := []string{"a%00b", "a%1B%5B31m", "a%7Fb", "a%C2%85b", "a%FFb"}
	var scenarios []scenario
	for _, b := range bad {
		for _, r := range []struct {
			as   *client
			path string
		}{
			{master, shop + "/tickets?q="}, {master, shop + "/tickets?tag="}, {master, shop + "/canned?q="},
			{master, shop + "/faq/search?q="}, {master, shop + "/audit-log?action="}, {master, shop + "/audit-log.csv?action="},
			{visitor, "/api/v1/widget/faq/search?site_id=shop&q="},
			{visitor, "/api/v1/widget/config?site_id="}, {visitor, "/api/v1/widget/launcher?site_id="},
			{visitor, "/api/v1/widget/faq?site_id="}, {visitor, "/api/v1/widget/faq/articles/1?site_id="},
			{anyone, "/widget/frame?site_id="},
		} {
			scenarios = append(scenarios, scenario{name: r.path + b, as: r.as, method: "GET", path: r.path + b, status: 400, code: chat.ErrInvalid})
		}
	}
	state := func() string {
		entries, err := e.store.Audit(t.Context(), e.shop.ID, chat.AuditFilter{})
		must(t, err)
		return fmt.Sprint(e.lastSeqs(), len(entries))
	}
	e.refuse(state, scenarios)
	// The help center's search answers a page that says why; an address
	// with such a site ID is a help center that does not exist.
	for _, b := range bad {
		if status, data := anyone.do("GET", "/help/shop/search?q="+b, ""); status != 400 || !strings.Contains(string(data), "검색어를 읽을 수 없습니다") {
			t.Errorf("help center search %s: %d %.300s", b, status, data)
		}
		if status, data := anyone.do("GET", "/help/"+b, ""); status != 404 || !strings.Contains(string(data), "<!doctype html>") {
			t.Errorf("help center %s: %d %.300s", b, status, data)
		}
	}
	// A tab is text, in the address as in a body.
	master.json("GET", shop+"/tickets?q=%ED%99%98%EB%B6%88%09%EB%AC%B8%EC%9D%98", "", 200, nil)
	master.json("GET", shop+"/audit-log?action=workspace.update", "", 200, nil)
}
