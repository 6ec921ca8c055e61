package httpapi_test

import (
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestFAQCSVRowNumbers: a refused CSV import names the row of the file a
// person finds in their spreadsheet (a quoted body may span lines), not a
// place in a list they never saw; nothing is imported.
func TestFAQCSVRowNumbers(t *testing.T) {
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			long := strings.Repeat("가", chat.MaxFAQTitle+1)
			longCat := strings.Repeat("분", chat.MaxFAQCategoryName+1)
			for _, tc := range []struct{ file, want string }{
				{"title,body_html,category\n배송 조회,\"<p>주문내역에서\n확인하세요</p>\",배송\n환불 기간,<p>3일</p>,환불\n" + long + ",<p>x</p>,환불\n", "row 4: "},
				{"title,body_html,category\n배송 조회,<p>주문내역</p>,배송\n교환 신청,<p>마이페이지</p>," + longCat + "\n", "row 3: "},
			} {
				status, data := m.do("POST", e.shopPath()+"/faq/import", tc.file, "Content-Type", "text/csv")
				_, msg := errorBodyOf(t, data)
				if status != 400 || !strings.HasPrefix(msg, tc.want) {
					t.Errorf("import answered %d %s, want 400 naming %q", status, data, tc.want)
				}
			}
			var arts []map[string]any
			m.json("GET", e.shopPath()+"/faq/articles", "", 200, &arts)
			var cats []chat.FAQCategory
			m.json("GET", e.shopPath()+"/faq/categories", "", 200, &cats)
			if len(arts) != 0 || len(cats) != 0 {
				t.Fatalf("a refused import left %d articles and %d categories", len(arts), len(cats))
			}
		})
	}
}

// TestWorkspaceLimitsHTTP: one more than a workspace may have is 409
// limit_reached, with a message naming the limit (limits lowered here;
// the store's conformance test covers each list).
func TestWorkspaceLimitsHTTP(t *testing.T) {
	was := chat.MaxCannedPerWorkspace
	chat.MaxCannedPerWorkspace = 1
	t.Cleanup(func() { chat.MaxCannedPerWorkspace = was })
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			m.json("POST", e.shopPath()+"/canned", `{"title":"첫 인사","body":"안녕하세요, 소담 고객센터입니다.","shared":true}`, 201, nil)
			status, data := m.do("POST", e.shopPath()+"/canned", `{"title":"마무리","body":"이용해 주셔서 감사합니다.","shared":true}`)
			code, msg := errorBodyOf(t, data)
			if status != 409 || code != chat.ErrLimitReached || !strings.Contains(msg, "at most 1 canned responses") {
				t.Fatalf("over the limit: %d %s", status, data)
			}
		})
	}
}
