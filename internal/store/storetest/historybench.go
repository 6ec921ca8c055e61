package storetest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// bulkLoader is the store's bulk loading, for benchmarks.
type bulkLoader interface {
	BulkLoad(ctx context.Context, workspaceID int64, convs []sqldb.BulkConversation) error
}

// Support talk mixed into the corpus's everyday chat: what a Korean shop's
// customers and agents add to it.
var (
	benchAsks = []string{"환불 가능한가요?", "환불은 언제 되나요", "배송이 너무 늦어요", "배송 조회가 안 돼요", "교환하고 싶어요",
		"주문 취소 부탁드립니다", "결제가 두 번 됐어요", "쿠폰이 적용이 안 돼요", "포인트 적립은 언제 되나요", "반품 접수했어요",
		"사이즈가 안 맞아요", "상품이 파손돼서 왔어요", "영수증 발급 가능할까요", "비밀번호를 잊어버렸어요", "주소를 바꾸고 싶어요"}
	benchReplies = []string{"확인 후 안내드리겠습니다.", "불편을 드려 죄송합니다.", "환불은 3영업일 안에 처리됩니다.", "택배사에 확인해 보겠습니다.",
		"교환 접수 도와드리겠습니다.", "주문번호를 알려주시겠어요?", "카드 결제 취소로 진행됩니다.", "감사합니다. 좋은 하루 보내세요."}
	benchProducts = []string{"백자 찻잔", "대나무 찻상", "하동 햇녹차", "린넨 다포", "Galaxy S25 케이스", "에어팟 케이스", "무선 충전기", "텀블러 500ml"}
)

// benchCorpus is the shared Korean chat corpus's questions and answers,
// or the support talk alone without it.
func benchCorpus() (asks, answers []string) {
	lines := corpusLines(1 << 20)
	for i, l := range lines {
		if i%2 == 0 {
			asks = append(asks, l)
		} else {
			answers = append(answers, l)
		}
	}
	if len(asks) == 0 {
		return benchAsks, benchReplies
	}
	return asks, answers
}

// benchConversation makes one conversation of n messages: the customer's
// lines are the corpus's questions, often with a support request, an order
// number, a product or a phone number; the agent's the corpus's answers or
// a support reply.
func benchConversation(rng *rand.Rand, asks, answers []string, n int) []string {
	out := make([]string, n)
	for j := range out {
		if j%2 == 1 {
			if rng.IntN(2) == 0 {
				out[j] = benchReplies[rng.IntN(len(benchReplies))]
			} else {
				out[j] = answers[rng.IntN(len(answers))]
			}
			continue
		}
		parts := []string{asks[rng.IntN(len(asks))]}
		switch rng.IntN(4) {
		case 0:
			parts = append(parts, benchAsks[rng.IntN(len(benchAsks))])
		case 1:
			parts = append(parts, benchProducts[rng.IntN(len(benchProducts))], benchAsks[rng.IntN(len(benchAsks))])
		case 2:
			parts = append(parts, fmt.Sprintf("주문번호 A%d-%05d", 2024+rng.IntN(3), rng.IntN(100000)))
		}
		if rng.IntN(20) == 0 {
			parts = append(parts, fmt.Sprintf("연락처 010-%04d-%04d", rng.IntN(10000), rng.IntN(10000)))
		}
		out[j] = strings.Join(parts, " ")
	}
	return out
}

