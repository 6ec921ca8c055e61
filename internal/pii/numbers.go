package pii

import (
	"strings"
)

// group is a run of digits inside a number, and the separator before it.
type group struct {
	start, end int  // rune offsets in the text
	sep        rune // 0 for the first group, else '-', '.' or ' '
}

func (g group) len() int { return g.end - g.start }

// window is a candidate: consecutive groups of one number.
type window struct {
	groups []group
	plus   bool // preceded by '+' (an international number)
	digits string
}

func (w window) start() int {
	if w.plus {
		return w.groups[0].start - 1
	}
	return w.groups[0].start
}
func (w window) end() int { return w.groups[len(w.groups)-1].end }

// shape is the groups' lengths, like "3-4-4"; one group is just its length.
func (w window) shape() string {
	var b strings.Builder
	for i, g := range w.groups {
		if i > 0 {
			b.WriteByte('-')
		}
		n := g.len()
		if n >= 10 {
			b.WriteByte('0' + byte(n/10))
		}
		b.WriteByte('0' + byte(n%10))
	}
	return b.String()
}

// tight reports whether the groups are joined by dashes or dots only.
func (w window) tight() bool {
	for _, g := range w.groups[1:] {
		if g.sep == ' ' {
			return false
		}
	}
	return true
}

// numbers finds runs of digit groups joined by single separators, drops
// those that are part of a code (letters or other digits glued to them),
// and tries each run of whole words (groups joined without spaces) against
// every numeric kind.
func (s *scanner) numbers() {
	r := s.r
	for i := 0; i < len(r); {
		if !isDigit(r[i]) || i > 0 && isDigit(r[i-1]) {
			i++
			continue
		}
		var groups []group
		j := i
		for {
			k := j
			for k < len(r) && isDigit(r[k]) {
				k++
			}
			sep := rune(0)
			if len(groups) > 0 {
				sep = r[j-1]
			}
			groups = append(groups, group{start: j, end: k, sep: sep})
			if k+1 < len(r) && (r[k] == '-' || r[k] == '.' || r[k] == ' ') && isDigit(r[k+1]) && len(groups) < 12 {
				j = k + 1
				continue
			}
			j = k
			break
		}
		s.run(groups)
		i = j
	}
}

// glued reports whether the run [start,end) continues a code or an amount:
// letters, '#', '_' or a digit behind a comma, dash or slash next to it.
// A label before it (letters and a colon) is not a code.
// A formatted number (groups joined by dashes or dots) is not glued by a
// slash or comma: people list numbers so ("010-2345-6789/02-123-4567",
// "010-2345-6789,010-9876-5432") and write a card's expiry after it
// ("4111-1111-1111-1111/12/25"), while amounts and dates, which those
// glue, are a single group.
func (s *scanner) glued(start, end int, formatted bool) bool {
	r := s.r
	lists := func(c rune) bool { return formatted && (c == '/' || c == ',') }
	// A word's letters, then a colon (or, before a formatted number, a
	// dot), are a label: "HP:010-2345-6789", "Tel.02-123-4567".
	label := func(c rune) bool {
		return start > 1 && isASCIILetter(r[start-2]) && (c == ':' || formatted && c == '.')
	}
	if start > 0 {
		p := r[start-1]
		switch {
		case isASCIILetter(p) || p == '#' || p == '_' || p == '@' || p == '$' || p == '₩':
			return true
		case (p == '-' || p == '/' || p == ',' || p == '.' || p == ':') && !lists(p) && !label(p) && start > 1 && isAlnum(r[start-2]):
			return true
		}
	}
	if end < len(r) {
		n := r[end]
		switch {
		case isASCIILetter(n) || n == '_' || n == '@' || n == '%':
			return true
		case (n == '-' || n == '/' || n == ',' || n == ':' || n == '.') && !lists(n) && end+1 < len(r) && isAlnum(r[end+1]):
			return true
		}
	}
	return false
}

