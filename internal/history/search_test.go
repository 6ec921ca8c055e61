package history

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

func TestNormalizeAndGrams(t *testing.T) {
	tests := []struct {
		in, norm, grams string
	}{
		{"환불은 언제 되나요?", "환불은 언제 되나요", "환불 불은 은 언제 제 되나 나요 요"},
		{"주문번호 A2026-1183", "주문번호 a2026 1183", "주문 문번 번호 호 a2 20 02 26 6 11 18 83 3"},
		{"  ㅠㅠ!!  OK ", "ㅠㅠ ok", "ㅠㅠ ㅠ ok k"},
		{"네", "네", "네"},
		{"\u1112\u116a\u11ab\u1107\u116e\u11af", "환불", "환불 불"}, // NFD, as some keyboards send it
		{"...", "", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.norm)
		}
		if got := Grams(tt.in); got != tt.grams {
			t.Errorf("Grams(%q) = %q, want %q", tt.in, got, tt.grams)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		q     string
		terms []string
		code  string
		fts   string
	}{
		{q: "환불", terms: []string{"환불"}, fts: `"환불"`},
		{q: "환불해 주세요", terms: []string{"환불해", "주세요"}, fts: `"환불 불해" AND "주세 세요"`},
		{q: `"배송이 안" 와요`, terms: []string{"배송이 안", "와요"}, fts: `"배송 송이 이 안" * AND "와요"`},
		{q: `"배송 지연`, terms: []string{"배송", "지연"}, fts: `"배송" AND "지연"`}, // an unclosed quote is words
		{q: "환", terms: []string{"환"}, fts: `"환" *`},
		{q: "010-1234", terms: []string{"010 1234"}, fts: `"01 10 0 12 23 34"`},
		{q: "a b", terms: []string{"a", "b"}, fts: `"a" * AND "b" *`},
		{q: "환불 환불", terms: []string{"환불"}, fts: `"환불"`},
		{q: "", terms: nil},
		{q: "   ", terms: nil},
		{q: `?! … "" ~~`, code: chat.ErrQueryNoWords},
		{q: strings.Repeat("가", MaxQueryRunes+1), code: chat.ErrQueryTooLong},
		{q: "a b c d e f g h i", code: chat.ErrQueryTooLong},
	}
	for _, tt := range tests {
		terms, err := ParseQuery(tt.q)
		if chat.ErrorCode(err) != tt.code {
			t.Errorf("ParseQuery(%q): error %v, want code %q", tt.q, err, tt.code)
			continue
		}
		var got []string
		for _, term := range terms {
			got = append(got, term.Text)
		}
		if !slices.Equal(got, tt.terms) {
			t.Errorf("ParseQuery(%q) = %q, want %q", tt.q, got, tt.terms)
		}
		if tt.fts != "" && FTS5(terms) != tt.fts {
			t.Errorf("FTS5(%q) = %s, want %s", tt.q, FTS5(terms), tt.fts)
		}
	}
}

func TestMatches(t *testing.T) {
	terms, _ := ParseQuery(`환불 "1183 입니다"`)
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"환불은 주문번호 A2026-1183 입니다.", true},
		{"환불은 주문번호 A2026-11830 입니다.", false},
		{"환불", false},
	} {
		if got := Matches(tt.text, terms); got != tt.want {
			t.Errorf("Matches(%q) = %v", tt.text, got)
		}
	}
}

