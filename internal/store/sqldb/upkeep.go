package sqldb

import (
	"context"
	"time"
)

// RunIndexUpkeep merges the search index's pending entries into the index
// every interval until ctx ends, and calls report after each pass with
// the pending pages it merged or its error (PostgreSQL; on SQLite it
// returns at once).
//
// PostgreSQL's GIN index (message_search_grams) takes new entries into a
// pending list, cheap to append to, and merges the list into the index
// once it outgrows gin_pending_list_limit (4 MB). The insert that finds
// it over the limit does that merge itself, inside its transaction: with
// 2,000 messages a second that held up a write batch, and every message
// queued behind it, for 30–60 ms every 1.4 s, most of a node's slowest
// batches (docs/benchmarks.md). Merged here, on a connection of its own,
// the list stays far under the limit and no batch merges it; an insert
// that finds it over the limit while a merge runs leaves it to that
// merge. Nodes of a cluster each run it; one that starts while
// another's merge runs waits for it and finds little left.
//
// After an error (PostgreSQL lets only the index's owner merge it, and a
// server whose role did not run the migrations is not) the next pass
// waits upkeepRetry, so that the error is reported once a minute; the
// writes merge the list themselves meanwhile, as without the upkeep.
func (db *DB) RunIndexUpkeep(ctx context.Context, every time.Duration, report func(merged int64, err error)) {
	if db.d.CleanPending == "" {
		return
	}
	t := time.NewTimer(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var merged int64
		err := db.w.QueryRowContext(ctx, db.d.CleanPending).Scan(&merged)
		if ctx.Err() != nil {
			return
		}
		report(merged, err)
		if err != nil {
			t.Reset(upkeepRetry)
		} else {
			t.Reset(every)
		}
	}
}

// upkeepRetry is how long RunIndexUpkeep waits after an error.
const upkeepRetry = time.Minute