// BenchHistory measures the history over a large realistic workspace:
// SODAM_BENCH_CONVERSATIONS conversations (default 2,000) of 10 messages
// each, generated from the corpus. It reports the p50 and p95 of word
// searches and of filter-only searches (the first page of 50, as the
// console asks), and the time and RSS growth of exporting every
// conversation as CSV and XLSX. Run it with -benchtime 1x.
func BenchHistory(b *testing.B, open Opener) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("SODAM_BENCH_CONVERSATIONS")); err == nil && v > 0 {
		n = v
	}
	start, steps := time.Now(), 0
	s := open(b)
	b.Logf("opened the store in %s (migrations included)", time.Since(start).Round(10*time.Millisecond))
	hs, ok := s.(history.Store)
	bl, ok2 := s.(bulkLoader)
	if !ok || !ok2 {
		b.Fatalf("%T keeps no history", s)
	}
	ws, agents, top, err := historyBenchData(b, s, bl, n)
	mustB(b, err)
	// A kept database that a migration queued to be indexed again (0028)
	// is, as its search_backfill job would, before it is measured.
	start, steps = time.Now(), 0
	for more := true; more; steps++ {
		more, err = hs.BackfillSearch(ctx, 1000)
		mustB(b, err)
	}
	if steps > 1 {
		b.Logf("indexed the kept messages again in %s (%d transactions of 1,000)", time.Since(start).Round(time.Second), steps)
	}
	if an, ok := s.(interface{ Analyze(context.Context) error }); ok {
		mustB(b, an.Analyze(ctx)) // the statistics a database in use has
	}

	measure := func(name string, queries []url.Values) {
		b.Run(name, func(b *testing.B) {
			var times []time.Duration
			each := make([][]time.Duration, len(queries)) // per query, for -v
			counts := make([]int, len(queries))
			for range b.N {
				for range 5 {
					for i, v := range queries {
						f, err := history.Parse(v, time.UTC)
						mustB(b, err)
						t0 := time.Now()
						page, err := hs.History(ctx, ws.ID, f, nil, history.DefaultLimit+1)
						mustB(b, err)
						took := time.Since(t0)
						times = append(times, took)
						each[i], counts[i] = append(each[i], took), len(page)
					}
				}
			}
			if testing.Verbose() {
				for i, v := range queries {
					slices.Sort(each[i])
					b.Logf("%-40s %3d results, median %s, max %s", v.Encode(), counts[i],
						each[i][len(each[i])/2].Round(time.Microsecond), each[i][len(each[i])-1].Round(time.Microsecond))
				}
			}
			slices.Sort(times)
			pct := func(p float64) time.Duration { return times[int(p*float64(len(times)-1))] }
			b.ReportMetric(float64(pct(.5).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(pct(.95).Microseconds())/1000, "p95-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
	var words []url.Values
	for _, q := range []string{"환불", "환불은", "배송", "배송이", "교환", "취소", "쿠폰", "결제", "적립", "반품", "파손", "영수증",
		"사랑", "친구", "여행", "회사", "시험", "짝사랑", "헤어지", "강아지", "다이어트", `"배송이 너무"`, `"주문 취소"`, "찻잔", "galaxy",
		"s25 케이스", "a2025", "주문번호 a2026", "010", "환불 배송", "없는말입니다"} {
		words = append(words, url.Values{"q": {q}})
	}
	measure("words", words)
	// Words the corpus spaces, searched unspaced, and the other way round
	// (found since migration 0028).
	var spacing []url.Values
	for _, q := range []string{"배송조회", "주문취소", "카드결제취소", "환불가능한가요", "언제되나요", `"교환 하고"`, "적립은언제", "택배사에확인해"} {
		spacing = append(spacing, url.Values{"q": {q}})
	}
	measure("spacing", spacing)
	a0 := fmt.Sprint(agents[0].ID)
	filters := []url.Values{
		{}, {"state": {"closed"}}, {"agent_id": {a0}}, {"agent_id": {a0}, "agent_path": {"true"}}, {"rating": {"5"}}, {"rating": {"none"}},
		{"category_id": {fmt.Sprint(top.ID)}}, {"processed": {"true"}}, {"from": {"2026-02-01"}, "to": {"2026-02-28"}},
		{"customer": {"고객1234"}}, {"customer": {fmt.Sprintf("cust-%07d", n/2)}}, {"sort": {"oldest"}}, {"channel": {"web"}, "rating": {"1"}},
	}
	measure("filters", filters)

	manager := agents[0]
	files, err := blob.NewDisk(b.TempDir())
	mustB(b, err)
	x := &history.Exporter{Store: hs, Workspace: s.Workspace, Files: files, Node: "bench", Now: time.Now, Log: nopLog()}
	if os.Getenv("SODAM_BENCH_SKIP_EXPORT") != "" {
		return
	}
	for _, format := range []string{history.FormatCSV, history.FormatXLSX} {
		for _, layout := range []string{history.LayoutConversations, history.LayoutMessages} {
			if layout == history.LayoutMessages && os.Getenv("SODAM_BENCH_MESSAGES_EXPORT") == "" {
				continue // a million rows: on request
			}
			b.Run("export-"+format+"-"+layout, func(b *testing.B) {
				for range b.N {
					e := &history.Export{WorkspaceID: ws.ID, AgentID: manager.ID, Format: format, Layout: layout, Filter: map[string]string{}}
					mustB(b, hs.CreateExport(ctx, e, chat.Who{AgentID: manager.ID, Name: manager.Name}))
					runtime.GC()
					before := rss()
					var peak atomic.Int64
					stop := make(chan struct{})
					var wg sync.WaitGroup
					wg.Go(func() {
						for {
							if r := rss(); r > peak.Load() {
								peak.Store(r)
							}
							select {
							case <-stop:
								return
							case <-time.After(20 * time.Millisecond):
							}
						}
					})
					t0 := time.Now()
					mustB(b, x.Run(ctx, chat.Job{Kind: history.JobExport, WorkspaceID: ws.ID, RefID: e.ID}))
					took := time.Since(t0)
					close(stop)
					wg.Wait()
					got, err := hs.Export(ctx, ws.ID, e.ID)
					mustB(b, err)
					if got.State != history.ExportDone {
						b.Fatalf("export %+v", got)
					}
					b.ReportMetric(took.Seconds(), "s")
					b.ReportMetric(float64(got.Rows), "rows")
					b.ReportMetric(float64(got.Size)/(1<<20), "file-MiB")
					b.ReportMetric(float64(max(0, peak.Load()-before))/(1<<20), "rss-growth-MiB")
				}
			})
		}
	}
}

// historyBenchData loads the benchmark's workspace, or finds it in a kept
// database (SODAM_BENCH_KEEP) that a previous run loaded, so the queries
// can be measured again without loading a million messages each time.
func historyBenchData(b *testing.B, s chat.Store, bl bulkLoader, n int) (*chat.Workspace, []*chat.Agent, *chat.Category, error) {
	var agents []*chat.Agent
	if ws, err := s.WorkspaceBySiteID(ctx, "histbench"); err == nil {
		for i := range 20 {
			a, err := s.AgentByEmail(ctx, fmt.Sprintf("a%d@bench", i))
			if err != nil {
				return nil, nil, nil, err
			}
			agents = append(agents, a)
		}
		cats, err := s.Categories(ctx, ws.ID)
		if err != nil {
			return nil, nil, nil, err
		}
		for _, c := range cats {
			if c.ParentID == 0 {
				b.Logf("reusing the kept workspace %d", ws.ID)
				return ws, agents, &c, nil
			}
		}
		return nil, nil, nil, fmt.Errorf("the kept workspace has no category")
	}
	ws := &chat.Workspace{SiteID: "histbench", Name: "bench", IdentitySecret: "s"}
	mustB(b, s.CreateWorkspace(ctx, ws))
	for i := range 20 {
		a := &chat.Agent{Email: fmt.Sprintf("a%d@bench", i), Name: fmt.Sprintf("상담원%d", i), PasswordHash: "x"}
		mustB(b, s.CreateAgent(ctx, a))
		mustB(b, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: a.ID, Role: chat.RoleManager}))
		agents = append(agents, a)
	}
	top, err := s.CreateCategory(ctx, ws.ID, 0, "배송", chat.Who{})
	mustB(b, err)
	sub, err := s.CreateCategory(ctx, ws.ID, top.ID, "지연", chat.Who{})
	mustB(b, err)
	asks, answers := benchCorpus()
	rng := rand.New(rand.NewPCG(2026, 13))
	start := time.Now()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const perConv = 10
	for done := 0; done < n; {
		var batch []sqldb.BulkConversation
		for i := 0; i < 1000 && done < n; i, done = i+1, done+1 {
			a := agents[rng.IntN(len(agents))]
			c := sqldb.BulkConversation{CustomerKey: fmt.Sprintf("cust-%07d", done), Name: fmt.Sprintf("고객%d", done),
				Phone: fmt.Sprintf("010-%04d-%04d", rng.IntN(10000), rng.IntN(10000)), AgentID: a.ID, AgentName: a.Name,
				Start: base.Add(time.Duration(done) * 3 * time.Minute), Messages: benchConversation(rng, asks, answers, perConv)}
			if rng.IntN(5) == 0 {
				c.CategoryID = sub.ID
			}
			if rng.IntN(3) == 0 {
				c.Rating = 1 + rng.IntN(5)
			}
			batch = append(batch, c)
		}
		mustB(b, bl.BulkLoad(ctx, ws.ID, batch))
	}
	b.Logf("loaded %d conversations, %d messages in %s", n, n*perConv, time.Since(start).Round(time.Second))
	return ws, agents, &top, nil
}

// rss is the process's resident set size in bytes (Linux), 0 elsewhere.
func rss() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func nopLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
