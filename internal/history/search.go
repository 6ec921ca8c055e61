// Package history is the chat history (§9): the filter every search and
// export shares, Korean full-text search over messages, and exports.
//
// Search works on n-grams of our own, the same on SQLite (an FTS5 table
// fed our tokens) and PostgreSQL (a text[] under a GIN index), because
// neither database's tokenizers find a two-syllable Korean word inside a
// longer one (환불 in 환불은): FTS5's unicode61 indexes whole words and its
// trigram tokenizer needs three characters; pg_trgm likewise.
//
// The text is first normalized (Normalize): NFC, lower case, and every run
// of characters that are neither letters nor digits becomes one space. A
// query term matches a message when the term's normalized form is a
// substring of the message's: that is the rule the brute-force recall test
// checks, and what the indexes reproduce exactly:
//
//   - A document's tokens (Grams) are, for each run of letters and digits,
//     its overlapping bigrams followed by its last character alone (the
//     run's "tail"). "환불은 주세요" → 환불 불은 은 주세 세요 요.
//   - A term of one run r is found where r's bigrams appear consecutively
//     (bigrams are only ever consecutive within a run), or, for a single
//     character, where a token starts with it.
//   - A term of several runs r1 … rk must end a run with r1, match the
//     runs between exactly and start a run with rk: r1's bigrams and tail,
//     each middle run's bigrams and tail, then rk's bigrams (a one-character
//     rk: a prefix token). The tail after a run's bigrams is what marks its
//     end, so the phrase matches exactly where the normalized text has the
//     term.
package history

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"golang.org/x/text/unicode/norm"
)

// MaxQueryRunes bounds a search query; MaxTerms bounds its terms.
const (
	MaxQueryRunes = 200
	MaxTerms      = 8
)

// wordRune is a character that belongs to a word: a letter, a digit or a
// combining mark. Everything else separates words.
func wordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// Normalize is the text search compares: NFC, lower case, words separated
// by single spaces, no space at either end.
func Normalize(s string) string {
	return strings.Join(runs(s), " ")
}

// runs splits s, normalized, into its words.
func runs(s string) []string {
	s = strings.ToLower(norm.NFC.String(s))
	return strings.FieldsFunc(s, func(r rune) bool { return !wordRune(r) })
}

// Grams is the index's tokens of a message's text, separated by spaces:
// each word's bigrams and then its last character.
func Grams(text string) string {
	var b strings.Builder
	for _, w := range runs(text) {
		appendRun(&b, w, true)
	}
	return b.String()
}

// appendRun writes w's bigrams and, with tail, its last character.
func appendRun(b *strings.Builder, w string, tail bool) {
	rs := []rune(w)
	for i := 0; i+1 < len(rs); i++ {
		sep(b)
		b.WriteRune(rs[i])
		b.WriteRune(rs[i+1])
	}
	if tail {
		sep(b)
		b.WriteRune(rs[len(rs)-1])
	}
}

func sep(b *strings.Builder) {
	if b.Len() > 0 {
		b.WriteByte(' ')
	}
}

// GramSet is the distinct bigrams and characters of text: what the
// PostgreSQL index keeps per message (it checks containment, then the
// normalized text for the exact phrase).
func GramSet(text string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for _, w := range runs(text) {
		rs := []rune(w)
		for i := range rs {
			add(string(rs[i]))
			if i+1 < len(rs) {
				add(string(rs[i : i+2]))
			}
		}
	}
	return out
}

// NormGrams is Normalize(text) and GramSet(text) at once, for the write
// path: the text is normalized once and each gram is a slice of the
// normalized text (no string per gram), sorted.
func NormGrams(text string) (string, []string) {
	n := Normalize(text)
	out := make([]string, 0, 2*len(n)/3+1)
	prev := -1 // the byte offset of the previous character in this word
	for i := 0; i < len(n); {
		_, size := utf8.DecodeRuneInString(n[i:])
		if n[i] == ' ' {
			prev = -1
			i += size
			continue
		}
		out = append(out, n[i:i+size])
		if prev >= 0 {
			out = append(out, n[prev:i+size])
		}
		prev = i
		i += size
	}
	slices.Sort(out)
	return n, slices.Compact(out)
}

// GramCode is a gram's number in PostgreSQL's index (message_search.grams,
// a BIGINT[] since migration 0023): a character is its code point, below
// 2²¹; a bigram ab is (a+1)·2²¹ + b. One-to-one, so the index finds
// exactly what the text grams found, and the GIN index compares 8-byte
// integers instead of strings under a collation.
func GramCode(g string) int64 {
	a, n := utf8.DecodeRuneInString(g)
	if n == len(g) {
		return int64(a)
	}
	b, _ := utf8.DecodeRuneInString(g[n:])
	return bigramCode(a, b)
}

