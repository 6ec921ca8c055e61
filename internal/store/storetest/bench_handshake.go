package storetest

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BenchVisitorHandshake compares what a visitor's socket reads to open:
// the session and workspace, then the conversation (two reads, before
// issue 17's reconnect work), against VisitorSessionConversation (one),
// and against CustomerConversationState (what is left once the node's
// visitor cache holds the session and workspace).
// 1,000 visitors, each with an open conversation; the reads go round them.
func BenchVisitorHandshake(b *testing.B, open Opener) {
	s := open(b)
	ws := &chat.Workspace{SiteID: "handshake", Name: "bench", IdentitySecret: "s"}
	mustB(b, s.CreateWorkspace(ctx, ws))
	type visitor struct {
		token          string
		customer, conv int64
	}
	visitors := make([]visitor, 1000)
	for i := range visitors {
		cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("v", i)}
		mustB(b, s.UpsertCustomer(ctx, cu))
		token := fmt.Sprint("token-", i)
		mustB(b, s.CreateVisitorSession(ctx, chat.VisitorSession{TokenHash: token, WorkspaceID: ws.ID, CustomerID: cu.ID}))
		c, _, err := openConversation(s, ws.ID, cu.ID, chat.ChannelWeb)
		mustB(b, err)
		visitors[i] = visitor{token, cu.ID, c.ID}
	}
	b.Run("two reads", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			v := visitors[i%len(visitors)]
			vs, w, err := s.VisitorSessionWorkspace(ctx, v.token)
			mustB(b, err)
			c, err := s.Conversation(ctx, w.ID, v.conv)
			mustB(b, err)
			if c.CustomerID != vs.CustomerID {
				b.Fatal("not the visitor's conversation")
			}
		}
	})
	b.Run("one read", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			v := visitors[i%len(visitors)]
			_, _, state, err := s.VisitorSessionConversation(ctx, v.token, v.conv)
			mustB(b, err)
			if state == "" {
				b.Fatal("not the visitor's conversation")
			}
		}
	})
	// The node's visitor cache holds the session and workspace: only the
	// conversation's state is read.
	b.Run("state only", func(b *testing.B) {
		b.ReportAllocs()
		for i := range b.N {
			v := visitors[i%len(visitors)]
			state, err := s.CustomerConversationState(ctx, ws.ID, v.customer, v.conv)
			mustB(b, err)
			if state == "" {
				b.Fatal("not the visitor's conversation")
			}
		}
	})
}
