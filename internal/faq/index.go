package faq

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// Doc is what the search index knows of an article.
type Doc struct {
	ID       int64
	Lang     string
	Title    string
	Keywords []string
	// Text is the body as plain text.
	Text string
}

// Hit is one search result: an article and how sure the search is that it
// answers the question, from 0 to 1.
type Hit struct {
	ID    int64
	Score float64
}

// Field weights: a question's words in an article's title or keywords say
// far more than the same words somewhere in its body.
const (
	weightTitle    = 3.0
	weightKeywords = 2.5
	weightBody     = 1.0
)

// bodyCover is how much a question's word found only in an article's body
// counts towards answering it.
const bodyCover = 0.5

// BM25's parameters, the usual ones.
const (
	bm25K1 = 1.2
	bm25B  = 0.6
)

// MinScore is the confidence below which a search answers nothing: the
// widget shows no articles and the robot says it has no answer. It was
// set on the evaluation set (testdata/, see docs/benchmarks.md).
const MinScore = 0.28

// coverMix is coverage's share of the confidence, strength having the rest.
const coverMix = 0.5

type posting struct {
	doc int32
	tf  float64 // weighted by field
	// head: the feature is in the title or keywords, which say what the
	// article is about; a body mentions much in passing.
	head bool
}

// Index is an immutable search index over one workspace's published
// articles. Build it from the store's rows; the same rows build the same
// index on every node, so every node answers a question the same way.
type Index struct {
	docs     []Doc
	length   []float64 // weighted feature count per doc
	avgLen   float64
	postings map[string][]posting
	idf      map[string]float64
	maxIDF   float64
	// fuzzy maps a term's one-letter deletions (over jamo) to the terms, for
	// typo tolerance (a symmetric-delete dictionary).
	fuzzy map[string][]string
	// byInitials maps a Korean stem's or bigram's initial consonants to it.
	byInitials map[string][]string
	synonyms   [][]string
}

// Build indexes docs (in the order given: ties keep it) with the
// workspace's synonym groups, each a list of phrases meaning the same.
func Build(docs []Doc, synonyms [][]string) *Index {
	ix := &Index{
		docs:       docs,
		length:     make([]float64, len(docs)),
		postings:   map[string][]posting{},
		idf:        map[string]float64{},
		fuzzy:      map[string][]string{},
		byInitials: map[string][]string{},
	}
	for _, g := range synonyms {
		var folded []string
		for _, p := range g {
			if p = strings.Join(strings.Fields(fold(p)), ""); p != "" {
				folded = append(folded, p)
			}
		}
		if len(folded) > 1 {
			ix.synonyms = append(ix.synonyms, folded)
		}
	}
	total := 0.0
	for i, d := range docs {
		tf := map[string]float64{}
		head := map[string]bool{}
		add := func(fs []feature, isHead bool) {
			for _, f := range fs {
				tf[f.term] += f.weight
				head[f.term] = head[f.term] || isHead
				ix.length[i] += f.weight
			}
		}
		add(analyze(d.Title, weightTitle), true)
		for _, k := range d.Keywords {
			add(analyze(k, weightKeywords), true)
		}
		add(analyze(d.Text, weightBody), false)
		total += ix.length[i]
		terms := make([]string, 0, len(tf))
		for t := range tf {
			terms = append(terms, t)
		}
		sort.Strings(terms) // postings in a fixed order: same index, same ties
		for _, t := range terms {
			ix.postings[t] = append(ix.postings[t], posting{doc: int32(i), tf: tf[t], head: head[t]})
		}
	}
	if len(docs) > 0 {
		ix.avgLen = total / float64(len(docs))
	}
	n := float64(len(docs))
	ix.maxIDF = math.Log(1 + (n+0.5)/0.5)
	for t, ps := range ix.postings {
		df := float64(len(ps))
		ix.idf[t] = math.Log(1 + (n-df+0.5)/(df+0.5))
		key := t[2:]
		switch t[0] {
		case 'b', 'w':
			if in := initialsOf(key); in != "" {
				ix.byInitials[in] = append(ix.byInitials[in], t)
			}
			fallthrough
		case 'l', 'u':
			if t[0] == 'l' && len(key) < 5 {
				continue // short English words: a typo makes another word
			}
			for _, d := range deletes(key) {
				ix.fuzzy[d] = append(ix.fuzzy[d], t)
			}
		}
	}
	for _, m := range []map[string][]string{ix.fuzzy, ix.byInitials} {
		for k := range m {
			sort.Strings(m[k])
		}
	}
	return ix
}

