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
		{"Kim-Lee", []string{"kim lee"}, `"ki im m le ee"`},
		{"010-1234", []string{"010 1234", "0101234"}, `"01 10 0 12 23 34" OR "01 10 01 12 23 34"`},
		{"+82 10", []string{"82 10", "8210"}, `"82 2 10" OR "82 21 10"`},
		{"1234", []string{"1234"}, `"12 23 34"`},
		{"12", []string{"12"}, `"12"`},
		{"김", []string{"김"}, `"김" *`},
		{"@", nil, ``},
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
	fields := CustomerFields("Kim-Lee 민준", "", "MJ.Kim@Example.com", "+82 10-1234-5678")
	if want := []string{"kim lee 민준", "", "mj kim example com", "821012345678"}; !slices.Equal(fields, want) {
		t.Fatalf("CustomerFields = %q, want %q", fields, want)
	}
	for q, want := range map[string]bool{"kim lee": true, "lee 민": true, "example.com": true, "1012-345": true, "lee kim": false,
		"10-1234-5678": true, "kim example": true, "민준 mj": false, "5678": true} {
		if got := CustomerMatches(fields, CustomerTerms(q)); got != want {
			t.Errorf("CustomerMatches(%q) = %v, want %v", q, got, want)
		}
	}
}
