package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

type faqHits struct {
	Articles []struct {
		ID      int64   `json:"id"`
		Title   string  `json:"title"`
		Excerpt string  `json:"excerpt"`
		Text    string  `json:"text"`
		URL     string  `json:"url"`
		Score   float64 `json:"score"`
	} `json:"articles"`
}

// seedFAQ gives the shop a few articles as a manager writes them.
func seedFAQ(t *testing.T, e *env) (refund, tracking chat.Article) {
	t.Helper()
	m := e.login("manager")
	var cat chat.FAQCategory
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"환불","name_en":"Refunds","position":1}`, 201, &cat)
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"환불은 언제 되나요?","body_html":"<p>반품 상품 검수 후 영업일 <b>3일</b> 안에 환불됩니다.</p>","keywords":["환불 기간","refund"],"lang":"ko","published":true}`, cat.ID), 201, &refund)
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"배송 조회 방법","body_html":"<p>주문내역의 배송 조회 버튼을 누르세요.</p>","keywords":["운송장"],"published":true}`, 201, &tracking)
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"준비 중인 글 배송","body_html":"<p>초안</p>","published":false}`, 201, nil)
	return refund, tracking
}

func TestFAQArticles(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqArticles(t, newEnvOn(t, kind, nil)) })
	}
}

