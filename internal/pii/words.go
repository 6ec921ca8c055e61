package pii

// words finds passport numbers: a letter for the passport's type (M, S, R,
// G, D, O or T) and eight digits, or, since December 2021, the type, three
// digits, a letter and four digits. The old form looks like many product
// codes, so it needs 여권 or passport before it; the new one is distinctive
// enough alone unless the words before it name a product or an order.
func (s *scanner) words() {
	r := s.r
	for i := 0; i+9 <= len(r); i++ {
		c := r[i]
		if c != 'M' && c != 'S' && c != 'R' && c != 'G' && c != 'D' && c != 'O' && c != 'T' &&
			c != 'm' && c != 's' && c != 'r' && c != 'g' && c != 'd' && c != 'o' && c != 't' {
			continue
		}
		if i > 0 && (isAlnum(r[i-1]) || r[i-1] == '-' || r[i-1] == '_' || r[i-1] == '#') {
			continue
		}
		if i+9 < len(r) && (isAlnum(r[i+9]) || r[i+9] == '-' || r[i+9] == '_' || r[i+9] == '@') {
			continue
		}
		old := true
		for _, d := range r[i+1 : i+9] {
			if !isDigit(d) {
				old = false
				break
			}
		}
		neu := isDigit(r[i+1]) && isDigit(r[i+2]) && isDigit(r[i+3]) && isASCIILetter(r[i+4]) &&
			isDigit(r[i+5]) && isDigit(r[i+6]) && isDigit(r[i+7]) && isDigit(r[i+8])
		own := s.context(i, passportWords)
		switch {
		case old && own:
			s.add(Passport, i, i+9, 0.97)
		case neu && own:
			s.add(Passport, i, i+9, 0.98)
		case neu && !s.negative(i, passportWords):
			s.add(Passport, i, i+9, 0.9)
		}
	}
}

// emails finds addresses around each @: a local part of the characters
// addresses use and a domain of labels with a dot and a TLD of letters.
// Korean particles after the address end it (abc@naver.com으로).
func (s *scanner) emails() {
	r := s.r
	for at, c := range r {
		if c != '@' {
			continue
		}
		a := at
		for a > 0 && localChar(r[a-1]) {
			a--
		}
		for a < at && (r[a] == '.' || r[a] == '-') {
			a++
		}
		if a == at {
			continue
		}
		b := at + 1
		for b < len(r) && (isAlnum(r[b]) || r[b] == '-' || r[b] == '.') {
			b++
		}
		for b > at+1 && (r[b-1] == '.' || r[b-1] == '-') {
			b--
		}
		domain := r[at+1 : b]
		dot := -1
		for i, d := range domain {
			if d == '.' {
				dot = i
			}
		}
		if dot <= 0 || len(domain)-dot-1 < 2 {
			continue
		}
		tldOK := true
		for _, d := range domain[dot+1:] {
			if !isASCIILetter(d) {
				tldOK = false
			}
		}
		if !tldOK {
			continue
		}
		s.add(Email, a, b, 0.99)
	}
}

func localChar(c rune) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}
