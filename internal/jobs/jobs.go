// Package jobs runs Sodam's durable jobs: timers such as inactivity closes
// and agent auto-offline, and (later) deliveries and exports. Jobs are rows
// in the store; every node runs a Runner, and a job is leased to one node
// at a time, so it survives restarts and a node's death. What a job does
// is its kind's Handler in a Registry; the store only claims, leases and
// completes jobs.
package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/metrics"
)

// Handler carries out the jobs of one kind, in one of two ways.
type Handler struct {
	// InTx carries a job out inside the transaction that finishes it, so
	// it takes effect exactly once; a job rescheduled, cancelled or
	// reclaimed since its claim does not run.
	InTx func(ctx context.Context, tx chat.Tx, j chat.Job) error
	// Routing says an InTx job may change who holds what: the runner then
	// takes the workspace's routing lock before anything else, as every
	// such change does (Tx's lock order), so a job and an agent's action
	// on the same conversation never wait on each other in a cycle.
	Routing bool
	// Run carries a job out outside any transaction (a delivery, an
	// export); the job is completed once Run returns nil. A node that dies
	// mid-run loses its lease and another runs the job again: at least
	// once.
	Run func(ctx context.Context, j chat.Job) error
	// Long says Run may take minutes (an export of a large history): the
	// runner carries it out on a goroutine of its own, at most MaxLong at
	// once, so that the timers coming due meanwhile are not held up behind
	// it, and renews its claim while it runs (every third of a Lease), so
	// that no node claims it again meanwhile. Should a renewal find the
	// job no longer this runner's (rescheduled, or taken over by another
	// node after this one's renewals failed for a whole lease), Run's
	// context is cancelled with cause ErrLeaseLost, and its error is not
	// recorded as the job's failure.
	Long bool
}

// ErrLeaseLost is the cause of a Long job's cancelled context when its
// claim is gone: another node took the job over, or it was rescheduled
// (a mask restarts the exports being written).
var ErrLeaseLost = errors.New("the job is no longer this node's: another node took it over, or it was rescheduled")

// MaxLong is how many Long jobs one runner carries out at once. One more
// stays claimed and is claimed again once its lease runs out.
const MaxLong = 2

// releaseTimeout bounds handing a job back while the node stops.
const releaseTimeout = 5 * time.Second

// Registry maps a job kind to its handler.
type Registry map[string]Handler

// Committer runs a workflow in a transaction and publishes what it
// committed (app.App).
type Committer interface {
	Commit(ctx context.Context, fn func(chat.Tx) error) error
}

// Runner claims due jobs and carries them out.
type Runner struct {
	Store    chat.Jobs
	Commit   Committer
	Handlers Registry
	Log      *slog.Logger
	// Node names this runner in claims; unique per process.
	Node string
	// Every is how often the runner looks for due jobs.
	Every time.Duration
	// Lease is how long a claim lasts before another node may take over;
	// a Long job's claim is renewed every third of it.
	Lease time.Duration
	// Now is the clock (tests replace it).
	Now func() time.Time
	// Metrics, when set, records how late jobs ran and the store's failures.
	Metrics *metrics.Metrics

	longMu sync.Mutex
	long   map[int64]bool // the Long jobs running, by ID
	longWG sync.WaitGroup
}

// NodeName returns a name unique to this process: host, pid and a random tag.
func NodeName() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + rand.Text()[:6]
}