func faqArticles(t *testing.T, e *env) {
	m := e.login("manager")
	var a chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"결제 수단","body_html":"<p onclick=\"x()\">카드 <a href=\"javascript:alert(1)\">결제</a><script>alert(1)</script><svg onload=alert(1)><circle/></svg><img src=\"/x.png\" onerror=\"alert(1)\"></p>","keywords":["카드","카카오페이"],"published":true}`, 201, &a)
	if a.Lang != "ko" || a.BodyHTML != `<p>카드 결제<img src="/x.png"></p>` || a.BodyText != "카드 결제" {
		t.Fatalf("created %+v", a)
	}
	// The editor's preview shows what saving would keep.
	var prev map[string]string
	m.json("POST", e.shopPath()+"/faq/preview", `{"body_html":"<h2>안내</h2><script>x</script><ul><li>하나</li></ul>"}`, 200, &prev)
	if prev["body_html"] != "<h2>안내</h2><ul><li>하나</li></ul>" || prev["body_text"] != "안내\n• 하나" {
		t.Fatalf("preview %v", prev)
	}
	var up chat.Article
	m.json("PATCH", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), `{"title":"결제 수단 안내","published":false}`, 200, &up)
	if up.Title != "결제 수단 안내" || up.Published || up.BodyText != "카드 결제" {
		t.Fatalf("updated %+v", up)
	}
	// Agents read and search but do not edit.
	kim := e.login("kim")
	kim.json("GET", e.shopPath()+"/faq/articles", "", 200, nil)
	kim.json("POST", e.shopPath()+"/faq/articles", `{"title":"x","body_html":"x"}`, 403, nil)
	m.json("DELETE", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), "", 204, nil)
	m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), "", 404, nil)
}

// TestFAQRefusals: each refusal answers with its code and leaves the FAQ
// as it was, on both stores.
func TestFAQRefusals(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqRefusals(t, newEnvOn(t, kind, nil)) })
	}
}

func faqRefusals(t *testing.T, e *env) {
	seedFAQ(t, e)
	m := e.login("manager")
	olga := e.login("olga")
	var theirs chat.FAQCategory
	olga.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/faq/categories", e.other.ID), `{"name":"다른 곳"}`, 201, &theirs)
	arts := e.shopPath() + "/faq/articles"
	big := strings.Repeat("가", chat.MaxFAQBody/3+10) // over the limit, under 64 KiB of JSON
	longQ := url.QueryEscape(strings.Repeat("환불", 101))
	state := func() string {
		return m.state(arts, e.shopPath()+"/faq/categories", e.shopPath()+"/faq/synonyms")
	}
	e.refuse(state, []scenario{
		{name: "empty title", as: m, method: "POST", path: arts, body: `{"title":"  ","body_html":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "no title", as: m, method: "POST", path: arts, body: `{"body_html":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "oversize body", as: m, method: "POST", path: arts, body: `{"title":"t","body_html":"` + big + `"}`, status: 400, code: chat.ErrInvalid},
		{name: "body over 64 KiB", as: m, method: "POST", path: arts, body: `{"title":"t","body_html":"` + strings.Repeat("x", 70000) + `"}`, status: 413, code: "body_too_large"},
		{name: "another workspace's category", as: m, method: "POST", path: arts, body: fmt.Sprintf(`{"title":"t","body_html":"x","category_id":%d}`, theirs.ID), status: 404, code: chat.ErrNotFound},
		{name: "keywords not a list", as: m, method: "POST", path: arts, body: `{"title":"t","body_html":"x","keywords":"환불"}`, status: 400, code: chat.ErrInvalid},
		{name: "unknown lang", as: m, method: "POST", path: arts, body: `{"title":"t","body_html":"x","lang":"jp"}`, status: 400, code: chat.ErrInvalid},
		{name: "control character", as: m, method: "POST", path: arts, body: `{"title":"t\u0000","body_html":"x"}`, status: 400, code: chat.ErrInvalid},
		{name: "another workspace's article", as: olga, method: "PATCH", path: fmt.Sprintf("/api/v1/workspaces/%d/faq/articles/1", e.other.ID), body: `{"title":"x"}`, status: 404, code: chat.ErrNotFound},
		{name: "malformed import", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: `{"version":1,"articles":[{"title":"x"`, status: 400, code: "invalid_json"},
		{name: "import of the wrong version", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: `{"version":2,"articles":[]}`, status: 400, code: chat.ErrInvalid},
		{name: "import refused half way", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: `{"version":1,"articles":[{"title":"좋은 글","body_html":"x"},{"title":"","body_html":"x"}]}`, status: 400, code: chat.ErrInvalid},
		{name: "import too large", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: `{"version":1,"articles":[{"title":"x","body_html":"` + strings.Repeat("x", 9<<20) + `"}]}`, status: 413, code: "body_too_large"},
		{name: "malformed CSV", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: "title,body_html\n\"unclosed,x\n", header: []string{"Content-Type", "text/csv"}, status: 400, code: chat.ErrInvalid},
		{name: "CSV without titles", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: "name,body\nx,y\n", header: []string{"Content-Type", "text/csv"}, status: 400, code: chat.ErrInvalid},
		{name: "import as an agent", as: e.login("kim"), method: "POST", path: e.shopPath() + "/faq/import", body: `{"version":1}`, status: 403, code: chat.ErrRoleRequired},
		{name: "category placed below zero", as: m, method: "POST", path: e.shopPath() + "/faq/categories", body: `{"name":"기타","position":-99999999}`, status: 400, code: chat.ErrInvalid},
		{name: "article placed past the limit", as: m, method: "POST", path: arts, body: `{"title":"t","body_html":"x","position":1000001}`, status: 400, code: chat.ErrInvalid},
		{name: "a lone synonym", as: m, method: "PUT", path: e.shopPath() + "/faq/synonyms", body: `{"synonyms":[["반품"]]}`, status: 400, code: chat.ErrInvalid},
		{name: "a synonym group of one word twice", as: m, method: "PUT", path: e.shopPath() + "/faq/synonyms", body: `{"synonyms":[["환불"," 환불 "]]}`, status: 400, code: chat.ErrInvalid},
		{name: "a category ID below zero", as: m, method: "PATCH", path: arts + "/1", body: `{"category_id":-1}`, status: 400, code: chat.ErrInvalid},
		{name: "CSV naming a column twice", as: m, method: "POST", path: e.shopPath() + "/faq/import", body: "title,body_html,title\n환불 안내,<p>x</p>,반품 안내\n", header: []string{"Content-Type", "text/csv"}, status: 400, code: chat.ErrInvalid},
		{name: "search over the limit", as: e.anonymous(), method: "GET", path: "/api/v1/widget/faq/search?site_id=shop&q=" + longQ, status: 400, code: chat.ErrInvalid},
		{name: "search without a site", as: e.anonymous(), method: "GET", path: "/api/v1/widget/faq/search?q=x", status: 400, code: chat.ErrInvalid},
		{name: "search of an unknown site", as: e.anonymous(), method: "GET", path: "/api/v1/widget/faq/search?site_id=nope&q=x", status: 404, code: chat.ErrWorkspaceNotFound},
		{name: "a draft is not public", as: e.anonymous(), method: "GET", path: "/api/v1/widget/faq/articles/3?site_id=shop", status: 404, code: chat.ErrNotFound},
		{name: "feedback on a draft", as: e.visitor("shop", ""), method: "POST", path: "/api/v1/widget/faq/articles/3/feedback", body: `{"helpful":true}`, status: 404, code: chat.ErrNotFound},
		{name: "feedback without an answer", as: e.visitor("shop", ""), method: "POST", path: "/api/v1/widget/faq/articles/1/feedback", body: `{}`, status: 400, code: chat.ErrInvalid},
	})
}

func TestFAQSearchAndImport(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqSearchAndImport(t, newEnvOn(t, kind, nil)) })
	}
}

func faqSearchAndImport(t *testing.T, e *env) {
	refund, tracking := seedFAQ(t, e)
	anon := e.anonymous()
	search := func(q string) faqHits {
		var h faqHits
		anon.json("GET", "/api/v1/widget/faq/search?site_id=shop&lang=ko&q="+url.QueryEscape(q), "", 200, &h)
		return h
	}
	for q, want := range map[string]int64{"환불은 얼마나 걸려요?": refund.ID, "배송조회": tracking.ID, "ㅎㅂ": refund.ID, "운송장 번호": tracking.ID, "refund": refund.ID} {
		h := search(q)
		if len(h.Articles) == 0 || h.Articles[0].ID != want {
			t.Fatalf("%q: %+v", q, h)
		}
	}
	h := search("환불")
	if got := h.Articles[0]; got.URL != fmt.Sprintf("%s/help/shop/articles/%d", e.srv.URL, refund.ID) || got.Excerpt == "" || got.Score <= 0 || got.Score > 1 {
		t.Fatalf("hit %+v", got)
	}
	if h := search("오늘 점심 메뉴 추천"); len(h.Articles) != 0 {
		t.Fatalf("no answer expected: %+v", h)
	}
	if h := search("초안"); len(h.Articles) != 0 {
		t.Fatalf("a draft was found: %+v", h)
	}
	// Another workspace's FAQ is not searched.
	var other faqHits
	anon.json("GET", "/api/v1/widget/faq/search?site_id=other&q=환불", "", 200, &other)
	if len(other.Articles) != 0 {
		t.Fatalf("other workspace: %+v", other)
	}
	// Synonyms are the workspace's and take effect at once.
	m := e.login("manager")
	if h := search("돈 돌려받기"); len(h.Articles) != 0 {
		t.Fatalf("before the synonym: %+v", h)
	}
	m.json("PUT", e.shopPath()+"/faq/synonyms", `{"synonyms":[["돈 돌려받기","환불"]]}`, 200, nil)
	if h := search("돈 돌려받기"); len(h.Articles) == 0 || h.Articles[0].ID != refund.ID {
		t.Fatalf("after the synonym: %+v", h)
	}
	// The console's ? has the text to insert.
	var agentHits faqHits
	e.login("kim").json("GET", e.shopPath()+"/faq/search?q="+url.QueryEscape("배송 조회"), "", 200, &agentHits)
	if len(agentHits.Articles) == 0 || agentHits.Articles[0].Text != "주문내역의 배송 조회 버튼을 누르세요." {
		t.Fatalf("agent search %+v", agentHits)
	}

	// Export, change, import back: updated by ID; a new one created.
	status, data := m.do("GET", e.shopPath()+"/faq/export", "")
	if status != 200 {
		t.Fatalf("export %d %s", status, data)
	}
	var file chat.FAQExport
	must(t, json.Unmarshal(data, &file))
	if len(file.Articles) != 3 || len(file.Categories) != 1 || len(file.Synonyms) != 1 {
		t.Fatalf("export %+v", file)
	}
	file.Articles[0].Title = "환불 기간 안내"
	file.Articles = append(file.Articles, chat.Article{Title: "교환 신청", BodyHTML: "<p>주문내역에서</p>", Published: true, Lang: "ko"})
	body, _ := json.Marshal(file)
	var res map[string]int
	m.json("POST", e.shopPath()+"/faq/import", string(body), 200, &res)
	if res["created"] != 1 || res["updated"] != 3 {
		t.Fatalf("import %v", res)
	}
	var got chat.Article
	m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), file.Articles[0].ID), "", 200, &got)
	if got.Title != "환불 기간 안내" {
		t.Fatalf("not updated %+v", got)
	}
	if h := search("교환 신청"); len(h.Articles) == 0 || h.Articles[0].Title != "교환 신청" {
		t.Fatalf("imported article not searched: %+v", h)
	}
	// The same file into another workspace creates, never updates ours.
	olga := e.login("olga")
	olga.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/faq/import", e.other.ID), string(body), 200, &res)
	if res["created"] != 4 || res["updated"] != 0 {
		t.Fatalf("import elsewhere %v", res)
	}
	m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), file.Articles[0].ID), "", 200, &got)
	if got.Title != "환불 기간 안내" {
		t.Fatalf("changed by another workspace's import %+v", got)
	}

	// CSV: out and back in, Korean intact.
	status, data = m.do("GET", e.shopPath()+"/faq/export?format=csv", "")
	if status != 200 || !strings.HasPrefix(string(data), "\ufeffid,category,lang,title,body_html,keywords,published,position\n") || !strings.Contains(string(data), "환불 기간 안내") {
		t.Fatalf("csv %d %s", status, data)
	}
	csvIn := "title,body_html,category,keywords\n쿠폰 사용 방법,<p>주문서에서 쿠폰을 고르세요.</p>,쿠폰,\"쿠폰, 할인\"\n"
	status, data = m.do("POST", e.shopPath()+"/faq/import", csvIn, "Content-Type", "text/csv; charset=utf-8")
	if status != 200 || !strings.Contains(string(data), `"created":1`) {
		t.Fatalf("csv import %d %s", status, data)
	}
	if h := search("할인 쿠폰"); len(h.Articles) == 0 || h.Articles[0].Title != "쿠폰 사용 방법" {
		t.Fatalf("csv article not searched: %+v", h)
	}
	// Feedback counts on the article.
	v := e.visitor("shop", "")
	v.json("POST", fmt.Sprintf("/api/v1/widget/faq/articles/%d/feedback", refund.ID), `{"helpful":true}`, 204, nil)
	v.json("POST", fmt.Sprintf("/api/v1/widget/faq/articles/%d/feedback", refund.ID), `{"helpful":false}`, 204, nil)
	m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), refund.ID), "", 200, &got)
	if got.Helpful != 1 || got.NotHelpful != 1 {
		t.Fatalf("feedback %+v", got)
	}
}

// TestFAQCSVRoundTrip edits a CSV export as a spreadsheet program writes it
// back (TRUE/FALSE) and imports it: only the edited cell changes; a file of
// a few columns leaves the others as they were; a value it cannot read is
// refused by row and changes nothing.
func TestFAQCSVRoundTrip(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqCSVRoundTrip(t, newEnvOn(t, kind, nil)) })
	}
}

func faqCSVRoundTrip(t *testing.T, e *env) {
	m := e.login("manager")
	var cat chat.FAQCategory
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"환불"}`, 201, &cat)
	var draft, live chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"Refund times","body_html":"<p>Three days.</p>","keywords":["refund","money back"],"lang":"en","published":false,"position":4}`, cat.ID), 201, &draft)
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"배송 조회","body_html":"<p>주문내역에서</p>","published":true,"position":2}`, 201, &live)
	articles := func() map[int64]chat.Article {
		var f chat.FAQExport
		m.json("GET", e.shopPath()+"/faq/export", "", 200, &f)
		out := map[int64]chat.Article{}
		for _, a := range f.Articles {
			a.UpdatedAt = a.UpdatedAt.UTC().Truncate(0)
			a.CreatedAt = a.CreatedAt.UTC().Truncate(0)
			out[a.ID] = a
		}
		return out
	}
	before := articles()
	importCSV := func(rows [][]string, status int) string {
		t.Helper()
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		must(t, w.WriteAll(rows))
		got, data := m.do("POST", e.shopPath()+"/faq/import", b.String(), "Content-Type", "text/csv")
		if got != status {
			t.Fatalf("import %d %s", got, data)
		}
		return string(data)
	}
	same := func(want map[int64]chat.Article, changed int64, edit func(*chat.Article)) {
		t.Helper()
		got := articles()
		for id, a := range want {
			if id == changed {
				edit(&a)
			}
			g := got[id]
			a.UpdatedAt = g.UpdatedAt
			if !reflect.DeepEqual(a, g) {
				t.Fatalf("article %d\nwant %+v\n got %+v", id, a, g)
			}
		}
	}

	// Export, change one title, write booleans as spreadsheets do, import.
	status, data := m.do("GET", e.shopPath()+"/faq/export?format=csv", "")
	if status != 200 {
		t.Fatalf("export %d %s", status, data)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	must(t, err)
	if strings.Join(rows[0], ",") != "id,category,lang,title,body_html,keywords,published,position" || len(rows) != 3 {
		t.Fatalf("export %q", rows)
	}
	for _, r := range rows[1:] {
		r[6] = strings.ToUpper(r[6])
		if r[0] == fmt.Sprint(draft.ID) {
			r[3] = "Refund times (cards)"
		}
	}
	importCSV(rows, 200)
	same(before, draft.ID, func(a *chat.Article) { a.Title = "Refund times (cards)" })

	// Only id, title and body_html: the draft stays a draft, in English,
	// in its category, with its keywords and position.
	before = articles()
	importCSV([][]string{{"id", "title", "body_html"}, {fmt.Sprint(draft.ID), "Refund times", "<p>Three working days.</p>"}}, 200)
	same(before, draft.ID, func(a *chat.Article) {
		a.Title, a.BodyHTML, a.BodyText = "Refund times", "<p>Three working days.</p>", "Three working days."
	})

	// 1/0 and any case; a value that is neither is refused by its row.
	before = articles()
	importCSV([][]string{{"id", "title", "body_html", "published"}, {fmt.Sprint(live.ID), "배송 조회", "<p>주문내역에서</p>", "0"}}, 200)
	same(before, live.ID, func(a *chat.Article) { a.Published = false })
	importCSV([][]string{{"id", "title", "body_html", "published"}, {fmt.Sprint(live.ID), "배송 조회", "<p>주문내역에서</p>", "True"}}, 200)
	before = articles()
	for _, bad := range [][]string{{"published", "yes"}, {"published", ""}, {"position", "first"}} {
		msg := importCSV([][]string{{"id", "title", "body_html", bad[0]}, {fmt.Sprint(live.ID), "바뀐 제목", "x", "1"}, {fmt.Sprint(draft.ID), "바뀐 제목", "x", bad[1]}}, 400)
		if !strings.Contains(msg, `"invalid_input"`) || !strings.Contains(msg, "row 3") || !strings.Contains(msg, bad[0]) {
			t.Fatalf("%s %q: %s", bad[0], bad[1], msg)
		}
	}
	same(before, 0, nil)

	// A new row gets the defaults: published, Korean, position 0.
	importCSV([][]string{{"title", "body_html"}, {"쿠폰 사용", "<p>주문서에서</p>"}}, 200)
	for _, a := range articles() {
		if a.Title == "쿠폰 사용" && (!a.Published || a.Lang != "ko" || a.Position != 0 || a.CategoryID != 0) {
			t.Fatalf("new article %+v", a)
		}
	}
}

// TestFAQCSVSameCategoryNames: a new category may not take another's
// name (409 name_in_use), but a database may hold two that share one from
// before that rule (이벤트 in Korean, Events and Promotions in English); a
// CSV names categories, so a round trip keeps each article in the
// category it is in, and a new row that names a shared name is refused by
// its row rather than put in either. The old duplicate is written with
// SQL, on SQLite only (the harness knows no PostgreSQL schema to write to).
func TestFAQCSVSameCategoryNames(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqCSVSameCategoryNames(t, newEnvOn(t, kind, nil)) })
	}
}

