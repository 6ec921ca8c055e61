package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/jobs"
)

// UseFiles gives the application the node's blob storage, where exports'
// files and FAQ images are kept, and the log their failures go to.
// Without it the jobs that write or delete files are not registered.
func (a *App) UseFiles(files blob.Store, log *slog.Logger) {
	if log == nil {
		log = slog.Default()
	}
	a.files, a.log = files, log
}

// historyStore is the store's history part, when it has one.
func (a *App) historyStore() (history.Store, bool) {
	hs, ok := a.store.(history.Store)
	return hs, ok
}

// CreateExport queues an export of the history (audited by the store).
func (a *App) CreateExport(ctx context.Context, e *history.Export, by chat.Who) error {
	hs, ok := a.historyStore()
	if !ok {
		return chat.Errorf(chat.ErrNotFound, "this store keeps no history")
	}
	return hs.CreateExport(ctx, e, by)
}

// backfillChunk is the messages one transaction of the search backfill
// indexes, and backfillSteps the transactions one run of its job does
// (about 5 s: 19–22 s per 100,000 messages, docs/operations.md). A node's
// job runner carries its jobs out one after another: a backfill run to
// the end in one go — minutes after an upgrade, and longer than the
// lease, so that other nodes took it over too — held up every timer
// on the node meanwhile (inactivity closes, auto-offline, the robot's
// idle closes) and, once each node had it, on all of them.
var (
	backfillChunk = 1000
	backfillSteps = 25
)

// historyJobs adds the history's jobs to r: writing and expiring exports,
// and indexing messages older than the search index.
func (a *App) historyJobs(r jobs.Registry) {
	hs, ok := a.historyStore()
	if !ok {
		return
	}
	r[history.JobSearchBackfill] = jobs.Handler{Run: func(ctx context.Context, j chat.Job) error {
		for range backfillSteps {
			more, err := hs.BackfillSearch(ctx, backfillChunk)
			if err != nil || !more {
				return err
			}
		}
		// More to do: the job goes on at once, as a job of its own after
		// this one, so the runner comes back to the timers that came due
		// meanwhile (see backfillSteps).
		j.DueAt = time.Now()
		return a.store.ScheduleJob(ctx, j)
	}}
	if a.files == nil {
		return
	}
	x := &history.Exporter{Store: hs, Workspace: a.store.Workspace, Files: a.files, Node: jobs.NodeName(), Now: time.Now, Log: a.log}
	// An export of a large history takes minutes: Long, so that the
	// node's timers do not wait for it.
	r[history.JobExport] = jobs.Handler{Run: x.Run, Long: true}
	r[history.JobExportExpire] = jobs.Handler{Run: x.Expire}
}
