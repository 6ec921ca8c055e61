package history

import (
	"slices"
	"strings"
)

// The customer filter (Filter.Customer) finds a customer by an exact
// customer ID or identifier, or by part of a name, nickname, email or
// phone number, through an index of the profiles' text built like the
// messages' (the same grams, the same substring rule, spacing aside):
//
//   - CustomerFields is what a profile offers: its name, nickname and
//     email as compact text (Compact), and its phone's digits alone.
//   - CustomerTerms is what a query looks for: its compact text and,
//     when it is written like a phone number (digits, '-', '+', spaces,
//     at least minPhoneDigits digits), its digits alone, and those
//     digits in Korea's other form (koreanForms: 010… and +82 10…).
//   - A profile matches when one of the query's terms is a substring of
//     one of its fields (CustomerMatches, the rule the recall test checks
//     the indexes against): 홍 길동 finds 홍길동 and the other way round.

// minPhoneDigits is how many digits a query needs to be compared with
// phone numbers as digits alone.
const minPhoneDigits = 3

// CustomerFields is the searchable text of a profile, one field each.
func CustomerFields(name, nickname, email, phone string) []string {
	return []string{Compact(name), Compact(nickname), Compact(email), Digits(phone)}
}

// Digits is s's digits alone, full-width ones (０１０) as ASCII.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range fold(s) {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phoneDigits is q's digits when q is written like a phone number, else "".
func phoneDigits(q string) string {
	for _, r := range fold(q) {
		if (r < '0' || r > '9') && r != '-' && r != ' ' && r != '+' {
			return ""
		}
	}
	if d := Digits(q); len(d) >= minPhoneDigits {
		return d
	}
	return ""
}

// CustomerTerms is what a customer filter looks for in profiles: any one
// of the terms (none when the query has no letters or digits, which then
// matches customer IDs only).
func CustomerTerms(q string) []Term {
	var out []Term
	if c := Compact(q); c != "" {
		out = append(out, Term{Text: c})
	}
	d := phoneDigits(q)
	if d != "" && (len(out) == 0 || out[0].Text != d) {
		out = append(out, Term{Text: d})
	}
	for _, alt := range koreanForms(q, d) {
		out = append(out, Term{Text: alt})
	}
	return out
}

// PhoneTerms is what a query written like a phone number looks for in a
// phone number's digits alone: its digits, and them in Korea's other form
// (koreanForms); none for any other query. The To check list searches
// tickets' contacts with them, as the customer filter does profiles'.
func PhoneTerms(q string) []string {
	d := phoneDigits(q)
	if d == "" {
		return nil
	}
	return append([]string{d}, koreanForms(q, d)...)
}

// koreanForms are a phone query's digits in Korea's other ways of writing
// them, so that 010-1234-5678 and +82 10-1234-5678 find each other (a
// messenger or a site may give either): a national number (0…) as its
// international digits (82…), and a query written +82… as the national
// ones and, for +82 010 (a common slip), as +82 10 too. None when the
// query is neither, and none shorter than minPhoneDigits.
func koreanForms(q, digits string) []string {
	var national string
	switch {
	case strings.HasPrefix(strings.TrimSpace(fold(q)), "+82") && len(digits) > 2:
		national = "0" + strings.TrimPrefix(digits[2:], "0")
	case len(digits) > 1 && digits[0] == '0' && digits[1] != '0':
		national = digits
	default:
		return nil
	}
	var out []string
	for _, alt := range []string{national, "82" + national[1:]} {
		if alt != digits && len(alt) >= minPhoneDigits && !slices.Contains(out, alt) {
			out = append(out, alt)
		}
	}
	return out
}

// CustomerMatches is the reference rule of the customer filter's text
// search: one of the terms is in one of the fields.
func CustomerMatches(fields []string, terms []Term) bool {
	for _, t := range terms {
		for _, f := range fields {
			if strings.Contains(f, t.Text) {
				return true
			}
		}
	}
	return false
}

// CustomerNorm is the profile's fields as PostgreSQL's index keeps them,
// one a line: a term (which holds no line break) is in one field exactly
// when it is in this text.
func CustomerNorm(fields []string) string { return strings.Join(fields, "\n") }

// CustomerGrams is the FTS5 tokens of each field (as Grams).
func CustomerGrams(fields []string) []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = grams(f)
	}
	return out
}

// CustomerGramSet is the distinct grams of the fields (as GramSet), for
// PostgreSQL's index.
func CustomerGramSet(fields []string) []string {
	var out []string
	for _, f := range fields {
		out = append(out, gramSet(f)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CustomerFTS5 is the FTS5 MATCH expression for any one of the terms.
func CustomerFTS5(terms []Term) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		parts[i] = FTS5([]Term{t})
	}
	return strings.Join(parts, " OR ")
}