func faqCSVSameCategoryNames(t *testing.T, e *env) {
	m := e.login("manager")
	var events, promos chat.FAQCategory
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"이벤트","name_en":"Events","position":1}`, 201, &events)
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"이벤트","name_en":"Promotions","position":2}`, 409, nil)
	if e.dbPath == "" {
		t.Skip("the duplicate from before is written with SQL on SQLite")
	}
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"프로모션","name_en":"Promotions","position":2}`, 201, &promos)
	legacy, err := sql.Open("sqlite", "file:"+e.dbPath)
	must(t, err)
	_, err = legacy.Exec(`UPDATE faq_categories SET name = '이벤트' WHERE id = ?`, promos.ID)
	must(t, err)
	legacy.Close()
	promos.Name = "이벤트"
	var a1, a2 chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"출석 체크 이벤트 참여 방법","body_html":"<p>매일 앱에서</p>","published":true}`, events.ID), 201, &a1)
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"쿠폰 할인 프로모션 안내","body_html":"<p>주문서에서</p>","published":true}`, promos.ID), 201, &a2)
	status, data := m.do("GET", e.shopPath()+"/faq/export?format=csv", "")
	if status != 200 {
		t.Fatalf("export %d %s", status, data)
	}
	// The file as exported, back in: nothing moves.
	status, data = m.do("POST", e.shopPath()+"/faq/import", string(data), "Content-Type", "text/csv")
	if status != 200 {
		t.Fatalf("import %d %s", status, data)
	}
	for _, want := range []chat.Article{a1, a2} {
		var got chat.Article
		m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), want.ID), "", 200, &got)
		if got.CategoryID != want.CategoryID {
			t.Errorf("%s moved from category %d to %d", want.Title, want.CategoryID, got.CategoryID)
		}
	}
	// A new article under the shared name: which one is meant is not known.
	var all []chat.Article
	m.json("GET", e.shopPath()+"/faq/articles", "", 200, &all)
	status, data = m.do("POST", e.shopPath()+"/faq/import", "title,body_html,category\n적립금 사용,<p>결제 시</p>,이벤트\n", "Content-Type", "text/csv")
	if code, msg := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid || !strings.Contains(msg, "row 2") || !strings.Contains(msg, "이벤트") {
		t.Errorf("a shared name for a new article: %d %s", status, data)
	}
	var after []chat.Article
	m.json("GET", e.shopPath()+"/faq/articles", "", 200, &after)
	if len(after) != len(all) {
		t.Errorf("the refused import wrote: %d articles, then %d", len(all), len(after))
	}
}

// TestFAQCSVNoFormulas: the CSV export is for spreadsheets, so a cell a
// person wrote that starts like a formula (=, +, -, @) gets a leading
// apostrophe, as every other CSV export does; importing the file back
// takes the apostrophe off again, so the round trip changes nothing.
func TestFAQCSVNoFormulas(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqCSVNoFormulas(t, newEnvOn(t, kind, nil)) })
	}
}

func faqCSVNoFormulas(t *testing.T, e *env) {
	m := e.login("manager")
	var cat chat.FAQCategory
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"=1+1"}`, 201, &cat)
	var a chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"=HYPERLINK(\"https://evil.example\",\"환불 신청\")","body_html":"+82 고객센터로 전화 주세요","keywords":["@환불","-10%% 쿠폰"],"published":true}`, cat.ID), 201, &a)
	status, data := m.do("GET", e.shopPath()+"/faq/export?format=csv", "")
	if status != 200 {
		t.Fatalf("export %d %s", status, data)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	must(t, err)
	for _, cell := range rows[1] {
		if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
			t.Errorf("a cell a spreadsheet reads as a formula: %q", cell)
		}
	}
	status, data = m.do("POST", e.shopPath()+"/faq/import", string(data), "Content-Type", "text/csv")
	if status != 200 {
		t.Fatalf("import %d %s", status, data)
	}
	var got chat.Article
	m.json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), "", 200, &got)
	if got.Title != a.Title || got.BodyHTML != a.BodyHTML || !reflect.DeepEqual(got.Keywords, a.Keywords) || got.CategoryID != a.CategoryID {
		t.Errorf("round trip changed the article:\nwant %+v\n got %+v", a, got)
	}
}

// TestHelpCenter reads the help center as a search engine or a browser
// without JavaScript does.
func TestHelpCenter(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	refund, _ := seedFAQ(t, e)
	m := e.login("manager")
	m.json("PATCH", e.shopPath(), `{"color":"#aa3355","title":"소담 쇼핑"}`, 200, nil)
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"<script>alert(1)</script> 제목","body_html":"<p>본문</p>","published":true}`, 201, nil)
	anon := e.anonymous()
	page := func(path string, want int) string {
		status, data := anon.do("GET", path, "")
		if status != want {
			t.Fatalf("GET %s: %d %s", path, status, data)
		}
		return string(data)
	}
	home := page("/help/shop", 200)
	for _, want := range []string{`<html lang="ko">`, "<title>소담 쇼핑 고객센터</title>", `<link rel="canonical" href="` + e.srv.URL + `/help/shop?lang=ko">`,
		"--brand:#aa3355", "환불은 언제 되나요?", "배송 조회 방법", `href="/widget/frame?site_id=shop&amp;lang=ko"`, "&lt;script&gt;alert(1)&lt;/script&gt; 제목"} {
		if !strings.Contains(home, want) {
			t.Errorf("home lacks %q", want)
		}
	}
	if strings.Contains(home, "준비 중인 글") || strings.Contains(home, "<script>alert(1)") {
		t.Errorf("home shows a draft or unescaped text")
	}
	art := page(fmt.Sprintf("/help/shop/articles/%d", refund.ID), 200)
	for _, want := range []string{"<title>환불은 언제 되나요? · 소담 쇼핑 고객센터</title>", fmt.Sprintf(`<link rel="canonical" href="%s/help/shop/articles/%d?lang=ko">`, e.srv.URL, refund.ID),
		"<b>3일</b>", `<meta name="description" content="반품 상품 검수 후`, "환불</a>"} {
		if !strings.Contains(art, want) {
			t.Errorf("article lacks %q", want)
		}
	}
	found := page("/help/shop/search?q="+url.QueryEscape("환불 언제 돼요"), 200)
	if !strings.Contains(found, "환불은 언제 되나요?") || !strings.Contains(found, `<meta name="robots" content="noindex">`) {
		t.Errorf("search page %s", found)
	}
	if en := page("/help/shop?lang=en", 200); !strings.Contains(en, `<html lang="en">`) || !strings.Contains(en, "Chat with us") {
		t.Errorf("English home")
	}
	sitemap := page("/help/shop/sitemap.xml", 200)
	if !strings.Contains(sitemap, fmt.Sprintf("<loc>%s/help/shop/articles/%d?lang=ko</loc>", e.srv.URL, refund.ID)) || strings.Contains(sitemap, "/articles/3?") {
		t.Errorf("sitemap %s", sitemap)
	}
	if draft := page("/help/shop/articles/3", 404); !strings.Contains(draft, "<title>페이지를 찾을 수 없습니다 · 소담 쇼핑 고객센터</title>") { // a draft
		t.Errorf("not-found page %s", draft)
	}
	page("/help/nope", 404)
	page(fmt.Sprintf("/help/other/articles/%d", refund.ID), 404)
	page("/help-assets/help.css", 200)
}

