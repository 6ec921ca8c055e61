package pii

import (
	"errors"
	"slices"
	"unicode"
)

// MaskRune is what a masked character shows.
const MaskRune = '*'

// Other is the kind of a mask an agent drew over text that is none of
// the detected kinds.
const Other Kind = "other"

// Span is a masked part of a text, in code points.
type Span struct {
	Start int  `json:"start"`
	End   int  `json:"end"`
	Kind  Kind `json:"kind"`
}

// Errors of CheckSpan.
var (
	ErrOutOfRange = errors.New("the span is outside the text")
	ErrSplit      = errors.New("the span splits a character")
)

// CheckSpan reports whether [start,end) is a non-empty span of text that
// begins and ends between whole characters: offsets are code points, so a
// surrogate pair cannot be split, but a combining mark, a Hangul vowel or
// final consonant (conjoining jamo), a variation selector, an emoji
// modifier or a zero-width joiner belongs to the character before it.
func CheckSpan(text []rune, start, end int) error {
	if start < 0 || end > len(text) || start >= end {
		return ErrOutOfRange
	}
	if continues(text, start) || continues(text, end) {
		return ErrSplit
	}
	return nil
}

// continues reports whether the character at i continues the one before.
func continues(text []rune, i int) bool {
	if i <= 0 || i >= len(text) {
		return false
	}
	c, p := text[i], text[i-1]
	switch {
	case unicode.In(c, unicode.Mn, unicode.Me, unicode.Mc):
		return true
	case c >= 0x1160 && c <= 0x11FF, c >= 0xD7B0 && c <= 0xD7FF: // jamo vowels and finals
		return true
	case c >= 0xFE00 && c <= 0xFE0F, c >= 0x1F3FB && c <= 0x1F3FF, c == 0x200D, c >= 0xE0020 && c <= 0xE007F:
		return true
	case p == 0x200D: // the character after a zero-width joiner
		return true
	case c >= 0x1F1E6 && c <= 0x1F1FF && p >= 0x1F1E6 && p <= 0x1F1FF:
		// Regional indicators pair up into flags; count from the run's start.
		n := 0
		for j := i - 1; j >= 0 && text[j] >= 0x1F1E6 && text[j] <= 0x1F1FF; j-- {
			n++
		}
		return n%2 == 1
	}
	return false
}

// Apply returns text with every span's characters replaced by MaskRune;
// offsets stay where they were.
func Apply(text string, spans []Span) string {
	if len(spans) == 0 {
		return text
	}
	r := []rune(text)
	for _, s := range spans {
		for i := max(s.Start, 0); i < s.End && i < len(r); i++ {
			r[i] = MaskRune
		}
	}
	return string(r)
}

// Merge adds span to masks: masks it overlaps or touches become one, of
// span's kind when they agree and Other when they do not. The result is
// sorted and without overlaps.
func Merge(masks []Span, span Span) []Span {
	var out []Span
	for _, m := range masks {
		if m.End < span.Start || span.End < m.Start {
			out = append(out, m)
			continue
		}
		if m.Kind != span.Kind {
			span.Kind = Other
		}
		span.Start, span.End = min(span.Start, m.Start), max(span.End, m.End)
	}
	out = append(out, span)
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	return out
}

// Within returns the masks that lie inside [start,end) and whether any
// mask crosses one of its ends.
func Within(masks []Span, start, end int) (inside []Span, crossed bool) {
	for _, m := range masks {
		switch {
		case m.Start >= start && m.End <= end:
			inside = append(inside, m)
		case m.Start < end && start < m.End:
			crossed = true
		}
	}
	return inside, crossed
}

// Restore puts originals back over text: each piece is a span and the
// text it covered when it was masked. Pieces are applied newest last
// first, so where two overlap the older piece (which saw the text before
// any mask) wins.
func Restore(text string, pieces []Piece) string {
	r := []rune(text)
	for i := len(pieces) - 1; i >= 0; i-- {
		p := pieces[i]
		o := []rune(p.Text)
		for j := 0; j < len(o) && p.Start+j < len(r); j++ {
			r[p.Start+j] = o[j]
		}
	}
	return string(r)
}

// Piece is the text a mask covered, at its offset (decrypted).
type Piece struct {
	Start int
	Text  string
}
