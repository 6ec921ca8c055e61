package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync/atomic"
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
// session's statements) shows what the batches' statements did. Each
// batch is two round trips: its reads, then its writes with the COMMIT.
func TestBatchGenericPlans(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var trips atomic.Int64
	s, pool, ws, c := batchStore(t, &trips)
	const sends = 12
	trips.Store(0)
	for i := range sends {
		nm := chat.NewMessage{ClientMsgID: fmt.Sprint("m", i), Body: "주문한 상품이 아직 안 왔어요"}
		if _, _, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, nm); err != nil {
			t.Fatal(err)
		}
	}
	if n := trips.Load(); n != 2*sends {
		t.Errorf("%d sends took %d round trips, want 2 each", sends, n)
	}

	for _, st := range []struct{ name, like string }{
		{"the conversations' lock", `%WHERE c.id = ANY(CAST($1 AS BIGINT[])) ORDER BY c.id FOR UPDATE%`},
		{"the client IDs used", `%(m.conversation_id, m.client_msg_id) IN%unnest%`},
		{"the conversations' update", `UPDATE conversations SET state = v.state%`},
		{"the timers stopped", `DELETE FROM jobs WHERE kind = $1 AND (workspace_id, ref_id) IN%`},
		{"the events", `INSERT INTO events%LEFT JOIN event_seqs%`},
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

// TestBatchRetriesLostDeadlock: a statement sent with the COMMIT that
// loses a deadlock leaves nothing committed, so the batch runs again: its
// caller hears of success, and the message is stored once.
func TestBatchRetriesLostDeadlock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, pool, ws, c := batchStore(t, nil)
	// The first INSERT into events from now on loses.
	for _, q := range []string{`CREATE SEQUENCE lose_once`,
		`CREATE FUNCTION lose_once() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF nextval('lose_once') = 1 THEN
				RAISE EXCEPTION 'deadlock detected (a test)' USING ERRCODE = '40P01';
			END IF;
			RETURN NULL;
		END $$`,
		`CREATE TRIGGER lose_once AFTER INSERT ON events FOR EACH STATEMENT EXECUTE FUNCTION lose_once()`} {
		if _, err := pool.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	before, err := s.LastEventSeq(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	m, evs, _, err := s.AppendMessage(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "r1", Body: "환불 요청드립니다"})
	if err != nil {
		t.Fatalf("the send that lost a deadlock once: %v", err)
	}
	var tries, stored int
	if err := pool.QueryRowContext(ctx, `SELECT last_value FROM lose_once`).Scan(&tries); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages WHERE conversation_id = $1 AND client_msg_id = 'r1'`, c.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if tries != 2 || stored != 1 {
		t.Fatalf("the batch ran %d times and stored the message %d times, want 2 and 1", tries, stored)
	}
	if len(evs) != 1 || evs[0].Seq != before+1 || evs[0].Message.ID != m.ID {
		t.Fatalf("events %+v after seq %d, want one numbered %d for message %d", evs, before, before+1, m.ID)
	}
}

// batchStore is a store of one connection, so that pg_prepared_statements
// (one session's statements) shows what the batches' statements did, with
// a workspace and a visitor's open conversation. trips, when set, counts
// the pipelines sent.
func batchStore(t *testing.T, trips *atomic.Int64) (*sqldb.DB, *sql.DB, *chat.Workspace, chat.Conversation) {
	t.Helper()
	ctx := context.Background()
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
	d := dialect()
	if trips != nil {
		pipeline := d.Pipeline
		d.Pipeline = func(ctx context.Context, c *sql.Conn, stmts []sqldb.Stmt) ([]int64, error) {
			trips.Add(1)
			return pipeline(ctx, c, stmts)
		}
	}
	s := sqldb.New(pool, pool, d)
	t.Cleanup(func() { s.Close() })
	// The key Open gives: a store without one stores no identity secret.
	if _, err := s.UseSecretKey(ctx, ""); err != nil {
		t.Fatal(err)
	}

	ws := &chat.Workspace{SiteID: "plans", Name: "소담 상점", IdentitySecret: "s"}
	if err := s.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "c1"}
	if err := s.UpsertCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	c, _, err := app.New(s, noPublisher{}, nil).StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	if err != nil {
		t.Fatal(err)
	}
	return s, pool, ws, c
}

// TestQueuePositionPlan: a chat's place in a queue that grew faster than
// the table's statistics. Counted as a join, PostgreSQL chose a nested
// loop that looked the chat up again for every queued row (491 ms for a
// queue of 1,023, docs/benchmarks.md); every chat opened asks its place,
// so a rush of chats slowed itself down. The count must run each part of
// its plan once, whatever the statistics say.
func TestQueuePositionPlan(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, pool, ws, first := batchStore(t, nil)
	// Statistics taken with a queue of one, and kept: the rush comes
	// before autovacuum looks again.
	for _, q := range []string{`ANALYZE conversations`, `ALTER TABLE conversations SET (autovacuum_enabled = off)`} {
		if _, err := pool.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	const queued = 300
	a := app.New(s, noPublisher{}, nil)
	last := first
	for i := 1; i < queued; i++ {
		cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: fmt.Sprint("q", i)}
		if err := s.UpsertCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
		c, _, err := a.StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
		if err != nil {
			t.Fatal(err)
		}
		last = c
	}
	if n, err := s.QueuePosition(ctx, ws.ID, last.ID); err != nil || n != queued {
		t.Fatalf("the last chat's place: %d, %v; want %d", n, err, queued)
	}

	// The statement as the store prepared it, run again under EXPLAIN on
	// the same connection (the pool has one).
	var name string
	if err := pool.QueryRowContext(ctx, `SELECT name FROM pg_prepared_statements WHERE statement LIKE 'SELECT COUNT(*) FROM conversations q%'`).Scan(&name); err != nil {
		t.Fatalf("the count's prepared statement: %v", err)
	}
	var plan string
	q := fmt.Sprintf(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE %s(%d, %d, %d)`, pgx.Identifier{name}.Sanitize(), ws.ID, last.ID, ws.ID)
	if err := pool.QueryRowContext(ctx, q).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var root []struct{ Plan planNode }
	if err := json.Unmarshal([]byte(plan), &root); err != nil || len(root) != 1 {
		t.Fatalf("plan %s: %v", plan, err)
	}
	var walk func(n planNode)
	walk = func(n planNode) {
		if n.Loops > 1 {
			t.Errorf("%s on %q ran %d times for a queue of %d: %s", n.Type, n.Relation, n.Loops, queued, plan)
		}
		for _, c := range n.Plans {
			walk(c)
		}
	}
	walk(root[0].Plan)
}

// planNode is a node of EXPLAIN's JSON plan, as far as the tests read it.
type planNode struct {
	Type     string     `json:"Node Type"`
	Relation string     `json:"Relation Name"`
	Loops    int        `json:"Actual Loops"`
	Plans    []planNode `json:"Plans"`
}
