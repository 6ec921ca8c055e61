package httpapi_test

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// TestPII walks issue 15 through the API on both stores: automatic
// masking keeps a visitor's registration number out of the database and
// the events; an agent masks by finding and by selection; bad input is
// refused with its own code and changes nothing; a manager sees and
// restores originals with a reason; the audit log has it all, without
// the values.
func TestPII(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { piiScenario(t, newEnvOn(t, kind, nil)) })
	}
}

// TestPIIRolesMasters: the least roles that may see or restore a masked
// original are a master's to set. A manager who could change them could
// undo a master's "masters only" and read every original, or hand the
// right to agents; the refusal changes nothing, on both stores.
func TestPIIRolesMasters(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master, manager := e.login("master"), e.login("manager")
			master.json("PATCH", e.shopPath(), `{"settings":{"pii":{"view_role":"master","restore_role":"master"}}}`, 200, nil)
			e.refuse(func() string { return master.state(e.shopPath()) }, []scenario{
				{name: "a manager lifts a master's restriction", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"view_role":"manager"}}}`, status: 403, code: chat.ErrRoleRequired},
				{name: "a manager restores too", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"suggest","view_role":"master","restore_role":"agent"}}}`, status: 403, code: chat.ErrRoleRequired},
			})
			// The roles as they are, with another mode: the manager's to change.
			var ws chat.Workspace
			manager.json("PATCH", e.shopPath(), `{"settings":{"pii":{"mode":"auto","view_role":"master","restore_role":"master"}}}`, 200, &ws)
			if p := ws.Settings.PII; p.Mode != chat.PIIAuto || p.ViewRole != chat.RoleMaster || p.RestoreRole != chat.RoleMaster {
				t.Fatalf("pii settings %+v", p)
			}
			master.json("PATCH", e.shopPath(), `{"settings":{"pii":{"view_role":"manager","restore_role":"agent"}}}`, 200, &ws)
			if p := ws.Settings.PII; p.ViewRole != chat.RoleManager || p.RestoreRole != chat.RoleAgent {
				t.Fatalf("pii settings after the master's change %+v", p)
			}
		})
	}
}

