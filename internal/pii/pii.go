// Package pii finds personal information in chat text: Korean resident
// and foreigner registration numbers, phone numbers, card numbers, bank
// account numbers, passport and driver's licence numbers, and email
// addresses. It is pure: no I/O, no state, safe for concurrent use.
//
// Spans are in Unicode code points (not bytes, not UTF-16 units), as the
// API gives them. The scanner works inside Korean sentences: a number may
// touch Hangul on either side (010-1234-5678로, 900101-1234567이에요),
// digits may be full-width (０１０), and dashes may be any of the dash
// characters people paste. It avoids obvious false positives by checking
// what each kind's format allows (dates inside registration numbers, the
// check digit where one exists, Luhn and issuer prefixes for cards, area
// codes for phones, bank group patterns for accounts) and by reading the
// words just before a number: 주문번호, 송장, 운송장, 사업자… turn a
// number that only a weak format supports into a non-finding.
package pii

import (
	"slices"
	"strings"
)

// Kind is a kind of personal information.
type Kind string

// Kinds, as the API names them.
const (
	RRN           Kind = "rrn"
	ForeignerRN   Kind = "foreigner_rn"
	Phone         Kind = "phone"
	Card          Kind = "card"
	Account       Kind = "account"
	Passport      Kind = "passport"
	DriverLicense Kind = "driver_license"
	Email         Kind = "email"
)

// Kinds lists every kind in the API's order.
var Kinds = []Kind{RRN, ForeignerRN, Phone, Card, Account, Passport, DriverLicense, Email}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Finding is one piece of personal information in a text.
type Finding struct {
	Kind Kind `json:"kind"`
	// Start and End are code-point offsets: text[Start:End] in runes.
	Start int `json:"start"`
	End   int `json:"end"`
	// Confidence is how sure the scanner is, from 0 to 1: 0.99 for a
	// number whose check digit holds, lower where only the shape and the
	// words around it say so.
	Confidence float64 `json:"confidence"`
}

// Scan returns the findings in text, in order, without overlaps.
func Scan(text string) []Finding {
	if !MayHold(text) {
		return nil
	}
	s := newScanner(text)
	s.numbers()
	s.words()
	s.emails()
	return s.resolve()
}

// ScanFileName returns the findings in a file's name. People write a
// name's words apart with underscores ("홍길동_010-1234-5678_신분증.jpg")
// or dots ("scan.010-1234-5678.pdf"), which Scan reads as part of a code
// or a decimal: here they read as spaces. A dot reads as a space only
// where a number starts or ends at it, so that dots inside a number
// (010.1234.5678) or a word stay, and never in a name with an @, whose
// dots are an email address's. The extension (up to five letters and
// digits after the last dot, a letter among them) is left out, so that it
// is never masked and never reads as letters glued to a number. Offsets
// are the name's.
func ScanFileName(name string) []Finding {
	r := []rune(name)
	stem := extension(r)
	email := slices.ContainsFunc(r[:stem], func(c rune) bool { return normalise(c) == '@' })
	digit := func(i int) bool { return isDigit(normalise(r[i])) }
	words := make([]rune, stem)
	for i, c := range r[:stem] {
		switch {
		case c == '_' || c == '＿':
			c = ' '
		case normalise(c) == '.' && !email && i > 0 && i+1 < stem && digit(i-1) != digit(i+1):
			c = ' '
		}
		words[i] = c
	}
	return Scan(string(words))
}

// extension is where a file name's extension starts (its dot), or the
// name's length when it has none.
func extension(r []rune) int {
	for i := len(r) - 1; i > 0 && len(r)-i <= 6; i-- {
		if r[i] != '.' {
			continue
		}
		letter := false
		for _, c := range r[i+1:] {
			if !isAlnum(c) {
				return len(r)
			}
			letter = letter || isASCIILetter(c)
		}
		if letter {
			return i
		}
		break
	}
	return len(r)
}

// MayHold is a quick test: every kind needs a digit or an @ (full-width
// ones included), so most chat lines are done after one pass over bytes.
func MayHold(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= '0' && c <= '9' || c == '@' {
			return true
		}
		// U+FF10–U+FF19 (full-width digits) and U+FF20 (＠) are EF BC 90–99, A0.
		if c == 0xEF && i+2 < len(text) && text[i+1] == 0xBC && (text[i+2] >= 0x90 && text[i+2] <= 0x99 || text[i+2] == 0xA0) {
			return true
		}
	}
	return false
}

type scanner struct {
	orig  []rune
	r     []rune // normalised: ASCII digits, '-' for every dash, '@', '+', ' '
	found []Finding
}

