package history

import (
	"slices"
	"testing"
)

func TestCustomerTerms(t *testing.T) {
	tests := []struct {
		q     string
		terms []string
		fts   string
	}{
		{"고객1234", []string{"고객1234"}, `"고객 객1 12 23 34"`},
		{"Kim-Lee", []string{"kimlee"}, `"ki im ml le ee"`},
		// The digits alone are the same term; Korea's other form is another.
		{"010-1234", []string{"0101234", "82101234"}, `"01 10 01 12 23 34" OR "82 21 10 01 12 23 34"`},
		{"+82 10", []string{"8210", "010"}, `"82 21 10" OR "01 10"`},
		{"+82 010-1234", []string{"820101234", "0101234", "82101234"}, `"82 20 01 10 01 12 23 34" OR "01 10 01 12 23 34" OR "82 21 10 01 12 23 34"`},
		{"+82 0", []string{"820"}, `"82 20"`},
		{"0010", []string{"0010"}, `"00 01 10"`}, // an international prefix: no national form
		{"1234-5678", []string{"12345678"}, `"12 23 34 45 56 67 78"`},
		{"02) 345", []string{"02345"}, `"02 23 34 45"`},
		{"홍 길동", []string{"홍길동"}, `"홍길 길동"`},
		{"1234", []string{"1234"}, `"12 23 34"`},
		{"12", []string{"12"}, `"12"`},
		{"김", []string{"김"}, `"김" *`},
		{"@", nil, ``},
		// Full-width digits, as a Korean IME types them.
		{"０１０－１２３４", []string{"0101234", "82101234"}, `"01 10 01 12 23 34" OR "82 21 10 01 12 23 34"`},
		{"＋８２ １０", []string{"8210", "010"}, `"82 21 10" OR "01 10"`},
	}
	for _, tt := range tests {
		terms := CustomerTerms(tt.q)
		var got []string
		for _, term := range terms {
			got = append(got, term.Text)
		}
		if !slices.Equal(got, tt.terms) {
			t.Errorf("CustomerTerms(%q) = %q, want %q", tt.q, got, tt.terms)
		}
		if fts := CustomerFTS5(terms); fts != tt.fts {
			t.Errorf("CustomerFTS5(%q) = %s, want %s", tt.q, fts, tt.fts)
		}
	}
	if got, want := CustomerFields("", "", "", "０１０－５５５５－１２３４")[3], "01055551234"; got != want {
		t.Errorf("a full-width phone's digits = %q, want %q", got, want)
	}
	fields := CustomerFields("Kim-Lee 민준", "", "MJ.Kim@Example.com", "+82 10-1234-5678")
	if want := []string{"kimlee민준", "", "mjkimexamplecom", "821012345678"}; !slices.Equal(fields, want) {
		t.Fatalf("CustomerFields = %q, want %q", fields, want)
	}
	for q, want := range map[string]bool{"kim lee": true, "lee 민": true, "example.com": true, "1012-345": true, "lee kim": false,
		"10-1234-5678": true, "kim example": true,
		"010-1234-5678": true, "010 1234": true, "+82 010-1234-5678": true, "+82 10 1234": true, "011-1234-5678": false, "민준 mj": false, "5678": true, "kimlee": true, "lee민준": true} {
		if got := CustomerMatches(fields, CustomerTerms(q)); got != want {
			t.Errorf("CustomerMatches(%q) = %v, want %v", q, got, want)
		}
	}
}
