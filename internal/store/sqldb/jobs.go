package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// scheduleJob creates a job or moves the pending one of the same kind and
// reference to its new due time, releasing any claim on it.
func (x q) scheduleJob(ctx context.Context, j chat.Job) error {
	_, err := x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, workspace_id, ref_id) DO UPDATE SET due_at = excluded.due_at, attempts = 0,
		claimed_by = NULL, claimed_until = NULL, last_error = ''`, j.Kind, j.WorkspaceID, j.RefID, micros(j.DueAt))
	return err
}

func (x q) cancelJob(ctx context.Context, kind string, workspaceID, refID int64) error {
	_, err := x.exec(ctx, `DELETE FROM jobs WHERE kind = ? AND workspace_id = ? AND ref_id = ?`, kind, workspaceID, refID)
	return err
}

// ScheduleJob creates or reschedules a job.
func (db *DB) ScheduleJob(ctx context.Context, j chat.Job) error {
	return db.tx(ctx, func(x q) error { return x.scheduleJob(ctx, j) })
}

// CancelJob drops a pending job, if any.
func (db *DB) CancelJob(ctx context.Context, kind string, workspaceID, refID int64) error {
	return db.tx(ctx, func(x q) error { return x.cancelJob(ctx, kind, workspaceID, refID) })
}

// ClaimJobs leases due jobs to node. A job whose lease ran out (its node
// died or failed) is due again.
func (db *DB) ClaimJobs(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]chat.Job, error) {
	var jobs []chat.Job
	err := db.tx(ctx, func(x q) error {
		rows, err := x.query(ctx, `UPDATE jobs SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT id FROM jobs WHERE due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?)
				ORDER BY due_at LIMIT ?`+db.d.SkipLocked+`)
			RETURNING id, kind, workspace_id, ref_id, due_at, attempts`,
			node, micros(now.Add(lease)), micros(now), micros(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var j chat.Job
			var due int64
			if err := rows.Scan(&j.ID, &j.Kind, &j.WorkspaceID, &j.RefID, &due, &j.Attempts); err != nil {
				return err
			}
			j.DueAt = fromMicros(due)
			jobs = append(jobs, j)
		}
		return rows.Err()
	})
	return jobs, err
}

// RunJob carries out a claimed job and deletes it in one transaction.
func (db *DB) RunJob(ctx context.Context, j chat.Job, node string) ([]chat.Event, error) {
	return db.write(ctx, func(t *txn) error {
		// Routing lock first, as everywhere: both kinds may free capacity.
		ws, err := db.lockRouting(ctx, t, j.WorkspaceID)
		if err != nil {
			return err
		}
		var due int64
		var claimedBy sql.NullString
		err = t.row(ctx, `SELECT due_at, claimed_by FROM jobs WHERE id = ?`+t.forUpdate(), j.ID).Scan(&due, &claimedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // done or cancelled meanwhile
		}
		if err != nil {
			return err
		}
		if claimedBy.String != node || fromMicros(due).After(t.now) {
			return nil // rescheduled or reclaimed since: not ours to run now
		}
		switch j.Kind {
		case chat.JobInactivity:
			err = db.inactivityClose(ctx, t, j.WorkspaceID, j.RefID)
		case chat.JobOffline:
			err = db.goOffline(ctx, t, j.WorkspaceID, j.RefID)
		default:
			err = fmt.Errorf("unknown job kind %q", j.Kind)
		}
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM jobs WHERE id = ?`, j.ID); err != nil {
			return err
		}
		return db.route(ctx, t, ws)
	})
}

// FailJob records a failure; the job runs again when its lease ends.
func (db *DB) FailJob(ctx context.Context, j chat.Job, cause error) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `UPDATE jobs SET last_error = ? WHERE id = ?`, cause.Error(), j.ID)
		return err
	})
}

// inactivityClose closes a conversation whose customer did not answer in
// time. The timer is cancelled by every event that makes it moot (a reply,
// hold, close), so a conversation still open and not held is due.
func (db *DB) inactivityClose(ctx context.Context, t *txn, workspaceID, id int64) error {
	c, err := db.lockConversation(ctx, t.q, workspaceID, id)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if c.State == chat.StateClosed || c.OnHold || c.CustomerLeftAt != nil {
		return nil
	}
	return db.close(ctx, t, c, chat.CloseByInactivity)
}

// goOffline takes an agent offline: their consoles have all been gone for
// the workspace's auto-offline time.
func (db *DB) goOffline(ctx context.Context, t *txn, workspaceID, agentID int64) error {
	m, err := db.member(ctx, t.q, workspaceID, agentID)
	if chat.ErrorCode(err) == chat.ErrAgentNotFound {
		return nil
	}
	if err != nil || m.Status == chat.StatusOffline {
		return err
	}
	if _, err := t.exec(ctx, `UPDATE members SET status = ? WHERE workspace_id = ? AND agent_id = ?`, chat.StatusOffline, workspaceID, agentID); err != nil {
		return err
	}
	m.Status = chat.StatusOffline
	t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventAgentStatus, Member: m})
	return nil
}