// run tries every window of whole space-separated words of one run.
func (s *scanner) run(groups []group) {
	// Words: groups joined by '-' or '.' belong together.
	var words [][]group
	for _, g := range groups {
		if g.sep == 0 || g.sep == ' ' {
			words = append(words, []group{g})
		} else {
			words[len(words)-1] = append(words[len(words)-1], g)
		}
	}
	plus := groups[0].start > 0 && s.r[groups[0].start-1] == '+'
	for a := 0; a < len(words); a++ {
		var w window
		var digits strings.Builder
		for b := a; b < len(words) && b-a < 5; b++ {
			w.groups = append(w.groups, words[b]...)
			for _, g := range words[b] {
				digits.WriteString(string(s.r[g.start:g.end]))
			}
			w.digits = digits.String()
			w.plus = plus && a == 0
			if len(w.digits) > 19 {
				break
			}
			// A window must not be glued to letters or to the words left
			// out on either side only by a dash.
			if s.glued(w.start(), w.end(), len(w.groups) > 1 && w.tight()) {
				continue
			}
			s.tryNumber(w)
		}
	}
}

func (s *scanner) tryNumber(w window) {
	start, end := w.start(), w.end()
	if k, conf := s.phone(w); conf > 0 {
		s.add(k, start, end, conf)
	}
	if k, conf := s.registration(w); conf > 0 {
		s.add(k, start, end, conf)
	}
	if conf := s.card(w); conf > 0 {
		s.add(Card, start, end, conf)
	}
	if conf := s.account(w); conf > 0 {
		s.add(Account, start, end, conf)
	}
	if st, conf := s.license(w); conf > 0 {
		s.add(DriverLicense, st, end, conf)
	}
}

// phone recognises Korean phone numbers: mobiles (010, 011, 016–019),
// Seoul (02) and the other area codes, 070, 050x, 080, the eight-digit
// 15xx/16xx/18xx numbers, and +82 forms.
func (s *scanner) phone(w window) (Kind, float64) {
	d := w.digits
	groups := w.groups
	if w.plus {
		if !strings.HasPrefix(d, "82") {
			return "", 0
		}
		d = d[2:]
		if groups[0].len() == 2 {
			groups = groups[1:]
		} else {
			groups = append([]group{{start: groups[0].start + 2, end: groups[0].end}}, groups[1:]...)
		}
		if !strings.HasPrefix(d, "0") {
			d = "0" + d
		}
	}
	if len(groups) == 0 {
		return "", 0
	}
	prefix, ok := phonePrefix(d)
	if !ok {
		return "", 0
	}
	conf := 0.97
	switch {
	case len(groups) == 1:
		// Unformatted: the length is all there is to go by, and a landline's
		// length is a common order number's too.
		if !strings.HasPrefix(d, "01") && s.negative(w.start(), nil) {
			return "", 0
		}
		if strings.HasPrefix(d, "1") {
			return "", 0 // 15881234 is too often something else
		}
		conf = 0.95
	case len(groups) == 2:
		// 1588-1234, or 02 1234-5678 / 010 12345678 style halves.
		first := groups[0].len()
		if w.plus {
			first++
		}
		if strings.HasPrefix(d, "1") {
			if first != 4 || groups[1].len() != 4 || !w.tight() {
				return "", 0
			}
			conf = 0.9
		} else if first != len(prefix) {
			return "", 0
		}
	case len(groups) == 3:
		first := groups[0].len()
		if w.plus && !strings.HasPrefix(w.digits[2:], "0") {
			first++ // +82 10-…: the 0 is implied
		}
		if first != len(prefix) || groups[1].len() < 3 || groups[1].len() > 4 || groups[2].len() != 4 {
			return "", 0
		}
	default:
		return "", 0
	}
	return Phone, conf
}

