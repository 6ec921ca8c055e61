package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/httpapi"
)

// TestCrossWorkspaceObjects is the matrix's other half: where
// TestAuthorizationMatrix names objects that do not exist, this names
// objects that do — another workspace's. The shop's master, an API token
// with the admin scope and an installation owner who belongs to the shop
// call every workspace route that names an object, in the shop, with the
// IDs of the other workspace's conversation, message, file, customer,
// ticket, canned response, tag, category, FAQ category, article and
// image, export, webhook, API token, invitation and member. Each is
// answered as if the object did not exist (404, or a refusal of the body
// before anything is looked up), and the other workspace reads the same
// after as before.
// It runs on both stores: the scoping is the store's queries'.
func TestCrossWorkspaceObjects(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { crossWorkspaceObjects(t, newEnvOn(t, kind, nil)) })
	}
}

func crossWorkspaceObjects(t *testing.T, e *env) {
	olga := e.login("olga")
	other := fmt.Sprintf("/api/v1/workspaces/%d", e.other.ID)
	id := func(data []byte, path ...string) int64 {
		t.Helper()
		var v any
		must(t, json.Unmarshal(data, &v))
		for _, p := range path {
			v = v.(map[string]any)[p]
		}
		return int64(v.(float64))
	}
	post := func(path, body string) []byte {
		t.Helper()
		status, data := olga.do("POST", other+path, body)
		if status != 200 && status != 201 && status != 202 {
			t.Fatalf("POST %s: %d %s", path, status, data)
		}
		return data
	}

	// The other workspace's objects, one of each kind.
	vis := e.visitor("other", "")
	conv := vis.start()
	var sent struct {
		Message struct {
			ID int64 `json:"id"`
		} `json:"message"`
	}
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"x1","body":"내 주문 어디 있나요"}`, 201, &sent)
	olga.json("POST", fmt.Sprintf("%s/conversations/%d/assign", other, conv.ID), "", 200, nil)
	status, data := olga.upload(fmt.Sprintf("%s/conversations/%d/files", other, conv.ID), "f1", "a.txt", strings.NewReader("hello"))
	if status != 201 && status != 200 {
		t.Fatalf("upload: %d %s", status, data)
	}
	var up struct {
		Attachment struct {
			ID int64 `json:"id"`
		} `json:"attachment"`
		Message *struct {
			ID         int64 `json:"id"`
			Attachment struct {
				ID int64 `json:"id"`
			} `json:"attachment"`
		} `json:"message"`
	}
	must(t, json.Unmarshal(data, &up))
	fileID := up.Attachment.ID
	if up.Message != nil {
		fileID = up.Message.Attachment.ID
	}
	if fileID == 0 {
		t.Fatalf("no attachment ID in %s", data)
	}
	d := olga.detailOf0(other, conv.ID)
	ids := map[string]int64{
		"cid":      conv.ID,
		"hid":      conv.ID,
		"mid":      sent.Message.ID,
		"file":     fileID,
		"customer": d,
		"member":   e.agents["olga"].ID,
		"ticket":   id(post("/tickets", fmt.Sprintf(`{"subject":"교환 접수","conversation_id":%d}`, conv.ID)), "id"),
		"canned":   id(post("/canned", `{"title":"안내","body":"곧 답하겠습니다","shared":true}`), "id"),
		"tag":      id(post("/tags", `{"name":"배송","kind":"conversation"}`), "id"),
		"category": id(post("/categories", `{"name":"배송 문의"}`), "id"),
		"faqcat":   id(post("/faq/categories", `{"name":"환불"}`), "id"),
		"article":  id(post("/faq/articles", `{"title":"환불은 언제?","body_html":"<p>3일</p>","published":true}`), "id"),
		"export":   id(post("/exports", `{"format":"csv"}`), "id"),
		"endpoint": id(post("/webhooks", `{"url":"https://example.com/hook","events":["message.created"]}`), "id"),
		"token":    id(post("/api-tokens", `{"name":"crm","scopes":["read"]}`), "id"),
		"invite":   id(post("/invitations", `{"email":"nam@example.com","name":"nam","role":"agent"}`), "id"),
	}
	status, data = olga.upload(other+"/faq/images", "", "a.png", bytes.NewReader(pngOf(t, 8, 8)))
	if status != 201 {
		t.Fatalf("FAQ image: %d %s", status, data)
	}
	ids["image"] = id(data, "id")

	// What the other workspace holds, as its master reads it.
	reads := []string{
		fmt.Sprintf("%s/conversations/%d", other, conv.ID),
		fmt.Sprintf("%s/conversations/%d/messages", other, conv.ID),
		fmt.Sprintf("%s/tickets/%d", other, ids["ticket"]),
		other + "/canned", other + "/tags?kind=conversation", other + "/categories", other + "/faq/categories",
		fmt.Sprintf("%s/faq/articles/%d", other, ids["article"]),
		other + "/webhooks", other + "/api-tokens", other + "/invitations", other + "/agents",
		fmt.Sprintf("%s/exports/%d", other, ids["export"]),
		fmt.Sprintf("%s/attachments/%d", other, ids["file"]),
		other + "/blocked",
	}
	before := olga.state(reads...)

	// Which object each path parameter names, by the segment before it.
	objectOf := func(prev, param string) string {
		switch param {
		case "cid", "hid", "mid", "customer", "canned", "tag", "article", "image":
			return param
		case "aid":
			if prev == "agents" {
				return "member"
			}
			return "file"
		case "tid":
			if prev == "tickets" {
				return "ticket"
			}
			return "token"
		case "eid":
			if prev == "exports" {
				return "export"
			}
			return "endpoint"
		case "cat":
			if prev == "categories" {
				return "category"
			}
			return "faqcat"
		case "iid":
			return "invite"
		}
		return ""
	}
	// A body each write would take in the caller's own workspace, so that
	// the refusal is the object's, not the body's.
	bodies := map[string]string{
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/transfer":              `{"agent_id":%d}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/hold":                  `{"on":true}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/important":             `{"on":true}`,
		"PUT /api/v1/workspaces/{wid}/conversations/{cid}/note":                   `{"memo":"x"}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/block":                 `{"reason":"spam"}`,
		"PATCH /api/v1/workspaces/{wid}/conversations/{cid}/customer":             `{"name":"x"}`,
		"PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/id":            `{"customer_id":"m-1"}`,
		"PUT /api/v1/workspaces/{wid}/conversations/{cid}/customer/tags":          `{"tag_ids":[]}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/messages":              `{"client_msg_id":"z1","body":"x"}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/read":                  `{"seq":1}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/messages/{mid}/mask":   `{"start":0,"end":1}`,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/messages/{mid}/unmask": `{"start":0,"end":1,"reason":"check"}`,
		"POST /api/v1/workspaces/{wid}/tickets/{tid}/mask":                        `{"start":0,"end":1}`,
		"POST /api/v1/workspaces/{wid}/tickets/{tid}/unmask":                      `{"start":0,"end":1,"reason":"check"}`,
		"PATCH /api/v1/workspaces/{wid}/canned/{canned}":                          `{"title":"y","body":"z"}`,
		"PUT /api/v1/workspaces/{wid}/canned/{canned}/favourite":                  `{"on":true}`,
		"PATCH /api/v1/workspaces/{wid}/tags/{tag}":                               `{"name":"y"}`,
		"PATCH /api/v1/workspaces/{wid}/categories/{cat}":                         `{"name":"y"}`,
		"PATCH /api/v1/workspaces/{wid}/faq/categories/{cat}":                     `{"name":"y"}`,
		"PATCH /api/v1/workspaces/{wid}/faq/articles/{article}":                   `{"title":"y"}`,
		"PATCH /api/v1/workspaces/{wid}/tickets/{tid}":                            `{"status":"closed"}`,
		"POST /api/v1/workspaces/{wid}/tickets/{tid}/replies":                     `{"body":"x"}`,
		"PUT /api/v1/workspaces/{wid}/agents/{aid}/capacity":                      `{"capacity":3}`,
		"PATCH /api/v1/workspaces/{wid}/agents/{aid}":                             `{"role":"agent"}`,
	}

	// What only a person signed in at the console does (needSession).
	sessionOnly := map[string]bool{"DELETE /api/v1/workspaces/{wid}/api-tokens/{tid}": true}
	master := e.login("master")
	var tok struct {
		Token string `json:"token"`
	}
	master.json("POST", e.shopPath()+"/api-tokens", `{"name":"admin","scopes":["admin"]}`, 201, &tok)
	admin := e.anonymous()
	admin.bearer = tok.Token
	param := regexp.MustCompile(`\{([a-z$]+)\}`)
	n := 0
	for _, rt := range httpapi.Routes() {
		method, pattern, _ := strings.Cut(rt.Pattern, " ")
		if rt.Access != "member" || !strings.Contains(strings.TrimPrefix(pattern, "/api/v1/workspaces/{wid}"), "{") {
			continue
		}
		if strings.HasSuffix(pattern, "/ws") {
			continue
		}
		segs := strings.Split(pattern, "/")
		path := pattern
		named := true
		for i, s := range segs {
			m := param.FindStringSubmatch(s)
			if m == nil || m[1] == "wid" {
				continue
			}
			obj := objectOf(segs[i-1], m[1])
			v, ok := ids[obj]
			if !ok {
				named = false // deliveries: the other workspace has none
				v = 999999
			}
			path = strings.Replace(path, s, fmt.Sprint(v), 1)
		}
		path = strings.Replace(path, "{wid}", fmt.Sprint(e.shop.ID), 1)
		if !named {
			continue
		}
		body := ""
		if !rt.NoBody && method != "GET" && method != "DELETE" {
			body = "{}"
			if b, ok := bodies[rt.Pattern]; ok {
				body = b
				if strings.Contains(b, "%d") {
					body = fmt.Sprintf(b, e.agents["kim"].ID)
				}
			}
		}
		for _, as := range []struct {
			name string
			c    *client
		}{{"master", master}, {"admin token", admin}} {
			n++
			t.Run(rt.Pattern+" as "+as.name, func(t *testing.T) {
				status, data := as.c.do(method, path, body)
				if as.c == admin && sessionOnly[rt.Pattern] {
					// A token may not do it at all, whatever the object.
					if status != 403 || !strings.Contains(string(data), "session_required") {
						t.Errorf("%s %s: %d %s, want 403 session_required", method, path, status, data)
					}
					return
				}
				if status != 404 {
					t.Errorf("%s %s: %d %s, want 404 as for an object that does not exist", method, path, status, data)
				}
			})
		}
	}
	if n < 60 {
		t.Fatalf("only %d calls: the test lost routes", n)
	}
	if after := olga.state(reads...); after != before {
		t.Fatalf("the other workspace changed:\nbefore %s\nafter  %s", before, after)
	}
}

// detailOf0 is the customer's ID of conversation cid in workspace path ws.
func (c *client) detailOf0(ws string, cid int64) int64 {
	c.e.t.Helper()
	var d detail
	c.json("GET", fmt.Sprintf("%s/conversations/%d", ws, cid), "", 200, &d)
	return d.Customer.ID
}
