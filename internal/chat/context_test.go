package chat

import (
	"strings"
	"testing"
	"time"
)

func TestAge(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		birth string
		age   int
		ok    bool
	}{
		{"1990-11-21", 36, true}, // birthday today
		{"1990-11-22", 35, true}, // tomorrow
		{"1990-12-01", 35, true},
		{"2000-02-29", 26, true},
		{"2026-11-21", 0, true},
		{"", 0, false},
		{"1990/11/21", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.birth, func(t *testing.T) {
			age, ok := Age(tt.birth, now)
			if age != tt.age || ok != tt.ok {
				t.Fatalf("Age(%q) = %d, %v; want %d, %v", tt.birth, age, ok, tt.age, tt.ok)
			}
		})
	}
}

func TestProfilePatch(t *testing.T) {
	now := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	s := func(v string) *string { return &v }
	tests := []struct {
		name  string
		patch ProfilePatch
		want  string // the error code, or "" for success
	}{
		{"trimmed name", ProfilePatch{Name: s("  홍길동 ")}, ""},
		{"clear email", ProfilePatch{Email: s("")}, ""},
		{"email", ProfilePatch{Email: s("hong@example.com")}, ""},
		{"email with display name", ProfilePatch{Email: s("Hong <hong@example.com>")}, ErrInvalid},
		{"no at", ProfilePatch{Email: s("hong.example.com")}, ErrInvalid},
		{"birth date", ProfilePatch{BirthDate: s("1985-01-31")}, ""},
		{"impossible date", ProfilePatch{BirthDate: s("1985-02-30")}, ErrInvalid},
		{"future", ProfilePatch{BirthDate: s("2026-11-22")}, ErrInvalid},
		{"too old", ProfilePatch{BirthDate: s("1899-12-31")}, ErrInvalid},
		{"phone", ProfilePatch{Phone: s("+82 (10) 1234-5678")}, ""},
		{"letters in phone", ProfilePatch{Phone: s("010-CALL-ME")}, ErrInvalid},
		{"note at limit", ProfilePatch{Note: s(strings.Repeat("가", MaxNote))}, ""},
		{"note over limit", ProfilePatch{Note: s(strings.Repeat("가", MaxNote+1))}, ErrInvalid},
		{"multi-line note", ProfilePatch{Note: s("첫 줄\n둘째 줄")}, ""},
		{"multi-line nickname", ProfilePatch{Nickname: s("a\nb")}, ErrInvalid},
		{"long address", ProfilePatch{Address: s(strings.Repeat("가", 201))}, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Profile{Name: "before", Email: "old@example.com"}
			err := tt.patch.Apply(&p, now)
			if ErrorCode(err) != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.want != "" && (p.Name != "before" || p.Email != "old@example.com") {
				t.Fatalf("a refused patch changed %+v", p)
			}
		})
	}
	p := Profile{}
	if err := (ProfilePatch{Name: s("  홍길동 ")}).Apply(&p, now); err != nil || p.Name != "홍길동" {
		t.Fatalf("name %q, %v", p.Name, err)
	}
}

func TestMergeProfiles(t *testing.T) {
	into := Profile{ID: 1, CustomerID: "kim", Name: "김철수", Note: "VIP", Extra: map[string]string{"cus_extra_plan": "gold"}}
	from := Profile{ID: 2, CustomerID: "anon", Name: "익명", Phone: "010-1", Note: "메모", Extra: map[string]string{"cus_extra_plan": "free", "cus_extra_ref": "ad"}}
	got := MergeProfiles(into, from)
	if got.ID != 1 || got.CustomerID != "kim" || got.Name != "김철수" || got.Note != "VIP" || got.Phone != "010-1" ||
		got.Extra["cus_extra_plan"] != "gold" || got.Extra["cus_extra_ref"] != "ad" {
		t.Fatalf("merged %+v", got)
	}
}

func TestChildDepth(t *testing.T) {
	for parent, want := range map[int]string{0: "", 1: "", 2: "", 3: ErrCategoryTooDeep} {
		depth, err := ChildDepth(parent)
		if ErrorCode(err) != want || (want == "" && depth != parent+1) {
			t.Fatalf("ChildDepth(%d) = %d, %v", parent, depth, err)
		}
	}
}

func TestCleanNames(t *testing.T) {
	if n, err := CleanTagName(" " + strings.Repeat("가", MaxTagName) + " "); err != nil || n != strings.Repeat("가", MaxTagName) {
		t.Fatalf("20 characters: %q %v", n, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("가", MaxTagName+1), "a\tb"} {
		if _, err := CleanTagName(bad); ErrorCode(err) != ErrInvalid {
			t.Fatalf("tag %q accepted", bad)
		}
	}
	if _, err := CleanCategoryName(strings.Repeat("a", MaxCategoryName+1)); ErrorCode(err) != ErrInvalid {
		t.Fatal("long category accepted")
	}
	if err := CheckCustomerID("kim@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := CheckCustomerID("김 철수"); ErrorCode(err) != ErrInvalid {
		t.Fatal("customer ID with a space accepted")
	}
}

func TestRatingRules(t *testing.T) {
	replied := time.Now()
	tests := []struct {
		name    string
		c       Conversation
		rate    string
		request string
	}{
		{"no reply yet", Conversation{State: StateActive}, ErrNotReplied, ErrNotReplied},
		{"replied", Conversation{State: StateActive, FirstReplyAt: &replied}, "", ""},
		{"closed", Conversation{State: StateClosed, FirstReplyAt: &replied}, "", ErrConversationClosed},
		{"customer left", Conversation{State: StateActive, FirstReplyAt: &replied, CustomerLeftAt: &replied}, "", ErrConversationClosed},
		{"rated", Conversation{State: StateActive, FirstReplyAt: &replied, Rating: &Rating{Score: 5}}, ErrAlreadyRated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(CanRate(tt.c)); got != tt.rate {
				t.Fatalf("CanRate = %q, want %q", got, tt.rate)
			}
			if got := ErrorCode(CanRequestRating(tt.c)); got != tt.request {
				t.Fatalf("CanRequestRating = %q, want %q", got, tt.request)
			}
		})
	}
	for _, score := range []int{0, 6, -1} {
		if ErrorCode(CheckRating(score, "")) != ErrInvalid {
			t.Fatalf("score %d accepted", score)
		}
	}
	if CheckRating(3, strings.Repeat("가", 1001)) == nil {
		t.Fatal("long comment accepted")
	}
}

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
	if got := (CannedVars{}).Fill("{고객명}님"); got != "고객님" {
		t.Fatalf("nameless: %q", got)
	}
}
