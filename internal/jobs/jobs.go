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
	// it.
	Long bool
}

// MaxLong is how many Long jobs one runner carries out at once. One more
// stays claimed and is claimed again once its lease runs out.
const MaxLong = 2

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
	// Lease is how long a claim lasts before another node may take over.
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
				if r.startLong(ctx, j) {
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

// startLong carries out a Long job on a goroutine of its own, unless
// MaxLong run already or this one does (its lease ran out while it ran,
// and this runner claimed it again): it is then left to its claim.
func (r *Runner) startLong(ctx context.Context, j chat.Job) bool {
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
		r.do(ctx, j)
	})
	return true
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
