// Package history is the chat history (§9): the filter every search and
// export shares, Korean full-text search over messages, and exports.
//
// Search works on n-grams of our own, the same on SQLite (an FTS5 table
// fed our tokens) and PostgreSQL (a BIGINT[] of gram codes under a GIN
// index), because neither database's tokenizers find a two-syllable Korean
// word inside a longer one (환불 in 환불은): FTS5's unicode61 indexes whole
// words and its trigram tokenizer needs three characters; pg_trgm likewise.
//
// Spacing does not matter. Korean writers space compound nouns as they
// please (카드취소, 카드 취소), so search compares texts without their
// spaces. Normalize is full- and half-width forms folded (１１８３ is
// 1183), NFC, lower case, and every run of characters that
// are neither letters nor digits made one space; Compact is that without
// the spaces: "카드 취소가 안 돼요?" → 카드취소가안돼요, and the query
// words 카드취소 and 카드-취소 and the phrase "카드 취소" are all 카드취소.
// A query term matches a message when the term's compact text is a
// substring of the message's (Matches): that is the rule the brute-force
// recall test checks, and what the indexes reproduce exactly:
//
//   - SQLite: a message's tokens (Grams) are its compact text's
//     characters, each followed by the next one: its overlapping bigrams,
//     then the last character alone. 카드취소가 → 카드 드취 취소 소가 가.
//     A term of two characters or more is the FTS5 phrase of its bigrams
//     (FTS5), which are consecutive tokens exactly where the text has the
//     term; a term of one character is a prefix query, "가" *, since a
//     token starts with a character exactly where the text has it (the
//     lone last token is there for the last character, which no bigram
//     starts with).
//   - PostgreSQL: a message's row (message_search) holds its compact text
//     and the codes (GramCode) of its distinct characters and bigrams
//     (NormCodes) under the GIN index. A search keeps the rows holding
//     each term's bigrams (a one-character term: the character; Needed),
//     then those whose compact text has each term (strpos).
//
// With the spaces gone no token marks where a word ends: before migration
// 0028 every word ended with its last character alone, so that a phrase
// could not run on into the next word; now running on across words is
// the rule. Every match the earlier rule found (the term's normalized
// text, spaces and all, in the message's) is still found.
//
// The customer filter's index (customer.go) is built the same way from a
// profile's fields, each apart, so a term never spans two fields.
package history

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
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

// fold is s with its full- and half-width forms made ordinary
// (width.Fold: １１８３ is 1183, ＡＢＣ is abc, ﾊﾝｸﾞﾙ's half-width jamo are
// whole), in NFC and lower case. Korean phones and IMEs type full-width
// digits and Latin letters; since migration 0031 the index holds them
// folded. Only the half- and full-width forms block (U+FF00–U+FFEF) has
// anything to fold, so text without it skips the transform.
func fold(s string) string {
	if strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF00 && r <= 0xFFEF }) {
		s = width.Fold.String(s)
	}
	return strings.ToLower(norm.NFC.String(s))
}

// Normalize is s's words: NFC, lower case, separated by single spaces, no
// space at either end. Search compares it without the spaces (Compact);
// the rule before migration 0028 compared it as it is, which the tests
// use to check that nothing found then is lost.
func Normalize(s string) string {
	return strings.Join(strings.FieldsFunc(fold(s), func(r rune) bool { return !wordRune(r) }), " ")
}

// Compact is Normalize(s) without its spaces: the text search compares.
func Compact(s string) string {
	return strings.Map(func(r rune) rune {
		if wordRune(r) {
			return r
		}
		return -1
	}, fold(s))
}

// Grams is the FTS5 index's tokens of a message's text, separated by
// spaces: each character of its compact text followed by the next one, so
// its bigrams and then its last character alone. SQLite removes an entry
// given the tokens it was indexed with (sqldb.reindexRewritten), so a
// change of what Grams gives must come with a migration that empties the
// index and queues the backfill (as 0040 does).
func Grams(text string) string { return grams(Compact(text)) }

// grams is Grams of a compact text.
func grams(c string) string {
	rs := []rune(c)
	var b strings.Builder
	b.Grow(7 * len(rs))
	for i, r := range rs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
		if i+1 < len(rs) {
			b.WriteRune(rs[i+1])
		}
	}
	return b.String()
}

// GramSet is the distinct characters and bigrams of text's compact form,
// sorted: what PostgreSQL's index keeps of a message, as text (NormCodes
// has their codes, which the index holds).
func GramSet(text string) []string { return gramSet(Compact(text)) }

// gramSet is GramSet of a compact text.
func gramSet(c string) []string {
	rs := []rune(c)
	out := make([]string, 0, 2*len(rs))
	for i := range rs {
		out = append(out, string(rs[i]))
		if i+1 < len(rs) {
			out = append(out, string(rs[i:i+2]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
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

// NormCodes is Compact(text) and the codes (GramCode) of GramSet(text),
// sorted: a message's row in PostgreSQL's index, computed on the write
// path without a string per gram.
func NormCodes(text string) (string, []int64) {
	c := Compact(text)
	out := make([]int64, 0, 2*len(c)/3+1)
	prev := rune(-1)
	for _, r := range c {
		out = append(out, int64(r))
		if prev >= 0 {
			out = append(out, bigramCode(prev, r))
		}
		prev = r
	}
	slices.Sort(out)
	return c, slices.Compact(out)
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

// Term is one thing a query looks for: a word or a quoted phrase.
type Term struct {
	// Text is the term's compact text (Compact): 카드취소 for 카드-취소 or
	// "카드 취소".
	Text string
}

// ParseQuery splits a query into its terms: quoted phrases ("환불 요청",
// or “환불 요청” as phones and Macs type it) and the words outside quotes. Every term must appear in one message. An
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
	add := func(s string) {
		t := Term{Text: Compact(s)}
		if t.Text != "" && !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	}
	parts := strings.Split(quotes.Replace(q), `"`)
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

// quotes makes the quotation marks a phone or a Mac types in place of
// '"' (smart punctuation: “환불 요청”, and the full-width ＂) plain ones.
var quotes = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\uff02", `"`)

// Matches is the reference rule: text has every term, spacing aside. The
// recall test compares the indexes with it.
func Matches(text string, terms []Term) bool {
	c := Compact(text)
	for _, t := range terms {
		if !strings.Contains(c, t.Text) {
			return false
		}
	}
	return len(terms) > 0
}

// bigrams is s's overlapping pairs of characters.
func bigrams(s string) []string {
	rs := []rune(s)
	out := make([]string, 0, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// FTS5 is the SQLite FTS5 MATCH expression of terms (an FTS5 table whose
// tokens are Grams, tokenized by FTS5's "ascii" tokenizer, which keeps
// every non-ASCII character and splits only on ASCII separators): each
// term's bigrams as a phrase, or a one-character term as a prefix.
func FTS5(terms []Term) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		// Tokens hold only letters and digits: nothing to escape inside
		// the quotes.
		if utf8.RuneCountInString(t.Text) == 1 {
			parts[i] = `"` + t.Text + `" *`
		} else {
			parts[i] = `"` + strings.Join(bigrams(t.Text), " ") + `"`
		}
	}
	return strings.Join(parts, " AND ")
}

// Needed is the grams a message must contain to hold every term: each
// term's bigrams, or a one-character term itself. PostgreSQL's index
// selects the rows holding them all, then checks the compact text.
func Needed(terms []Term) []string {
	var out []string
	for _, t := range terms {
		if utf8.RuneCountInString(t.Text) == 1 {
			out = append(out, t.Text)
		}
		out = append(out, bigrams(t.Text)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
