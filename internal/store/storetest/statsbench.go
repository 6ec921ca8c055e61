package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/stats"
)

// BenchStatsQueries measures what GET …/stats and …/stats/today cost the
// store and the handler (StatRows, stats.Aggregate over its rows, and the
// JSON of the answer) on a large history:
// SODAM_BENCH_STATS_CONVERSATIONS conversations (default 100,000) in the 3
// months asked for and as many in the 3 months before (which the
// comparison reads), 50 agents, 3 channels, 20 categories two levels deep.
// Each conversation's parts come from stats.Facts over a generated
// history; their roll-up is loaded in bulk (AddStatRows), so the
// conversations themselves are not written. Run with -benchtime 40x: each
// query reports its p50 and p95 in ms (docs/benchmarks.md).
//
// An opener that keeps its database between runs (the store tests'
// SODAM_BENCH_STATS_DB and SODAM_BENCH_STATS_SCHEMA) loads the history
// once: a later run finds the workspace and measures at once.
func BenchStatsQueries(b *testing.B, open Opener) {
	n := 100_000
	if v := os.Getenv("SODAM_BENCH_STATS_CONVERSATIONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	s := open(b)
	st := s.(stats.Store)
	seoul, _ := time.LoadLocation("Asia/Seoul")
	yesterday := time.Date(2026, 12, 2, 0, 0, 0, 0, seoul)
	from := yesterday.AddDate(0, -3, 1)
	prevFrom := from.AddDate(0, 0, -int(yesterday.Sub(from).Hours()/24+0.5)-1)
	site := "statsbench-" + strconv.Itoa(n)
	ws, err := s.WorkspaceBySiteID(ctx, site)
	if err != nil {
		ws = &chat.Workspace{SiteID: site, Name: "통계 벤치", IdentitySecret: "s"}
		mustB(b, s.CreateWorkspace(ctx, ws))
		start := time.Now()
		rows := generateStats(n, prevFrom, from, yesterday, seoul)
		gen := time.Since(start)
		start = time.Now()
		b.Logf("generated %d conversations ×2 into %d roll-up rows in %s", n, len(rows), gen.Round(time.Millisecond))
		mustB(b, addStatRows(s, ws.ID, rows))
		b.Logf("loaded in %s", time.Since(start).Round(time.Millisecond))
	} else {
		b.Logf("workspace %s is loaded already", site)
	}

	q := func(group, bucket string, sel stats.Selection) stats.Query {
		return stats.Query{From: from, To: yesterday, Bucket: bucket, Group: group, AgentID: sel.AgentID, Channel: sel.Channel}
	}
	sel := func(group string) stats.Selection {
		return stats.Selection{From: stats.DayOf(from), To: stats.DayOf(yesterday), Group: group}
	}
	variants := []struct {
		name   string
		sel    stats.Selection
		bucket string
		today  bool
	}{
		{name: "3months/day", sel: sel(stats.GroupNone), bucket: "day"},
		{name: "3months/week", sel: sel(stats.GroupNone), bucket: "week"},
		{name: "3months/day/group=agent", sel: sel(stats.GroupAgent), bucket: "day"},
		{name: "3months/week/group=category", sel: sel(stats.GroupCategory), bucket: "week"},
		{name: "3months/day/agent+channel", sel: func() stats.Selection { x := sel(stats.GroupNone); x.AgentID, x.Channel = 7, "kakao"; return x }(), bucket: "day"},
		{name: "3months/day/category-subtree/group=channel", sel: func() stats.Selection { x := sel(stats.GroupChannel); x.CategoryIDs = []int64{1, 6, 7, 8}; return x }(), bucket: "day"},
		{name: "today", sel: stats.Selection{From: stats.DayOf(yesterday), To: stats.DayOf(yesterday), Group: stats.GroupNone}, today: true},
		{name: "today/group=agent", sel: stats.Selection{From: stats.DayOf(yesterday), To: stats.DayOf(yesterday), Group: stats.GroupAgent}, today: true},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			var took []time.Duration
			cpu0 := cpuTime()
			for range b.N {
				t0 := time.Now()
				cur, err := st.StatRows(ctx, ws.ID, v.sel)
				mustB(b, err)
				var prev []stats.Row
				query := q(v.sel.Group, v.bucket, v.sel)
				if !v.today {
					p := v.sel
					p.From, p.To, p.Group = stats.DayOf(prevFrom), stats.DayOf(from.AddDate(0, 0, -1)), stats.GroupNone
					prev, err = st.StatRows(ctx, ws.ID, p)
					mustB(b, err)
				} else {
					query.From = yesterday
				}
				res := stats.Aggregate(query, "Asia/Seoul", cur, prev)
				if len(res.Buckets) == 0 {
					b.Fatal("no buckets")
				}
				// The answer as the handler writes it (writeJSON).
				mustB(b, json.NewEncoder(io.Discard).Encode(res))
				took = append(took, time.Since(t0))
			}
			slices.Sort(took)
			pct := func(p float64) float64 {
				i := int(math.Ceil(p*float64(len(took)))) - 1
				return float64(took[max(0, i)].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.5), "p50_ms")
			b.ReportMetric(pct(0.95), "p95_ms")
			// The process's CPU per query: what the query costs on a machine
			// that is not shared (wall time waits for a core when it is).
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu_ms/op")
		})
	}
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// addStatRows loads rows through the store's bulk loader.
func addStatRows(s chat.Store, workspaceID int64, rows map[stats.Key]stats.Measures) error {
	l, ok := s.(interface {
		AddStatRows(ctx context.Context, workspaceID int64, rows map[stats.Key]stats.Measures) error
	})
	if !ok {
		return fmt.Errorf("%T has no AddStatRows", s)
	}
	// Loaded a day at a time: one transaction stays a reasonable size.
	byDay := map[int]map[stats.Key]stats.Measures{}
	for k, m := range rows {
		if byDay[k.Day] == nil {
			byDay[k.Day] = map[stats.Key]stats.Measures{}
		}
		byDay[k.Day][k] = m
	}
	for _, d := range slices.Sorted(func(yield func(int) bool) {
		for d := range byDay {
			if !yield(d) {
				return
			}
		}
	}) {
		if err := l.AddStatRows(ctx, workspaceID, byDay[d]); err != nil {
			return err
		}
	}
	return nil
}