// TestFAQImages: an image uploaded for articles is stored like attachments
// and served by the help center; what is not an image is refused.
func TestFAQImages(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { faqImages(t, newEnvOn(t, kind, nil)) })
	}
}

func faqImages(t *testing.T, e *env) {
	m := e.login("manager")
	path := e.shopPath() + "/faq/images"
	photo := pngOf(t, 64, 48)
	status, data := m.upload(path, "", "배송조회.png", bytes.NewReader(photo))
	if status != 201 {
		t.Fatalf("upload %d %s", status, data)
	}
	var img chat.FAQImage
	must(t, json.Unmarshal(data, &img))
	if img.ContentType != "image/png" || !strings.HasPrefix(img.URL, e.srv.URL+"/help/shop/images/") {
		t.Fatalf("image %+v", img)
	}
	imgPath := strings.TrimPrefix(img.URL, e.srv.URL)
	// Shown by no published article yet: the workspace's members see it
	// (the editor's preview), nobody else does.
	if resp, _ := e.anonymous().get(imgPath); resp.StatusCode != 404 {
		t.Fatalf("an image no published article shows served to anyone: %d", resp.StatusCode)
	}
	if resp, body := m.get(imgPath); resp.StatusCode != 200 || !bytes.Equal(body, photo) || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "private") {
		t.Fatalf("served to the manager %d %v", resp.StatusCode, resp.Header)
	}
	// The article keeps the image through sanitizing; published, it makes
	// the image public.
	var a chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"title":"배송 조회 화면","body_html":"<p><img src=\"%s\" alt=\"주문내역 화면\"></p>","published":true}`, img.URL), 201, &a)
	if !strings.Contains(a.BodyHTML, `src="`+img.URL+`"`) {
		t.Fatalf("body %q", a.BodyHTML)
	}
	resp, body := e.anonymous().get(imgPath)
	if resp.StatusCode != 200 || !bytes.Equal(body, photo) || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Security-Policy") != "sandbox" ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(resp.Header.Get("Cache-Control"), "public") {
		t.Fatalf("served %d %v", resp.StatusCode, resp.Header)
	}
	// A screenshot of a draft (a product not yet announced) is not public,
	// by its URL or the next ID; unpublishing an article hides its image.
	status, data = m.upload(path, "", "신제품.png", bytes.NewReader(pngOf(t, 32, 32)))
	if status != 201 {
		t.Fatalf("upload %d %s", status, data)
	}
	var draftImg chat.FAQImage
	must(t, json.Unmarshal(data, &draftImg))
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"title":"겨울 신상품 출시","body_html":"<p><img src=\"%s\"></p>","published":false}`, draftImg.URL), 201, nil)
	draftPath := strings.TrimPrefix(draftImg.URL, e.srv.URL)
	if resp, _ := e.anonymous().get(draftPath); resp.StatusCode != 404 {
		t.Errorf("a draft's image served to anyone: %d", resp.StatusCode)
	}
	if resp, _ := e.login("olga").get(draftPath); resp.StatusCode != 404 {
		t.Errorf("a draft's image served to another workspace's master: %d", resp.StatusCode)
	}
	if resp, _ := e.login("kim").get(draftPath); resp.StatusCode != 200 {
		t.Errorf("a draft's image not served to the workspace's agent: %d", resp.StatusCode)
	}
	m.json("PATCH", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), `{"published":false}`, 200, nil)
	if resp, _ := e.anonymous().get(imgPath); resp.StatusCode != 404 {
		t.Errorf("the image of an unpublished article still public: %d", resp.StatusCode)
	}
	for _, tt := range []struct {
		name, file, content string
		code                string
	}{
		{"an SVG", "logo.svg", `<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>`, chat.ErrFileTypeNotAllowed},
		{"a page named .png", "x.png", "<!doctype html><script>alert(1)</script>", chat.ErrFileContentMismatch},
		{"a document", "a.pdf", "%PDF-1.4", chat.ErrFileTypeNotAllowed},
	} {
		status, data := m.upload(path, "", tt.file, strings.NewReader(tt.content))
		if code, _ := errorBodyOf(t, data); status/100 != 4 || code != tt.code {
			t.Errorf("%s: %d %s", tt.name, status, data)
		}
	}
	if status, _ := e.login("kim").upload(path, "", "a.png", bytes.NewReader(photo)); status != 403 {
		t.Errorf("an agent uploaded: %d", status)
	}
	// Another workspace's site does not serve it.
	if resp, _ := e.anonymous().get(fmt.Sprintf("/help/other/images/%d", img.ID)); resp.StatusCode != 404 {
		t.Errorf("other site served it: %d", resp.StatusCode)
	}
}

