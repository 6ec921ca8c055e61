package faq

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// The analyzer turns text into search features. Korean is written in
// words (어절) of a stem followed by particles and endings (환불은,
// 환불하려면), and people space compound nouns freely (배송조회, 배송 조회),
// so a whole word is a poor unit. The features are:
//
//   - "b:" the syllable bigrams of each word's stem, and of the seam
//     between two neighbouring words (so spacing does not matter): most
//     Korean nouns are two syllables, so 환불 in 환불은 is found as itself;
//   - "u:" a stem of one syllable (안, 와);
//   - "l:" a Latin or digit word, lower-cased, lightly stemmed;
//   - "w:" a stem of three syllables or more as a whole, a bonus for the
//     exact compound.
//
// Text is first folded: NFC, full- and half-width forms to their usual
// width, lower case.

// fold normalises text for matching.
func fold(s string) string {
	return strings.ToLower(width.Fold.String(norm.NFC.String(s)))
}

// feature is one search feature and its weight in the text it came from.
type feature struct {
	term   string
	weight float64
	// word numbers the question's word the feature came from; -1 for the
	// seam between two words, which adds to a match but is not asked for.
	word int
	soft bool
}

// script of a rune, for splitting mixed words (CJ대한통운 → cj, 대한통운).
type script int

const (
	other script = iota
	hangul
	latin
	digit
	jamo // compatibility consonants typed alone (ㅎㅂ)
)

func scriptOf(r rune) script {
	switch {
	case r >= 0xAC00 && r <= 0xD7A3:
		return hangul
	case r >= 0x3131 && r <= 0x314E:
		return jamo
	case r >= '0' && r <= '9':
		return digit
	case unicode.IsLetter(r):
		return latin
	}
	return other
}

// word is one run of a single script.
type word struct {
	text   string
	script script
	// joined: no space or punctuation separates it from the word before.
	joined bool
}

// words splits folded text into single-script runs.
func words(s string) []word {
	var out []word
	var cur []rune
	cs := other
	joined := false
	flush := func(next bool) {
		if len(cur) > 0 {
			out = append(out, word{text: string(cur), script: cs, joined: joined})
			cur = cur[:0]
		}
		joined = next
	}
	for _, r := range s {
		sc := scriptOf(r)
		if sc == other {
			flush(false)
			cs = other
			continue
		}
		if sc != cs && len(cur) > 0 {
			flush(true)
		}
		cs = sc
		cur = append(cur, r)
	}
	flush(false)
	return out
}

// suffixes are particles and endings stripped from a Korean word, longest
// first. They are the ones customers type in questions and FAQs use in
// titles; a word that is only an ending (해요) disappears.
var suffixes = strings.Fields(`
	하고싶어요 하고싶은데 하고싶습니다 하려는데 하려고요 하려면 하려고 하는법 하는데 했는데 했어요 합니다 할래요 할까요 해주세요 해줘요
	해야 해도 해요 하면 하나요 하는 하고 했어 해줘 할 한 해 하기
	되나요 됐어요 됐는데 되는데 되는 되면 돼요 되요 된 됨 될까요
	인가요 인데요 인데 이에요 이래요 이라고 입니다 이요 이랑 에서는 에서 에게 한테 으로 부터 까지 이나 께서
	나요 어요 아요 았어요 었어요 네요 세요 주세요 까요 래요 예요 에요 는데 은데 가요 게요 려면 려고 ㄴ가요
	은 는 이 가 을 를 에 로 와 과 도 만 의 랑 나 요 고 면
`)

// endings holds the suffixes; maxSuffix is the longest's length.
var (
	endings   = map[string]bool{}
	maxSuffix int
)

func init() {
	for _, s := range suffixes {
		endings[s] = true
		maxSuffix = max(maxSuffix, len([]rune(s)))
	}
}

// soft words narrow a question (환불 언제 is not 환불 상태) without being
// its topic: they add to an article's score when it has them, and a
// question is not less answered by an article without them.
var soft = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`언제 언제까지 어디 어디서 어디에 얼마 얼마나 몇 며칠 방법 가능 하는법 법 안 못 왜
		when where how long much many way`) {
		soft[w] = true
	}
}

