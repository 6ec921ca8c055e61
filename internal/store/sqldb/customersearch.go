package sqldb

import (
	"context"
	"slices"
	"strings"

	"github.com/sodam-chat/sodam/internal/history"
)

// The customer index (migration 0015): every profile's name, nickname,
// email and phone digits as history.CustomerFields, in SQLite's FTS5 table
// customer_fts (rowid: the profile's ID, a column per field) or
// PostgreSQL's customer_search (the fields one a line, and their grams
// under a GIN index), so that the history's customer filter is an index
// lookup. indexProfiles is the one place that writes it, in the
// transaction that writes the profiles; unindexProfile forgets a profile
// that a merge deleted.

// indexProfiles (re)indexes the profiles with these IDs as they now are.
func indexProfiles(ctx context.Context, x q, ids []int64) error {
	for chunk := range slices.Chunk(ids, 200) {
		rows, err := x.query(ctx, `SELECT id, workspace_id, name, nickname, email, phone FROM profiles WHERE id IN (`+marks(len(chunk))+`)`, anys(chunk)...)
		if err != nil {
			return err
		}
		type profile struct {
			id, workspaceID int64
			fields          []string
		}
		var ps []profile
		for rows.Next() {
			var p profile
			var name, nickname, email, phone string
			if err := rows.Scan(&p.id, &p.workspaceID, &name, &nickname, &email, &phone); err != nil {
				rows.Close()
				return err
			}
			p.fields = history.CustomerFields(name, nickname, email, phone)
			ps = append(ps, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ps) == 0 {
			continue
		}
		var args []any
		if x.d.Name == "postgres" {
			for _, p := range ps {
				args = append(args, p.id, p.workspaceID, history.CustomerNorm(p.fields), pgArray(history.CustomerGramSet(p.fields)))
			}
			if _, err := x.exec(ctx, `INSERT INTO customer_search (profile_id, workspace_id, norm, grams) VALUES `+
				strings.Repeat(`, (?, ?, ?, CAST(? AS TEXT[]))`, len(ps))[2:]+`
				ON CONFLICT (profile_id) DO UPDATE SET norm = excluded.norm, grams = excluded.grams`, args...); err != nil {
				return err
			}
			continue
		}
		if _, err := x.exec(ctx, `DELETE FROM customer_fts WHERE rowid IN (`+marks(len(chunk))+`)`, anys(chunk)...); err != nil {
			return err
		}
		for _, p := range ps {
			args = append(args, p.id)
			for _, g := range history.CustomerGrams(p.fields) {
				args = append(args, g)
			}
		}
		if _, err := x.exec(ctx, `INSERT INTO customer_fts (rowid, name, nickname, email, phone) VALUES `+
			strings.Repeat(`, (?, ?, ?, ?, ?)`, len(ps))[2:], args...); err != nil {
			return err
		}
	}
	return nil
}

// unindexProfile removes a profile from the customer index.
func unindexProfile(ctx context.Context, x q, id int64) error {
	del := `DELETE FROM customer_fts WHERE rowid = ?`
	if x.d.Name == "postgres" {
		del = `DELETE FROM customer_search WHERE profile_id = ?`
	}
	_, err := x.exec(ctx, del, id)
	return err
}

// backfillCustomerIndex indexes every profile: migration 0015 runs it in
// its transaction, a thousand profiles at a time.
func backfillCustomerIndex(ctx context.Context, x q) error {
	var after int64
	for {
		rows, err := x.query(ctx, `SELECT id FROM profiles WHERE id > ? ORDER BY id LIMIT 1000`, after)
		if err != nil {
			return err
		}
		ids, err := scanIDs(rows)
		if err != nil || len(ids) == 0 {
			return err
		}
		if err := indexProfiles(ctx, x, ids); err != nil {
			return err
		}
		after = ids[len(ids)-1]
	}
}

// customerSearch is the query of the customers (every identifier)
// whose profile's text has any of terms, through the customer index, and
// its arguments. The index is read first, then the customers by profile.
func (db *DB) customerSearch(workspaceID int64, terms []history.Term) (string, []any) {
	if db.d.Name == "postgres" {
		var conds []string
		args := []any{workspaceID}
		for _, t := range terms {
			conds = append(conds, `(s.grams @> CAST(? AS TEXT[]) AND strpos(s.norm, ?) > 0)`)
			args = append(args, pgArray(history.Needed([]history.Term{t})), t.Text)
		}
		return `SELECT xc.id FROM customer_search s JOIN customers xc ON xc.profile_id = s.profile_id
			WHERE s.workspace_id = ? AND (` + strings.Join(conds, ` OR `) + `)`, args
	}
	// CROSS JOIN: the index first, then each profile's customers.
	return `SELECT xc.id FROM customer_fts CROSS JOIN customers xc ON xc.profile_id = customer_fts.rowid
		WHERE customer_fts MATCH ? AND xc.workspace_id = ?`, []any{history.CustomerFTS5(terms), workspaceID}
}

// RebuildCustomerIndex empties the customer index and indexes every
// profile again, as migration 0015 did (after a change of the scheme, or
// to check the backfill).
func (db *DB) RebuildCustomerIndex(ctx context.Context) error {
	return db.tx(ctx, func(x q) error { return rebuildCustomerIndex(ctx, x) })
}

// rebuildCustomerIndex empties the customer index and indexes every
// profile again: RebuildCustomerIndex, and migration 0028's Go step (the
// index's new scheme, spacing aside).
func rebuildCustomerIndex(ctx context.Context, x q) error {
	clear := `INSERT INTO customer_fts (customer_fts) VALUES ('delete-all')`
	if x.d.Name == "postgres" {
		clear = `DELETE FROM customer_search`
	}
	if _, err := x.exec(ctx, clear); err != nil {
		return err
	}
	return backfillCustomerIndex(ctx, x)
}
