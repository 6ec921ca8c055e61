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
		{"a representative number", ProfilePatch{Phone: s("1588-1234")}, ""},
		{"too few digits for a phone", ProfilePatch{Phone: s("1588")}, ErrInvalid},
		{"clear phone", ProfilePatch{Phone: s("")}, ""},
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