func TestParseFilter(t *testing.T) {
	seoul := time.FixedZone("KST", 9*3600)
	f, err := Parse(url.Values{"from": {"2026-11-01"}, "to": {"2026-11-30"}, "state": {"closed"}, "rating": {"none"}, "sort": {"oldest"}}, seoul)
	if err != nil {
		t.Fatal(err)
	}
	if !f.From.Equal(time.Date(2026, 10, 31, 15, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)) ||
		f.State != "closed" || f.Rating != -1 || !f.Oldest {
		t.Fatalf("filter = %+v", f)
	}
	for _, bad := range []url.Values{
		{"from": {"2026-12-01"}, "to": {"2026-11-01"}}, {"from": {"yesterday"}}, {"agent_id": {"01"}}, {"agent_id": {"-3"}},
		{"agent_path": {"true"}}, {"rating": {"6"}}, {"state": {"done"}}, {"channel": {"fax"}}, {"x": {"1"}}, {"q": {"a", "b"}},
		{"customer": {strings.Repeat("가", MaxCustomerRunes+1)}}, {"q": {"환\x00불"}},
	} {
		if _, err := Parse(bad, seoul); chat.ErrorCode(err) == "" {
			t.Errorf("Parse(%v) accepted", bad)
		}
	}
	c, err := ParseCursor(Cursor{ID: 42}.Encode())
	if err != nil || c.ID != 42 {
		t.Fatalf("cursor round trip: %v %v", c, err)
	}
	if _, err := ParseCursor("bm9wZQ"); chat.ErrorCode(err) != chat.ErrInvalidCursor {
		t.Fatalf("a forged cursor: %v", err)
	}
}

// BenchmarkGrams is what indexing costs the write path in Go, per message
// of support chat.
func BenchmarkGrams(b *testing.B) {
	const msg = "안녕하세요, 주문번호 A2026-1183 환불은 언제 되나요? 배송이 너무 늦어서 취소하고 싶어요."
	b.Run("fts5", func(b *testing.B) {
		for range b.N {
			Grams(msg)
		}
	})
	b.Run("postgres", func(b *testing.B) {
		for range b.N {
			NormGrams(msg)
		}
	})
}

// NormGrams is Normalize and GramSet (in another order) at once.
func TestNormGrams(t *testing.T) {
	for _, text := range []string{
		"", "!!", "a", "환불", "환불은 언제 되나요?", "안녕하세요, 주문번호 A2026-1183 환불은 언제 되나요? 배송이 너무 늦어서 취소하고 싶어요.",
		"Galaxy S25 케이스 010-1234-5678", "ÉCOLE école e\u0301cole", "이모지 😀 하나, 한자 𠀀𠀁 둘", "\xff잘못된\xfe 바이트", "aa aa aaa", "ﬁ 끝",
	} {
		norm, grams := NormGrams(text)
		if want := Normalize(text); norm != want {
			t.Errorf("NormGrams(%q) normalized %q, want %q", text, norm, want)
		}
		want := GramSet(text)
		slices.Sort(want)
		if !slices.Equal(grams, want) {
			t.Errorf("NormGrams(%q) grams %q, want %q", text, grams, want)
		}
		// The codes PostgreSQL's index keeps: one per gram, no two alike.
		n2, codes := NormCodes(text)
		wantCodes := map[int64]string{}
		for _, g := range want {
			c := GramCode(g)
			if other, dup := wantCodes[c]; dup {
				t.Errorf("GramCode(%q) = GramCode(%q) = %d", g, other, c)
			}
			wantCodes[c] = g
		}
		if n2 != norm || len(codes) != len(wantCodes) || !slices.IsSorted(codes) {
			t.Errorf("NormCodes(%q) = %q, %v; want %q and the %d codes of %q", text, n2, codes, norm, len(wantCodes), want)
		}
		for _, c := range codes {
			if _, ok := wantCodes[c]; !ok {
				t.Errorf("NormCodes(%q) has %d, no gram's code", text, c)
			}
		}
	}
}

func TestNeededCodes(t *testing.T) {
	terms, err := ParseQuery(`환불 "주문 번호" a 😀𠀀`)
	if err != nil {
		t.Fatal(err)
	}
	grams, codes := Needed(terms), NeededCodes(terms)
	if len(grams) != len(codes) {
		t.Fatalf("%d grams, %d codes", len(grams), len(codes))
	}
	for i, g := range grams {
		if codes[i] != GramCode(g) {
			t.Errorf("code %d of %q: %d, want %d", i, g, codes[i], GramCode(g))
		}
		if rs := []rune(g); len(rs) == 1 && codes[i] != int64(rs[0]) || len(rs) == 2 && codes[i] != (int64(rs[0])+1)<<21|int64(rs[1]) {
			t.Errorf("GramCode(%q) = %d", g, codes[i])
		}
	}
}
