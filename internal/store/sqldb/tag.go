package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/sodam-chat/sodam/internal/chat"
)

// tagsOf lists the tags linked to id through the link table (customer_tags
// or conversation_tags, keyed by column).
func (db *DB) tagsOf(ctx context.Context, x q, table, column string, id int64) ([]chat.Tag, error) {
	return queryTags(ctx, x, `SELECT t.id, t.kind, t.name FROM `+table+` l JOIN tags t ON t.id = l.tag_id WHERE l.`+column+` = ? ORDER BY t.name, t.id`, id)
}

func queryTags(ctx context.Context, x q, query string, args ...any) ([]chat.Tag, error) {
	rows, err := x.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Tag{}
	for rows.Next() {
		var tg chat.Tag
		if err := rows.Scan(&tg.ID, &tg.Kind, &tg.Name); err != nil {
			return nil, err
		}
		out = append(out, tg)
	}
	return out, rows.Err()
}

// setTags replaces id's links in table with tagIDs, which must all be the
// workspace's tags of kind.
func (db *DB) setTags(ctx context.Context, x q, workspaceID int64, kind chat.TagKind, table, column string, id int64, tagIDs []int64) error {
	if _, err := x.exec(ctx, `DELETE FROM `+table+` WHERE `+column+` = ?`, id); err != nil {
		return err
	}
	for _, tagID := range tagIDs {
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM tags WHERE id = ? AND workspace_id = ? AND kind = ?`, tagID, workspaceID, kind).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return chat.Errorf(chat.ErrNotFound, "no %s tag with id %d", kind, tagID)
		}
		if _, err := x.exec(ctx, `INSERT INTO `+table+` (`+column+`, tag_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, tagID); err != nil {
			return err
		}
	}
	return nil
}

// Tags lists the workspace's tags of kind by name.
func (db *DB) Tags(ctx context.Context, workspaceID int64, kind chat.TagKind) ([]chat.Tag, error) {
	return queryTags(ctx, db.read(), `SELECT id, kind, name FROM tags WHERE workspace_id = ? AND kind = ? ORDER BY name, id`, workspaceID, kind)
}

// CreateTag adds a tag, audited; a name already used for that kind is a
// conflict.
func (db *DB) CreateTag(ctx context.Context, workspaceID int64, kind chat.TagKind, name string, by chat.Who) (chat.Tag, error) {
	if !kind.Valid() {
		return chat.Tag{}, chat.Errorf(chat.ErrInvalid, "kind must be customer or conversation")
	}
	name, err := chat.CleanTagName(name)
	if err != nil {
		return chat.Tag{}, err
	}
	tg := chat.Tag{Kind: kind, Name: name}
	_, err = db.write(ctx, func(t *txn) error {
		if err := sameNameTag(ctx, t.q, workspaceID, kind, 0, name); err != nil {
			return err
		}
		if err := t.underListLimit(ctx, `SELECT COUNT(*) FROM tags WHERE workspace_id = ? AND kind = ?`, chat.MaxTagsPerKind, string(kind)+" tags", workspaceID, kind); err != nil {
			return err
		}
		err := t.row(ctx, `INSERT INTO tags (workspace_id, kind, name, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			workspaceID, kind, name, micros(t.now)).Scan(&tg.ID)
		if err := db.uniqueAs(err, "a %s tag named %q exists already", kind, name); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditTagCreate, tg.Name, nil, tg))
	})
	return tg, err
}

// sameNameTag refuses a name another tag of kind has but for its case
// ("VIP" and "vip"): people type a tag's name to choose it, and could not
// tell the two apart.
func sameNameTag(ctx context.Context, x q, workspaceID int64, kind chat.TagKind, id int64, name string) error {
	var other string
	err := x.row(ctx, `SELECT name FROM tags WHERE workspace_id = ? AND kind = ? AND id <> ? AND lower(name) = lower(?) LIMIT 1`,
		workspaceID, kind, id, name).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return chat.Errorf(chat.ErrNameInUse, "a %s tag named %q exists already", kind, other)
}

// uniqueAs turns a unique violation of a name into name_in_use with the
// message.
func (db *DB) uniqueAs(err error, format string, args ...any) error {
	if err != nil && db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrNameInUse, format, args...)
	}
	return err
}

// RenameTag renames one of the workspace's tags, audited.
func (db *DB) RenameTag(ctx context.Context, workspaceID, id int64, name string, by chat.Who) (chat.Tag, error) {
	name, err := chat.CleanTagName(name)
	if err != nil {
		return chat.Tag{}, err
	}
	var tg chat.Tag
	_, err = db.write(ctx, func(t *txn) error {
		before, err := tagOf(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		if err := sameNameTag(ctx, t.q, workspaceID, before.Kind, id, name); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE tags SET name = ? WHERE id = ?`, name, id)
		if err := db.uniqueAs(err, "a tag named %q exists already", name); err != nil {
			return err
		}
		tg = chat.Tag{ID: id, Kind: before.Kind, Name: name}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditTagRename, tg.Name, before, tg))
	})
	return tg, err
}

// DeleteTag removes a tag and its links, audited.
func (db *DB) DeleteTag(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	_, err := db.write(ctx, func(t *txn) error {
		before, err := tagOf(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		for _, stmt := range []string{`DELETE FROM customer_tags WHERE tag_id = ?`, `DELETE FROM conversation_tags WHERE tag_id = ?`, `DELETE FROM tags WHERE id = ?`} {
			if _, err := t.exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditTagDelete, before.Name, before, nil))
	})
	return err
}

// tagOf reads one of the workspace's tags.
func tagOf(ctx context.Context, x q, workspaceID, id int64) (chat.Tag, error) {
	tags, err := queryTags(ctx, x, `SELECT id, kind, name FROM tags WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return chat.Tag{}, err
	}
	if len(tags) == 0 {
		return chat.Tag{}, chat.Errorf(chat.ErrNotFound, "no such tag")
	}
	return tags[0], nil
}
