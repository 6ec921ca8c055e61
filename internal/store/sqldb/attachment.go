package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sodam-chat/sodam/internal/chat"
)

// attachmentColumns are an attachment's columns as f; messages read them
// through a LEFT JOIN, so each may be NULL.
const attachmentColumns = `f.id, f.workspace_id, f.conversation_id, f.message_id, f.name, f.size, f.content_type, f.kind,
	f.width, f.height, f.blob_key, f.thumbnail_key, f.created_at`

// nullAttachment scans attachmentColumns, absent or not.
type nullAttachment struct {
	id, workspaceID, conversationID, messageID, size, width, height, created sql.NullInt64
	name, contentType, kind, blobKey, thumbnailKey                           sql.NullString
}

func (n *nullAttachment) dest() []any {
	return []any{&n.id, &n.workspaceID, &n.conversationID, &n.messageID, &n.name, &n.size, &n.contentType, &n.kind,
		&n.width, &n.height, &n.blobKey, &n.thumbnailKey, &n.created}
}

// attachment is the scanned attachment, nil when the row had none.
func (n *nullAttachment) attachment() *chat.Attachment {
	if !n.id.Valid {
		return nil
	}
	return &chat.Attachment{
		ID: n.id.Int64, WorkspaceID: n.workspaceID.Int64, ConversationID: n.conversationID.Int64, MessageID: n.messageID.Int64,
		Name: n.name.String, Size: n.size.Int64, ContentType: n.contentType.String, Kind: chat.FileKind(n.kind.String),
		Width: int(n.width.Int64), Height: int(n.height.Int64), Thumbnail: n.thumbnailKey.String != "",
		BlobKey: n.blobKey.String, ThumbnailKey: n.thumbnailKey.String, CreatedAt: fromMicros(n.created.Int64),
	}
}

// insertAttachment records a, the file of message m, and fills in its IDs.
func (db *DB) insertAttachment(ctx context.Context, t *txn, m *chat.Message, a *chat.Attachment) error {
	a.WorkspaceID, a.ConversationID, a.MessageID, a.CreatedAt = m.WorkspaceID, m.ConversationID, m.ID, t.now
	a.Thumbnail = a.ThumbnailKey != ""
	a.URL, a.ThumbnailURL = "", ""
	err := t.row(ctx, `INSERT INTO attachments (workspace_id, conversation_id, message_id, name, size, content_type, kind, width, height, blob_key, thumbnail_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.WorkspaceID, a.ConversationID, a.MessageID, a.Name, a.Size, a.ContentType, a.Kind, a.Width, a.Height, a.BlobKey, a.ThumbnailKey, micros(t.now)).Scan(&a.ID)
	if db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, "those stored bytes already belong to another attachment")
	}
	return err
}

// Attachment returns a workspace's attachment with its storage keys.
func (db *DB) Attachment(ctx context.Context, workspaceID, id int64) (*chat.Attachment, error) {
	var n nullAttachment
	err := db.read().row(ctx, `SELECT `+attachmentColumns+` FROM attachments f WHERE f.workspace_id = ? AND f.id = ?`, workspaceID, id).Scan(n.dest()...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrAttachmentNotFound, "no such attachment")
	}
	if err != nil {
		return nil, err
	}
	return n.attachment(), nil
}

// InstallationSecret returns the installation's link-signing key, made
// once by the migrations and shared by every node on the same database.
func (db *DB) InstallationSecret(ctx context.Context) (string, error) {
	var secret string
	err := db.read().row(ctx, `SELECT secret FROM installation`).Scan(&secret)
	if err == nil && len(secret) < 32 {
		err = errors.New("the installation has no link-signing secret")
	}
	return secret, err
}
