package sqldb

import "testing"

// PostgreSQL's placeholders are numbered in order, the same text each
// time (the second from the kept rewrite); SQLite's are left alone.
func TestBind(t *testing.T) {
	pg, lite := q{d: &Dialect{Numbered: true}}, q{d: &Dialect{}}
	const text = `SELECT id FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?`
	const want = `SELECT id FROM messages WHERE conversation_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	for range 2 {
		if got := pg.bind(text); got != want {
			t.Fatalf("PostgreSQL: %q, want %q", got, want)
		}
	}
	if got := lite.bind(text); got != text {
		t.Fatalf("SQLite: %q, want it unchanged", got)
	}
}