// Run works until ctx ends, and returns once the Long jobs it started
// have stopped.
func (r *Runner) Run(ctx context.Context) {
	defer r.longWG.Wait()
	tick := time.NewTicker(r.Every)
	defer tick.Stop()
	for {
		r.runDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunDue claims and carries out the jobs due now, Long ones included,
// and returns how many ran.
func (r *Runner) RunDue(ctx context.Context) int {
	ran := r.runDue(ctx)
	r.longWG.Wait()
	return ran
}

// runDue claims and carries out the jobs due now, and starts the Long
// ones without waiting for them; it returns how many ran or started.
func (r *Runner) runDue(ctx context.Context) int {
	ran := 0
	for {
		now := r.Now()
		jobs, err := r.Store.ClaimJobs(ctx, r.Node, now, r.Lease, 50)
		if err != nil {
			if ctx.Err() == nil {
				r.Log.Warn("claim jobs", slog.Any("err", err))
				r.Metrics.StoreError("jobs")
			}
			return ran
		}
		for _, j := range jobs {
			if h, ok := r.Handlers[j.Kind]; ok && h.InTx == nil && r.Now().Sub(now) > r.Lease/2 {
				// The batch's earlier jobs took long (a slow mail server):
				// this claim is running out, and another node may take the
				// job over while it runs — an email sent twice. It is left
				// to be claimed again. (An InTx job needs no such care:
				// FinishJob refuses one claimed since.)
				continue
			}
			if h, ok := r.Handlers[j.Kind]; ok && h.InTx == nil && h.Long {
				if r.startLong(ctx, j, now) {
					r.Metrics.JobRan(j.DueAt, now)
					ran++
				}
				continue
			}
			r.Metrics.JobRan(j.DueAt, now)
			if r.do(ctx, j) {
				ran++
			}
		}
		if len(jobs) < 50 {
			return ran
		}
	}
}

// do carries out j and records its failure; true when it succeeded.
func (r *Runner) do(ctx context.Context, j chat.Job) bool {
	err := r.Do(ctx, j)
	if err == nil {
		return true
	}
	if errors.Is(context.Cause(ctx), ErrLeaseLost) {
		// Not a failure of the job: another run carries it out.
		r.Log.Info("job no longer ours", slog.String("kind", j.Kind), slog.Int64("workspace", j.WorkspaceID),
			slog.Int64("ref", j.RefID), slog.Any("err", err))
		return false
	}
	if ctx.Err() != nil {
		// The runner stops (its node shuts down): not a failure of the
		// job either. Its claim is handed back, so that another node
		// carries it out now rather than a lease later.
		r.Log.Info("job interrupted: the node is stopping", slog.String("kind", j.Kind), slog.Int64("workspace", j.WorkspaceID),
			slog.Int64("ref", j.RefID))
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
		defer cancel()
		if err := r.Store.ReleaseJob(rctx, j, r.Node); err != nil {
			r.Log.Warn("release job", slog.Any("err", err))
		}
		return false
	}
	if chat.ErrorCode(err) == "" {
		r.Metrics.StoreError("jobs")
	}
	r.Log.Warn("job failed", slog.String("kind", j.Kind), slog.Int64("workspace", j.WorkspaceID),
		slog.Int64("ref", j.RefID), slog.Int("attempt", j.Attempts), slog.Any("err", err))
	if err := r.Store.FailJob(ctx, j, err); err != nil {
		r.Log.Warn("record job failure", slog.Any("err", err))
	}
	return false
}

// startLong carries out a Long job claimed at claimed on a goroutine of
// its own, keeping its lease, unless MaxLong run already or this one does
// (its lease ran out while it ran, and this runner claimed it again): it
// is then left to its claim.
func (r *Runner) startLong(ctx context.Context, j chat.Job, claimed time.Time) bool {
	r.longMu.Lock()
	defer r.longMu.Unlock()
	if r.long == nil {
		r.long = map[int64]bool{}
	}
	if r.long[j.ID] || len(r.long) >= MaxLong {
		return false
	}
	r.long[j.ID] = true
	r.longWG.Go(func() {
		defer func() {
			r.longMu.Lock()
			delete(r.long, j.ID)
			r.longMu.Unlock()
		}()
		runCtx, lost := context.WithCancelCause(ctx)
		var keep sync.WaitGroup
		keep.Go(func() { r.keepLease(runCtx, j, claimed, lost) })
		r.do(runCtx, j)
		lost(nil)
		keep.Wait()
	})
	return true
}

// keepLease renews this runner's claim on j, claimed at claimed, every
// third of a lease by r.Now until ctx ends, so that a job running longer
// than a lease is not claimed again meanwhile. A renewal that fails (the
// database) is tried again at the next look: the claim lasts a lease past
// the last renewal, as a node that dies loses it a lease after its last.
// One that finds the job another's cancels ctx with ErrLeaseLost.
func (r *Runner) keepLease(ctx context.Context, j chat.Job, claimed time.Time, lost context.CancelCauseFunc) {
	look := r.Lease / 3
	if r.Every > 0 { // a runner driven by RunDue alone (tests) has none
		look = min(look, r.Every)
	}
	tick := time.NewTicker(look)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		now := r.Now()
		if now.Sub(claimed) < r.Lease/3 {
			continue
		}
		ok, err := r.Store.RenewJob(ctx, j, r.Node, now, r.Lease)
		switch {
		case err != nil:
			if ctx.Err() == nil {
				r.Log.Warn("renew job lease", slog.String("kind", j.Kind), slog.Int64("ref", j.RefID), slog.Any("err", err))
				r.Metrics.StoreError("jobs")
			}
		case !ok:
			lost(ErrLeaseLost)
			return
		default:
			claimed = now
		}
	}
}

// Do carries out one job this runner claimed, with its kind's handler. A
// job that is no longer this runner's to run does nothing.
func (r *Runner) Do(ctx context.Context, j chat.Job) error {
	h, ok := r.Handlers[j.Kind]
	switch {
	case !ok:
		return fmt.Errorf("no handler for job kind %q", j.Kind)
	case h.InTx != nil:
		err := r.Commit.Commit(ctx, func(tx chat.Tx) error {
			if h.Routing {
				if _, err := tx.LockRouting(ctx, j.WorkspaceID); err != nil {
					return err
				}
			}
			if err := tx.FinishJob(ctx, j, r.Node); err != nil {
				return err
			}
			return h.InTx(ctx, tx, j)
		})
		if errors.Is(err, chat.ErrJobMoved) {
			return nil // not ours to run any more
		}
		return err
	default:
		if err := h.Run(ctx, j); err != nil {
			return err
		}
		return r.Store.CompleteJob(ctx, j, r.Node)
	}
}