// phonePrefix returns the area or service code that d starts with, when
// d's length fits it.
func phonePrefix(d string) (string, bool) {
	n := len(d)
	switch {
	case strings.HasPrefix(d, "010"):
		return "010", n == 11
	case len(d) > 3 && d[:2] == "01" && strings.ContainsRune("16789", rune(d[2])):
		return d[:3], n == 10 || n == 11
	case strings.HasPrefix(d, "02"):
		return "02", n == 9 || n == 10
	case strings.HasPrefix(d, "070"):
		return "070", n == 11
	case strings.HasPrefix(d, "050") && n == 12 && d[3] >= '2' && d[3] <= '8':
		return d[:4], true
	case strings.HasPrefix(d, "080"):
		return "080", n == 10 || n == 11
	case len(d) > 3 && d[0] == '0' && areaCode(d[:3]):
		return d[:3], n == 10 || n == 11
	case n == 8 && (d[:2] == "15" || d[:2] == "16" || d[:2] == "18"):
		return d[:4], true
	}
	return "", false
}

func areaCode(c string) bool {
	switch c {
	case "031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055", "061", "062", "063", "064":
		return true
	}
	return false
}

// registration recognises resident (and foreigner) registration numbers:
// six digits of a real birth date, a seventh that gives the century and
// whether the holder is a foreigner, and, for numbers issued before
// October 2020, the check digit.
func (s *scanner) registration(w window) (Kind, float64) {
	d := w.digits
	if len(d) != 13 || w.plus {
		return "", 0
	}
	sh := w.shape()
	if sh != "6-7" && sh != "13" {
		return "", 0
	}
	kind, conf := checkRegistration(d)
	if conf == 0 {
		return "", 0
	}
	if sh == "13" {
		if s.negative(w.start(), rrnWords) {
			return "", 0
		}
		conf -= 0.03
	}
	return kind, conf
}

// checkRegistration validates the 13 digits of a registration number.
func checkRegistration(d string) (Kind, float64) {
	yy := atoi(d[0:2])
	mm := atoi(d[2:4])
	dd := atoi(d[4:6])
	g := d[6] - '0'
	var century int
	kind := RRN
	switch g {
	case 1, 2:
		century = 1900
	case 3, 4:
		century = 2000
	case 5, 6:
		century, kind = 1900, ForeignerRN
	case 7, 8:
		century, kind = 2000, ForeignerRN
	default:
		return "", 0
	}
	year := century + yy
	if mm < 1 || mm > 12 || dd < 1 || dd > daysIn(year, mm) {
		return "", 0
	}
	// Numbers issued from October 2020 end in random digits.
	if year*100+mm >= 202010 {
		return kind, 0.9
	}
	sum := 0
	for i, m := range []int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5} {
		sum += int(d[i]-'0') * m
	}
	want := (11 - sum%11) % 10
	if kind == ForeignerRN {
		want = (13 - sum%11) % 10
	}
	if int(d[12]-'0') != want {
		return "", 0
	}
	return kind, 0.99
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// card recognises payment card numbers: 13 to 19 digits, unbroken or in
// the groups cards print (4-4-4-4, 4-6-5, 4-6-4), a known issuer prefix
// and a Luhn check that holds.
func (s *scanner) card(w window) float64 {
	d := w.digits
	if len(d) < 13 || len(d) > 19 || w.plus || !Luhn(d) || !knownIssuer(d) {
		return 0
	}
	sh := w.shape()
	switch {
	case len(w.groups) == 1:
		if s.negative(w.start(), cardWords) || s.context(w.start(), accountWords) && !s.context(w.start(), cardWords) {
			return 0
		}
		return 0.9
	case sh == "4-6-5" || sh == "4-6-4":
		return 0.97
	}
	for i, g := range w.groups {
		if i < len(w.groups)-1 && g.len() != 4 || i == len(w.groups)-1 && (g.len() < 1 || g.len() > 4) {
			return 0
		}
	}
	return 0.98
}

