package chat

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Canned is a canned response (자주 쓰는 문구, §5.1): shared by the
// workspace (OwnerID 0) or an agent's own.
type Canned struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	OwnerID     int64     `json:"owner_id"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Shared      bool      `json:"shared"`
	Favourite   bool      `json:"favourite"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Text is Body with the variables filled for one conversation; set
	// only when a search names the conversation.
	Text string `json:"text,omitempty"`
}

// CheckCanned validates a canned response's title and body.
func CheckCanned(title, body string) (string, string, error) {
	title = strings.TrimSpace(title)
	if title == "" || utf8.RuneCountInString(title) > MaxCannedTitle || strings.ContainsFunc(title, IsControlOrBidi) {
		return "", "", Errorf(ErrInvalid, "title must be 1 to %d characters on one line", MaxCannedTitle)
	}
	if strings.TrimSpace(body) == "" || utf8.RuneCountInString(body) > MaxCannedBody {
		return "", "", Errorf(ErrInvalid, "body must be 1 to %d characters", MaxCannedBody)
	}
	return title, body, nil
}

// CannedVars are the values a canned response's variables take.
type CannedVars struct {
	// CustomerName is the customer's real name, never the agents' nickname:
	// the text goes to the customer.
	CustomerName string
	AgentName    string
	RoomNo       int64
	// Language is the one the customer is spoken to in ("ko", "en"),
	// which names a customer without a name.
	Language string
}

// Fill replaces the variables in body: {고객명} or {customer_name},
// {상담사명} or {agent_name}, {방번호} or {room_no}. A customer without a
// name is called 고객, or "customer" when spoken to in English: the words
// reach the customer.
func (v CannedVars) Fill(body string) string {
	name := v.CustomerName
	switch {
	case name != "":
	case v.Language == "en":
		name = "customer"
	default:
		name = defaultDisplayName
	}
	room := strconv.FormatInt(v.RoomNo, 10)
	return strings.NewReplacer(
		"{고객명}", name, "{customer_name}", name,
		"{상담사명}", v.AgentName, "{agent_name}", v.AgentName,
		"{방번호}", room, "{room_no}", room,
	).Replace(body)
}

// SearchCanned keeps the responses whose title or body contains query and
// orders them favourites first, then title matches, then by title. Korean
// matches by syllable or by initial consonant (초성): "ㅎㅂ" finds 환불.
// Spacing does not matter, as in the history's search: Korean writers
// space compound nouns as they please, so "배송지연" finds 배송 지연 and
// "배송 지연" finds 배송지연.
func SearchCanned(list []Canned, query string) []Canned {
	q := []rune(fold(query))
	type hit struct {
		c     Canned
		title bool
	}
	var hits []hit
	for _, c := range list {
		inTitle := containsJamo([]rune(fold(c.Title)), q)
		if inTitle || containsJamo([]rune(fold(c.Body)), q) {
			hits = append(hits, hit{c, inTitle})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		a, b := hits[i], hits[j]
		if a.c.Favourite != b.c.Favourite {
			return a.c.Favourite
		}
		if a.title != b.title {
			return a.title
		}
		return a.c.Title < b.c.Title
	})
	out := make([]Canned, len(hits))
	for i, h := range hits {
		out[i] = h.c
	}
	return out
}

// fold is s in NFC and lower case, without its spaces.
func fold(s string) string {
	return strings.ToLower(norm.NFC.String(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)))
}

// containsJamo reports whether q occurs in text, where a lone initial
// consonant in q matches any syllable starting with it. q's last syllable
// may still be in the making (the console searches as the agent types,
// through the input method): 화 or 부 matches 환 or 불, which they become
// with a final consonant, and 환 matches 화 before a syllable starting
// with ㄴ, which it becomes when a vowel follows (화나); a compound final
// splits the same way (밠 matches 발송). So "환부", on the way to "환불",
// finds 환불.
func containsJamo(text, q []rune) bool {
	if len(q) == 0 {
		return true
	}
	head, last := q[:len(q)-1], q[len(q)-1]
	for i := 0; i+len(head) < len(text); i++ {
		ok := true
		for j, r := range head {
			if !runeMatches(text[i+j], r) {
				ok = false
				break
			}
		}
		if ok && lastMatches(text[i+len(head):], last) {
			return true
		}
	}
	return false
}

// lastMatches reports whether text begins with what q, the query's last
// character, is or may become as the agent goes on typing.
func lastMatches(text []rune, q rune) bool {
	t := text[0]
	if runeMatches(t, q) {
		return true
	}
	if !isSyllable(q) || !isSyllable(t) {
		return false
	}
	qBase, qFinal := q-(q-0xAC00)%28, (q-0xAC00)%28
	tBase := t - (t-0xAC00)%28
	switch {
	case qFinal == 0: // 부, on the way to 불
		return tBase == qBase
	case t == qBase && len(text) > 1 && isSyllable(text[1]): // 환, on the way to 화나
		initial, ok := finalAsInitial[qFinal]
		return ok && initials[(text[1]-0xAC00)/588] == initial
	}
	// 달, on the way to 닭: a single final may take a second consonant.
	if pair, ok := compoundFinals[(t-0xAC00)%28]; ok && tBase == qBase && pair[0] == qFinal {
		return true
	}
	// 밠, on the way to 발송: a compound final keeps its first consonant
	// and gives the second to the next syllable.
	if pair, ok := compoundFinals[qFinal]; ok && t == qBase+pair[0] && len(text) > 1 && isSyllable(text[1]) {
		return initials[(text[1]-0xAC00)/588] == pair[1]
	}
	return false
}

// compoundFinals maps a compound final (its index in the 28 finals) to
// the single final it leaves when a vowel follows and the initial it
// gives away: ㄽ is ㄹ (8) and ㅅ.
var compoundFinals = map[rune][2]rune{
	3: {1, 'ㅅ'}, 5: {4, 'ㅈ'}, 6: {4, 'ㅎ'}, 9: {8, 'ㄱ'}, 10: {8, 'ㅁ'}, 11: {8, 'ㅂ'},
	12: {8, 'ㅅ'}, 13: {8, 'ㅌ'}, 14: {8, 'ㅍ'}, 15: {8, 'ㅎ'}, 18: {17, 'ㅅ'},
}

func isSyllable(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }

// finalAsInitial maps a syllable's single final consonant (its index in
// the 28 finals) to the initial it becomes when a vowel follows.
var finalAsInitial = map[rune]rune{
	1: 'ㄱ', 2: 'ㄲ', 4: 'ㄴ', 7: 'ㄷ', 8: 'ㄹ', 16: 'ㅁ', 17: 'ㅂ', 19: 'ㅅ', 20: 'ㅆ',
	21: 'ㅇ', 22: 'ㅈ', 23: 'ㅊ', 24: 'ㅋ', 25: 'ㅌ', 26: 'ㅍ', 27: 'ㅎ',
}

// initials are the compatibility jamo of the 19 Hangul initial consonants,
// in the order syllables are composed.
var initials = []rune("ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ")

func runeMatches(t, q rune) bool {
	if t == q {
		return true
	}
	if !isSyllable(t) {
		return false
	}
	return initials[(t-0xAC00)/588] == q
}
