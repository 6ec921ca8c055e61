package app

import (
	"context"
	"log/slog"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// FAQ is the node's one FAQ search: the help center, the widget, the
// robot and the console's ? all ask it.
func (a *App) FAQ() *faq.Searcher { return a.faq }

// sweepFAQImages deletes the workspace's images that no article shows
// once their grace is over (chat.JobFAQImageSweep), then their bytes. A
// file left behind by a failed delete is only logged: its record is gone,
// so nothing serves it.
func (a *App) sweepFAQImages(ctx context.Context, j chat.Job) error {
	gone, err := a.store.SweepFAQImages(ctx, j.WorkspaceID)
	for _, img := range gone {
		if err := a.files.Delete(ctx, img.BlobKey); err != nil {
			a.log.Warn("delete an FAQ image's bytes", slog.String("key", img.BlobKey), slog.Any("err", err))
		}
	}
	return err
}
