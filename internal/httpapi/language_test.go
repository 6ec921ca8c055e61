package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// A refusal's message is worded in Korean for a request whose
// Accept-Language prefers Korean (a Korean browser, the console in
// Korean), in English otherwise (a script sends none); the code stays
// the same, and a refusal about one field names it.
func TestRefusalLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	visitor := e.visitor("shop", "")
	manager := e.login("manager")
	shop := e.shopPath()
	for _, tt := range []struct {
		name, lang, want, field string
	}{
		{"no Accept-Language", "", "name is required", "name"},
		{"English first", "en-US,en;q=0.9,ko;q=0.8", "name is required", "name"},
		{"a Korean browser", "ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7", "이름을 입력해 주세요", "name"},
		{"the console in Korean", "ko", "이름을 입력해 주세요", "name"},
		{"neither", "ja-JP", "name is required", "name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := visitor.response("POST", "/api/v1/widget/tickets", `{"name":" ","contact":"010-1234-5678","message":"연락 주세요"}`, "Accept-Language", tt.lang)
			var body struct {
				Error struct{ Code, Message, Field string }
			}
			if err := json.Unmarshal(data, &body); err != nil || resp.StatusCode != 400 {
				t.Fatalf("%d %s", resp.StatusCode, data)
			}
			if body.Error.Code != "invalid_input" || !strings.HasPrefix(body.Error.Message, tt.want) || body.Error.Field != tt.field {
				t.Fatalf("%+v, want a message starting %q about %q", body.Error, tt.want, tt.field)
			}
			if lang := resp.Header.Get("Content-Language"); (lang == "ko") != strings.HasPrefix(tt.want, "이") {
				t.Fatalf("Content-Language %q", lang)
			}
		})
	}
	// A format's arguments are kept.
	resp, data := manager.response("POST", shop+"/canned", `{"title":"","body":"환불 안내"}`, "Accept-Language", "ko")
	if code, message := errorBodyOf(t, data); resp.StatusCode != 400 || code != "invalid_input" || message != fmt.Sprintf("제목은 한 줄로 1~%d자여야 합니다.", chat.MaxCannedTitle) {
		t.Fatalf("%d %s %q", resp.StatusCode, code, message)
	}
	// A field the server does not point at has no field.
	_, data = manager.response("GET", shop+"/conversations?flag=urgent", "", "Accept-Language", "ko")
	if strings.Contains(string(data), `"field"`) {
		t.Fatalf("a field where none was named: %s", data)
	}
	if _, message := errorBodyOf(t, data); message != "flag는 all, important, hold, both 중 하나여야 합니다." {
		t.Fatalf("flag in Korean: %q", message)
	}
	// A refusal within a larger one (an import's row, a weekday's hours),
	// and the fixed phrases some refusals put in a format's place, are
	// worded in Korean too; in English the inner refusal reads as its
	// message, without its code.
	long := strings.Repeat("가", chat.MaxFAQTitle+1)
	csv := "title,body_html,category\n배송 조회,\"<p>주문내역에서\n확인하세요</p>\",배송\n" + long + ",<p>x</p>,환불\n"
	monday := `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":[],"days":[{},{"open":true,"start":"18:00","end":"18:00"},{},{},{},{},{}]}}}`
	for _, tt := range []struct{ method, path, body, ko, en string }{
		{"POST", shop + "/faq/import", csv, fmt.Sprintf("3행: title은(는) 한 줄로 %d자까지 쓸 수 있습니다.", chat.MaxFAQTitle),
			fmt.Sprintf("row 3: title must be at most %d characters on one line", chat.MaxFAQTitle)},
		{"PATCH", shop, monday, "월요일: 여는 시각 18:00과(와) 닫는 시각 18:00 사이에 영업시간이 없습니다.",
			"Monday: opening 18:00 and closing 18:00 leave no hours open"},
		{"PATCH", shop, `{"name":7}`, `"name" 필드는 문자열 값이어야 합니다(number 값이 아니라).`, `field "name" must be a string, not number`},
		{"GET", shop + "/history?sort=up", "", "sort: newest 또는 oldest여야 합니다.", "sort: newest or oldest"},
	} {
		for lang, want := range map[string]string{"ko": tt.ko, "": tt.en} {
			typ := "application/json"
			if strings.HasSuffix(tt.path, "/import") {
				typ = "text/csv"
			}
			resp, data := manager.response(tt.method, tt.path, tt.body, "Accept-Language", lang, "Content-Type", typ)
			if code, message := errorBodyOf(t, data); resp.StatusCode != 400 || code != "invalid_input" || message != want {
				t.Errorf("%s %s in %q: %d %s %q, want %q", tt.method, tt.path, lang, resp.StatusCode, code, message, want)
			}
		}
	}
}