// faqStepStore lets a test act while a request edits the FAQ: once the
// request has read the PATCH and is about to change the article or the
// category, another change commits first.
type faqStepStore struct {
	chat.Store
	during func()
}

func (s *faqStepStore) step() {
	if f := s.during; f != nil {
		s.during = nil
		f()
	}
}

func (s *faqStepStore) UpdateArticle(ctx context.Context, workspaceID, id int64, p chat.ArticlePatch, by chat.Who) (*chat.Article, error) {
	s.step()
	return s.Store.UpdateArticle(ctx, workspaceID, id, p, by)
}

func (s *faqStepStore) UpdateFAQCategory(ctx context.Context, workspaceID, id int64, p chat.FAQCategoryPatch, by chat.Who) (chat.FAQCategory, error) {
	s.step()
	return s.Store.UpdateFAQCategory(ctx, workspaceID, id, p, by)
}

// TestFAQConcurrentEdits: two managers change different fields of the
// same article (or category) at once — one unpublishes it while the other
// fixes its title — and both changes stay: a PATCH changes only the
// fields it sends, even when another change commits while it runs.
func TestFAQConcurrentEdits(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			fs := &faqStepStore{}
			e := newEnvWrapped(t, kind, nil, func(s chat.Store) chat.Store { fs.Store = s; return fs })
			refund, _ := seedFAQ(t, e)
			m, master := e.login("manager"), e.login("master")
			path := fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), refund.ID)
			fs.during = func() { master.json("PATCH", path, `{"published":false}`, 200, nil) }
			m.json("PATCH", path, `{"title":"환불은 언제 되나요? (영업일 기준)"}`, 200, nil)
			var got chat.Article
			m.json("GET", path, "", 200, &got)
			if got.Title != "환불은 언제 되나요? (영업일 기준)" || got.Published {
				t.Errorf("after both edits: title %q, published %v (the master unpublished it)", got.Title, got.Published)
			}
			if status, _ := e.anonymous().do("GET", fmt.Sprintf("/help/shop/articles/%d", refund.ID), ""); status != 404 {
				t.Errorf("the unpublished article is public again: %d", status)
			}

			cat := fmt.Sprintf("%s/faq/categories/%d", e.shopPath(), refund.CategoryID)
			fs.during = func() { master.json("PATCH", cat, `{"name_en":"Refunds and returns"}`, 200, nil) }
			m.json("PATCH", cat, `{"position":5}`, 200, nil)
			var cats []chat.FAQCategory
			m.json("GET", e.shopPath()+"/faq/categories", "", 200, &cats)
			if len(cats) != 1 || cats[0].NameEN != "Refunds and returns" || cats[0].Position != 5 {
				t.Errorf("after both edits: %+v", cats)
			}
		})
	}
}
