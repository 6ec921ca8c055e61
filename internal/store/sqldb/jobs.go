package sqldb

import (
	"context"
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

// RenewJob extends node's claim on j if the job is still as node claimed
// it. A lapsed claim nobody took over since is renewed too: no other node
// runs the job.
func (db *DB) RenewJob(ctx context.Context, j chat.Job, node string, now time.Time, lease time.Duration) (bool, error) {
	var renewed bool
	err := db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE jobs SET claimed_until = ? WHERE id = ? AND claimed_by = ? AND due_at = ?`,
			micros(now.Add(lease)), j.ID, node, micros(j.DueAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		renewed = n == 1
		return err
	})
	return renewed, err
}

// CompleteJob deletes a job node carried out outside any transaction,
// unless it was rescheduled or reclaimed since the claim.
func (db *DB) CompleteJob(ctx context.Context, j chat.Job, node string) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.finishJob(ctx, j, node)
		return err
	})
}

// finishJob deletes j if it is still as node claimed it, and reports
// whether it was.
func (x q) finishJob(ctx context.Context, j chat.Job, node string) (bool, error) {
	res, err := x.exec(ctx, `DELETE FROM jobs WHERE id = ? AND claimed_by = ? AND due_at = ?`, j.ID, node, micros(j.DueAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseJob ends node's claim on j now, if the job is still as node
// claimed it, and takes back the attempt the claim counted.
func (db *DB) ReleaseJob(ctx context.Context, j chat.Job, node string) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `UPDATE jobs SET claimed_by = NULL, claimed_until = NULL, attempts = attempts - 1
			WHERE id = ? AND claimed_by = ? AND due_at = ?`, j.ID, node, micros(j.DueAt))
		return err
	})
}

// FailJob records a failure; the job runs again when its lease ends.
func (db *DB) FailJob(ctx context.Context, j chat.Job, cause error) error {
	return db.tx(ctx, func(x q) error {
		_, err := x.exec(ctx, `UPDATE jobs SET last_error = ? WHERE id = ?`, cause.Error(), j.ID)
		return err
	})
}
