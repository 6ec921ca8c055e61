package httpapi

import (
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestVisitorLinksExpire(t *testing.T) {
	now := time.Date(2026, 4, 12, 10, 31, 0, 0, time.UTC)
	links := visitorLinks{key: []byte("0123456789abcdef0123456789abcdef"), now: func() time.Time { return now }}
	a := links.attachment(&chat.Attachment{ID: 5, Thumbnail: true}, 2)
	u, err := url.Parse(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	exp, _ := strconv.ParseInt(q.Get("exp"), 10, 64)
	if got := time.Unix(exp, 0).UTC(); got != time.Date(2026, 4, 13, 11, 0, 0, 0, time.UTC) {
		t.Fatalf("expires at %v, want the end of the hour a day later", got)
	}
	if u.Path != "/api/v1/widget/attachments/5" || a.ThumbnailURL != "/api/v1/widget/attachments/5/thumbnail?"+u.RawQuery {
		t.Fatalf("links %q, %q", a.URL, a.ThumbnailURL)
	}
	// Messages shown within the hour get the same links: cacheable.
	now = now.Add(20 * time.Minute)
	if again := links.attachment(&chat.Attachment{ID: 5}, 2); again.URL != a.URL {
		t.Fatalf("links changed within the hour: %q, %q", a.URL, again.URL)
	}
	if err := links.check(2, 5, exp, q.Get("sig")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		ws, id    int64
		exp       int64
		sig, code string
	}{
		{"another attachment", 2, 6, exp, q.Get("sig"), chat.ErrAttachmentNotFound},
		{"another workspace", 3, 5, exp, q.Get("sig"), chat.ErrAttachmentNotFound},
		{"a later expiry", 2, 5, exp + 1, q.Get("sig"), chat.ErrAttachmentNotFound},
		{"no signature", 2, 5, exp, "", chat.ErrAttachmentNotFound},
	} {
		if err := links.check(tt.ws, tt.id, tt.exp, tt.sig); chat.ErrorCode(err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
	now = time.Unix(exp+1, 0)
	if err := links.check(2, 5, exp, q.Get("sig")); chat.ErrorCode(err) != chat.ErrLinkExpired {
		t.Fatalf("an old link: %v", err)
	}
}

func TestContentDisposition(t *testing.T) {
	for _, tt := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`},
		{"견적서.pdf", `attachment; filename="___.pdf"; filename*=UTF-8''%EA%B2%AC%EC%A0%81%EC%84%9C.pdf`},
		{`a"b\c%d.txt`, `attachment; filename="a_b_c_d.txt"; filename*=UTF-8''a%22b%5Cc%25d.txt`},
		{"a\r\nSet-Cookie: x.txt", `attachment; filename="a__Set-Cookie: x.txt"; filename*=UTF-8''a%0D%0ASet-Cookie%3A%20x.txt`},
	} {
		if got := contentDisposition("attachment", tt.name); got != tt.want {
			t.Errorf("contentDisposition(%q) =\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}
