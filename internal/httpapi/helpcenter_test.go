package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestHelpCenterRefusals: a person who follows a broken link or edits the
// address gets a page to read, not the API's JSON — an unknown site too,
// in the browser's language.
func TestHelpCenterRefusals(t *testing.T) {
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
