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
		in, norm, compact, grams string
	}{
		{"환불은 언제 되나요?", "환불은 언제 되나요", "환불은언제되나요", "환불 불은 은언 언제 제되 되나 나요 요"},
		{"주문번호 A2026-1183", "주문번호 a2026 1183", "주문번호a20261183", "주문 문번 번호 호a a2 20 02 26 61 11 18 83 3"},
		{"  ㅠㅠ!!  OK ", "ㅠㅠ ok", "ㅠㅠok", "ㅠㅠ ㅠo ok k"},
		{"카드-취소", "카드 취소", "카드취소", "카드 드취 취소 소"},
		{"네", "네", "네", "네"},
		{"\u1112\u116a\u11ab\u1107\u116e\u11af", "환불", "환불", "환불 불"}, // NFD, as some keyboards send it
		{"...", "", "", ""},
		// Full- and half-width forms, as Korean phones and IMEs type them.
		{"주문번호 Ａ２０２６－１１８３", "주문번호 a2026 1183", "주문번호a20261183", "주문 문번 번호 호a a2 20 02 26 61 11 18 83 3"},
		{"ＫＢ카드　취소", "kb카드 취소", "kb카드취소", "kb b카 카드 드취 취소 소"},
		{"ﾍﾝﾋﾟﾝ", "ヘンピン", "ヘンピン", "ヘン ンピ ピン ン"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.norm {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.norm)
		}
		if got := Compact(tt.in); got != tt.compact {
			t.Errorf("Compact(%q) = %q, want %q", tt.in, got, tt.compact)
		}
		if got := Grams(tt.in); got != tt.grams {
			t.Errorf("Grams(%q) = %q, want %q", tt.in, got, tt.grams)
		}
	}
	// Compact is Normalize without its spaces, whatever the text.
	for _, text := range gramTexts {
		if got, want := Compact(text), strings.ReplaceAll(Normalize(text), " ", ""); got != want {
			t.Errorf("Compact(%q) = %q, Normalize without spaces %q", text, got, want)
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
		{q: `"배송이 안" 와요`, terms: []string{"배송이안", "와요"}, fts: `"배송 송이 이안" AND "와요"`},
		{q: `"배송 지연`, terms: []string{"배송", "지연"}, fts: `"배송" AND "지연"`}, // an unclosed quote is words
		{q: "\u201c배송이 안\u201d 와요", terms: []string{"배송이안", "와요"}},       // smart quotes (iOS, macOS)
		{q: "\uff02배송이 안\uff02 와요", terms: []string{"배송이안", "와요"}},       // full-width quotes
		{q: "환", terms: []string{"환"}, fts: `"환" *`},
		{q: "010-1234", terms: []string{"0101234"}, fts: `"01 10 01 12 23 34"`},
		{q: "카드-취소", terms: []string{"카드취소"}, fts: `"카드 드취 취소"`},
		{q: `"카드 취소" 카드취소`, terms: []string{"카드취소"}, fts: `"카드 드취 취소"`}, // one term, spacing aside
		{q: `"a b"`, terms: []string{"ab"}, fts: `"ab"`},
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
		{"환불은 주문번호 A2026-1183입니다.", true},
		{"환불은 주문번호 A2026-11830 입니다.", false},
		{"환불", false},
	} {
		if got := Matches(tt.text, terms); got != tt.want {
			t.Errorf("Matches(%q) = %v", tt.text, got)
		}
	}
}

// spacingCases are how customers space (or do not space) the same words,
// from the FAQ's test questions (../faq/testdata/questions.txt) and the
// chat corpus: a query finds a text however either is spaced or
// punctuated, and a word that is not there still is not found.
var spacingCases = []struct {
	q, text string
	want    bool
}{
	{"카드취소", "카드 취소는 언제 반영되나요", true},
	{`"카드 취소"`, "카드취소 확인이 안돼요", true},
	{"카드-취소", "카드 취소는 언제 반영되나요", true},
	{"카드취소", "카드/취소 확인 부탁드려요", true},
	{"배송조회", "배송 조회는 어디서 하나요?", true},
	{`"배송 조회"`, "배송조회 어떻게 해요", true},
	{"주문내역", "지난번 주문 내역 보는 법", true},
	{`"주문 내역"`, "주문내역 어디서 봐요?", true},
	{"주문취소", "주문 취소하고 싶어요", true},
	{"배송완료", "택배를 못 받았는데 배송 완료로 나와요", true},
	{"해외배송", "해외 배송 가능 여부", true},
	{`"새벽 배송"`, "새벽배송 되나요", true},
	{"부분환불", "부분 환불 되나요", true},
	{"아무것도", "아무 것도 안해도 괜찮아요.", true},
	{`"상관 없어요"`, "어디에서 일하든 상관없어요.", true},
	{"하루종일", "내일 하루 종일 바빠", true},
	{"소가", "카드 취소가 안 돼요", true}, // across the old word boundary too
	{"1183", "주문번호 １１８３ 취소해주세요", true},
	{"１１８３", "주문번호 1183 취소해주세요", true},
	{"kb카드", "ＫＢ카드 결제 취소", true},
	{"카드취소", "카드 결제 취소 부탁드립니다", false},
	{"배송조회", "조회 배송", false},
	{`"주문 취소"`, "취소된 주문", false},
}

