package sqldb

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

func (db *DB) categories(ctx context.Context, x q, where string, args ...any) ([]chat.Category, error) {
	rows, err := x.query(ctx, categorySelect+` WHERE `+where+` ORDER BY depth, position, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Category{}
	for rows.Next() {
		var c chat.Category
		if err := rows.Scan(&c.ID, &c.ParentID, &c.Depth, &c.Name, &c.Position); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// activeCategory reads one of the workspace's categories that is not deleted.
func (db *DB) activeCategory(ctx context.Context, x q, workspaceID, id int64) (chat.Category, error) {
	cs, err := db.categories(ctx, x, `workspace_id = ? AND id = ? AND deleted_at IS NULL`, workspaceID, id)
	if err != nil {
		return chat.Category{}, err
	}
	if len(cs) == 0 {
		return chat.Category{}, chat.Errorf(chat.ErrNotFound, "no such category")
	}
	return cs[0], nil
}

// Categories lists the workspace's category tree, level by level.
func (db *DB) Categories(ctx context.Context, workspaceID int64) ([]chat.Category, error) {
	return db.categories(ctx, db.read(), `workspace_id = ? AND deleted_at IS NULL`, workspaceID)
}

// CreateCategory adds a category under parentID (0 for the top level), at
// most three levels deep, after its siblings; audited.
func (db *DB) CreateCategory(ctx context.Context, workspaceID, parentID int64, name string, by chat.Who) (chat.Category, error) {
	name, err := chat.CleanCategoryName(name)
	if err != nil {
		return chat.Category{}, err
	}
	c := chat.Category{ParentID: parentID, Name: name}
	_, err = db.write(ctx, func(t *txn) error {
		parentDepth := 0
		if parentID != 0 {
			parent, err := db.activeCategory(ctx, t.q, workspaceID, parentID)
			if err != nil {
				return err
			}
			parentDepth = parent.Depth
		}
		if c.Depth, err = chat.ChildDepth(parentDepth); err != nil {
			return err
		}
		if err := t.underListLimit(ctx, `SELECT COUNT(*) FROM categories WHERE workspace_id = ? AND deleted_at IS NULL`, chat.MaxCategoriesPerWorkspace, "categories", workspaceID); err != nil {
			return err
		}
		if err := t.row(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM categories WHERE workspace_id = ? AND COALESCE(parent_id, 0) = ?`,
			workspaceID, parentID).Scan(&c.Position); err != nil {
			return err
		}
		err := t.row(ctx, `INSERT INTO categories (workspace_id, parent_id, depth, name, position, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, nullID(parentID), c.Depth, name, c.Position, micros(t.now)).Scan(&c.ID)
		if err := db.uniqueAs(err, "a category named %q exists already at this level", name); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditCategoryCreate, c.Name, nil, c))
	})
	return c, err
}

// RenameCategory renames one of the workspace's categories, audited.
func (db *DB) RenameCategory(ctx context.Context, workspaceID, id int64, name string, by chat.Who) (chat.Category, error) {
	name, err := chat.CleanCategoryName(name)
	if err != nil {
		return chat.Category{}, err
	}
	var c chat.Category
	_, err = db.write(ctx, func(t *txn) error {
		before, err := db.activeCategory(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE categories SET name = ? WHERE id = ?`, name, id)
		if err = db.uniqueAs(err, "a category named %q exists already at this level", name); err != nil {
			return err
		}
		if c, err = db.activeCategory(ctx, t.q, workspaceID, id); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditCategoryRename, c.Name, before, c))
	})
	return c, err
}

// DeleteCategory retires a category with no children left, audited. Past
// conversations keep showing it in their category path.
func (db *DB) DeleteCategory(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	_, err := db.write(ctx, func(t *txn) error {
		before, err := db.activeCategory(ctx, t.q, workspaceID, id)
		if err != nil {
			return err
		}
		var children int
		if err := t.row(ctx, `SELECT COUNT(*) FROM categories WHERE parent_id = ? AND deleted_at IS NULL`, id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return chat.Errorf(chat.ErrCategoryHasChildren, "delete the %d categories under it first", children)
		}
		if _, err := t.exec(ctx, `UPDATE categories SET deleted_at = ? WHERE id = ?`, micros(t.now), id); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, chat.AuditCategoryDelete, before.Name, before, nil))
	})
	return err
}

const categorySelect = `SELECT id, COALESCE(parent_id, 0), depth, name, position FROM categories`