// generateStats makes n conversation histories between from and to, and n
// more between prevFrom and from, as a busy shop's would look: most
// arrive in office hours, 3 channels (web, KakaoTalk, Naver), 50 agents,
// 20 categories, about 8 % unanswered, 5 % transferred, a third rated,
// first responses from seconds to an hour. It returns their roll-up.
func generateStats(n int, prevFrom, from, to time.Time, loc *time.Location) map[stats.Key]stats.Measures {
	rng := rand.New(rand.NewPCG(16, 2026))
	out := map[stats.Key]stats.Measures{}
	channels := []string{"web", "web", "web", "kakao", "kakao", "naver"}
	for _, period := range [][2]time.Time{{from, to}, {prevFrom, from.AddDate(0, 0, -1)}} {
		days := int(period[1].Sub(period[0]).Hours()/24+0.5) + 1
		for range n {
			day := period[0].AddDate(0, 0, rng.IntN(days))
			// Office hours mostly: 09–18 with a tail into the night.
			hour := 9 + rng.NormFloat64()*3 + 4
			hour = min(23.99, max(0, hour))
			created := day.Add(time.Duration(hour * float64(time.Hour)))
			h := stats.History{Channel: channels[rng.IntN(len(channels))], CategoryID: int64(rng.IntN(21)), CreatedAt: created}
			agent := int64(1 + rng.IntN(50))
			if rng.IntN(100) >= 8 {
				q := created.Add(time.Duration(rng.ExpFloat64()*90) * time.Second)
				h.FirstAssignedAt, h.FirstAgentID = &q, agent
				r := q.Add(time.Duration(5+rng.ExpFloat64()*120) * time.Second)
				h.FirstReplyAt, h.FirstReplyAgentID = &r, agent
				closer := agent
				if rng.IntN(100) < 5 {
					next := int64(1 + rng.IntN(50))
					h.Transfers = []stats.Transfer{{At: r.Add(time.Minute), FromAgentID: agent}}
					closer = next
				}
				c := r.Add(time.Duration(60+rng.ExpFloat64()*900) * time.Second)
				h.ClosedAt, h.ClosedAgentID = &c, closer
				if rng.IntN(3) == 0 {
					h.Rating = 1 + min(4, int(rng.ExpFloat64()*0.7)+3)
				}
			} else {
				c := created.Add(time.Duration(rng.ExpFloat64()*600) * time.Second)
				h.ClosedAt = &c
			}
			for _, p := range stats.Facts(h, loc) {
				for _, k := range stats.Levels(p.Key) {
					sum := out[k]
					sum.Add(p.Measures, 1)
					out[k] = sum
				}
			}
		}
	}
	return out
}
