package httpapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/xuri/excelize/v2"
)

// historyAnswer is GET …/history.
type historyAnswer struct {
	Conversations []chat.Conversation `json:"conversations"`
	NextCursor    *string             `json:"next_cursor"`
}

type exportAnswer struct {
	ID          int64   `json:"id"`
	State       string  `json:"state"`
	Progress    float64 `json:"progress"`
	Rows        int     `json:"rows"`
	Total       int     `json:"total"`
	Error       string  `json:"error"`
	DownloadURL string  `json:"download_url"`
}

// chatWith has a new visitor say lines, kim answering in between.
func (e *env) chatWith(lines ...string) chat.Conversation {
	e.t.Helper()
	v := e.visitor("shop", "")
	conv := v.start()
	kim := e.login("kim")
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	for i, l := range lines {
		path := fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID)
		who := v
		if i%2 == 1 {
			path, who = e.convPath(conv.ID)+"/messages", kim
		}
		who.json("POST", path, fmt.Sprintf(`{"client_msg_id":"h%d","body":%q}`, i, l), 201, nil)
	}
	return conv
}

func TestHistory(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { historySearch(t, newEnvOn(t, kind, nil)) })
	}
}

func historySearch(t *testing.T, e *env) {
	c1 := e.chatWith("환불은 언제 되나요? 주문번호 A2026-1183", "확인 후 안내드리겠습니다")
	c2 := e.chatWith("배송이 안 와요", "택배사에 확인해 볼게요", "환불해 주세요")
	c3 := e.chatWith("쿠폰 적용이 안 돼요")
	manager, kim, lee := e.login("manager"), e.login("kim"), e.login("lee")
	search := func(c *client, q url.Values) []int64 {
		t.Helper()
		var a historyAnswer
		c.json("GET", e.shopPath()+"/history?"+q.Encode(), "", 200, &a)
		var ids []int64
		for _, cv := range a.Conversations {
			ids = append(ids, cv.ID)
		}
		return ids
	}
	check := func(name string, got []int64, want ...int64) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
	check("everything", search(manager, nil), c3.ID, c2.ID, c1.ID)
	check("환불", search(manager, url.Values{"q": {"환불"}}), c2.ID, c1.ID)
	check("환불해", search(manager, url.Values{"q": {"환불해"}}), c2.ID)
	check("a phrase", search(manager, url.Values{"q": {`"안 와요"`}}), c2.ID)
	check("an order number", search(manager, url.Values{"q": {"a2026-1183"}}), c1.ID)
	check("words in one message", search(manager, url.Values{"q": {"배송 환불"}}))
	check("kim's", search(kim, url.Values{"q": {"환불"}}), c2.ID, c1.ID)
	check("lee sees none of kim's", search(lee, nil))
	check("by agent", search(manager, url.Values{"agent_id": {fmt.Sprint(e.agents["kim"].ID)}, "sort": {"oldest"}}), c1.ID, c2.ID, c3.ID)

	// Paging by cursor.
	var p1, p2 historyAnswer
	manager.json("GET", e.shopPath()+"/history?limit=2", "", 200, &p1)
	if len(p1.Conversations) != 2 || p1.NextCursor == nil {
		t.Fatalf("page 1: %+v", p1)
	}
	manager.json("GET", e.shopPath()+"/history?limit=2&cursor="+url.QueryEscape(*p1.NextCursor), "", 200, &p2)
	if len(p2.Conversations) != 1 || p2.Conversations[0].ID != c1.ID || p2.NextCursor != nil {
		t.Fatalf("page 2: %+v", p2)
	}

	// Bad input: a precise refusal, nothing changes.
	otherCat, err := e.store.CreateCategory(context.Background(), e.other.ID, 0, "남의 분류", chat.Who{})
	must(t, err)
	otherTag, err := e.store.CreateTag(context.Background(), e.other.ID, chat.TagConversation, "남의 태그", chat.Who{})
	must(t, err)
	h := e.shopPath() + "/history?"
	state := func() string { return fmt.Sprint(e.lastSeqs(), e.exportCount()) }
	e.refuse(state, []scenario{
		{name: "a malformed period", as: manager, method: "GET", path: h + "from=2026-13-45", status: 400, code: chat.ErrInvalidPeriod},
		{name: "an inverted period", as: manager, method: "GET", path: h + "from=2026-12-01&to=2026-11-01", status: 400, code: chat.ErrInvalidPeriod},
		{name: "an unknown agent", as: manager, method: "GET", path: h + "agent_id=999999", status: 404, code: chat.ErrAgentNotFound},
		{name: "another workspace's agent", as: manager, method: "GET", path: h + fmt.Sprintf("agent_id=%d", e.agents["olga"].ID), status: 404, code: chat.ErrAgentNotFound},
		{name: "another workspace's category", as: manager, method: "GET", path: h + fmt.Sprintf("category_id=%d", otherCat.ID), status: 422, code: chat.ErrCategoryUnknown},
		{name: "another workspace's tag", as: manager, method: "GET", path: h + fmt.Sprintf("tag_id=%d", otherTag.ID), status: 422, code: chat.ErrTagUnknown},
		{name: "a query too long", as: manager, method: "GET", path: h + "q=" + url.QueryEscape(strings.Repeat("환불", 101)), status: 400, code: chat.ErrQueryTooLong},
		{name: "only punctuation", as: manager, method: "GET", path: h + "q=" + url.QueryEscape(`?! … "" ~~`), status: 400, code: chat.ErrQueryNoWords},
		{name: "an unknown filter", as: manager, method: "GET", path: h + "colour=red", status: 400, code: chat.ErrInvalid},
		{name: "a bad state", as: manager, method: "GET", path: h + "state=happy", status: 400, code: chat.ErrInvalid},
		{name: "a forged cursor", as: manager, method: "GET", path: h + "cursor=bm9wZQ", status: 400, code: chat.ErrInvalidCursor},
		{name: "a limit too large", as: manager, method: "GET", path: h + "limit=1000", status: 400, code: chat.ErrInvalid},
		{name: "a control character", as: manager, method: "GET", path: h + "q=%E7%92%B0%00", status: 400, code: chat.ErrInvalid},
		{name: "a customer not UTF-8", as: manager, method: "GET", path: h + "customer=%FF%FE", status: 400, code: chat.ErrInvalid},
		{name: "an export by an agent", as: kim, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv"}`, status: 403, code: chat.ErrRoleRequired},
		{name: "an unknown format", as: manager, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"pdf"}`, status: 400, code: chat.ErrInvalid},
		{name: "an unknown layout", as: manager, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv","layout":"rows"}`, status: 400, code: chat.ErrInvalid},
		{name: "an export with a bad filter", as: manager, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv","filter":{"from":"2026-12-01","to":"2026-11-01"}}`, status: 400, code: chat.ErrInvalidPeriod},
		{name: "an export with a foreign tag", as: manager, method: "POST", path: e.shopPath() + "/exports", body: fmt.Sprintf(`{"format":"csv","filter":{"tag_id":%d}}`, otherTag.ID), status: 422, code: chat.ErrTagUnknown},
		{name: "an export with a nested filter", as: manager, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv","filter":{"q":["환불"]}}`, status: 400, code: chat.ErrInvalid},
		{name: "an unknown export", as: manager, method: "GET", path: e.shopPath() + "/exports/999999", status: 404, code: chat.ErrExportNotFound},
	})

	// Exports: XLSX by conversation, then CSV by message.
	var created struct{ ID int64 }
	manager.json("POST", e.shopPath()+"/exports", `{"format":"xlsx","layout":"conversations","filter":{"q":"환불"}}`, 202, &created)
	e.refuse(state, []scenario{
		{name: "a second export at once", as: manager, method: "POST", path: e.shopPath() + "/exports", body: `{"format":"csv"}`, status: 409, code: chat.ErrExportRunning},
		{name: "another manager's export", as: e.login("master"), method: "GET", path: fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), status: 404, code: chat.ErrExportNotFound},
		{name: "a file not ready", as: manager, method: "GET", path: fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), status: 409, code: chat.ErrExportNotReady},
	})
	var ex exportAnswer
	manager.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), "", 200, &ex)
	if ex.State != "queued" || ex.DownloadURL != "" {
		t.Fatalf("before the job: %+v", ex)
	}
	e.runJobs()
	manager.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), "", 200, &ex)
	if ex.State != "done" || ex.Progress != 1 || ex.Rows != 2 || ex.Total != 2 || ex.DownloadURL == "" {
		t.Fatalf("after the job: %+v", ex)
	}
	status, data := manager.do("GET", ex.DownloadURL, "")
	if status != 200 {
		t.Fatalf("download: %d %s", status, data)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	rows, err := f.GetRows("Sheet1")
	must(t, err)
	if len(rows) != 3 || !strings.HasPrefix(rows[0][0], "상담번호") || rows[1][0] != fmt.Sprint(c2.RoomNo) || rows[2][0] != fmt.Sprint(c1.RoomNo) ||
		rows[1][10] != "kim" || rows[2][18] != "확인 후 안내드리겠습니다" {
		t.Fatalf("xlsx rows: %q", rows)
	}
	if panes, err := f.GetPanes("Sheet1"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the header row is not frozen: %+v %v", panes, err)
	}
	entries, err := e.store.Audit(context.Background(), e.shop.ID, chat.AuditFilter{})
	must(t, err)
	var exports, refused int
	for _, en := range entries {
		if en.Action == chat.AuditExport {
			if en.Refused == "" {
				exports++
			} else {
				refused++
			}
		}
	}
	if exports != 1 || refused == 0 {
		t.Errorf("audit: %d exports, %d refused attempts", exports, refused)
	}

	manager.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages","filter":{"q":"환불","sort":"oldest"}}`, 202, &created)
	e.runJobs()
	manager.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), created.ID), "", 200, &ex)
	status, data = manager.do("GET", ex.DownloadURL, "")
	if status != 200 || !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Fatalf("csv download: %d %q", status, data[:min(len(data), 40)])
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	must(t, err)
	// Each conversation starts with its assignment, a system message.
	if len(recs) != 8 || recs[1][2] != "system" || recs[1][6] != "kim 님이 상담을 담당합니다." ||
		recs[2][6] != "환불은 언제 되나요? 주문번호 A2026-1183" || recs[7][6] != "환불해 주세요" || recs[3][3] != "kim" {
		t.Fatalf("csv rows: %q", recs)
	}

	// The file is downloadable for a limited time.
	e.clock.freeze()
	e.clock.advance(25 * time.Hour)
	status, data = manager.do("GET", ex.DownloadURL, "")
	if code, _ := errorBodyOf(t, data); status != 410 || code != chat.ErrExportExpired {
		t.Fatalf("after expiry: %d %s", status, data)
	}
	_ = c3
}

// exportCount counts the workspace's exports, for refusal checks.
func (e *env) exportCount() int {
	entries, err := e.store.Audit(context.Background(), e.shop.ID, chat.AuditFilter{})
	must(e.t, err)
	n := 0
	for _, en := range entries {
		if en.Action == chat.AuditExport && en.Refused == "" {
			n++
		}
	}
	return n
}
