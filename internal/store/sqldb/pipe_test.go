package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"testing"
)

// A unit of work that fails drops only what it queued itself: what was
// queued before its mark (its savepoint, the previous unit's release) is
// still sent, and what was sent already is not sent again.
func TestPipeDropSince(t *testing.T) {
	tests := []struct {
		name string
		run  func(x q) // queues statements and drops some
		want []string  // what the next flush sends
	}{
		{"before the mark stays", func(x q) {
			x.later(context.Background(), "a")
			m := x.pipe.mark()
			x.later(context.Background(), "b")
			x.later(context.Background(), "c")
			x.pipe.dropSince(m)
		}, []string{"a"}},
		{"sent already", func(x q) {
			x.later(context.Background(), "a")
			m := x.pipe.mark()
			x.later(context.Background(), "b")
			x.pipe.flush(context.Background())
			x.later(context.Background(), "c")
			x.pipe.dropSince(m)
		}, nil},
		{"nothing after the mark", func(x q) {
			x.later(context.Background(), "a")
			m := x.pipe.mark()
			x.pipe.dropSince(m)
		}, []string{"a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var sent [][]string
			p := &pipe{run: func(_ context.Context, _ *sql.Conn, stmts []Stmt) ([]int64, error) {
				var qs []string
				for _, s := range stmts {
					qs = append(qs, s.Query)
				}
				sent = append(sent, qs)
				return make([]int64, len(stmts)), nil
			}}
			x := q{d: &Dialect{}, pipe: p}
			tt.run(x)
			sent = nil
			if err := p.flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			var got []string
			if len(sent) > 0 {
				got = sent[0]
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("flush sent %q, want %q", got, tt.want)
			}
		})
	}
}
