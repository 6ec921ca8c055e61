package storetest

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// BenchAppendMessage measures durable message writes: 64 goroutines send
// into many conversations, in one workspace (every write appends to the
// same event sequence) and spread over eight; and one goroutine alone,
// whose every write waits for its own commit. Visitors and assigned agents
// take turns, so both paths (cancelling and scheduling the inactivity
// timer) are in the figure. Each starts after 50 messages a conversation
// and ANALYZE. It reports msgs/s besides ns/op, and, where the store
// batches, the writes per batch and the share of the time its one writer
// was busy. With SODAM_BENCH_SEARCH_INDEX=off the store skips the search
// index, to show what indexing adds (docs/benchmarks.md, issue 13).
// SODAM_BENCH_CPUPROFILE=file writes a CPU profile of the measured part
// alone: -test.cpuprofile also takes in the set-up and the warm-up's
// single writes, which read as a quarter of the samples.
func BenchAppendMessage(b *testing.B, open Opener) {
	for _, bc := range []struct{ workspaces, writers int }{{1, 1}, {1, 64}, {8, 64}} {
		n := bc.workspaces
		b.Run(fmt.Sprintf("workspaces=%d/writers=%d", n, bc.writers), func(b *testing.B) {
			s := open(b)
			if os.Getenv("SODAM_BENCH_SEARCH_INDEX") == "off" {
				s.(interface{ SetSearchIndex(on bool) }).SetSearchIndex(false)
			}
			type target struct {
				ws, conv int64
				agent    chat.Actor
			}
			var targets []target
			for w := range n {
				ws := &chat.Workspace{SiteID: fmt.Sprint("bench", w), Name: "bench", IdentitySecret: "s"}
				mustB(b, s.CreateWorkspace(ctx, ws))
				// Eight agents take five conversations each: all 40 are
				// waiting on an agent, so both sides can write.
				var agents []chat.Actor
				for a := range 8 {
					ag := &chat.Agent{Email: fmt.Sprintf("a%d@%d.bench", a, w), Name: fmt.Sprint("agent", a), PasswordHash: "x"}
					mustB(b, s.CreateAgent(ctx, ag))
					mustB(b, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
					agents = append(agents, chat.Actor{Kind: chat.SenderAgent, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline})
				}
				for c := range 40 {
					cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("c", c)}
					mustB(b, s.UpsertCustomer(ctx, cu))
					conv, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
					mustB(b, err)
					agent := agents[c%len(agents)]
					_, _, err = s.Take(ctx, ws.ID, conv.ID, agent)
					mustB(b, err)
					targets = append(targets, target{ws.ID, conv.ID, agent})
				}
			}
			var next atomic.Int64
			send := func() error {
				i := next.Add(1)
				tg := targets[int(i)%len(targets)]
				actor := chat.VisitorActor
				if (i/int64(len(targets)))%2 == 1 {
					actor = tg.agent
				}
				nm := chat.NewMessage{ClientMsgID: fmt.Sprint("b", i), Body: "안녕하세요, 주문 확인 부탁드립니다"}
				_, _, _, err := s.AppendMessage(ctx, tg.ws, tg.conv, actor, nm)
				return err
			}
			// Measured on a database in use: every conversation has some
			// history, and the tables have the statistics autovacuum gives
			// them within a minute of their growing. A fresh schema's
			// plans, made for empty tables, scan messages whole for the
			// duplicate check (docs/benchmarks.md).
			for range 50 * len(targets) {
				mustB(b, send())
			}
			if an, ok := s.(interface{ Analyze(context.Context) error }); ok {
				mustB(b, an.Analyze(ctx))
			}
			writer, batched := s.(interface{ WriterStats() sqldb.WriterStats })
			var before sqldb.WriterStats
			if batched {
				before = writer.WriterStats()
			}
			if path := os.Getenv("SODAM_BENCH_CPUPROFILE"); path != "" && b.N > 1 {
				stop, err := cpuProfile(path)
				mustB(b, err)
				defer stop()
			}
			b.ResetTimer()
			cpu0 := cpuTime()
			server := serverCPU()
			if bc.writers == 1 {
				for range b.N {
					if err := send(); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				// RunParallel starts parallelism × GOMAXPROCS goroutines.
				b.SetParallelism(max(1, bc.writers/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := send(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			if batched {
				after := writer.WriterStats()
				b.ReportMetric(float64(after.Writes-before.Writes)/float64(after.Batches-before.Batches), "writes/batch")
				b.ReportMetric(float64(after.Busy-before.Busy)/float64(b.Elapsed()), "writer-busy")
			}
			// The process's CPU per message (on SQLite the database's
			// too), which other processes on the machine do not change.
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/msg")
			if d, ok := server(); ok {
				b.ReportMetric(float64(d.Microseconds())/float64(b.N), "pg-cpu-µs/msg")
				b.ReportMetric(float64((cpu+d).Microseconds())/float64(b.N), "total-cpu-µs/msg")
			}
		})
	}
}

func mustB(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// cpuProfile starts a CPU profile written to path; stop ends it.
func cpuProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