func TestSpacingIgnored(t *testing.T) {
	for _, tt := range spacingCases {
		terms, err := ParseQuery(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := Matches(tt.text, terms); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v, want %v", tt.text, tt.q, got, tt.want)
		}
	}
}

// The old rule — the term's normalized form in the message's — is part
// of the new one: nothing found before is lost.
func TestSpacingKeepsOldMatches(t *testing.T) {
	for _, text := range gramTexts {
		norm := Normalize(text)
		words := strings.Fields(norm)
		for i := range words {
			for j := i + 1; j <= len(words) && j <= i+3; j++ {
				phrase := strings.Join(words[i:j], " ")
				for _, q := range []string{`"` + phrase + `"`, words[i], string([]rune(words[i])[:1])} {
					terms, err := ParseQuery(q)
					if err != nil {
						t.Fatal(err)
					}
					if !Matches(text, terms) {
						t.Errorf("%q no longer finds %q", q, text)
					}
				}
			}
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
	// A day without a midnight (America/Santiago, 2027-09-05: the clocks
	// go from 00:00 to 01:00) starts when they move, not at 23:00 the day
	// before; a time is checked in UTC.
	santiago, err := time.LoadLocation("America/Santiago")
	if err != nil {
		t.Fatal(err)
	}
	f, err = Parse(url.Values{"from": {"2027-09-05"}, "to": {"2027-09-05"}}, santiago)
	if err != nil || !f.From.Equal(time.Date(2027, 9, 5, 4, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2027, 9, 6, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("the day without a midnight: %v – %v, %v", f.From, f.To, err)
	}
	if _, err := Parse(url.Values{"to": {"9999-12-31T23:00:00-05:00"}}, seoul); chat.ErrorCode(err) != chat.ErrInvalidPeriod {
		t.Fatalf("a time in the year 10000 (UTC): %v", err)
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
			NormCodes(msg)
		}
	})
}

// gramTexts are texts of every kind of character.
var gramTexts = []string{
	"", "!!", "a", "환불", "환불은 언제 되나요?", "안녕하세요, 주문번호 A2026-1183 환불은 언제 되나요? 배송이 너무 늦어서 취소하고 싶어요.",
	"Galaxy S25 케이스 010-1234-5678", "ÉCOLE école e\u0301cole", "이모지 😀 하나, 한자 𠀀𠀁 둘", "\xff잘못된\xfe 바이트", "aa aa aaa", "ﬁ 끝",
	"카드 취소가 안 돼요", "카드-취소 부탁드려요",
}

// NormCodes is Compact and the codes of GramSet at once.
func TestNormCodes(t *testing.T) {
	for _, text := range gramTexts {
		grams := GramSet(text)
		if !slices.IsSorted(grams) || len(slices.Compact(slices.Clone(grams))) != len(grams) {
			t.Errorf("GramSet(%q) = %q: not sorted or not distinct", text, grams)
		}
		// Every character and every bigram of the compact text, across
		// the words.
		rs := []rune(Compact(text))
		for i := range rs {
			if !slices.Contains(grams, string(rs[i])) || i+1 < len(rs) && !slices.Contains(grams, string(rs[i:i+2])) {
				t.Errorf("GramSet(%q) = %q lacks a gram at %d", text, grams, i)
			}
		}
		// The codes PostgreSQL's index keeps: one per gram, no two alike.
		compact, codes := NormCodes(text)
		wantCodes := map[int64]string{}
		for _, g := range grams {
			c := GramCode(g)
			if other, dup := wantCodes[c]; dup {
				t.Errorf("GramCode(%q) = GramCode(%q) = %d", g, other, c)
			}
			wantCodes[c] = g
		}
		if compact != Compact(text) || len(codes) != len(wantCodes) || !slices.IsSorted(codes) {
			t.Errorf("NormCodes(%q) = %q, %v; want %q and the %d codes of %q", text, compact, codes, Compact(text), len(wantCodes), grams)
		}
		for _, c := range codes {
			if _, ok := wantCodes[c]; !ok {
				t.Errorf("NormCodes(%q) has %d, no gram's code", text, c)
			}
		}
	}
}

func TestNeededCodes(t *testing.T) {
	terms, err := ParseQuery(`환불 "주문 번호" a 😀𠀀`) // 😀 is no letter: 𠀀 alone
	if err != nil {
		t.Fatal(err)
	}
	grams, codes := Needed(terms), NeededCodes(terms)
	if want := []string{"a", "문번", "번호", "주문", "환불", "𠀀"}; !slices.Equal(grams, want) {
		t.Errorf("Needed = %q, want %q", grams, want)
	}
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
