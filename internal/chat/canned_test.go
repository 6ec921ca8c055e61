package chat

import "testing"

func TestSearchCanned(t *testing.T) {
	list := []Canned{
		{ID: 1, Title: "환불 안내", Body: "환불은 3일 안에 처리됩니다."},
		{ID: 2, Title: "배송 문의", Body: "택배사에 확인 후 환불 여부를 알려드립니다."},
		{ID: 3, Title: "인사", Body: "안녕하세요", Favourite: true},
		{ID: 4, Title: "Refund (EN)", Body: "Your refund is on its way."},
	}
	ids := func(cs []Canned) []int64 {
		var out []int64
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{"환불", []int64{1, 2}},     // title match before body match
		{"ㅎㅂ", []int64{1, 2}},     // initial consonants
		{"환ㅂ", []int64{1, 2}},     // mixed
		{"ㅂㅅ", []int64{2}},        // 배송
		{"refund", []int64{4}},    // case-insensitive
		{"", []int64{3, 4, 2, 1}}, // favourites first, then by title
		{"없는말", nil},
		{"배송문의", []int64{2}},    // spacing ignored: 배송 문의
		{"환불 은", []int64{1}},    // in the query too: 환불은
		{"확인후 환 불", []int64{2}}, // and both
		// The last syllable as the input method has it, on the way.
		{"화", []int64{1, 2}},  // 환
		{"환부", []int64{1, 2}}, // 환불
		{"배소", []int64{2}},    // 배송
		{"택", []int64{2}},     // 택: as typed
		{"인삽", nil},           // 인사 + ㅂ: no syllable after 사
		{"안녕핫", []int64{3}},   // 안녕하 + ㅅ(세)
		{"화ㄴ", nil},           // a lone consonant is an initial, not a final
		{"3일", []int64{1}},    // not Hangul: as typed
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			got := ids(SearchCanned(list, tt.q))
			if len(got) != len(tt.want) {
				t.Fatalf("SearchCanned(%q) = %v, want %v", tt.q, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("SearchCanned(%q) = %v, want %v", tt.q, got, tt.want)
				}
			}
		})
	}
}

func TestCannedFill(t *testing.T) {
	v := CannedVars{CustomerName: "홍길동", AgentName: "김상담", RoomNo: 42}
	got := v.Fill("{고객명}님, {상담사명}입니다. ({방번호}번 / {customer_name} / {agent_name} / {room_no}) {unknown}")
	want := "홍길동님, 김상담입니다. (42번 / 홍길동 / 김상담 / 42) {unknown}"
	if got != want {
		t.Fatalf("Fill = %q, want %q", got, want)
	}
	if got := (CannedVars{Language: "en"}).Fill("Dear {customer_name},"); got != "Dear customer," {
		t.Fatalf("a nameless customer in English: %q", got)
	}
	if got := (CannedVars{}).Fill("{고객명}님"); got != "고객님" {
		t.Fatalf("nameless: %q", got)
	}
}

// TestSearchCannedCompoundFinal types words whose consonants pair into a
// compound final on the way: 발송 passes through 밠 (ㄹ and ㅅ make ㄽ
// until ㅗ takes the ㅅ), 일반 through 읿, 결과 through 겱, 없어 through
// 없 itself. An agent who pauses there must not be told nothing matches.
func TestSearchCannedCompoundFinal(t *testing.T) {
	list := []Canned{
		{ID: 1, Title: "발송 안내", Body: "오늘 발송됩니다."},
		{ID: 2, Title: "일반 문의", Body: "결과를 알려드립니다."},
		{ID: 3, Title: "재고", Body: "재고가 없어요."},
		{ID: 4, Title: "많이", Body: "많이 기다리셨죠."},
	}
	tests := []struct {
		q    string
		want int64
	}{
		{"밠", 1}, // 발 + ㅅ(송)
		{"읿", 2}, // 일 + ㅂ(반)
		{"겱", 2}, // 결 + ㄱ(과)
		{"없", 3}, // as typed
		{"재고가없", 3},
		{"많", 4},    // as typed
		{"오늘밠", 1},  // after other syllables
		{"마", 4},    // 많: on the way
		{"만", 4},    // 많: ㄴ takes ㅎ
		{"어", 3},    // 없: on the way
		{"재고가업", 3}, // 없: ㅂ takes ㅅ
	}
	for _, tt := range tests {
		got := SearchCanned(list, tt.q)
		if len(got) != 1 || got[0].ID != tt.want {
			t.Errorf("SearchCanned(%q) = %v, want only %d", tt.q, got, tt.want)
		}
	}
	// A compound final still needs the second consonant to follow: 밝 is
	// 발 + ㄱ, and no 발ㄱ… is written here.
	if got := SearchCanned(list, "밝"); len(got) != 0 {
		t.Errorf("SearchCanned(밝) = %v, want none", got)
	}
}
