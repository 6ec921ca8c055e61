package app

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// FAQ is the node's one FAQ search: the help center, the widget, the
// robot and the console's ? all ask it.
func (a *App) FAQ() *faq.Searcher { return a.faq }

// DeleteFAQImage deletes an image no article shows, then its bytes.
func (a *App) DeleteFAQImage(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	if _, err := a.store.DeleteFAQImage(ctx, workspaceID, id, by); err != nil {
		return err
	}
	a.dropFAQImageFiles(ctx, workspaceID)
	return nil
}

// sweepFAQImages deletes the workspace's images that no article shows
// once their grace is over (chat.JobFAQImageSweep), then their bytes.
func (a *App) sweepFAQImages(ctx context.Context, j chat.Job) error {
	if _, err := a.store.SweepFAQImages(ctx, j.WorkspaceID); err != nil {
		return err
	}
	a.dropFAQImageFiles(ctx, j.WorkspaceID)
	return nil
}

// dropFAQImageFiles deletes the bytes of the workspace's deleted images
// at once; what fails is logged, and chat.JobFAQImageFiles tries again.
func (a *App) dropFAQImageFiles(ctx context.Context, workspaceID int64) {
	if err := a.removeFAQImageFiles(ctx, chat.Job{WorkspaceID: workspaceID}); err != nil {
		a.log.Warn("delete an FAQ image's bytes", slog.Int64("workspace", workspaceID), slog.Any("err", err))
	}
}

// removeFAQImageFiles deletes the bytes of the workspace's deleted images
// (chat.JobFAQImageFiles), each key forgotten only once its file is gone:
// forgotten first, a deletion that failed (or a node that died between)
// left the file on disk for good, with nothing left to name it.
func (a *App) removeFAQImageFiles(ctx context.Context, j chat.Job) error {
	if a.files == nil {
		return nil
	}
	keys, err := a.store.DeletedFAQImageFiles(ctx, j.WorkspaceID)
	if err != nil {
		return err
	}
	var gone []string
	var failed []error
	for _, key := range keys {
		if err := a.files.Delete(ctx, key); err != nil {
			failed = append(failed, err)
			continue
		}
		gone = append(gone, key)
	}
	return errors.Join(a.store.ForgetFAQImageFiles(ctx, j.WorkspaceID, gone), errors.Join(failed...))
}