// Luhn reports whether the digits d pass the Luhn check.
func Luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		n := int(d[i] - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

// knownIssuer reports whether d starts like a card of a known network:
// Visa, Mastercard, American Express, JCB, Diners, Discover, UnionPay, or
// a Korean domestic card (9, sixteen digits).
func knownIssuer(d string) bool {
	p2 := atoi(d[:2])
	p4 := atoi(d[:4])
	n := len(d)
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		return n == 16
	case p2 == 34 || p2 == 37:
		return n == 15
	case p4 >= 3528 && p4 <= 3589:
		return n >= 16 && n <= 19
	case p2 == 36 || p2 == 38 || atoi(d[:3]) >= 300 && atoi(d[:3]) <= 305:
		return n >= 14 && n <= 19
	case p4 == 6011 || p2 == 65 || atoi(d[:3]) >= 644 && atoi(d[:3]) <= 649:
		return n >= 16 && n <= 19
	case p2 == 62:
		return n >= 16 && n <= 19
	case d[0] == '9':
		return n == 16
	}
	return false
}

// accountShapes are the group patterns the major Korean banks print.
var accountShapes = map[string]bool{
	"3-3-6":   true, // 신한, 케이뱅크
	"3-2-6":   true, // 신한 (old), SC제일
	"4-3-6":   true, // 우리
	"3-6-5":   true, // 하나
	"3-4-4-2": true, // 농협
	"6-2-6":   true, // 국민, 농협, 우체국
	"3-6-2-3": true, // IBK기업
	"4-2-7":   true, // 카카오뱅크
	"4-4-4":   true, // 토스뱅크
	"3-2-4-3": true, // 국민 (old)
	"3-3-5":   true, // 수협, 새마을금고 and others
	"4-4-5":   true, // 부산 and others
}

// account recognises bank account numbers: a bank's group pattern next
// to words about accounts or a bank's name, or 10 to 14 unbroken digits
// after such words. No bank publishes a check digit, so the words decide.
func (s *scanner) account(w window) float64 {
	d := w.digits
	if w.plus || len(d) < 10 || len(d) > 14 {
		return 0
	}
	if _, ok := phonePrefix(d); ok && d[0] == '0' {
		return 0
	}
	own := s.context(w.start(), accountWords) || s.accountAfter(w.end())
	sh := w.shape()
	switch {
	case len(w.groups) == 1:
		if own {
			return 0.9
		}
	case accountShapes[sh]:
		if own {
			return 0.96
		}
		if sh == "4-2-7" && (strings.HasPrefix(d, "3333") || strings.HasPrefix(d, "7979")) {
			return 0.9 // 카카오뱅크
		}
	}
	return 0
}

// accountAfter reports whether a bank's name follows just after end
// ("110-123-456789 신한이요").
func (s *scanner) accountAfter(end int) bool {
	a := s.after(end, 10)
	for _, w := range accountWords {
		if strings.Contains(a, w) {
			return true
		}
	}
	return false
}

var licenseRegions = []string{"서울", "부산", "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주", "대구", "인천", "광주", "대전", "울산"}

// license recognises driver's licence numbers: 2-2-6-2 digits whose first
// pair is a licensing region (11–26, 28), or a region's name and 2-6-2.
// It returns where the finding starts (the region's name, if written).
func (s *scanner) license(w window) (int, float64) {
	d := w.digits
	if w.plus || len(d) != 12 && len(d) != 10 {
		return 0, 0
	}
	own := s.context(w.start(), licenseWords)
	sh := w.shape()
	switch sh {
	case "2-2-6-2":
		r := atoi(d[:2])
		if r < 11 || r > 28 || r == 27 {
			return 0, 0
		}
		if own {
			return w.start(), 0.98
		}
		return w.start(), 0.9
	case "12":
		r := atoi(d[:2])
		if own && r >= 11 && r <= 28 && r != 27 {
			return w.start(), 0.9
		}
	case "2-6-2":
		b := s.before(w.start(), 3)
		trimmed := strings.TrimRight(b, " ")
		for _, name := range licenseRegions {
			if strings.HasSuffix(trimmed, name) {
				return w.start() - (len([]rune(b)) - len([]rune(trimmed))) - len([]rune(name)), 0.95
			}
		}
	}
	return 0, 0
}