// Len is the number of articles indexed.
func (ix *Index) Len() int { return len(ix.docs) }

// deletes are s (as jamo) and s with each one letter removed.
func deletes(s string) []string {
	j := jamoOf(s)
	out := []string{string(j)}
	for i := range j {
		out = append(out, string(j[:i])+string(j[i+1:]))
	}
	return out
}

// queryTerm is one feature of a question and what it matches.
type queryTerm struct {
	weight float64
	// alternatives the feature may match, each with a factor: itself (1), a
	// typo's correction or an initial-consonant expansion (less).
	match []alt
	// words are the question's words this feature answers for (none: it
	// only adds to the score).
	words []int
}

type alt struct {
	term   string
	factor float64
}

// Search returns up to limit articles that answer query, best first, or
// none when nothing answers well enough (Score below MinScore). Articles in
// lang come before others that answer equally.
func (ix *Index) Search(query, lang string, limit int) []Hit {
	out := []Hit{}
	for _, h := range ix.rank(query, lang) {
		if h.Score < MinScore {
			continue
		}
		// Keep the best limit, in order: limit is small.
		i := len(out)
		for i > 0 && better(h, out[i-1]) {
			i--
		}
		if i < limit {
			out = slices.Insert(out, i, h)
			if len(out) > limit {
				out = out[:limit]
			}
		}
	}
	return out
}

// better orders hits: higher score, then lower ID (the older article).
func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID < b.ID
}

// rank scores every article that shares a feature with query, in no
// particular order.
//
// An article's confidence mixes two things. Coverage: how much of the
// question it answers, word by word (a word counts as much as its rarest
// known feature; a word no article has counts as a typical word, so "배송비
// 말고 날씨" is half answered). Strength: its BM25 score over every
// feature, with titles and keywords weighing more than bodies.
func (ix *Index) rank(query, lang string) []Hit {
	if len(ix.docs) == 0 {
		return nil
	}
	terms, wordWeight := ix.expand(query)
	possible := 0.0
	for _, w := range wordWeight {
		possible += w
	}
	if possible == 0 {
		return nil
	}
	scores := map[int32]float64{}
	covered := map[int32]map[int]float64{}
	for _, qt := range terms {
		// Each query feature counts once per article: its best alternative.
		best := map[int32]float64{}
		bestCover := map[int32]float64{}
		for _, a := range qt.match {
			idf := ix.idf[a.term]
			for _, p := range ix.postings[a.term] {
				norm := p.tf * (bm25K1 + 1) / (p.tf + bm25K1*(1-bm25B+bm25B*ix.length[p.doc]/ix.avgLen))
				if s := a.factor * idf * norm; s > best[p.doc] {
					best[p.doc] = s
				}
				c := a.factor * idf
				if !p.head {
					c *= bodyCover
				}
				if c > bestCover[p.doc] {
					bestCover[p.doc] = c
				}
			}
		}
		for d, s := range best {
			scores[d] += qt.weight * s
			for _, w := range qt.words {
				if covered[d] == nil {
					covered[d] = map[int]float64{}
				}
				covered[d][w] = math.Max(covered[d][w], math.Min(bestCover[d], wordWeight[w]))
			}
		}
	}
	out := make([]Hit, 0, len(scores))
	for d, s := range scores {
		cov := 0.0
		for _, c := range covered[d] {
			cov += c
		}
		cov /= possible
		strength := s / (s + 2*ix.maxIDF)
		conf := coverMix*cov + (1-coverMix)*strength
		if lang != "" && ix.docs[d].Lang != lang {
			conf *= 0.97
		}
		out = append(out, Hit{ID: int64(d), Score: conf})
	}
	for i := range out {
		out[i].ID = ix.docs[out[i].ID].ID
		out[i].Score = math.Round(out[i].Score*1000) / 1000
	}
	return out
}

