// Package bleveeval measures bleve, a well-kept Go full-text engine, with
// its CJK analyzer on Sodam's FAQ evaluation set
// (internal/faq/testdata), so that the choice of Sodam's own index
// (internal/faq) rests on figures. It is a module of its own: bleve is
// measured, not shipped. Run: cd tools/bleveeval && go test -v -run Eval
// (and -bench . for the speed on 5,000 articles).
package bleveeval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
)

type article struct {
	Key      string   `json:"key"`
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
	Body     string   `json:"body"`
}

type question struct{ key, text string }

var tags = regexp.MustCompile(`<[^>]*>`)

func load(t testing.TB) ([]article, [][]string, []question, []question) {
	b, err := os.ReadFile("../../internal/faq/testdata/shop.json")
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Synonyms [][]string `json:"synonyms"`
		Articles []article  `json:"articles"`
	}
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	for i := range set.Articles {
		set.Articles[i].Body = strings.ReplaceAll(tags.ReplaceAllString(set.Articles[i].Body, " "), "&gt;", ">")
	}
	read := func(name string) []question {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var out []question
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, q, ok := strings.Cut(sc.Text(), " | "); ok && !strings.HasPrefix(k, "#") {
				out = append(out, question{k, q})
			}
		}
		return out
	}
	return set.Articles, set.Synonyms, read("../../internal/faq/testdata/questions.txt"), read("../../internal/faq/testdata/heldout.txt")
}

// build indexes articles in memory with the CJK analyzer (bigrams of
// Hangul, lower-cased Latin words, width folding).
func build(t testing.TB, arts []article) bleve.Index {
	m := bleve.NewIndexMapping()
	m.DefaultAnalyzer = "cjk"
	doc := mapping.NewDocumentMapping()
	for _, f := range []string{"title", "keywords", "body"} {
		fm := mapping.NewTextFieldMapping()
		fm.Analyzer = "cjk"
		doc.AddFieldMappingsAt(f, fm)
	}
	m.DefaultMapping = doc
	ix, err := bleve.NewMemOnly(m)
	if err != nil {
		t.Fatal(err)
	}
	batch := ix.NewBatch()
	for _, a := range arts {
		if err := batch.Index(a.Key, map[string]any{"title": a.Title, "keywords": strings.Join(a.Keywords, " "), "body": a.Body}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ix.Batch(batch); err != nil {
		t.Fatal(err)
	}
	return ix
}

// search asks the three fields, titles and keywords weighing more, as
// Sodam's index does.
func search(t testing.TB, ix bleve.Index, q string) ([]string, []float64) {
	var qs []query.Query
	for f, boost := range map[string]float64{"title": 3, "keywords": 2.5, "body": 1} {
		mq := bleve.NewMatchQuery(q)
		mq.SetField(f)
		mq.SetBoost(boost)
		qs = append(qs, mq)
	}
	req := bleve.NewSearchRequestOptions(bleve.NewDisjunctionQuery(qs...), 3, 0, false)
	res, err := ix.Search(req)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var scores []float64
	for _, h := range res.Hits {
		keys = append(keys, h.ID)
		scores = append(scores, h.Score)
	}
	return keys, scores
}

type result struct{ top1, top3, answerable, none, noneRight, noAnswer int }

func (r result) String() string {
	prec := 1.0
	if r.none > 0 {
		prec = float64(r.noneRight) / float64(r.none)
	}
	return fmt.Sprintf("top-1 %.1f %%, top-3 %.1f %%, no-answer precision %.1f %% (%d of %d), recall %.1f %%",
		100*float64(r.top1)/float64(r.answerable), 100*float64(r.top3)/float64(r.answerable), 100*prec, r.noneRight, r.none,
		100*float64(r.noneRight)/float64(r.noAnswer))
}

func evaluate(t testing.TB, ix bleve.Index, qs []question, threshold float64) result {
	var r result
	for _, q := range qs {
		keys, scores := search(t, ix, q.text)
		for len(scores) > 0 && scores[len(scores)-1] < threshold {
			keys, scores = keys[:len(keys)-1], scores[:len(scores)-1]
		}
		if len(keys) == 0 {
			r.none++
		}
		if q.key == "-" {
			r.noAnswer++
			if len(keys) == 0 {
				r.noneRight++
			}
			continue
		}
		r.answerable++
		if i := slices.Index(keys, q.key); i == 0 {
			r.top1++
			r.top3++
		} else if i > 0 {
			r.top3++
		}
	}
	return r
}

// TestEvalBleve reports bleve's figures with no threshold and with the
// score threshold that gives it the best no-answer precision while keeping
// its top-1 (its scores are not bounded, so the threshold is the best a
// tuner could pick on this very set).
func TestEvalBleve(t *testing.T) {
	arts, _, qs, held := load(t)
	ix := build(t, arts)
	t.Logf("no threshold: %v", evaluate(t, ix, qs, 0))
	best, bestAt := result{}, 0.0
	for th := 0.0; th < 3; th += 0.02 {
		r := evaluate(t, ix, qs, th)
		if r.top1*100 >= evaluate(t, ix, qs, 0).top1*97 && r.noneRight > best.noneRight {
			best, bestAt = r, th
		}
	}
	t.Logf("best threshold %.2f: %v", bestAt, best)
	t.Logf("held out at %.2f: %v", bestAt, evaluate(t, ix, held, bestAt))
}

func BenchmarkSearch5000(b *testing.B) {
	arts, _, qs, _ := load(b)
	var big []article
	for i := 0; len(big) < 5000; i++ {
		a := arts[i%len(arts)]
		a.Key = fmt.Sprintf("%s-%d", a.Key, i)
		a.Title = fmt.Sprintf("%s (%d번 매장)", a.Title, i/len(arts))
		big = append(big, a)
	}
	start := time.Now()
	ix := build(b, big)
	b.Logf("built 5,000 articles in %v", time.Since(start))
	took := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s := time.Now()
		search(b, ix, qs[i%len(qs)].text)
		took = append(took, time.Since(s))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}
