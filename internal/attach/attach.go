// Package attach turns an upload into a stored attachment (§3.4): it checks
// the file's name against the workspace's settings and its first bytes
// against its extension, streams it into blob storage while counting, and
// stops at the size limit, keeping nothing; images get a thumbnail.
package attach

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
)

// sniffLen is how much of a file decides its type, as net/http sniffs.
const sniffLen = 512

// Receive stores the file name read from r as a new attachment of a
// workspace, checked against settings. Nothing is kept when it fails; when
// it succeeds the caller records the attachment, or calls Remove.
func Receive(ctx context.Context, files blob.Store, settings chat.AttachmentSettings, workspaceID int64, name string, r io.Reader) (*chat.Attachment, error) {
	clean, ext, kind, err := settings.CheckFileName(name)
	if err != nil {
		return nil, err
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	switch {
	case errors.Is(err, io.EOF):
		return nil, chat.Errorf(chat.ErrFileEmpty, "the file is empty")
	case err != nil && !errors.Is(err, io.ErrUnexpectedEOF):
		return nil, err
	}
	head = head[:n]
	contentType, err := CheckContent(ext, head)
	if err != nil {
		return nil, err
	}
	a := &chat.Attachment{WorkspaceID: workspaceID, Name: clean, ContentType: contentType, Kind: kind,
		BlobKey: fmt.Sprintf("%d/%s", workspaceID, strings.ToLower(rand.Text()))}
	body := &limitReader{r: io.MultiReader(bytes.NewReader(head), r), left: settings.MaxBytes(), maxMB: settings.MaxSizeMB}
	if a.Size, err = files.Put(ctx, a.BlobKey, body); err != nil {
		return nil, err
	}
	if kind == chat.FileImage {
		if err := addThumbnail(ctx, files, a); err != nil {
			Remove(ctx, files, a)
			return nil, err
		}
	}
	return a, nil
}

// Remove deletes an attachment's stored bytes (the file and its
// thumbnail), for an upload that was refused after it was stored.
func Remove(ctx context.Context, files blob.Store, a *chat.Attachment) error {
	err := files.Delete(ctx, a.BlobKey)
	if a.ThumbnailKey != "" {
		err = errors.Join(err, files.Delete(ctx, a.ThumbnailKey))
	}
	return err
}

// limitReader fails with file_too_large as soon as more than left bytes
// have come: it reads at most one byte past the limit.
type limitReader struct {
	r     io.Reader
	left  int64
	maxMB int
}

func (l *limitReader) Read(p []byte) (int, error) {
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n, chat.Errorf(chat.ErrFileTooLarge, "the file is larger than %d MB, the limit here", l.maxMB)
	}
	return n, err
}
