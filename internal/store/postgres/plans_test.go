package postgres

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

type noPublisher struct{}

func (noPublisher) Publish(context.Context, []chat.Event) {}

// TestBatchGenericPlans: a lone message's batch locks its conversation,
// reads the client IDs already used, moves the conversation and stops its
// timers with arrays of one element. PostgreSQL then judged a custom plan
// cheaper than the generic one and planned these statements anew for
// every message; the batch has them run on their generic plans.
// The store here has one connection, so that pg_prepared_statements (one
// session's statements) shows what the batches' statements did.
func TestBatchGenericPlans(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	url, schema := TestSchema(t)
	migrated, err := Open(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	migrated.Close()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(1)
	s := sqldb.New(pool, pool, dialect())
	defer s.Close()

	ws := &chat.Workspace{SiteID: "plans", Name: "소담 상점", IdentitySecret: "s"}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "c1"}
	if err := s.UpsertCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	c, _, err := app.New(s, noPublisher{}, nil).StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko")
	if err != nil {
		t.Fatal(err)
	}
	const sends = 12
	for i := range sends {
		nm := chat.NewMessage{ClientMsgID: fmt.Sprint("m", i), Body: "주문한 상품이 아직 안 왔어요"}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, nm); err != nil {
			t.Fatal(err)
		}
	}

	for _, st := range []struct{ name, like string }{
		{"the conversations' lock", `%WHERE c.id = ANY(CAST($1 AS BIGINT[])) ORDER BY c.id FOR UPDATE%`},
		{"the client IDs used", `%(m.conversation_id, m.client_msg_id) IN%unnest%`},
		{"the conversations' update", `UPDATE conversations SET state = v.state%`},
		{"the timers stopped", `DELETE FROM jobs WHERE kind = $1 AND (workspace_id, ref_id) IN%`},
	} {
		var generic, custom int
		err := pool.QueryRowContext(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE $1`, st.like).
			Scan(&generic, &custom)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if custom != 0 || generic < sends {
			t.Errorf("%s: %d custom plans and %d generic ones in %d sends, want none custom", st.name, custom, generic, sends)
		}
	}
}
