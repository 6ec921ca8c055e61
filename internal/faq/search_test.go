package faq

import (
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// small is a shop's FAQ in a few articles, each behaviour of the Korean
// search tried on it.
func small() *Index {
	docs := []Doc{
		{ID: 1, Lang: "ko", Title: "환불은 언제 되나요?", Keywords: []string{"환불 기간"}, Text: "반품 상품 검수 후 영업일 3일 안에 환불됩니다."},
		{ID: 2, Lang: "ko", Title: "배송 조회 방법", Keywords: []string{"운송장"}, Text: "주문내역에서 배송 조회를 누르세요."},
		{ID: 3, Lang: "ko", Title: "교환 신청", Keywords: []string{"사이즈 교환"}, Text: "주문내역에서 교환을 신청하세요."},
		{ID: 4, Lang: "en", Title: "How do I reset my password?", Keywords: []string{"password", "login"}, Text: "Use the forgot password link on the login page."},
		{ID: 5, Lang: "ko", Title: "비밀번호 찾기", Keywords: []string{"비밀번호 재설정"}, Text: "로그인 화면의 비밀번호 찾기를 누르세요."},
	}
	return Build(docs, [][]string{{"반품", "환불 요청"}, {"비번", "비밀번호"}})
}

func TestSearchKorean(t *testing.T) {
	ix := small()
	for _, tt := range []struct {
		name, q, lang string
		want          int64 // 0: nothing
	}{
		{"two-syllable noun", "환불", "ko", 1},
		{"particle", "환불은요", "ko", 1},
		{"ending", "환불하려면 어떻게 해요", "ko", 1},
		{"polite 요 after an ending", "반품 하려면요", "ko", 1},
		{"spacing joined", "배송조회", "ko", 2},
		{"spacing apart", "배송 조회 하고 싶어요", "ko", 2},
		{"typo", "배송죠회", "ko", 2},
		{"typo in a short noun", "환뷸 언제 되나요", "ko", 1},
		{"initial consonants", "ㅂㅅㅈㅎ", "ko", 2},
		{"initial consonants of a noun", "ㄱㅎ 신청", "ko", 3},
		{"synonym", "비번", "ko", 5},
		{"synonym inside a joined word", "비번까먹었어요", "ko", 5},
		{"full width", "ＰＡＳＳＷＯＲＤ", "en", 4},
		{"case", "Password", "en", 4},
		{"english stem", "passwords", "en", 4},
		{"decomposed hangul (NFD)", norm.NFD.String("교환 신청"), "ko", 3},
		{"nothing to do with the FAQ", "오늘 점심 메뉴 추천해 주세요", "ko", 0},
		{"greeting only", "안녕하세요", "ko", 0},
		{"empty", "", "ko", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			hits := ix.Search(tt.q, tt.lang, 3)
			switch {
			case tt.want == 0 && len(hits) > 0:
				t.Fatalf("%q: want nothing, got %+v", tt.q, hits)
			case tt.want != 0 && (len(hits) == 0 || hits[0].ID != tt.want):
				t.Fatalf("%q: want %d first, got %+v", tt.q, tt.want, hits)
			}
		})
	}
}

// TestSearchPolite요: the polite 요 after an ending or a particle
// (하려면요, 은요) changes nothing: it went alone, leaving 반품하려면, a word
// no article has, and 반품 하려면요 found nothing where 반품 하려면 found the
// return articles.
func TestSearchPolite요(t *testing.T) {
	ix := small()
	for _, pair := range [][2]string{{"환불 하려면요", "환불 하려면"}, {"교환하려면요", "교환하려면"}, {"배송 조회는요?", "배송 조회는?"},
		{"비밀번호 찾으려면요", "비밀번호 찾으려면"}} {
		polite, plain := ix.Search(pair[0], "ko", 1), ix.Search(pair[1], "ko", 1)
		if len(polite) != 1 || len(plain) != 1 || polite[0] != plain[0] {
			t.Errorf("%q: %+v, %q: %+v", pair[0], polite, pair[1], plain)
		}
	}
}

func TestSearchIsDeterministic(t *testing.T) {
	// Two nodes build the same index from the same rows and must rank the
	// same, ties included.
	a, b := small(), small()
	for _, q := range []string{"교환", "주문내역", "환불", "로그인"} {
		ha, hb := a.Search(q, "ko", 3), b.Search(q, "ko", 3)
		if len(ha) != len(hb) {
			t.Fatalf("%q: %v vs %v", q, ha, hb)
		}
		for i := range ha {
			if ha[i] != hb[i] {
				t.Fatalf("%q: %v vs %v", q, ha, hb)
			}
		}
	}
}

func TestSanitize(t *testing.T) {
	for _, bad := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror="alert(1)">`,
		`<a href="javascript:alert(1)">x</a>`,
		`<a href="JaVaScRiPt:alert(1)">x</a>`,
		`<svg><script>alert(1)</script></svg>`,
		`<svg onload="alert(1)"></svg>`,
		`<iframe src="https://evil.example"></iframe>`,
		`<p style="background:url(javascript:alert(1))">x</p>`,
		`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
		`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	} {
		got := strings.ToLower(Sanitize(bad))
		for _, w := range []string{"<script", "onerror", "onload", "javascript:", "<svg", "<iframe", "style=", "data:"} {
			if strings.Contains(got, w) {
				t.Errorf("Sanitize(%q) = %q keeps %s", bad, got, w)
			}
		}
	}
	keep := `<p>환불은 <b>3일</b> 안에 됩니다. <a href="https://shop.example/help">안내</a></p><img src="/help/acme/images/1" alt="화면">`
	got := Sanitize(keep)
	for _, w := range []string{"<b>3일</b>", `href="https://shop.example/help"`, `src="/help/acme/images/1"`} {
		if !strings.Contains(got, w) {
			t.Errorf("Sanitize dropped %s: %q", w, got)
		}
	}
	if txt := Text(got); txt != "환불은 3일 안에 됩니다. 안내 (https://shop.example/help)" {
		t.Errorf("Text = %q", txt)
	}
}

// TestImageIDs: the uploaded images a sanitized body shows, by absolute
// address or from the root; a link to one, or another address, is not.
func TestImageIDs(t *testing.T) {
	body := Sanitize(`<p><img src="https://help.example.com/help/shop/images/12" alt="주문내역"> <img src="/help/shop/images/7"></p>` +
		`<p><a href="/help/shop/images/9">원본</a> <img src="https://cdn.example.com/banner.png"> <img src="/help/shop/images/3x"></p>`)
	got := ImageIDs(body)
	if len(got) != 2 || got[0] != 12 || got[1] != 7 {
		t.Fatalf("ImageIDs(%q) = %v", body, got)
	}
}