func newScanner(text string) *scanner {
	orig := []rune(text)
	r := make([]rune, len(orig))
	for i, c := range orig {
		r[i] = normalise(c)
	}
	return &scanner{orig: orig, r: r}
}

func normalise(c rune) rune {
	switch {
	case c >= '０' && c <= '９':
		return '0' + (c - '０')
	case c >= 'Ａ' && c <= 'Ｚ':
		return 'A' + (c - 'Ａ')
	case c >= 'ａ' && c <= 'ｚ':
		return 'a' + (c - 'ａ')
	}
	switch c {
	case '－', '‐', '‑', '‒', '–', '—', '―', '−':
		return '-'
	case '＠':
		return '@'
	case '＋':
		return '+'
	case '．':
		return '.'
	case '\u3000', '\u00a0', '\t':
		return ' '
	}
	return c
}

func isDigit(c rune) bool       { return c >= '0' && c <= '9' }
func isASCIILetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c rune) bool       { return isDigit(c) || isASCIILetter(c) }

func (s *scanner) add(k Kind, start, end int, conf float64) {
	s.found = append(s.found, Finding{Kind: k, Start: start, End: end, Confidence: conf})
}

// resolve keeps, of overlapping findings, the more confident (then the
// longer), and orders them.
func (s *scanner) resolve() []Finding {
	if len(s.found) == 0 {
		return nil
	}
	c := slices.Clone(s.found)
	slices.SortStableFunc(c, func(a, b Finding) int {
		if a.Confidence != b.Confidence {
			if a.Confidence > b.Confidence {
				return -1
			}
			return 1
		}
		return (b.End - b.Start) - (a.End - a.Start)
	})
	var out []Finding
	for _, f := range c {
		if !slices.ContainsFunc(out, func(o Finding) bool { return f.Start < o.End && o.Start < f.End }) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Finding) int { return a.Start - b.Start })
	return out
}

// before is the text of up to n runes before position i, lower-cased,
// stopping at a line break.
func (s *scanner) before(i, n int) string {
	j := i
	for j > 0 && i-j < n && s.r[j-1] != '\n' {
		j--
	}
	return strings.ToLower(string(s.r[j:i]))
}

// after is the text of up to n runes from position i, lower-cased.
func (s *scanner) after(i, n int) string {
	j := i
	for j < len(s.r) && j-i < n && s.r[j] != '\n' {
		j++
	}
	return strings.ToLower(string(s.r[i:j]))
}

// lastIndexAny is the end of the last of words in text, or -1.
func lastIndexAny(text string, words []string) int {
	best := -1
	for _, w := range words {
		if i := strings.LastIndex(text, w); i >= 0 && i+len(w) > best {
			best = i + len(w)
		}
	}
	return best
}

// Words that say what the number after them is. A number whose format
// alone is weak (an account, an unformatted card or registration number)
// needs its own words closer to it than any of the negatives.
var (
	negativeWords = []string{"주문", "송장", "운송장", "택배", "배송", "등기", "예약", "접수번호", "상품", "모델", "제품", "시리얼", "일련",
		"쿠폰", "사업자", "인증번호", "승인번호", "거래번호", "결제번호", "회원번호", "문의번호", "티켓", "order", "tracking", "invoice", "s/n", "sku", "serial", "coupon", "ref"}
	rrnWords      = []string{"주민", "주민번호", "주민등록", "생년월일", "등록번호", "외국인", "rrn"}
	cardWords     = []string{"카드", "card", "신용", "체크", "결제"}
	accountWords  = []string{"계좌", "입금", "환불", "송금", "이체", "은행", "뱅크", "농협", "국민", "신한", "우리", "하나", "기업", "우체국", "새마을", "수협", "신협", "제일", "카카오", "토스", "케이뱅크", "부산", "대구", "경남", "광주", "전북", "account", "bank", "예금주"}
	passportWords = []string{"여권", "passport"}
	licenseWords  = []string{"면허", "운전", "license", "licence"}
)

// context reports whether one of own stands in the words before position
// i, later than any negative word.
func (s *scanner) context(i int, own []string) bool {
	b := s.before(i, 24)
	o := lastIndexAny(b, own)
	return o >= 0 && o >= lastIndexAny(b, negativeWords)
}

// negative reports whether a negative word stands before position i, later
// than any of own.
func (s *scanner) negative(i int, own []string) bool {
	b := s.before(i, 16)
	n := lastIndexAny(b, negativeWords)
	return n >= 0 && n > lastIndexAny(b, own)
}
