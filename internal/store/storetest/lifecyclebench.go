package storetest

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

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
			one := func() error {
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
			b.ResetTimer()
			cpu0 := cpuTime()
			server := serverCPU()
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