func piiScenario(t *testing.T, e *env) {
	master, manager, kim, lee, olga := e.login("master"), e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")

	// Settings: refused values change nothing, kinds omitted mean all.
	e.refuse(func() string { return master.state(e.shopPath()) }, []scenario{
		{name: "unknown mode", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"always"}}}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown kind", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"auto","kinds":["rrn","ssn"]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "a kind twice", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"auto","kinds":["rrn","rrn"]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "kinds not a list", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"auto","kinds":"rrn"}}}`, status: 400, code: chat.ErrInvalid},
		{name: "no kinds while masking", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"auto","kinds":[]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "no kinds while suggesting", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"suggest","kinds":[]}}}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown role", as: manager, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"auto","view_role":"boss"}}}`, status: 400, code: chat.ErrInvalid},
		{name: "an agent", as: kim, method: "PATCH", path: e.shopPath(), body: `{"settings":{"pii":{"mode":"off"}}}`, status: 403, code: chat.ErrRoleRequired},
	})
	var ws chat.Workspace
	manager.json("PATCH", e.shopPath(), `{"settings":{"pii":{"mode":"auto","kinds":["rrn","card"]}}}`, 200, &ws)
	if p := ws.Settings.PII; p.Mode != chat.PIIAuto || len(p.Kinds) != 2 || p.ViewRole != chat.RoleManager || p.RestoreRole != chat.RoleManager {
		t.Fatalf("pii settings %+v", p)
	}

	// A visitor's registration number never reaches the database.
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	widget := fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID)
	var sent struct{ Message chat.Message }
	visitor.json("POST", widget, `{"client_msg_id":"v1","body":"본인확인용 주민번호는 900101-1234568이에요. 연락처는 010-2345-6789"}`, 201, &sent)
	if got := sent.Message; got.Body != "본인확인용 주민번호는 **************이에요. 연락처는 010-2345-6789" ||
		len(got.Masks) != 1 || got.Masks[0] != (pii.Span{Start: 12, End: 26, Kind: pii.RRN}) {
		t.Fatalf("the visitor's message as stored: %+v", got)
	}
	// A retry is the same message.
	visitor.json("POST", widget, `{"client_msg_id":"v1","body":"본인확인용 주민번호는 900101-1234568이에요. 연락처는 010-2345-6789"}`, 200, nil)
	assertNowhere(t, e, conv.ID, "900101-1234568", "1234568")
	assertNotFoundOrExported(t, e, manager, conv.ID, "900101-1234568", "1234568")

	master.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil) // the master takes it…
	master.json("POST", e.convPath(conv.ID)+"/transfer", fmt.Sprintf(`{"agent_id":%d}`, e.agents["kim"].ID), 200, nil)
	msgs := func(as *client) []chat.Message {
		var out []chat.Message
		as.json("GET", e.convPath(conv.ID)+"/messages", "", 200, &out)
		return out
	}
	var v chat.Message
	for _, m := range msgs(kim) {
		if m.ClientMsgID == "v1" {
			v = m
		}
	}
	path := fmt.Sprintf("%s/messages/%d", e.convPath(conv.ID), v.ID)

	// Scanning.
	var scan struct{ Findings []pii.Finding }
	kim.json("POST", e.shopPath()+"/pii/scan", `{"text":"카드 4111-1111-1111-1111, 메일 hong@naver.com으로"}`, 200, &scan)
	if len(scan.Findings) != 2 || scan.Findings[0].Kind != pii.Card || scan.Findings[1] != (pii.Finding{Kind: pii.Email, Start: 27, End: 41, Confidence: 0.99}) {
		t.Fatalf("scan %+v", scan.Findings)
	}

	// Refusals change nothing.
	other := e.visitor("shop", "")
	otherConv := other.start()
	state := func() string { return kim.state(e.convPath(conv.ID) + "/messages") }
	e.refuse(state, []scenario{
		{name: "span past the end", as: kim, method: "POST", path: path + "/mask", body: `{"start":40,"end":99}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "empty span", as: kim, method: "POST", path: path + "/mask", body: `{"start":5,"end":5}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "negative start", as: kim, method: "POST", path: path + "/mask", body: `{"start":-1,"end":5}`, status: 400, code: chat.ErrSpanOutOfRange},
		{name: "start without end", as: kim, method: "POST", path: path + "/mask", body: `{"start":1}`, status: 400, code: chat.ErrInvalid},
		{name: "span and finding", as: kim, method: "POST", path: path + "/mask", body: `{"start":1,"end":2,"finding":0}`, status: 400, code: chat.ErrInvalid},
		{name: "nothing", as: kim, method: "POST", path: path + "/mask", body: `{}`, status: 400, code: chat.ErrInvalid},
		{name: "a string offset", as: kim, method: "POST", path: path + "/mask", body: `{"start":"1","end":2}`, status: 400, code: chat.ErrInvalid},
		{name: "no such finding", as: kim, method: "POST", path: path + "/mask", body: `{"finding":7}`, status: 404, code: chat.ErrFindingNotFound},
		{name: "another conversation's message", as: master, method: "POST", path: fmt.Sprintf("%s/messages/%d/mask", e.convPath(otherConv.ID), v.ID), body: `{"start":0,"end":2}`, status: 404, code: chat.ErrMessageNotFound},
		{name: "a colleague's conversation", as: lee, method: "POST", path: path + "/mask", body: `{"start":0,"end":2}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "another workspace", as: olga, method: "POST", path: path + "/mask", body: `{"start":0,"end":2}`, status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "another workspace through its own", as: olga, method: "POST", path: fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/messages/%d/mask", e.other.ID, conv.ID, v.ID), body: `{"start":0,"end":2}`, status: 404, code: chat.ErrConversationNotFound},
		{name: "a visitor", as: visitor, method: "POST", path: path + "/mask", body: `{"start":0,"end":2}`, status: 401, code: chat.ErrUnauthorized},
		{name: "unmask without a reason", as: manager, method: "POST", path: path + "/unmask", body: `{"start":12,"end":26,"reason":"  "}`, status: 400, code: chat.ErrReasonRequired},
		{name: "unmask as an agent", as: kim, method: "POST", path: path + "/unmask", body: `{"start":12,"end":26,"reason":"확인"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "unmask what is not masked", as: manager, method: "POST", path: path + "/unmask", body: `{"start":0,"end":5,"reason":"확인"}`, status: 404, code: chat.ErrMaskNotFound},
		{name: "unmask half a mask", as: manager, method: "POST", path: path + "/unmask", body: `{"start":12,"end":20,"reason":"확인"}`, status: 400, code: chat.ErrSpanCrossesMask},
	})

	// An agent masks the phone by its finding, then a selection.
	var m chat.Message
	kim.json("POST", path+"/mask", `{"finding":0}`, 200, &m)
	if !strings.HasSuffix(m.Body, "연락처는 *************") || len(m.Masks) != 2 || m.Masks[1].Kind != pii.Phone {
		t.Fatalf("masked by finding: %+v", m)
	}
	kim.json("POST", path+"/mask", `{"start":0,"end":5}`, 200, &m)
	if !strings.HasPrefix(m.Body, "***** 주민번호는") || m.Masks[0] != (pii.Span{Start: 0, End: 5, Kind: pii.Other}) {
		t.Fatalf("masked by selection: %+v", m)
	}
	assertNowhere(t, e, conv.ID, "010-2345-6789", "2345-6789")

	// The manager sees the registration number for a moment, then restores the phone.
	var un struct {
		Message   chat.Message
		Originals []chat.Original
	}
	manager.json("POST", path+"/unmask", `{"start":12,"end":26,"reason":"본인확인 대조"}`, 200, &un)
	if len(un.Originals) != 1 || un.Originals[0].Text != "900101-1234568" || strings.Contains(un.Message.Body, "1234568") {
		t.Fatalf("view %+v", un)
	}
	assertNowhere(t, e, conv.ID, "900101-1234568", "1234568")
	manager.json("POST", path+"/unmask", `{"start":36,"end":49,"reason":"고객이 공개 요청","permanent":true}`, 200, &un)
	if !strings.HasSuffix(un.Message.Body, "연락처는 010-2345-6789") || len(un.Message.Masks) != 2 {
		t.Fatalf("restored %+v", un.Message)
	}
	// Who may see or restore originals is the master's to say: a manager
	// can neither lift a master's restriction from managers nor extend
	// the right to agents (TestPIIRolesMasters), but may save the card
	// with the roles as they are.
	manager.json("PATCH", e.shopPath(), `{"settings":{"pii":{"mode":"auto","view_role":"manager","restore_role":"manager"}}}`, 200, nil)
	// Agents may see originals when the workspace says so.
	master.json("PATCH", e.shopPath(), `{"settings":{"pii":{"view_role":"agent"}}}`, 200, nil)
	kim.json("POST", path+"/unmask", `{"start":0,"end":5,"reason":"문맥 확인"}`, 200, &un)
	if un.Originals[0].Text != "본인확인용" {
		t.Fatalf("agent's view %+v", un)
	}

	var audit struct{ Entries []chat.AuditEntry }
	master.json("GET", e.shopPath()+"/audit-log", "", 200, &audit)
	seen := map[string]int{}
	for _, en := range audit.Entries {
		key := en.Action
		if en.Refused != "" {
			key += " refused"
		}
		seen[key]++
		text := fmt.Sprintf("%+v", en)
		if strings.Contains(text, "1234568") || strings.Contains(text, "2345-6789") {
			t.Fatalf("the audit log holds a value: %s", text)
		}
	}
	if seen[chat.AuditPIIMask] != 3 || seen[chat.AuditPIIView] != 2 || seen[chat.AuditPIIUnmask] != 1 || seen[chat.AuditPIIUnmask+" refused"] == 0 {
		t.Fatalf("audit %v", seen)
	}
}

