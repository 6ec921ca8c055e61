package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// The outbox's store (package outbox): endpoints — webhooks, channels,
// alert targets — and the deliveries written beside the events they carry.

var _ outbox.Store = (*DB)(nil)

// Audit actions of integrations.
const (
	auditEndpointCreate = "endpoint.create"
	auditEndpointDelete = "endpoint.delete"
	// A master sending deliveries again: customers' conversations leave
	// the installation once more, at their word.
	auditEndpointRedeliver = "endpoint.redeliver"
)

const endpointColumns = `id, workspace_id, kind, name, url, events, secret, channel_kind, internal,
	COALESCE(agent_id, 0), quiet_start, quiet_end, wait_minutes, COALESCE(created_by, 0), created_at`

// enqueueColumns are endpointColumns with the address read as empty:
// deciding a commit's deliveries reads kinds, subscriptions and filters,
// never where they go, so the group commit opens no sealed address.
var enqueueColumns = strings.Replace(endpointColumns, "url,", "'' AS url,", 1)

// scanEndpoint reads one endpoint row. Its address is stored sealed (an
// incoming webhook's URL is itself a credential, as is a bridge's) and
// comes back clear; one that does not open with this store's key reads
// as "" and Unopened.
func (db *DB) scanEndpoint(row interface{ Scan(...any) error }) (*outbox.Endpoint, error) {
	e, err := scanEndpointRow(row)
	if err != nil {
		return nil, err
	}
	stored := e.URL
	e.URL = db.openSecret(stored)
	e.Unopened = stored != "" && e.URL == ""
	return e, nil
}

// scanEndpointRow reads one endpoint row as stored.
func scanEndpointRow(row interface{ Scan(...any) error }) (*outbox.Endpoint, error) {
	var e outbox.Endpoint
	var events string
	var created int64
	err := row.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Name, &e.URL, &events, &e.SealedSecret, &e.ChannelKind, &e.Internal,
		&e.AgentID, &e.QuietStart, &e.QuietEnd, &e.WaitMinutes, &e.CreatedBy, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(outbox.ErrEndpointNotFound, "no such endpoint")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &e.Events); err != nil {
		return nil, fmt.Errorf("endpoint %d events: %w", e.ID, err)
	}
	e.CreatedAt = fromMicros(created)
	return &e, nil
}

// endpointView is what the audit log keeps of an endpoint: never a secret.
type endpointView struct {
	Kind   outbox.Kind `json:"kind"`
	Name   string      `json:"name,omitempty"`
	URL    string      `json:"url"`
	Events []string    `json:"events"`
}

// auditView is how the audit log, kept for good, shows e: its address
// as auditAddress gives it.
func auditView(e *outbox.Endpoint) (target string, view endpointView) {
	addr := auditAddress(e)
	return string(e.Kind) + " " + addr, endpointView{e.Kind, e.Name, addr, e.Events}
}

// auditAddress is an endpoint's address as the audit log shows it. An
// incoming-webhook URL (Slack's, Jandi's, often a webhook's or a bridge's
// own) is itself a credential, and the log outlives the endpoint, so a
// URL keeps its scheme and host only; an email target's address stays.
func auditAddress(e *outbox.Endpoint) string {
	if e.Kind == outbox.KindEmail {
		return e.URL
	}
	u, err := url.Parse(e.URL)
	if err != nil || u.Host == "" {
		return "…"
	}
	if (u.Path == "" || u.Path == "/") && u.RawQuery == "" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}

// CreateEndpoint stores an endpoint; a workspace has at most
// outbox.MaxEndpoints of each kind.
func (db *DB) CreateEndpoint(ctx context.Context, e *outbox.Endpoint, tokenHash string, by chat.Who) error {
	return db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		if _, err := db.workspaceIn(ctx, x, e.WorkspaceID); err != nil {
			return err
		}
		if err := x.lockLists(ctx, e.WorkspaceID); err != nil {
			return err
		}
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM endpoints WHERE workspace_id = ? AND kind = ? AND deleted_at IS NULL AND agent_id IS NULL`,
			e.WorkspaceID, e.Kind).Scan(&n); err != nil {
			return err
		}
		if n >= outbox.MaxEndpoints {
			return chat.Errorf(outbox.ErrTooManyEndpoints, "a workspace has at most %d endpoints of one kind; delete one first", outbox.MaxEndpoints)
		}
		events, _ := json.Marshal(nonNilStrings(e.Events))
		var token any
		if tokenHash != "" {
			token = tokenHash
		}
		address, err := db.sealURL(e.URL)
		if err != nil {
			return err
		}
		e.CreatedAt = t.now.UTC().Truncate(time.Microsecond)
		e.CreatedBy = by.AgentID
		if err := x.row(ctx, `INSERT INTO endpoints (workspace_id, kind, name, url, events, secret, token_hash, channel_kind, internal,
			quiet_start, quiet_end, wait_minutes, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			e.WorkspaceID, e.Kind, e.Name, address, string(events), e.SealedSecret, token, e.ChannelKind, e.Internal,
			e.QuietStart, e.QuietEnd, e.WaitMinutes, nullID(by.AgentID), micros(e.CreatedAt)).Scan(&e.ID); err != nil {
			return err
		}
		target, view := auditView(e)
		return x.audit(ctx, t.entry(e.WorkspaceID, by, auditEndpointCreate, target, nil, view))
	})
}

