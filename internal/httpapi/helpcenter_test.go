package httpapi_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestHelpCenterRefusals: a person who follows a broken link or edits the
// address gets a page to read, not the API's JSON.
func TestHelpCenterRefusals(t *testing.T) {
	e := newEnv(t)
	seedFAQ(t, e)
	anon := e.anonymous()
	page := func(path string, want int, says ...string) {
		t.Helper()
		status, data := anon.do("GET", path, "")
		if status != want || !strings.Contains(string(data), "<html") {
			t.Fatalf("GET %s: %d %s", path, status, data)
		}
		for _, s := range says {
			if !strings.Contains(string(data), s) {
				t.Errorf("GET %s lacks %q", path, s)
			}
		}
	}
	for _, path := range []string{"/help/shop/articles/abc", "/help/shop/articles/0", "/help/shop/categories/1x"} {
		page(path, 404, "<title>페이지를 찾을 수 없습니다 · ")
	}
	long := strings.Repeat("환불", 101)
	page("/help/shop/search?q="+url.QueryEscape(long), 400, "검색어는 200자까지", `value="`+long+`"`)
	page("/help/shop/search?lang=en&q="+url.QueryEscape(long), 400, "at most 200 characters")
}