// assertNowhere checks that none of the values is in the database — the
// SQLite file and its log, or every event and message through the store.
func assertNowhere(t *testing.T, e *env, convID int64, values ...string) {
	t.Helper()
	if e.dbPath != "" {
		for _, f := range []string{e.dbPath, e.dbPath + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			for _, v := range values {
				if bytes.Contains(b, []byte(v)) {
					t.Fatalf("%s holds %q", f, v)
				}
			}
		}
	}
	evs, err := e.store.Events(t.Context(), e.shop.ID, chat.EventFilter{})
	must(t, err)
	ms, err := e.store.Messages(t.Context(), e.shop.ID, convID, 0, 0)
	must(t, err)
	for _, v := range values {
		for _, ev := range evs {
			if bytes.Contains(ev.Encoded, []byte(v)) {
				t.Fatalf("event %d holds %q: %s", ev.Seq, v, ev.Encoded)
			}
		}
		for _, m := range ms {
			if strings.Contains(m.Body, v) {
				t.Fatalf("message %d holds %q", m.ID, v)
			}
		}
	}
}

// assertNotFoundOrExported checks the derived copies of message text: a
// history search for each value finds nothing, and an export of every
// message (CSV, one row per message) holds none of them, while the
// conversation itself is found and exported.
func assertNotFoundOrExported(t *testing.T, e *env, manager *client, convID int64, values ...string) {
	t.Helper()
	for _, v := range values {
		var found struct{ Conversations []chat.Conversation }
		manager.json("GET", e.shopPath()+"/history?q="+url.QueryEscape(v), "", 200, &found)
		if len(found.Conversations) != 0 {
			t.Fatalf("a history search for %q finds %d conversations", v, len(found.Conversations))
		}
	}
	var created struct{ ID int64 }
	manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages"}`, 202, &created)
	e.runJobs()
	var ex exportAnswer
	manager.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), "", 200, &ex)
	status, data := manager.do("GET", ex.DownloadURL, "")
	if status != 200 || !bytes.Contains(data, []byte("본인확인용 주민번호는")) {
		t.Fatalf("export: %d, the conversation's message missing: %.200s", status, data)
	}
	for _, v := range values {
		if bytes.Contains(data, []byte(v)) {
			t.Fatalf("the export holds %q", v)
		}
	}
}