// sealURL is what the url column stores of an endpoint's address: sealed
// as identity secrets are (sealSecret), "" (a member's own alerts) as is.
func (db *DB) sealURL(address string) (string, error) {
	if address == "" {
		return "", nil
	}
	return db.sealSecret(address)
}

// SealEndpointURLs seals, in one transaction, the endpoints' addresses
// stored in clear (by a version that did not seal them). A node runs it
// at start, with SealIdentitySecrets.
func (db *DB) SealEndpointURLs(ctx context.Context) error {
	return db.tx(ctx, func(x q) error { return db.sealClear(ctx, x, "endpoints", "url") })
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Endpoints lists a workspace's live shared endpoints of the given kinds.
func (db *DB) Endpoints(ctx context.Context, workspaceID int64, kinds ...outbox.Kind) ([]outbox.Endpoint, error) {
	query := `SELECT ` + endpointColumns + ` FROM endpoints WHERE workspace_id = ? AND deleted_at IS NULL AND agent_id IS NULL`
	args := []any{workspaceID}
	if len(kinds) > 0 {
		query += ` AND kind IN (?` + strings.Repeat(", ?", len(kinds)-1) + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	rows, err := db.read().query(ctx, query+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	return db.scanEndpoints(rows)
}

// Endpoint returns one live endpoint of the workspace.
func (db *DB) Endpoint(ctx context.Context, workspaceID, id int64) (*outbox.Endpoint, error) {
	return db.scanEndpoint(db.read().row(ctx, `SELECT `+endpointColumns+` FROM endpoints
		WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL`, workspaceID, id))
}

// ChannelByToken finds a live channel by its token's hash.
func (db *DB) ChannelByToken(ctx context.Context, tokenHash string) (*outbox.Endpoint, error) {
	e, err := db.scanEndpoint(db.read().row(ctx, `SELECT `+endpointColumns+` FROM endpoints
		WHERE token_hash = ? AND kind = 'channel' AND deleted_at IS NULL`, tokenHash))
	if chat.ErrorCode(err) == outbox.ErrEndpointNotFound {
		return nil, chat.Errorf(outbox.ErrChannelToken, "the channel token is not valid or was revoked")
	}
	return e, err
}

// DeleteEndpoint retires an endpoint and skips its pending deliveries.
func (db *DB) DeleteEndpoint(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	return db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		e, err := db.scanEndpoint(x.row(ctx, `SELECT `+endpointColumns+` FROM endpoints
			WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL AND agent_id IS NULL`+x.forUpdate(), workspaceID, id))
		if err != nil {
			return err
		}
		now := micros(t.now)
		if _, err := x.exec(ctx, `UPDATE endpoints SET deleted_at = ?, token_hash = NULL WHERE id = ?`, now, id); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE deliveries SET status = 'skipped', last_error = 'the endpoint was deleted', done_at = ?
			WHERE endpoint_id = ? AND status = 'pending'`, now, id); err != nil {
			return err
		}
		target, view := auditView(e)
		return x.audit(ctx, t.entry(workspaceID, by, auditEndpointDelete, target, view, nil))
	})
}

// PersonalAlerts is an agent's own email alert settings.
func (db *DB) PersonalAlerts(ctx context.Context, workspaceID, agentID int64) (*outbox.Endpoint, error) {
	e, err := db.scanEndpoint(db.read().row(ctx, `SELECT `+endpointColumns+` FROM endpoints
		WHERE workspace_id = ? AND agent_id = ?`, workspaceID, agentID))
	if chat.ErrorCode(err) == outbox.ErrEndpointNotFound {
		return nil, nil
	}
	return e, err
}

// SetPersonalAlerts replaces an agent's own email alert settings.
func (db *DB) SetPersonalAlerts(ctx context.Context, e *outbox.Endpoint) error {
	return db.tx(ctx, func(x q) error {
		events, _ := json.Marshal(nonNilStrings(e.Events))
		now := db.Now().UTC().Truncate(time.Microsecond)
		var created int64
		err := x.row(ctx, `INSERT INTO endpoints (workspace_id, kind, url, events, agent_id, quiet_start, quiet_end, wait_minutes, created_by, created_at)
			VALUES (?, 'email', '', ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, agent_id) WHERE agent_id IS NOT NULL DO UPDATE SET events = excluded.events,
				quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, wait_minutes = excluded.wait_minutes
			RETURNING id, created_at`,
			e.WorkspaceID, string(events), e.AgentID, e.QuietStart, e.QuietEnd, e.WaitMinutes, e.AgentID, micros(now)).Scan(&e.ID, &created)
		e.Kind, e.CreatedAt = outbox.KindEmail, fromMicros(created)
		return err
	})
}

const deliveryColumns = `id, workspace_id, endpoint_id, event_seq, event_type, conversation_id, status, attempts, next_at,
	last_code, last_body, last_error, created_at, done_at`

func scanDelivery(row interface{ Scan(...any) error }) (outbox.Delivery, error) {
	var d outbox.Delivery
	var next, created int64
	var done sql.NullInt64
	err := row.Scan(&d.ID, &d.WorkspaceID, &d.EndpointID, &d.EventSeq, &d.EventType, &d.ConversationID, &d.Status, &d.Attempts, &next,
		&d.LastCode, &d.LastBody, &d.LastError, &created, &done)
	if errors.Is(err, sql.ErrNoRows) {
		return d, chat.Errorf(outbox.ErrDeliveryNotFound, "no such delivery")
	}
	d.NextAt, d.CreatedAt, d.DoneAt = fromMicros(next), fromMicros(created), optTime(done)
	return d, err
}

func scanDeliveries(rows *sql.Rows, err error) ([]outbox.Delivery, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outbox.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Deliveries lists an endpoint's deliveries, newest first.
func (db *DB) Deliveries(ctx context.Context, workspaceID, endpointID int64, f outbox.DeliveryFilter) ([]outbox.Delivery, error) {
	if f.Limit <= 0 || f.Limit > chat.MaxPage+1 {
		f.Limit = chat.DefaultPage
	}
	query := `SELECT ` + deliveryColumns + ` FROM deliveries WHERE workspace_id = ? AND endpoint_id = ?`
	args := []any{workspaceID, endpointID}
	if f.Status != "" {
		query += ` AND status = ?`
		args = append(args, f.Status)
	}
	if f.BeforeID > 0 {
		query += ` AND id < ?`
		args = append(args, f.BeforeID)
	}
	return scanDeliveries(db.read().query(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...))
}

// Redeliver makes one delivery pending and due now, whatever its status;
// one pending already is only moved up.
func (db *DB) Redeliver(ctx context.Context, workspaceID, endpointID, deliveryID int64, by chat.Who) (outbox.Delivery, error) {
	var d outbox.Delivery
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		now := micros(t.now)
		e, err := db.scanEndpoint(x.row(ctx, `SELECT `+endpointColumns+` FROM endpoints
			WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL`, workspaceID, endpointID))
		if err != nil {
			return err
		}
		d, err = scanDelivery(x.row(ctx, `UPDATE deliveries SET status = 'pending', next_at = ?, created_at = ?, done_at = NULL,
			claimed_by = NULL, claimed_until = NULL
			WHERE workspace_id = ? AND endpoint_id = ? AND id = ? AND endpoint_id IN (SELECT id FROM endpoints WHERE deleted_at IS NULL)
			RETURNING `+deliveryColumns, now, now, workspaceID, endpointID, deliveryID))
		if err != nil {
			return err
		}
		// A master asking again means now: the receiver's wait is over.
		if _, err = x.exec(ctx, `UPDATE endpoints SET down_until = NULL WHERE id = ?`, endpointID); err != nil {
			return err
		}
		target, _ := auditView(e)
		return x.audit(ctx, t.entry(workspaceID, by, auditEndpointRedeliver, target, nil, map[string]int64{"delivery": d.ID}))
	})
	return d, err
}

// RedeliverFailed makes every failed delivery of the endpoint pending again.
func (db *DB) RedeliverFailed(ctx context.Context, workspaceID, endpointID int64, by chat.Who) (int, error) {
	var n int64
	err := db.tx(ctx, func(x q) error {
		t := &txn{q: x, now: db.Now()}
		e, err := db.scanEndpoint(x.row(ctx, `SELECT `+endpointColumns+` FROM endpoints
			WHERE workspace_id = ? AND id = ? AND deleted_at IS NULL`, workspaceID, endpointID))
		if err != nil {
			return err
		}
		now := micros(t.now)
		res, err := x.exec(ctx, `UPDATE deliveries SET status = 'pending', next_at = ?, created_at = ?, done_at = NULL,
			claimed_by = NULL, claimed_until = NULL
			WHERE workspace_id = ? AND endpoint_id = ? AND status = 'failed'`, now, now, workspaceID, endpointID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err = x.exec(ctx, `UPDATE endpoints SET down_until = NULL WHERE id = ?`, endpointID); err != nil {
			return err
		}
		if n == 0 {
			return nil // nothing was sent again
		}
		target, _ := auditView(e)
		return x.audit(ctx, t.entry(workspaceID, by, auditEndpointRedeliver, target, nil, map[string]int64{"redelivered": n}))
	})
	return int(n), err
}

// dueDeliveries is the query of up to limit due deliveries of receivers
// that are not down, and its arguments. It goes receiver by receiver: the
// live endpoints are the outer loop and each one's due deliveries come
// from deliveries_due (endpoint_id, next_at), so a receiver that is down
// is skipped at its endpoint row and its backlog is not read, however
// large. SQLite keeps a CROSS JOIN's order; PostgreSQL needs LATERAL (a
// plain join had it read every pending row: 80 ms with a backlog of
// 300,000, against 1 ms), where FOR UPDATE SKIP LOCKED lets nodes
// claiming at once take different rows. No ORDER BY across receivers:
// sorting every due row would have each claim of a large backlog's drain
// read all of it.
func (db *DB) dueDeliveries(now time.Time, limit int) (string, []any) {
	at := micros(now)
	if db.d.SingleWriter {
		return `SELECT d.id FROM endpoints AS e CROSS JOIN deliveries AS d
			WHERE e.deleted_at IS NULL AND (e.down_until IS NULL OR e.down_until <= ?)
				AND d.endpoint_id = e.id AND d.status = 'pending' AND d.next_at <= ?
				AND (d.claimed_until IS NULL OR d.claimed_until < ?)
			LIMIT ?`, []any{at, at, at, limit}
	}
	return `SELECT d.id FROM endpoints AS e CROSS JOIN LATERAL (SELECT id FROM deliveries
			WHERE endpoint_id = e.id AND status = 'pending' AND next_at <= ?
				AND (claimed_until IS NULL OR claimed_until < ?)
			LIMIT ?` + db.d.SkipLocked + `) AS d
		WHERE e.deleted_at IS NULL AND (e.down_until IS NULL OR e.down_until <= ?)
		LIMIT ?`, []any{at, at, limit, at, limit}
}

// ClaimDeliveries leases due deliveries to node; nodes claiming at once
// take different rows (SQLite's single writer serializes claims). A
// delivery whose lease ran out (its node died mid-send) is due again,
// with the same ID. A receiver found down (its endpoint's down_until) has
// none due until its next probe; then a claim takes its oldest due
// deliveries, and the worker sends the first as the probe.
func (db *DB) ClaimDeliveries(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]outbox.Delivery, error) {
	// On SQLite a read first: most looks find nothing due, and must not
	// cost a write transaction, a turn of the one writer. PostgreSQL's
	// claim finding nothing writes nothing; the read would only add a
	// round trip between an event and its delivery.
	if db.d.SingleWriter {
		query, args := db.dueDeliveries(now, 1)
		var due int
		if err := db.read().row(ctx, `SELECT COUNT(*) FROM (`+query+`) AS d`, args...).Scan(&due); err != nil || due == 0 {
			return nil, err
		}
	}
	query, args := db.dueDeliveries(now, limit)
	claim := `UPDATE deliveries SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
		WHERE id IN (` + query + `) RETURNING ` + deliveryColumns
	args = append([]any{node, micros(now.Add(lease))}, args...)
	var out []outbox.Delivery
	var err error
	if db.d.SingleWriter {
		err = db.tx(ctx, func(x q) error {
			out, err = scanDeliveries(x.query(ctx, claim, args...))
			return err
		})
	} else {
		out, err = db.claimApart(ctx, claim, args)
	}
	slices.SortFunc(out, func(a, b outbox.Delivery) int { return int(a.ID - b.ID) })
	return out, err
}

// claimApart runs PostgreSQL's claim as one statement of its own (its
// own transaction: one round trip) rather than in the node's next batch:
// a claim emits no event and locks only the deliveries it takes (the
// other nodes' claims run beside this node's batches already), so it need
// not wait for the writer's queue, nor stall a batch of chat messages
// with a read of its rows mid-pipeline. The claim brings each delivery's
// stored event along (a primary-key lookup per row), saving the worker a
// round trip between an event and its delivery; SQLite reads them in
// process (the worker's prefetch). Should reading the rows fail after the
// statement committed, they stay leased and are sent when the lease ends.
func (db *DB) claimApart(ctx context.Context, claim string, args []any) ([]outbox.Delivery, error) {
	x := q{db: db.w, d: &db.d}
	rows, err := x.query(ctx, claim+`, (SELECT payload FROM events WHERE events.workspace_id = deliveries.workspace_id
		AND events.seq = deliveries.event_seq)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outbox.Delivery
	for rows.Next() {
		var payload sql.NullString
		d, err := scanDelivery(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &payload)...) }))
		if err != nil {
			return nil, err
		}
		if payload.Valid {
			d.Payload = []byte(payload.String)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// FinishDeliveries records node's attempts in one transaction. One whose
// claim was taken over meanwhile (another holder, another attempt) is
// left to its new holder, and one settled meanwhile (skipped) as it is.
func (db *DB) FinishDeliveries(ctx context.Context, node string, outcomes []outbox.Outcome) error {
	rows := make([]outcomeRow, 0, len(outcomes))
	for _, o := range outcomes {
		r := outcomeRow{ID: o.Delivery.ID, Attempts: o.Delivery.Attempts, Status: o.Status, NextAt: micros(o.Delivery.NextAt),
			Code: o.Code, Body: o.Body, Err: clipText(o.Error, 500)}
		if o.Status == outbox.StatusPending && !o.NotAttempted {
			r.NextAt = micros(o.NextAt)
		} else {
			done := micros(o.Completed)
			r.Done = &done
		}
		if o.NotAttempted {
			r.Undo = 1
		}
		rows = append(rows, r)
	}
	// A delivery not attempted (its receiver was found down) keeps its
	// last answer, its count of attempts and its due time: the endpoint's
	// down_until holds it back until the next probe.
	const update = `UPDATE deliveries SET status = v.status, next_at = v.next_at, attempts = v.attempts - v.undo,
		last_code = CASE WHEN v.undo = 1 THEN deliveries.last_code ELSE v.code END,
		last_body = CASE WHEN v.undo = 1 THEN deliveries.last_body ELSE v.body END,
		last_error = CASE WHEN v.undo = 1 THEN deliveries.last_error ELSE v.err END,
		done_at = v.done, claimed_by = NULL, claimed_until = NULL
		FROM `
	// One settled while it was in flight (its endpoint deleted, its
	// member deactivated: skipped) stays settled.
	const where = ` WHERE deliveries.id = v.id AND deliveries.attempts = v.attempts AND deliveries.claimed_by = ?
		AND deliveries.status = 'pending'`
	return db.tx(ctx, func(x q) error {
		if db.d.Name == "postgres" {
			// One statement, the outcomes as one JSON parameter: a statement
			// with hundreds of parameters costs PostgreSQL more to parse and
			// plan than to run (a claim's outcomes took 2.6 times as long).
			values, err := json.Marshal(rows)
			if err != nil {
				return err
			}
			if _, err := x.exec(ctx, update+`json_to_recordset(CAST(? AS json)) AS v(id BIGINT, attempts BIGINT, status TEXT,
				next_at BIGINT, code BIGINT, body TEXT, err TEXT, done BIGINT, undo BIGINT)`+where, string(values), node); err != nil {
				return err
			}
		} else {
			// SQLite, in process, parses parameters faster than JSON: a
			// statement per hundred.
			for chunk := range slices.Chunk(rows, 100) {
				sel := make([]string, len(chunk))
				args := make([]any, 0, 9*len(chunk)+1)
				for i, r := range chunk {
					sel[i] = `SELECT CAST(? AS BIGINT) AS id, CAST(? AS BIGINT) AS attempts, CAST(? AS TEXT) AS status, CAST(? AS BIGINT) AS next_at,
						CAST(? AS BIGINT) AS code, CAST(? AS TEXT) AS body, CAST(? AS TEXT) AS err, CAST(? AS BIGINT) AS done, CAST(? AS BIGINT) AS undo`
					var done any
					if r.Done != nil {
						done = *r.Done
					}
					args = append(args, r.ID, r.Attempts, r.Status, r.NextAt, r.Code, r.Body, r.Err, done, r.Undo)
				}
				if _, err := x.exec(ctx, update+`(`+strings.Join(sel, " UNION ALL ")+`) AS v`+where, append(args, node)...); err != nil {
					return err
				}
			}
		}
		// Receivers found down wait until their next attempt; one that
		// answered is up.
		up, down := map[int64]bool{}, map[int64]time.Time{}
		for _, o := range outcomes {
			switch {
			case o.Retried():
				if t, ok := down[o.Delivery.EndpointID]; !ok || o.NextAt.Before(t) {
					down[o.Delivery.EndpointID] = o.NextAt
				}
			case o.Status == outbox.StatusDelivered:
				up[o.Delivery.EndpointID] = true
			}
		}
		for id, until := range down {
			if up[id] {
				continue
			}
			if _, err := x.exec(ctx, `UPDATE endpoints SET down_until = ? WHERE id = ?`, micros(until), id); err != nil {
				return err
			}
		}
		for id := range up {
			if _, err := x.exec(ctx, `UPDATE endpoints SET down_until = NULL WHERE id = ? AND down_until IS NOT NULL`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// ExpireDeliveries fails up to limit of an endpoint's pending deliveries
// that have waited since before without being attempted — its receiver
// was down all that time, so they were never claimed — and reports how
// many. A delivery's next_at is never earlier than its created_at, so the
// range next_at < before on deliveries_due finds them and nothing else.
func (db *DB) ExpireDeliveries(ctx context.Context, endpointID int64, before, now time.Time, reason string, limit int) (int, error) {
	var n int64
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE deliveries SET status = 'failed', last_error = ?, done_at = ?
			WHERE id IN (SELECT id FROM deliveries WHERE endpoint_id = ? AND status = 'pending' AND next_at < ?
				AND created_at < ? AND (claimed_until IS NULL OR claimed_until < ?) LIMIT ?)`,
			clipText(reason, 500), micros(now), endpointID, micros(before), micros(before), micros(now), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// outcomeRow is one outcome as FinishDeliveries writes it.
type outcomeRow struct {
	ID       int64  `json:"id"`
	Attempts int    `json:"attempts"`
	Status   string `json:"status"`
	NextAt   int64  `json:"next_at"`
	Code     int    `json:"code"`
	Body     string `json:"body"`
	Err      string `json:"err"`
	Done     *int64 `json:"done"`
	Undo     int    `json:"undo"`
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// EnqueueWaiting writes the waiting alerts that are due for a conversation
// still in the queue, once per target and stint in the queue (a chat
// sent back to the queue waits anew), and schedules the next.
func (db *DB) EnqueueWaiting(ctx context.Context, workspaceID, conversationID int64) (time.Time, error) {
	var next time.Time
	err := db.tx(ctx, func(x q) error {
		c, err := db.conversation(ctx, x, workspaceID, conversationID)
		if chat.ErrorCode(err) == chat.ErrConversationNotFound {
			return nil
		}
		if err != nil || c.State != chat.StateUnassigned {
			return err
		}
		now := db.Now()
		eps, err := db.alertEndpoints(ctx, x, []int64{workspaceID})
		if err != nil {
			return err
		}
		for _, e := range eps {
			if !e.Wants(outbox.AlertWaiting) {
				continue
			}
			since := outbox.WaitingSince(c)
			due := since.Add(time.Duration(e.WaitMinutes) * time.Minute)
			if due.After(now) {
				if next.IsZero() || due.Before(next) {
					next = due
				}
				continue
			}
			if _, err := x.exec(ctx, `INSERT INTO deliveries (workspace_id, endpoint_id, event_type, conversation_id, waiting_since, next_at, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (endpoint_id, conversation_id, waiting_since) WHERE event_type = 'conversation.waiting' DO NOTHING`,
				workspaceID, e.ID, outbox.AlertWaiting, conversationID, micros(since), micros(now), micros(now)); err != nil {
				return err
			}
		}
		if !next.IsZero() {
			return x.scheduleJob(ctx, chat.Job{Kind: outbox.JobWaiting, WorkspaceID: workspaceID, RefID: conversationID, DueAt: next})
		}
		return nil
	})
	return next, err
}

// PruneDeliveries deletes settled deliveries older than before, a chunk at
// a time so a large backlog never holds the writer long.
func (db *DB) PruneDeliveries(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int64
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries
			WHERE status <> 'pending' AND done_at < ? ORDER BY id LIMIT ?)`, micros(before), limit)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// OutboxWritten counts the committed batches on this node that wrote
// deliveries: a worker woken by a commit looks for due deliveries only
// when it moved (outbox.Worker.Kick).
func (db *DB) OutboxWritten() uint64 { return db.outboxWritten.Load() }

// PendingDeliveries counts the deliveries not yet delivered, by workspace.
func (db *DB) PendingDeliveries(ctx context.Context) (map[int64]int, error) {
	rows, err := db.read().query(ctx, `SELECT workspace_id, COUNT(*) FROM deliveries WHERE status = 'pending' GROUP BY workspace_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var ws int64
		var n int
		if err := rows.Scan(&ws, &n); err != nil {
			return nil, err
		}
		out[ws] = n
	}
	return out, rows.Err()
}

// StoredEvents returns the stored bytes of a workspace's events by sequence.
func (db *DB) StoredEvents(ctx context.Context, workspaceID int64, seqs []int64) (map[int64][]byte, error) {
	out := map[int64][]byte{}
	for chunk := range slices.Chunk(seqs, 500) {
		args := []any{workspaceID}
		for _, s := range chunk {
			args = append(args, s)
		}
		rows, err := db.read().query(ctx, `SELECT seq, payload FROM events WHERE workspace_id = ? AND seq IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var seq int64
			var payload string
			if err := rows.Scan(&seq, &payload); err != nil {
				rows.Close()
				return nil, err
			}
			out[seq] = []byte(payload)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// StoredEvent returns an event's stored bytes.
func (db *DB) StoredEvent(ctx context.Context, workspaceID, seq int64) ([]byte, error) {
	var payload string
	err := db.read().row(ctx, `SELECT payload FROM events WHERE workspace_id = ? AND seq = ?`, workspaceID, seq).Scan(&payload)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "no event %d", seq)
	}
	return []byte(payload), err
}

// ChannelCustomer finds or creates a messenger user's identifier: one per
// channel and external user ID, so two messenger accounts keep their own
// conversations even when agents give them one customer ID. The
// messenger's profile (§4.2) fills the name, phone and email only where
// they are empty: what an agent wrote stays, as the messenger sends its
// nickname with every message. Its name is kept as the extra parameter
// cus_extra_messenger_name. A blocked user is refused (ErrCustomerBlocked)
// and nothing is written: their message is refused too, and a refused
// request changes nothing. The check shares the merge's transaction, so a
// block committed before it is seen.
func (db *DB) ChannelCustomer(ctx context.Context, ch outbox.Endpoint, externalUserID string, p outbox.ChannelProfile) (*chat.Customer, error) {
	c := &chat.Customer{WorkspaceID: ch.WorkspaceID, ExternalID: fmt.Sprintf("%s%d-%s", ch.ChannelKind, ch.ID, externalUserID)}
	c.Name, c.Phone, c.Email, c.Language = p.Name, p.Phone, p.Email, p.Language
	if p.Name != "" {
		c.Extra = map[string]string{"cus_extra_messenger_name": p.Name}
	}
	err := db.tx(ctx, func(x q) error {
		var blocked sql.NullInt64
		err := x.row(ctx, `SELECT blocked_at FROM customers WHERE workspace_id = ? AND external_id = ?`, c.WorkspaceID, c.ExternalID).Scan(&blocked)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if blocked.Valid {
			return chat.Errorf(chat.ErrCustomerBlocked, "this customer is blocked")
		}
		if err := db.upsertCustomerIn(ctx, x, c, true); err != nil {
			return err
		}
		_, err = x.exec(ctx, `INSERT INTO channel_users (customer_id, workspace_id, channel_id, external_user_id) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, c.ID, ch.WorkspaceID, ch.ID, externalUserID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// ChannelUserOf is the messenger account behind a customer identifier,
// with the language its bridge last gave.
func (db *DB) ChannelUserOf(ctx context.Context, workspaceID, customerID int64) (*outbox.ChannelUser, error) {
	u := outbox.ChannelUser{CustomerID: customerID}
	err := db.read().row(ctx, `SELECT u.channel_id, u.external_user_id, c.language FROM channel_users u JOIN customers c ON c.id = u.customer_id
		WHERE u.workspace_id = ? AND u.customer_id = ?`, workspaceID, customerID).Scan(&u.ChannelID, &u.ExternalUserID, &u.Language)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "customer %d is not a messenger user", customerID)
	}
	return &u, err
}

// ChannelRetry finds a messenger user's message by its client ID in any
// of their conversations (conversations_customer, then the conversation's
// unique client IDs).
func (db *DB) ChannelRetry(ctx context.Context, workspaceID, customerID int64, clientMsgID string) (conversationID, messageID int64, found bool, err error) {
	err = db.read().row(ctx, `SELECT m.conversation_id, m.id FROM conversations c JOIN messages m ON m.conversation_id = c.id
		WHERE c.workspace_id = ? AND c.customer_id = ? AND m.client_msg_id = ? AND m.sender_type = 'visitor'
		ORDER BY m.id DESC LIMIT 1`, workspaceID, customerID, clientMsgID).Scan(&conversationID, &messageID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	return conversationID, messageID, err == nil, err
}

// alertEndpoints loads the live endpoints of the workspaces, personal
// ones included (those of active members only), inside a transaction.
func (db *DB) alertEndpoints(ctx context.Context, x q, workspaceIDs []int64) ([]outbox.Endpoint, error) {
	var out []outbox.Endpoint
	err := x.batch(ctx, alertEndpointsStmt(workspaceIDs, &out))
	return out, err
}

// alertEndpointsStmt is alertEndpoints' query, appending to *out: a
// batch's events read the endpoints in the round trip that numbers them
// (appendEvents). Their addresses are not read (enqueueColumns).
func alertEndpointsStmt(workspaceIDs []int64, out *[]outbox.Endpoint) Stmt {
	args := make([]any, len(workspaceIDs))
	for i, id := range workspaceIDs {
		args[i] = id
	}
	// A deactivated member's own alerts stay as they set them, but send
	// nothing until the member is active again (skipPersonalAlerts).
	return Stmt{Query: `SELECT ` + enqueueColumns + ` FROM endpoints WHERE deleted_at IS NULL AND events <> '[]'
		AND workspace_id IN (?` + strings.Repeat(", ?", len(args)-1) + `)
		AND (agent_id IS NULL OR EXISTS (SELECT 1 FROM members AS m
			WHERE m.workspace_id = endpoints.workspace_id AND m.agent_id = endpoints.agent_id AND m.active))`, Args: args,
		Row: func(scan func(...any) error) error {
			e, err := scanEndpointRow(scanFunc(scan))
			if err == nil {
				*out = append(*out, *e)
			}
			return err
		}}
}

// batchEndpoints are the live endpoints of the workspaces whose events a
// batch appends, each workspace's read once: a batch of messages reads
// its workspaces' with its first reads (appendMessages), and appendEvents
// reads those of any other workspace that has events.
type batchEndpoints struct {
	read []int64 // the workspaces whose endpoints were read
	all  []outbox.Endpoint
}

// stmt reads the endpoints of the workspaces of wss not read yet; ok is
// false when there are none.
func (b *batchEndpoints) stmt(wss []int64) (s Stmt, ok bool) {
	var unread []int64
	for _, ws := range wss {
		if !slices.Contains(b.read, ws) {
			unread = append(unread, ws)
		}
	}
	if len(unread) == 0 {
		return Stmt{}, false
	}
	b.read = append(b.read, unread...)
	return alertEndpointsStmt(unread, &b.all), true
}

// enqueueDeliveries is the outbox's half of a commit: beside the events
// the transaction appends, it writes a delivery for every endpoint that
// outbox.Deliverable says receives one, and schedules waiting alerts. It
// runs in the same transaction as the events (group commit included), so
// a delivery exists exactly when its event does. eps are the live
// endpoints of the events' workspaces (alertEndpointsStmt).
func (db *DB) enqueueDeliveries(ctx context.Context, x q, now time.Time, evs []*chat.Event, eps []outbox.Endpoint) error {
	ds, err := db.deliveriesFor(ctx, x, now, evs, eps)
	if err != nil {
		return err
	}
	return db.insertDeliveries(ctx, x, now, ds)
}

// deliveriesFor is enqueueDeliveries' choice of deliveries, each with its
// event's Seq as it is now, and the waiting alerts it schedules. It may
// read what some endpoints need, which on PostgreSQL sends what waits.
func (db *DB) deliveriesFor(ctx context.Context, x q, now time.Time, evs []*chat.Event, eps []outbox.Endpoint) ([]delivery, error) {
	if len(eps) == 0 {
		return nil, nil
	}
	byWS := map[int64][]outbox.Endpoint{}
	channels, away := false, false
	for _, e := range eps {
		byWS[e.WorkspaceID] = append(byWS[e.WorkspaceID], e)
		channels = channels || e.Kind == outbox.KindChannel
		away = away || e.Wants(outbox.AlertAssignedAway)
	}
	// Facts the filter needs, read only when some endpoint needs them.
	channelOf := map[int64]int64{} // customer identifier → channel
	if channels {
		var ids []any
		for _, ev := range evs {
			if c := ev.Conversation; c != nil && c.Channel != chat.ChannelWeb && len(byWS[ev.WorkspaceID]) > 0 {
				ids = append(ids, c.CustomerID)
			}
		}
		if len(ids) > 0 {
			rows, err := x.query(ctx, `SELECT customer_id, channel_id FROM channel_users WHERE customer_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var cu, ch int64
				if err := rows.Scan(&cu, &ch); err != nil {
					rows.Close()
					return nil, err
				}
				channelOf[cu] = ch
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
	}
	var ds []delivery
	for _, ev := range evs {
		targets := byWS[ev.WorkspaceID]
		if len(targets) == 0 {
			continue
		}
		f := outbox.Facts{}
		if c := ev.Conversation; c != nil {
			f.ChannelID = channelOf[c.CustomerID]
			if away && c.AssigneeID != 0 && (ev.Type == chat.EventConversationAssigned || ev.Type == chat.EventConversationTransferred) {
				var st string
				err := x.row(ctx, `SELECT status FROM members WHERE workspace_id = ? AND agent_id = ?`, ev.WorkspaceID, c.AssigneeID).Scan(&st)
				if err != nil && !errors.Is(err, sql.ErrNoRows) {
					return nil, err
				}
				f.AssigneeAway = st == string(chat.StatusAway)
			}
		}
		wait := 0
		for _, e := range targets {
			if typ := outbox.Deliverable(e, *ev, f); typ != "" {
				ds = append(ds, delivery{workspaceID: ev.WorkspaceID, endpointID: e.ID, eventSeq: ev.Seq, eventType: typ, conversationID: ev.ConversationID()})
			}
			if (ev.Queued || ev.Requeued) && e.Kind.IsAlert() && e.Wants(outbox.AlertWaiting) && (wait == 0 || e.WaitMinutes < wait) {
				wait = max(e.WaitMinutes, 1)
			}
		}
		if wait > 0 {
			j := chat.Job{Kind: outbox.JobWaiting, WorkspaceID: ev.WorkspaceID, RefID: ev.Conversation.ID, DueAt: now.Add(time.Duration(wait) * time.Minute)}
			if err := x.scheduleJob(ctx, j); err != nil {
				return nil, err
			}
		}
	}
	return ds, nil
}

// delivery is a row of deliveries as a commit writes it.
type delivery struct {
	workspaceID, endpointID, eventSeq, conversationID int64
	eventType                                         string
}

// insertDeliveries stores new deliveries, several rows a statement.
func (db *DB) insertDeliveries(ctx context.Context, x q, now time.Time, ds []delivery) error {
	if len(ds) == 0 {
		return nil
	}
	db.outboxInBatch = true // counted once the batch commits (batch.go)
	if db.d.Arrays {
		return insertDeliveryArrays(ctx, x, now, ds)
	}
	for chunk := range slices.Chunk(ds, 32) {
		args := make([]any, 0, 7*len(chunk))
		for _, d := range chunk {
			args = append(args, d.workspaceID, d.endpointID, d.eventSeq, d.eventType, d.conversationID, micros(now), micros(now))
		}
		values := strings.Repeat(", (?, ?, ?, ?, ?, ?, ?)", len(chunk))[2:]
		if _, err := x.exec(ctx, `INSERT INTO deliveries (workspace_id, endpoint_id, event_seq, event_type, conversation_id, next_at, created_at)
			VALUES `+values, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertDeliveryArrays stores deliveries with one array parameter per
// column (Dialect.Arrays), waiting for the COMMIT. Their events' sequence
// numbers are still relative to their workspace's counter
// (appendEventArrays), so each takes its number from the counter as this
// transaction moved it.
func insertDeliveryArrays(ctx context.Context, x q, now time.Time, ds []delivery) error {
	n := len(ds)
	ws, ep, rel, conv := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	typ := make([]string, n)
	for i, d := range ds {
		ws[i], ep[i], rel[i], typ[i], conv[i] = d.workspaceID, d.endpointID, d.eventSeq, d.eventType, d.conversationID
	}
	return x.later(ctx, `INSERT INTO deliveries (workspace_id, endpoint_id, event_seq, event_type, conversation_id, next_at, created_at)
		SELECT v.ws, v.ep, s.seq + v.rel, v.type, v.conv, ?, ?
		FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]))
			AS v(ws, ep, rel, type, conv)
		LEFT JOIN event_seqs s ON s.workspace_id = v.ws`, micros(now), micros(now), ws, ep, rel, typ, conv)
}

// scanEndpoints reads every endpoint rows holds, and closes rows.
func (db *DB) scanEndpoints(rows *sql.Rows) ([]outbox.Endpoint, error) {
	defer rows.Close()
	var out []outbox.Endpoint
	for rows.Next() {
		e, err := db.scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *e)
	}
	return out, rows.Err()
}

// skipPersonalAlerts skips the pending deliveries of a member's own alerts
// as the member is deactivated: what was written for them before is not
// sent to someone who no longer works in the workspace.
func skipPersonalAlerts(ctx context.Context, t *txn, workspaceID, agentID int64) error {
	_, err := t.exec(ctx, `UPDATE deliveries SET status = 'skipped', last_error = 'the member was deactivated', done_at = ?
		WHERE status = 'pending' AND endpoint_id IN (SELECT id FROM endpoints WHERE workspace_id = ? AND agent_id = ?)`,
		micros(t.now), workspaceID, agentID)
	return err
}