// stopwords carry no topic: question words, greetings, fillers. They are
// dropped from questions and articles alike, after stripping.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`
		어떻게 어떡 어느 왜 뭐 뭔가 뭔지 뭐가 무엇
		좀 제 제가 저 저는 내 나 우리 혹시 그냥 너무 진짜 정말 아직 지금 방금 다시 이거 그거 이 그 저거 거 것 건 게 수 때 뒤
		있나 있나요 있어 있어요 있는 있을 있 없어 없나 없 하나 가능 가능한 가능해 문의 문의드립니다 문의드려 궁금 궁금해 궁금합니다 알려 알려주 알고 싶어 싶은데 싶습니다 싶
		부탁 부탁드려 부탁드립니다 부탁해 안녕 안녕하세 감사 감사합니다 고맙 수고 네 예 아 음 어 ㅠ ㅜ ㅋ
		되 돼 해 하 하는 했 할 한 된 받 주 주세 드려 드립니다 요 거예 건가 건데 는지 인지 같아 같은데 같
		i my me you your we our the a an to do does did is are am was can could would will how what when where why which of for on in at it this that with be have has get from please there
	`) {
		stopwords[w] = true
	}
}

// stem strips one ending or particle from a Korean word, keeping a stem of
// at least one syllable (two when the ending is a single syllable, so that
// 나이 is not taken for 나 + 이). The polite 요 that follows an ending or a
// particle (반품하려면요, 환불은요) goes with what it follows: stripped alone,
// it left 반품하려면 — a word no article has, and the question half
// answered, so that 반품 하려면요 found nothing where 반품 하려면 found the
// return articles.
func stem(w string) string {
	if stopwords[w] || endings[w] {
		return ""
	}
	s, suffix := stripOne(w)
	if suffix == "요" && s != "" {
		if again, next := stripOne(s); next != "" {
			s = again
		}
	}
	if stopwords[s] {
		return ""
	}
	return s
}

// stripOne strips the longest ending or particle from w under stem's
// rules, saying which ("" when none).
func stripOne(w string) (string, string) {
	rs := []rune(w)
	for n := min(maxSuffix, len(rs)-1); n >= 1; n-- {
		keep := len(rs) - n
		if n == 1 && keep < 2 || !endings[string(rs[keep:])] {
			continue
		}
		return string(rs[:keep]), string(rs[keep:])
	}
	return w, ""
}

// latinStem folds English plurals and common endings, enough for FAQ
// questions (orders → order, cancelled → cancel, shipping → ship).
func latinStem(w string) string {
	for _, suf := range []string{"ing", "ed", "es", "s"} {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	if n := len(w); n > 3 && w[n-1] == w[n-2] { // cancelled → cancell → cancel
		w = w[:n-1]
	}
	return w
}

// analyze returns text's features with their counts, each multiplied by
// weight.
func analyze(text string, weight float64) []feature {
	var out []feature
	var prev []rune // the previous Korean stem, for the seam bigram
	prevLatin := ""
	for n, w := range words(fold(text)) {
		if w.script != latin {
			prevLatin = ""
		}
		switch w.script {
		case hangul:
			s := stem(w.text)
			if s == "" {
				prev = nil
				continue
			}
			rs := []rune(s)
			if len(prev) > 0 {
				out = append(out, feature{"b:" + string([]rune{prev[len(prev)-1], rs[0]}), weight * 0.5, -1, false})
			}
			first := len(out)
			if len(rs) == 1 {
				out = append(out, feature{"u:" + s, weight, n, false})
			}
			for i := 0; i+1 < len(rs); i++ {
				out = append(out, feature{"b:" + string(rs[i:i+2]), weight, n, false})
			}
			if len(rs) >= 3 {
				out = append(out, feature{"w:" + s, weight, n, false})
			}
			for i := first; i < len(out); i++ {
				out[i].soft = soft[s]
			}
			prev = rs
		case latin, digit:
			prev = nil
			t := w.text
			if w.script == latin {
				// English joins words freely too: log in, login.
				if prevLatin != "" {
					out = append(out, feature{"l:" + latinStem(prevLatin+t), weight * 0.5, -1, false})
				}
				prevLatin = t
				if stopwords[t] {
					continue
				}
				t = latinStem(t)
			}
			out = append(out, feature{"l:" + t, weight, n, soft[t]})
		case jamo:
			prev = nil
			// Initial consonants stand for syllables: ㅂㅅㅈㅎ is 배송조회 or
			// 배송 조회, so each neighbouring pair stands for a bigram and
			// the whole run for a compound.
			rs := []rune(w.text)
			if len(rs) < 2 {
				continue
			}
			for i := 0; i+1 < len(rs); i++ {
				out = append(out, feature{"j:" + string(rs[i:i+2]), weight, n, false})
			}
			if len(rs) > 2 {
				out = append(out, feature{"j:" + w.text, weight, -1, false})
			}
		}
	}
	return out
}

// initialsOf returns the initial consonants (초성) of a run of syllables as
// compatibility jamo: 환불 → ㅎㅂ.
func initialsOf(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0xAC00 || r > 0xD7A3 {
			return ""
		}
		b.WriteRune(initials[(r-0xAC00)/588])
	}
	return b.String()
}

// initials are the compatibility jamo of the 19 Hangul initial consonants,
// in the order syllables are composed.
var initials = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

// jamoOf decomposes syllables into their letters, so that a typo costs one
// letter (죠 for 조), not a whole syllable. Other runes stay.
func jamoOf(s string) []rune {
	var out []rune
	for _, r := range s {
		if r < 0xAC00 || r > 0xD7A3 {
			out = append(out, r)
			continue
		}
		i := r - 0xAC00
		out = append(out, 0x1100+i/588, 0x1161+(i%588)/28)
		if t := i % 28; t > 0 {
			out = append(out, 0x11A7+t)
		}
	}
	return out
}

// within1 reports whether a and b differ by at most one insertion,
// deletion, substitution or swap of neighbours.
func within1(a, b []rune) bool {
	if len(a) < len(b) {
		a, b = b, a
	}
	switch len(a) - len(b) {
	case 0:
		diff := -1
		for i := range a {
			if a[i] != b[i] {
				if diff >= 0 {
					// a swap of neighbours: ab ↔ ba
					return diff == i-1 && a[diff] == b[i] && a[i] == b[diff] && string(a[i+1:]) == string(b[i+1:])
				}
				diff = i
			}
		}
		return true
	case 1:
		i := 0
		for i < len(b) && a[i] == b[i] {
			i++
		}
		return string(a[i+1:]) == string(b[i:])
	}
	return false
}
