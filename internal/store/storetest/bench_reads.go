package storetest

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BenchReadReceipts measures what read receipts add to a chat (issue 14):
// "message+read" is a visitor's message followed by the assigned agent's
// read receipt for it, 64 senders at once (compare msgs/s with
// BenchAppendMessage's writers=64: the receipt is a second write and a
// second event per message); "repeat" is a read that moves nothing, which
// a console or widget sends again and again and which must cost a read,
// not a write.
func BenchReadReceipts(b *testing.B, open Opener) {
	for _, mode := range []string{"message+read", "repeat"} {
		b.Run(mode, func(b *testing.B) {
			s := open(b)
			ws := &chat.Workspace{SiteID: "reads", Name: "bench", IdentitySecret: "s"}
			mustB(b, s.CreateWorkspace(ctx, ws))
			type target struct {
				conv  int64
				agent chat.Actor
				seq   atomic.Int64
			}
			var agents []chat.Actor
			for a := range 8 {
				ag := &chat.Agent{Email: fmt.Sprintf("r%d@bench", a), Name: fmt.Sprint("상담사", a), PasswordHash: "x"}
				mustB(b, s.CreateAgent(ctx, ag))
				mustB(b, s.AddMember(ctx, chat.Member{WorkspaceID: ws.ID, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline}))
				agents = append(agents, chat.Actor{Kind: chat.SenderAgent, AgentID: ag.ID, Role: chat.RoleAgent, Status: chat.StatusOnline})
			}
			targets := make([]*target, 40)
			for c := range targets {
				cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("c", c)}
				mustB(b, s.UpsertCustomer(ctx, cu))
				conv, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
				mustB(b, err)
				agent := agents[c%len(agents)]
				taken, _, err := s.Take(ctx, ws.ID, conv.ID, agent)
				mustB(b, err)
				tg := &target{conv: conv.ID, agent: agent}
				tg.seq.Store(taken.LastSeq)
				targets[c] = tg
			}
			var next atomic.Int64
			op := func() error {
				i := next.Add(1)
				tg := targets[int(i)%len(targets)]
				if mode == "repeat" {
					_, _, err := s.MarkRead(ctx, ws.ID, tg.conv, tg.agent, 0)
					return err
				}
				m, _, _, err := s.AppendMessage(ctx, ws.ID, tg.conv, chat.VisitorActor,
					chat.NewMessage{ClientMsgID: fmt.Sprint("r", i), Body: "주문한 찻잔 세트 배송 언제 되나요?"})
				if err != nil {
					return err
				}
				_, _, err = s.MarkRead(ctx, ws.ID, tg.conv, tg.agent, m.Seq)
				return err
			}
			b.ResetTimer()
			b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := op(); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}
