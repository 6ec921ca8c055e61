package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// TestPIIFileNames: a file's name is masked as a text is (§11), on both
// stores. In automatic mode a visitor's "홍길동_010-1234-5678_주민등록증.png"
// is stored, listed, searched, exported and downloaded as
// "홍길동_*************_주민등록증.png", its bytes unchanged; by hand an
// agent masks an agent's file's name by its finding, the roles of the
// workspace decide who sees and restores the original, the download's name
// follows, and the audit log has it all without the values.
func TestPIIFileNames(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { piiFileNames(t, newEnvOn(t, kind, allowPrivate)) })
	}
}

func piiFileNames(t *testing.T, e *env) {
	master, manager, kim := e.login("master"), e.login("manager"), e.login("kim")
	manager.json("PATCH", e.shopPath(), `{"settings":{"pii":{"mode":"auto"}}}`, 200, nil)
	// A webhook receives the files' messages as they are stored.
	rc := newReceiver(t)
	var wh createdWebhook
	master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+rc.srv.URL+`/hook","events":["message.created"]}`, 201, &wh)
	rc.secret(wh.Secret)
	worker := e.worker()
	delivered := func(what string) string {
		t.Helper()
		worker.RunDue(t.Context())
		for _, g := range rc.all() {
			if g.Err != nil {
				t.Fatalf("delivery %s: %v", g.ID, g.Err)
			}
			if strings.Contains(string(g.Raw), what) {
				return string(g.Raw)
			}
		}
		t.Fatalf("no delivery holds %q among %d", what, len(rc.all()))
		return ""
	}
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)

	const name, masked = "홍길동_010-1234-5678_주민등록증.png", "홍길동_*************_주민등록증.png"
	photo := pngOf(t, 300, 200)
	status, data := visitor.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", conv.ID), "id-card", name, bytes.NewReader(photo))
	if status != 201 {
		t.Fatalf("upload: %d %s", status, data)
	}
	sent := decodeMessage(t, data)
	if sent.Body != masked || sent.Attachment.Name != masked {
		t.Fatalf("the visitor's file as stored: %+v %+v", sent, sent.Attachment)
	}
	assertNowhere(t, e, conv.ID, "010-1234-5678", "1234-5678")
	if raw := delivered("주민등록증"); !strings.Contains(raw, masked) || strings.Contains(raw, "1234-5678") {
		t.Fatalf("the webhook got %s", raw)
	}

	// Every view of it shows the masked name with its mask.
	var msgs []chat.Message
	kim.json("GET", e.convPath(conv.ID)+"/messages", "", 200, &msgs)
	file := func(ms []chat.Message, id int64) chat.Message {
		t.Helper()
		for _, m := range ms {
			if m.ID == id {
				return m
			}
		}
		t.Fatalf("message %d not among %d", id, len(ms))
		return chat.Message{}
	}
	if m := file(msgs, sent.ID); m.Body != masked || m.Attachment.Name != masked || len(m.Masks) != 1 || m.Masks[0] != (pii.Span{Start: 4, End: 17, Kind: pii.Phone}) {
		t.Fatalf("the console's message %+v %+v", m, m.Attachment)
	}
	var mine []chat.Message
	visitor.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), "", 200, &mine)
	if m := file(mine, sent.ID); m.Body != masked || m.Attachment.Name != masked {
		t.Fatalf("the widget's message %+v", m)
	}
	if d := kim.detailOf(conv.ID); d.Conversation.LastMessage != masked {
		t.Fatalf("the list's last message %q", d.Conversation.LastMessage)
	}
	// The download: the same bytes under the masked name.
	download := func(as *client, a *chat.Attachment) (string, []byte) {
		t.Helper()
		resp, body := as.get(a.URL)
		// Never answered from a browser's cache without asking: a
		// mask renames the file.
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("download %s: %d %v %s", a.URL, resp.StatusCode, resp.Header, body)
		}
		return resp.Header.Get("Content-Disposition"), body
	}
	a := file(msgs, sent.ID).Attachment
	if cd, body := download(kim, a); !strings.Contains(cd, url.PathEscape("*************_")) || strings.Contains(cd, "1234") || !bytes.Equal(body, photo) {
		t.Fatalf("the download: %q, %d bytes", cd, len(body))
	}
	// The history's search and export.
	var found struct{ Conversations []chat.Conversation }
	manager.json("GET", e.shopPath()+"/history?q="+url.QueryEscape("010-1234-5678"), "", 200, &found)
	if len(found.Conversations) != 0 {
		t.Fatalf("the masked number is found: %+v", found.Conversations)
	}
	var created struct{ ID int64 }
	manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages"}`, 202, &created)
	e.runJobs()
	var ex exportAnswer
	manager.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), "", 200, &ex)
	if status, data := manager.do("GET", ex.DownloadURL, ""); status != 200 || !bytes.Contains(data, []byte(masked)) || bytes.Contains(data, []byte("1234-5678")) {
		t.Fatalf("the export: %d %.300s", status, data)
	}

	// An agent's file keeps its name; its findings are a file name's.
	const quote = "견적서_02-345-6789.pdf"
	pdf := []byte("%PDF-1.4\n" + strings.Repeat("% 견적\n", 50))
	status, data = kim.upload(e.convPath(conv.ID)+"/files", "quote", quote, bytes.NewReader(pdf))
	if status != 201 {
		t.Fatalf("the agent's upload: %d %s", status, data)
	}
	agentFile := decodeMessage(t, data)
	if agentFile.Body != quote {
		t.Fatalf("an agent's file was masked: %+v", agentFile)
	}
	var scan struct{ Findings []pii.Finding }
	kim.json("POST", e.shopPath()+"/pii/scan", `{"file_name":"`+quote+`"}`, 200, &scan)
	if len(scan.Findings) != 1 || scan.Findings[0].Kind != pii.Phone || scan.Findings[0].Start != 4 || scan.Findings[0].End != 15 {
		t.Fatalf("the name's findings %+v", scan.Findings)
	}
	kim.json("POST", e.shopPath()+"/pii/scan", `{"text":"`+quote+`"}`, 200, &scan)
	if len(scan.Findings) != 0 {
		t.Fatalf("as a text, the name has findings %+v", scan.Findings)
	}
	mid := func(id int64) string { return fmt.Sprintf("%s/messages/%d", e.convPath(conv.ID), id) }
	var system int64
	for _, m := range msgs {
		if m.Kind == chat.KindSystem {
			system = m.ID
		}
	}
	e.refuse(func() string { return kim.state(e.convPath(conv.ID) + "/messages") }, []scenario{
		{name: "scan: text and a name", as: kim, method: "POST", path: e.shopPath() + "/pii/scan", body: `{"text":"a","file_name":"b.png"}`, status: 400, code: chat.ErrInvalid},
		{name: "scan: neither", as: kim, method: "POST", path: e.shopPath() + "/pii/scan", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "a finding the name has not", as: kim, method: "POST", path: mid(agentFile.ID) + "/mask", body: `{"finding":1}`, status: 404, code: chat.ErrFindingNotFound},
		{name: "a span past the name", as: kim, method: "POST", path: mid(agentFile.ID) + "/mask", body: `{"start":4,"end":40}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "a system message", as: kim, method: "POST", path: mid(system) + "/mask", body: `{"start":0,"end":1}`, status: 409, code: chat.ErrNotMaskable},
		{name: "an agent sees the original", as: kim, method: "POST", path: mid(sent.ID) + "/unmask", body: `{"start":4,"end":17,"reason":"확인"}`, status: 403, code: chat.ErrRoleRequired},
	})
	var m chat.Message
	kim.json("POST", mid(agentFile.ID)+"/mask", `{"finding":0}`, 200, &m)
	if m.Body != "견적서_***********.pdf" || m.Attachment.Name != m.Body || m.Attachment.URL == "" {
		t.Fatalf("masked by its finding: %+v %+v", m, m.Attachment)
	}
	// The webhook's delivery of the file, pending when the mask came,
	// carries the masked name.
	if raw := delivered("견적서_"); !strings.Contains(raw, m.Body) || strings.Contains(raw, "345-6789") {
		t.Fatalf("the webhook got %s", raw)
	}
	if cd, body := download(kim, m.Attachment); strings.Contains(cd, "345") || !bytes.Equal(body, pdf) {
		t.Fatalf("the masked file's download: %q", cd)
	}

	// A manager sees the original for a reason; the download keeps the
	// stored (masked) name until the name is restored.
	var opened struct {
		Message   chat.Message    `json:"message"`
		Originals []chat.Original `json:"originals"`
	}
	manager.json("POST", mid(sent.ID)+"/unmask", `{"start":4,"end":17,"reason":"신분증 확인"}`, 200, &opened)
	if len(opened.Originals) != 1 || opened.Originals[0].Text != "010-1234-5678" || opened.Message.Attachment.Name != masked {
		t.Fatalf("the view: %+v", opened)
	}
	if cd, _ := download(manager, a); strings.Contains(cd, "1234") {
		t.Fatalf("a view changed the download's name: %q", cd)
	}
	manager.json("POST", mid(sent.ID)+"/unmask", `{"start":4,"end":17,"reason":"고객 요청","permanent":true}`, 200, &opened)
	if opened.Message.Body != name || opened.Message.Attachment.Name != name {
		t.Fatalf("restored: %+v", opened.Message)
	}
	if cd, body := download(manager, a); !strings.Contains(cd, url.PathEscape("010-1234-5678")) || !bytes.Equal(body, photo) {
		t.Fatalf("the restored file's download: %q", cd)
	}

	// The audit log: the automatic mask, the agent's, the refusals of the
	// system message and of the agent's view, the view and the restore,
	// never a value.
	var log struct {
		Entries []struct {
			Action  string          `json:"action"`
			Target  string          `json:"target"`
			Refused string          `json:"refused"`
			After   json.RawMessage `json:"after"`
		} `json:"entries"`
	}
	master.json("GET", e.shopPath()+"/audit-log?limit=200", "", 200, &log)
	got := map[string]int{}
	for _, en := range log.Entries {
		if !strings.HasPrefix(en.Action, "pii.") {
			continue
		}
		got[strings.TrimSpace(en.Action+" "+en.Refused)]++
		if bytes.Contains(en.After, []byte("1234")) || bytes.Contains(en.After, []byte("345-6789")) {
			t.Fatalf("the audit log holds a value: %s", en.After)
		}
	}
	want := map[string]int{"pii.mask": 2, "pii.mask message_not_maskable": 1, "pii.view": 1, "pii.unmask": 1, "pii.unmask role_required": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit entries %v, want %v", got, want)
	}
}
