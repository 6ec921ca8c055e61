package pii

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// score counts, per kind, findings that match a label exactly (kind,
// start and end), findings that do not, and labels nobody found.
type score struct{ tp, fp, fn int }

func (s score) precision() float64 {
	if s.tp+s.fp == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fp)
}

func (s score) recall() float64 {
	if s.tp+s.fn == 0 {
		return 1
	}
	return float64(s.tp) / float64(s.tp+s.fn)
}

// evaluate scans every line and scores it against its labels; misses
// lists a few mistakes for the failure message.
func evaluate(lines []line) (map[Kind]*score, []string) {
	scores := map[Kind]*score{}
	for _, k := range Kinds {
		scores[k] = &score{}
	}
	var misses []string
	for _, l := range lines {
		found := Scan(l.Text)
		for _, f := range found {
			if slices.ContainsFunc(l.Spans, func(s Span) bool { return s.Kind == f.Kind && s.Start == f.Start && s.End == f.End }) {
				scores[f.Kind].tp++
			} else {
				scores[f.Kind].fp++
				if len(misses) < 20 {
					misses = append(misses, fmt.Sprintf("false %s %q in %q", f.Kind, string([]rune(l.Text)[f.Start:f.End]), l.Text))
				}
			}
		}
		for _, s := range l.Spans {
			if !slices.ContainsFunc(found, func(f Finding) bool { return s.Kind == f.Kind && s.Start == f.Start && s.End == f.End }) {
				scores[s.Kind].fn++
				if len(misses) < 20 {
					misses = append(misses, fmt.Sprintf("missed %s %q in %q", s.Kind, string([]rune(l.Text)[s.Start:s.End]), l.Text))
				}
			}
		}
	}
	return scores, misses
}

// Targets of issue 15, per kind over the whole corpus.
const (
	targetPrecision = 0.98
	targetRecall    = 0.97
)

func checkScores(t *testing.T, scores map[Kind]*score, misses []string) {
	t.Helper()
	var report strings.Builder
	fmt.Fprintf(&report, "| kind | labels | found right | false | missed | precision | recall |\n|---|---|---|---|---|---|---|\n")
	bad := false
	for _, k := range Kinds {
		s := scores[k]
		fmt.Fprintf(&report, "| %s | %d | %d | %d | %d | %.4f | %.4f |\n", k, s.tp+s.fn, s.tp, s.fp, s.fn, s.precision(), s.recall())
		if s.precision() < targetPrecision || s.recall() < targetRecall || s.tp+s.fn == 0 {
			bad = true
		}
	}
	t.Log("\n" + report.String())
	if bad {
		t.Errorf("below the targets (precision %.2f, recall %.2f per kind); some mistakes:\n%s", targetPrecision, targetRecall, strings.Join(misses, "\n"))
	}
}

// TestEvaluation scores the checked-in corpus (make test runs it).
func TestEvaluation(t *testing.T) {
	lines := readCorpus(t, corpusFile)
	if len(lines) < 1000 {
		t.Fatalf("the corpus has %d lines; at least 1,000 are needed", len(lines))
	}
	scores, misses := evaluate(lines)
	checkScores(t, scores, misses)
}

// TestEvaluationFull is the evaluation docs/benchmarks.md reports: the
// checked-in corpus, 50,000 more generated lines under other seeds, and
// every line of ../shared/corpora/ChatbotData.csv as negatives (everyday
// chat with numbers of its own). SODAM_PII_EVAL=full runs it.
func TestEvaluationFull(t *testing.T) {
	if os.Getenv("SODAM_PII_EVAL") != "full" {
		t.Skip("SODAM_PII_EVAL=full runs the full evaluation")
	}
	lines := readCorpus(t, corpusFile)
	for seed := uint64(2); seed < 12; seed++ {
		lines = append(lines, corpus(seed, 5000)...)
	}
	chat := chatbotLines(t)
	for _, c := range chat {
		lines = append(lines, line{Text: c})
	}
	scores, misses := evaluate(lines)
	t.Logf("%d lines (%d of them from ChatbotData.csv)", len(lines), len(chat))
	checkScores(t, scores, misses)

	// Throughput on one goroutine, over every line.
	texts := make([]string, len(lines))
	for i, l := range lines {
		texts[i] = l.Text
	}
	start := time.Now()
	n := 0
	for time.Since(start) < 3*time.Second {
		for _, s := range texts {
			Scan(s)
		}
		n += len(texts)
	}
	el := time.Since(start)
	t.Logf("scanned %d messages in %v on one goroutine: %.0f messages/s", n, el.Round(time.Millisecond), float64(n)/el.Seconds())
}

// chatbotLines reads the questions and answers of the shared corpus, or
// skips when it is not beside the repository.
func chatbotLines(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../../../shared/corpora/ChatbotData.csv")
	if err != nil {
		t.Skipf("the shared corpus is not beside the repository: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec[0], rec[1])
	}
	return out[2:] // the header
}

// BenchmarkScan measures one goroutine scanning support-chat lines, a
// mix with and without personal information as the corpus has them.
func BenchmarkScan(b *testing.B) {
	lines := readCorpus(b, corpusFile)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		Scan(lines[i%len(lines)].Text)
	}
}