func bigramCode(a, b rune) int64 { return (int64(a)+1)<<21 | int64(b) }

// NormCodes is Normalize(text) and the codes (GramCode) of GramSet(text),
// sorted, for the PostgreSQL write path.
func NormCodes(text string) (string, []int64) {
	n := Normalize(text)
	out := make([]int64, 0, 2*len(n)/3+1)
	prev := rune(-1) // the previous character in this word
	for _, r := range n {
		if r == ' ' {
			prev = -1
			continue
		}
		out = append(out, int64(r))
		if prev >= 0 {
			out = append(out, bigramCode(prev, r))
		}
		prev = r
	}
	slices.Sort(out)
	return n, slices.Compact(out)
}

// NeededCodes is Needed(terms) as codes (GramCode).
func NeededCodes(terms []Term) []int64 {
	grams := Needed(terms)
	out := make([]int64, len(grams))
	for i, g := range grams {
		out[i] = GramCode(g)
	}
	return out
}

// Term is one thing a query looks for: a word or a quoted phrase,
// normalized.
type Term struct {
	// Text is the normalized term: words separated by single spaces.
	Text string
	runs []string
}

// ParseQuery splits a query into its terms: quoted phrases ("환불 요청")
// and the words outside quotes. Every term must appear in one message. An
// empty query has no terms; one over MaxQueryRunes, or with only
// punctuation, is refused.
func ParseQuery(q string) ([]Term, error) {
	if !utf8.ValidString(q) {
		return nil, chat.Errorf(chat.ErrInvalid, "the query is not valid UTF-8")
	}
	if utf8.RuneCountInString(q) > MaxQueryRunes {
		return nil, chat.Errorf(chat.ErrQueryTooLong, "a query has at most %d characters", MaxQueryRunes)
	}
	if strings.TrimSpace(q) == "" {
		return nil, nil
	}
	var terms []Term
	seen := map[string]bool{}
	add := func(s string) {
		rs := runs(s)
		if len(rs) == 0 {
			return
		}
		t := Term{Text: strings.Join(rs, " "), runs: rs}
		if !seen[t.Text] {
			seen[t.Text] = true
			terms = append(terms, t)
		}
	}
	parts := strings.Split(q, `"`)
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 { // inside a closed pair of quotes
			add(p)
			continue
		}
		for _, w := range strings.Fields(p) {
			add(w)
		}
	}
	if len(terms) == 0 {
		return nil, chat.Errorf(chat.ErrQueryNoWords, "the query has no letters or digits to search for")
	}
	if len(terms) > MaxTerms {
		return nil, chat.Errorf(chat.ErrQueryTooLong, "a query has at most %d words or phrases", MaxTerms)
	}
	return terms, nil
}

// Matches is the reference rule: text has every term. The recall test
// compares the indexes with it.
func Matches(text string, terms []Term) bool {
	n := Normalize(text)
	for _, t := range terms {
		if !strings.Contains(n, t.Text) {
			return false
		}
	}
	return len(terms) > 0
}

// FTS5 is the SQLite FTS5 MATCH expression of terms (an FTS5 table whose
// tokens are Grams, tokenized by FTS5's "ascii" tokenizer, which keeps
// every non-ASCII character and splits only on ASCII separators).
func FTS5(terms []Term) string {
	var parts []string
	for _, t := range terms {
		var b strings.Builder
		prefix := false
		for i, r := range t.runs {
			first, last := i == 0, i == len(t.runs)-1
			n := utf8.RuneCountInString(r)
			switch {
			case first && last: // anywhere in a word
				if n == 1 {
					b.WriteString(r)
					prefix = true
				} else {
					appendRun(&b, r, false)
				}
			case last: // starts a word
				if n == 1 {
					sep(&b)
					b.WriteString(r)
					prefix = true
				} else {
					appendRun(&b, r, false)
				}
			default: // ends a word (first) or is one (middle)
				appendRun(&b, r, true)
			}
		}
		// Tokens hold only letters and digits: nothing to escape inside
		// the quotes.
		p := `"` + b.String() + `"`
		if prefix {
			p += ` *`
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " AND ")
}

// Needed is the grams a message must contain to hold every term: the
// PostgreSQL index's containment query (the exact phrase is then checked
// on the normalized text).
func Needed(terms []Term) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range terms {
		for _, r := range t.runs {
			rs := []rune(r)
			if len(rs) == 1 && !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
			for i := 0; i+1 < len(rs); i++ {
				g := string(rs[i : i+2])
				if !seen[g] {
					seen[g] = true
					out = append(out, g)
				}
			}
		}
	}
	return out
}
