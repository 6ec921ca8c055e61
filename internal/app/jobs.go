package app

import (
	"context"
	"fmt"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/jobs"
	"github.com/sodam-chat/sodam/internal/stats"
)

// Jobs is what each kind of durable job does.
func (a *App) Jobs() jobs.Registry {
	r := jobs.Registry{
		chat.JobInactivity:  {InTx: inactivityClose, Routing: true},
		chat.JobOffline:     {InTx: goOffline, Routing: true},
		chat.JobTicketEmail: {Run: a.emailReply},
		chat.JobRobotIdle:   {InTx: robotIdleClose, Routing: true}, // robot.go
		stats.JobRebuild:    {InTx: rebuildStats},
	}
	a.historyJobs(r) // history.go
	if a.files != nil {
		r[chat.JobFAQImageSweep] = jobs.Handler{Run: a.sweepFAQImages} // faq.go
		r[chat.JobFAQImageFiles] = jobs.Handler{Run: a.removeFAQImageFiles}
	}
	return r
}

// rebuildStats recounts a workspace's statistics roll-up from its
// conversations (docs/statistics.md): after its time zone changed, and
// once after the upgrade that brought statistics.
func rebuildStats(ctx context.Context, tx chat.Tx, j chat.Job) error {
	r, ok := tx.(interface {
		RebuildStats(ctx context.Context, workspaceID int64) (int, error)
	})
	if !ok {
		return fmt.Errorf("the store cannot rebuild statistics")
	}
	_, err := r.RebuildStats(ctx, j.WorkspaceID)
	return err
}

// inactivityClose closes a conversation whose customer did not answer the
// agent in time. Every change that makes the timer moot (a reply, hold, a
// close) cancels or moves it, so a conversation still open is due; the
// checks guard a timer that outlived its reason.
func inactivityClose(ctx context.Context, tx chat.Tx, j chat.Job) error {
	ws, err := tx.LockRouting(ctx, j.WorkspaceID)
	if err != nil {
		return err
	}
	c, err := tx.LockConversation(ctx, j.WorkspaceID, j.RefID)
	if chat.ErrorCode(err) == chat.ErrConversationNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if c.State == chat.StateClosed || c.OnHold || c.CustomerLeftAt != nil {
		return nil
	}
	if err := tx.CloseConversation(ctx, c, chat.CloseByInactivity); err != nil {
		return err
	}
	return tx.Route(ctx, ws) // the close freed capacity
}

// goOffline takes an agent offline once every console of theirs has been
// gone for the workspace's auto-offline time.
func goOffline(ctx context.Context, tx chat.Tx, j chat.Job) error {
	ws, err := tx.LockRouting(ctx, j.WorkspaceID)
	if err != nil {
		return err
	}
	if err := tx.SetMemberStatus(ctx, j.WorkspaceID, j.RefID, chat.StatusOffline); err != nil {
		return err
	}
	return tx.Route(ctx, ws)
}
