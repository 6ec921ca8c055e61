// Package jobs runs Sodam's durable timers: inactivity closes and agent
// auto-offline. Jobs are rows in the store; every node runs a Runner, and a
// job is leased to one node at a time and carried out in the transaction
// that deletes it, so it fires exactly once, also across restarts.
package jobs

import (
	"context"
	"crypto/rand"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/metrics"
)

// Store is what the runner needs of the store.
type Store interface {
	ClaimJobs(ctx context.Context, node string, now time.Time, lease time.Duration, limit int) ([]chat.Job, error)
	RunJob(ctx context.Context, j chat.Job, node string) ([]chat.Event, error)
	FailJob(ctx context.Context, j chat.Job, cause error) error
}

// Publisher puts committed events on the bus.
type Publisher interface {
	Publish(ctx context.Context, events []chat.Event)
}

// Runner claims due jobs and carries them out.
type Runner struct {
	Store Store
	Pub   Publisher
	Log   *slog.Logger
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
}

// NodeName returns a name unique to this process: host, pid and a random tag.
func NodeName() string {
	host, _ := os.Hostname()
	return host + "/" + strconv.Itoa(os.Getpid()) + "/" + rand.Text()[:6]
}

// Run works until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	tick := time.NewTicker(r.Every)
	defer tick.Stop()
	for {
		r.RunDue(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// RunDue claims and carries out the jobs due now; it returns how many ran.
func (r *Runner) RunDue(ctx context.Context) int {
	ran := 0
	for {
		now := r.Now()
		jobs, err := r.Store.ClaimJobs(ctx, r.Node, now, r.Lease, 50)
		if err != nil {
			if ctx.Err() == nil {
				r.Log.Warn("claim jobs", "err", err)
				r.Metrics.StoreError("jobs")
			}
			return ran
		}
		for _, j := range jobs {
			r.Metrics.JobRan(j.DueAt, now)
			events, err := r.Store.RunJob(ctx, j, r.Node)
			if err != nil {
				if chat.ErrorCode(err) == "" {
					r.Metrics.StoreError("jobs")
				}
				r.Log.Warn("job failed", "kind", j.Kind, "workspace", j.WorkspaceID, "ref", j.RefID, "attempt", j.Attempts, "err", err)
				if err := r.Store.FailJob(ctx, j, err); err != nil {
					r.Log.Warn("record job failure", "err", err)
				}
				continue
			}
			r.Pub.Publish(ctx, events)
			ran++
		}
		if len(jobs) < 50 {
			return ran
		}
	}
}