// expand turns a question into its features — each feature, a typo's
// correction when the feature is unknown, the words initial consonants
// stand for, the workspace's synonyms — and weighs each feature's part in
// answering the question (want, by feature number).
func (ix *Index) expand(query string) ([]queryTerm, map[int]float64) {
	byTerm := map[string]*queryTerm{}
	var order []string
	want := map[int]float64{}
	add := func(term string, weight float64, match []alt, slot []int) {
		if q, ok := byTerm[term]; ok {
			q.weight = math.Max(q.weight, weight)
			q.words = append(q.words, slot...)
			return
		}
		byTerm[term] = &queryTerm{weight: weight, match: match, words: slot}
		order = append(order, term)
	}
	typical := 0.6 * ix.maxIDF
	fs := analyze(query, 1)
	// A word some of whose features are known is a variant of a known
	// word (불량품 for 불량): its unknown features count for less than
	// those of a word nobody wrote about.
	knownWord := map[int]bool{}
	seen := map[int]bool{}
	for _, f := range fs {
		if f.word >= 0 && !seen[f.word] {
			// Korean puts the root first: 불량품 is about 불량, while
			// 테스트 is not about 스트.
			seen[f.word] = true
			knownWord[f.word] = ix.postings[f.term] != nil
		}
	}
	slotOf := map[int][]int{} // word → its features' slots
	for i, f := range fs {
		var slot []int
		if f.word >= 0 && !f.soft {
			slot = []int{i}
			slotOf[f.word] = append(slotOf[f.word], i)
		}
		unknown := func() {
			for _, sl := range slot {
				switch {
				case knownWord[f.word]:
					want[sl] = typical / 3
				case f.term[0] == 'u' || f.term[0] == 'l' && len(f.term) < 6:
					want[sl] = typical / 2 // most often a verb's stem
				case f.term[0] == 'w':
					want[sl] = typical / 2 // the compound's bigrams said it
				default:
					want[sl] = typical
				}
			}
		}
		switch {
		case f.term[0] == 'j':
			// Initial consonants: the words they may stand for, the more
			// common ones first (ㅎㅂ is 환불 before 할부 in a shop's FAQ).
			cands := ix.byInitials[f.term[2:]]
			most := 0
			for _, t := range cands {
				most = max(most, len(ix.postings[t]))
			}
			var match []alt
			for _, t := range cands {
				match = append(match, alt{t, 0.5 + 0.4*float64(len(ix.postings[t]))/float64(most)})
			}
			if len(match) == 0 {
				unknown()
				continue
			}
			add(f.term, f.weight, match, slot)
			for _, sl := range slot {
				want[sl] = typical
			}
		case ix.postings[f.term] != nil:
			add(f.term, f.weight, []alt{{f.term, 1}}, slot)
			for _, sl := range slot {
				want[sl] = ix.idf[f.term]
			}
		default:
			c := ix.correct(f.term)
			if c == "" {
				unknown()
				continue
			}
			factor := 0.8
			if f.term[0] == 'b' && !knownWord[f.word] && len(slotOf[f.word]) <= 1 {
				factor = 0.6 // a two-syllable word one letter from another may be another word
			}
			add(f.term, f.weight, []alt{{c, factor}}, slot)
			for _, sl := range slot {
				want[sl] = ix.idf[c]
			}
		}
	}
	// Synonyms: a phrase of a group in the question brings the group's
	// other phrases, answering for the question's features inside it —
	// the words it holds, or the word that holds it (비번 in 비번까먹었어요,
	// typed without a space: the phrase answered for nothing, and the
	// question found nothing).
	qwords := words(fold(query))
	squeezed := strings.Join(strings.Fields(fold(query)), "")
	for _, g := range ix.synonyms {
		for _, p := range g {
			if !strings.Contains(squeezed, p) {
				continue
			}
			var inside []int
			for n, w := range qwords {
				if st := stem(w.text); st != "" && (strings.Contains(p, st) || strings.Contains(st, p)) {
					inside = append(inside, slotOf[n]...)
				}
			}
			for _, other := range g {
				if other == p {
					continue
				}
				for _, f := range analyze(other, 0.3) {
					if _, ok := ix.postings[f.term]; ok && f.word >= 0 {
						add(f.term, f.weight, []alt{{f.term, 0.7}}, inside)
					}
				}
			}
			break
		}
	}
	out := make([]queryTerm, 0, len(order))
	for _, t := range order {
		out = append(out, *byTerm[t])
	}
	return out, want
}

// correct finds the known term one letter away from an unknown one,
// preferring the one in most articles.
func (ix *Index) correct(term string) string {
	kind, key := term[:2], term[2:]
	if kind == "l:" && len(key) < 5 {
		return ""
	}
	want := jamoOf(key)
	best, bestDF := "", 0
	seen := map[string]bool{}
	for _, d := range deletes(key) {
		for _, c := range ix.fuzzy[d] {
			if seen[c] || c[:2] != kind {
				continue
			}
			seen[c] = true
			if !within1(want, jamoOf(c[2:])) {
				continue
			}
			if df := len(ix.postings[c]); df > bestDF || df == bestDF && c < best {
				best, bestDF = c, df
			}
		}
	}
	return best
}
