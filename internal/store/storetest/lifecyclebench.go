package storetest

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BenchConversationLifecycle measures whole conversations through the
// store, the writes that change what statistics count: a customer arrives
// and writes, an agent takes the chat and answers (the first reply), the
// customer answers, the agent closes it. One op is one conversation (five
// writes); with 16 writers they share group commits.
func BenchConversationLifecycle(b *testing.B, open Opener) {
	for _, writers := range []int{1, 16} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s := open(b)
			one := lifecycle(b, s)
			// A store that folds its roll-up in a step of its own folds
			// every second, as a node's timer does, and once more at the
			// end: inside the measured window.
			fold, _ := s.(interface{ FoldStats(context.Context) error })
			stop := make(chan struct{})
			folded := make(chan error, 1)
			b.ResetTimer()
			cpu0 := cpuTime()
			server := serverCPU()
			if fold != nil {
				go func() {
					t := time.NewTicker(time.Second)
					defer t.Stop()
					for {
						select {
						case <-stop:
							folded <- fold.FoldStats(ctx)
							return
						case <-t.C:
							if err := fold.FoldStats(ctx); err != nil {
								folded <- err
								<-stop
								return
							}
						}
					}
				}()
			}
			if writers == 1 {
				for range b.N {
					if err := one(); err != nil {
						b.Fatal(err)
					}
				}
			} else {
				b.SetParallelism(max(1, writers/runtime.GOMAXPROCS(0)))
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := one(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			if fold != nil {
				close(stop)
				if err := <-folded; err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "convs/s")
			// The process's CPU (on SQLite the database's too), which a
			// shared machine's load skews far less than the rate.
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/conv")
			// On PostgreSQL, the server backends' CPU serving this process.
			if d, ok := server(); ok {
				b.ReportMetric(float64(d.Microseconds())/float64(b.N), "pg-cpu-µs/conv")
			}
		})
	}
}

// lifecycle sets up a workspace with 16 agents and returns a function that
// runs one whole conversation through s (BenchConversationLifecycle).
func lifecycle(b *testing.B, s chat.Store) func() error {
	ws := &chat.Workspace{SiteID: "lifecycle", Name: "bench", IdentitySecret: "s"}
	mustB(b, s.CreateWorkspace(ctx, ws))
	var agents []chat.Actor
	for a := range 16 {
		ag := &chat.Agent{Email: fmt.Sprintf("a%d@lifecycle.bench", a), Name: fmt.Sprint("상담원", a), PasswordHash: "x"}
		mustB(b, s.CreateAgent(ctx, ag))
		mustB(b, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
		agents = append(agents, chat.Actor{Kind: chat.SenderAgent, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline})
	}
	var next atomic.Int64
	return func() error {
		i := next.Add(1)
		agent := agents[int(i)%len(agents)]
		cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("c", i)}
		if err := s.UpsertCustomer(ctx, cu); err != nil {
			return err
		}
		c, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
		if err != nil {
			return err
		}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v1", Body: "배송 언제 되나요?"}); err != nil {
			return err
		}
		if _, _, err := s.Take(ctx, ws.ID, c.ID, agent); err != nil {
			return err
		}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, agent, chat.NewMessage{ClientMsgID: "a1", Body: "오늘 출고 예정입니다"}); err != nil {
			return err
		}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v2", Body: "감사합니다"}); err != nil {
			return err
		}
		_, _, err = s.CloseConversation(ctx, ws.ID, c.ID, agent)
		return err
	}
}

// BenchRollupAB measures what the statistics roll-up adds to whole
// conversations (BenchConversationLifecycle, one writer) in one process:
// it alternates runs of 8 conversations with the roll-up on and off
// (PauseStatsRollup) and sums each side's CPU — the process's and, on
// PostgreSQL, the server backends' (ServerBackends). A shared machine's
// load moves the CPU per op of separate runs by more than the roll-up
// costs; alternating every few hundred milliseconds puts the same load on
// both sides. One op is one conversation; b.N is split evenly.
func BenchRollupAB(b *testing.B, open Opener) {
	s := open(b)
	p, ok := s.(interface{ PauseStatsRollup(bool) })
	if !ok {
		b.Skipf("%T cannot pause its roll-up", s)
	}
	fold, _ := s.(interface{ FoldStats(context.Context) error })
	one := lifecycle(b, s)
	const run = 8
	var cpu, server [2]time.Duration // [on, off]
	var n [2]int
	for i := range 2 * run { // warm both sides up: prepared statements, caches
		p.PauseStatsRollup(i >= run)
		mustB(b, one())
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += run {
		side := (i / run) % 2
		p.PauseStatsRollup(side == 1)
		// Each side's samples carry its label in a CPU profile
		// (go tool pprof -tagfocus rollup=on).
		pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels("rollup", [2]string{"on", "off"}[side])))
		s0 := serverNow() // outside the process's CPU of the run
		c0 := cpuTime()
		k := min(run, b.N-i)
		for range k {
			if err := one(); err != nil {
				b.Fatal(err)
			}
		}
		if fold != nil && side == 0 {
			// A store that folds its roll-up in a step of its own (sqldb:
			// FoldStats) folds this run's conversations now, inside the
			// "on" side's window: at most 8 at once, a conservative
			// figure (a node's timer folds a second's worth).
			if err := fold.FoldStats(ctx); err != nil {
				b.Fatal(err)
			}
		}
		cpu[side] += cpuTime() - c0
		server[side] += serverNow() - s0
		n[side] += k
	}
	p.PauseStatsRollup(false)
	pprof.SetGoroutineLabels(context.Background())
	if n[0] == 0 || n[1] == 0 {
		return
	}
	per := func(d time.Duration, n int) float64 { return float64(d.Microseconds()) / float64(n) }
	on, off := per(cpu[0], n[0]), per(cpu[1], n[1])
	b.ReportMetric(on, "on-cpu-µs/conv")
	b.ReportMetric(off, "off-cpu-µs/conv")
	if ServerBackends != nil {
		son, soff := per(server[0], n[0]), per(server[1], n[1])
		b.ReportMetric(son, "on-pg-cpu-µs/conv")
		b.ReportMetric(soff, "off-pg-cpu-µs/conv")
		on, off = on+son, off+soff
	}
	// What the roll-up adds, in per cent of the write path without it
	// (client and server together on PostgreSQL).
	b.ReportMetric(100*(on-off)/off, "rollup-%")
}

// serverNow is the CPU the server's backends serving this process have
// used so far (0 without ServerBackends).
func serverNow() time.Duration {
	if ServerBackends == nil {
		return 0
	}
	var sum time.Duration
	for _, pid := range ServerBackends() {
		if t, ok := procCPU(pid); ok {
			sum += t
		}
	}
	return sum
}
