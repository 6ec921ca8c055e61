package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Customer context and agent tools (§4, §5): profiles and customer IDs,
// tags, categories, wrap-up notes, ratings and canned responses.

// lockProfile takes the row lock of identifier customerID's profile and
// reads the customer, so concurrent edits of one profile (and merges into
// it) are decided one after another.
func (db *DB) lockProfile(ctx context.Context, x q, workspaceID, customerID int64) (*chat.Customer, error) {
	var pid int64
	err := x.row(ctx, `SELECT profile_id FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, customerID).Scan(&pid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chat.Errorf(chat.ErrNotFound, "no such customer")
	}
	if err != nil {
		return nil, err
	}
	if err := x.row(ctx, `SELECT id FROM profiles WHERE id = ?`+x.forUpdate(), pid).Scan(&pid); err != nil {
		return nil, err
	}
	return db.customer(ctx, x, workspaceID, `cu.id = ?`, customerID)
}

// changeCustomer runs apply on a locked customer and emits customer.updated
// with the customer as it then is.
func (db *DB) changeCustomer(ctx context.Context, workspaceID, customerID int64, apply func(*txn, *chat.Customer) error) (*chat.Customer, []chat.Event, error) {
	var after *chat.Customer
	events, err := db.write(ctx, func(t *txn) error {
		cu, err := db.lockProfile(ctx, t.q, workspaceID, customerID)
		if err != nil {
			return err
		}
		if err := apply(t, cu); err != nil {
			return err
		}
		if after, err = db.customer(ctx, t.q, workspaceID, `cu.id = ?`, customerID); err != nil {
			return err
		}
		t.emit(chat.Event{WorkspaceID: workspaceID, Type: chat.EventCustomerUpdated, Customer: after})
		return nil
	})
	return after, events, err
}

// UpdateProfile applies an agent's edit to the profile of identifier
// customerID.
func (db *DB) UpdateProfile(ctx context.Context, workspaceID, customerID int64, p chat.ProfilePatch) (*chat.Customer, []chat.Event, error) {
	return db.changeCustomer(ctx, workspaceID, customerID, func(t *txn, cu *chat.Customer) error {
		if err := p.Apply(&cu.Profile, t.now); err != nil {
			return err
		}
		return db.saveProfile(ctx, t.q, cu.Profile)
	})
}

// ChangeCustomerID gives the profile of identifier customerID the customer
// ID newID. When another profile has it already, the two merge — profile
// and history — but only when confirm is set, and never beyond
// chat.MaxIdentifiers identifiers.
func (db *DB) ChangeCustomerID(ctx context.Context, workspaceID, customerID int64, newID string, confirm bool) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckCustomerID(newID); err != nil {
		return nil, nil, err
	}
	return db.changeCustomer(ctx, workspaceID, customerID, func(t *txn, cu *chat.Customer) error {
		if cu.CustomerID == newID {
			return nil
		}
		var into int64
		err := t.row(ctx, `SELECT id FROM profiles WHERE workspace_id = ? AND customer_key = ?`+t.forUpdate(), workspaceID, newID).Scan(&into)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = t.exec(ctx, `UPDATE profiles SET customer_key = ?, updated_at = ? WHERE id = ?`, newID, micros(t.now), cu.Profile.ID)
			return err
		}
		if err != nil {
			return err
		}
		target, err := db.customer(ctx, t.q, workspaceID, `cu.profile_id = ? ORDER BY cu.id LIMIT 1`, into)
		if err != nil {
			return err
		}
		if cu.Identifiers+target.Identifiers > chat.MaxIdentifiers {
			return chat.Errorf(chat.ErrTooManyIdentifiers, "customer ID %s would have %d identifiers; at most %d may share one",
				newID, cu.Identifiers+target.Identifiers, chat.MaxIdentifiers)
		}
		if !confirm {
			return chat.Errorf(chat.ErrMergeRequired, "customer ID %s belongs to another customer (%s); confirm to merge their profiles and history",
				newID, target.Identifier)
		}
		merged := chat.MergeProfiles(target.Profile, cu.Profile)
		if err := db.saveProfile(ctx, t.q, merged); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE customers SET profile_id = ? WHERE profile_id = ?`, into, cu.Profile.ID); err != nil {
			return err
		}
		_, err = t.exec(ctx, `DELETE FROM profiles WHERE id = ?`, cu.Profile.ID)
		return err
	})
}

// SetCustomerTags replaces identifier customerID's customer tags.
func (db *DB) SetCustomerTags(ctx context.Context, workspaceID, customerID int64, tagIDs []int64) (*chat.Customer, []chat.Event, error) {
	if err := chat.CheckTagIDs(tagIDs); err != nil {
		return nil, nil, err
	}
	return db.changeCustomer(ctx, workspaceID, customerID, func(t *txn, cu *chat.Customer) error {
		return db.setTags(ctx, t.q, workspaceID, chat.TagCustomer, `customer_tags`, `customer_id`, cu.ID, tagIDs)
	})
}

// CustomerConversations lists every conversation of the customer ID that
// identifier customerID belongs to, newest first, with their tags.
func (db *DB) CustomerConversations(ctx context.Context, workspaceID, customerID int64) ([]chat.Conversation, error) {
	x := db.read()
	const ofProfile = ` WHERE c.workspace_id = ? AND cu.profile_id = (SELECT profile_id FROM customers WHERE workspace_id = ? AND id = ?)`
	rows, err := x.query(ctx, conversationSelect+ofProfile+` ORDER BY c.id DESC`, workspaceID, workspaceID, customerID)
	if err != nil {
		return nil, err
	}
	out, err := scanConversations(rows)
	if err != nil {
		return nil, err
	}
	// Every conversation's tags in one query, not one query each.
	rows, err = x.query(ctx, `SELECT l.conversation_id, t.id, t.kind, t.name FROM conversation_tags l JOIN tags t ON t.id = l.tag_id
		WHERE l.conversation_id IN (SELECT c.id FROM conversations c JOIN customers cu ON cu.id = c.customer_id`+ofProfile+`)
		ORDER BY t.name, t.id`, workspaceID, workspaceID, customerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	tags := map[int64][]chat.Tag{}
	for rows.Next() {
		var id int64
		var tg chat.Tag
		if err := rows.Scan(&id, &tg.ID, &tg.Kind, &tg.Name); err != nil {
			return nil, err
		}
		tags[id] = append(tags[id], tg)
	}
	for i := range out {
		out[i].Tags = tags[out[i].ID]
		if out[i].Tags == nil {
			out[i].Tags = []chat.Tag{}
		}
	}
	return out, rows.Err()
}

func scanConversations(rows *sql.Rows) ([]chat.Conversation, error) {
	defer rows.Close()
	var out []chat.Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

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

// CreateTag adds a tag; a name already used for that kind is a conflict.
func (db *DB) CreateTag(ctx context.Context, workspaceID int64, kind chat.TagKind, name string) (chat.Tag, error) {
	if !kind.Valid() {
		return chat.Tag{}, chat.Errorf(chat.ErrInvalid, "kind must be customer or conversation")
	}
	name, err := chat.CleanTagName(name)
	if err != nil {
		return chat.Tag{}, err
	}
	tg := chat.Tag{Kind: kind, Name: name}
	err = db.tx(ctx, func(x q) error {
		err := x.row(ctx, `INSERT INTO tags (workspace_id, kind, name, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			workspaceID, kind, name, micros(db.Now())).Scan(&tg.ID)
		return db.uniqueAs(err, "a %s tag named %q exists already", kind, name)
	})
	return tg, err
}

// uniqueAs turns a unique violation into a conflict with the message.
func (db *DB) uniqueAs(err error, format string, args ...any) error {
	if err != nil && db.d.IsUniqueViolation(err) {
		return chat.Errorf(chat.ErrConflict, format, args...)
	}
	return err
}

// RenameTag renames one of the workspace's tags.
func (db *DB) RenameTag(ctx context.Context, workspaceID, id int64, name string) (chat.Tag, error) {
	name, err := chat.CleanTagName(name)
	if err != nil {
		return chat.Tag{}, err
	}
	var tg chat.Tag
	err = db.tx(ctx, func(x q) error {
		err := x.row(ctx, `UPDATE tags SET name = ? WHERE workspace_id = ? AND id = ? RETURNING id, kind, name`, name, workspaceID, id).
			Scan(&tg.ID, &tg.Kind, &tg.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return chat.Errorf(chat.ErrNotFound, "no such tag")
		}
		return db.uniqueAs(err, "a tag named %q exists already", name)
	})
	return tg, err
}

// DeleteTag removes a tag and its links.
func (db *DB) DeleteTag(ctx context.Context, workspaceID, id int64) error {
	return db.tx(ctx, func(x q) error {
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM tags WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return chat.Errorf(chat.ErrNotFound, "no such tag")
		}
		for _, stmt := range []string{`DELETE FROM customer_tags WHERE tag_id = ?`, `DELETE FROM conversation_tags WHERE tag_id = ?`, `DELETE FROM tags WHERE id = ?`} {
			if _, err := x.exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const categorySelect = `SELECT id, COALESCE(parent_id, 0), depth, name, position FROM categories`

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
// most three levels deep, after its siblings.
func (db *DB) CreateCategory(ctx context.Context, workspaceID, parentID int64, name string) (chat.Category, error) {
	name, err := chat.CleanCategoryName(name)
	if err != nil {
		return chat.Category{}, err
	}
	c := chat.Category{ParentID: parentID, Name: name}
	err = db.tx(ctx, func(x q) error {
		parentDepth := 0
		if parentID != 0 {
			parent, err := db.activeCategory(ctx, x, workspaceID, parentID)
			if err != nil {
				return err
			}
			parentDepth = parent.Depth
		}
		if c.Depth, err = chat.ChildDepth(parentDepth); err != nil {
			return err
		}
		if err := x.row(ctx, `SELECT COALESCE(MAX(position), 0) + 1 FROM categories WHERE workspace_id = ? AND COALESCE(parent_id, 0) = ?`,
			workspaceID, parentID).Scan(&c.Position); err != nil {
			return err
		}
		err := x.row(ctx, `INSERT INTO categories (workspace_id, parent_id, depth, name, position, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			workspaceID, nullID(parentID), c.Depth, name, c.Position, micros(db.Now())).Scan(&c.ID)
		return db.uniqueAs(err, "a category named %q exists already at this level", name)
	})
	return c, err
}

// RenameCategory renames one of the workspace's categories.
func (db *DB) RenameCategory(ctx context.Context, workspaceID, id int64, name string) (chat.Category, error) {
	name, err := chat.CleanCategoryName(name)
	if err != nil {
		return chat.Category{}, err
	}
	var c chat.Category
	err = db.tx(ctx, func(x q) error {
		if _, err := db.activeCategory(ctx, x, workspaceID, id); err != nil {
			return err
		}
		_, err := x.exec(ctx, `UPDATE categories SET name = ? WHERE id = ?`, name, id)
		if err = db.uniqueAs(err, "a category named %q exists already at this level", name); err != nil {
			return err
		}
		c, err = db.activeCategory(ctx, x, workspaceID, id)
		return err
	})
	return c, err
}

// DeleteCategory retires a category with no children left. Past
// conversations keep showing it in their category path.
func (db *DB) DeleteCategory(ctx context.Context, workspaceID, id int64) error {
	return db.tx(ctx, func(x q) error {
		if _, err := db.activeCategory(ctx, x, workspaceID, id); err != nil {
			return err
		}
		var children int
		if err := x.row(ctx, `SELECT COUNT(*) FROM categories WHERE parent_id = ? AND deleted_at IS NULL`, id).Scan(&children); err != nil {
			return err
		}
		if children > 0 {
			return chat.Errorf(chat.ErrCategoryHasChildren, "delete the %d categories under it first", children)
		}
		_, err := x.exec(ctx, `UPDATE categories SET deleted_at = ? WHERE id = ?`, micros(db.Now()), id)
		return err
	})
}

// SetNote saves a conversation's wrap-up note: category, tags and memo.
// Whoever may see the conversation may write it, open or closed.
func (db *DB) SetNote(ctx context.Context, workspaceID, conversationID int64, n chat.Note) (chat.Conversation, []chat.Event, error) {
	if err := n.Check(); err != nil {
		return chat.Conversation{}, nil, err
	}
	return db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		if n.CategoryID != 0 {
			if _, err := db.activeCategory(ctx, t.q, workspaceID, n.CategoryID); err != nil {
				return err
			}
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET category_id = ?, memo = ? WHERE id = ?`, nullID(n.CategoryID), n.Memo, c.ID); err != nil {
			return err
		}
		if err := db.setTags(ctx, t.q, workspaceID, chat.TagConversation, `conversation_tags`, `conversation_id`, c.ID, n.TagIDs); err != nil {
			return err
		}
		return db.emitUpdated(ctx, t, c)
	})
}

// emitUpdated emits conversation.updated with the conversation as it now is.
func (db *DB) emitUpdated(ctx context.Context, t *txn, before chat.Conversation) error {
	after, err := db.conversation(ctx, t.q, before.WorkspaceID, before.ID)
	if err != nil {
		return err
	}
	t.emit(chat.Event{WorkspaceID: before.WorkspaceID, Type: chat.EventConversationUpdated, Conversation: &after,
		PrevAssigneeID: before.AssigneeID, PrevState: before.State})
	return nil
}

// RequestRating sends the rating request (§5.3) as a system message the
// customer sees, worded by the workspace's setting.
func (db *DB) RequestRating(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor) (chat.Message, []chat.Event, error) {
	var msg chat.Message
	_, events, err := db.change(ctx, workspaceID, conversationID, func(t *txn, ws *chat.Workspace, c chat.Conversation) error {
		if !chat.CanSee(c, actor.AgentID, actor.Role) || (c.AssigneeID != actor.AgentID && !actor.Role.SeesAll()) {
			return chat.Errorf(chat.ErrNotAssignee, "only the assigned agent or a manager may ask for a rating")
		}
		if err := chat.CanRequestRating(c); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET rating_requested_at = ? WHERE id = ?`, micros(t.now), c.ID); err != nil {
			return err
		}
		var err error
		msg, err = db.addSystemMessage(ctx, t, c, chat.EventMessageCreated, chat.SystemRatingRequested, map[string]string{"text": ws.Settings.RatingRequest}, false)
		return err
	})
	return msg, events, err
}

// Rate stores the customer's rating, once, after an agent replied; it
// shows in the conversation as a system message.
func (db *DB) Rate(ctx context.Context, workspaceID, conversationID int64, score int, comment string) (chat.Conversation, []chat.Event, error) {
	if err := chat.CheckRating(score, comment); err != nil {
		return chat.Conversation{}, nil, err
	}
	return db.change(ctx, workspaceID, conversationID, func(t *txn, _ *chat.Workspace, c chat.Conversation) error {
		if err := chat.CanRate(c); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `UPDATE conversations SET rating_score = ?, rating_comment = ?, rated_at = ? WHERE id = ?`,
			score, comment, micros(t.now), c.ID); err != nil {
			return err
		}
		return db.systemMessage(ctx, t, c, chat.EventConversationUpdated, chat.SystemRated,
			map[string]string{"score": strconv.Itoa(score), "comment": comment}, false)
	})
}

const cannedSelect = `SELECT c.id, c.workspace_id, COALESCE(c.owner_id, 0), c.title, c.body, c.updated_at,
	EXISTS (SELECT 1 FROM canned_favourites f WHERE f.canned_id = c.id AND f.agent_id = ?)
	FROM canned_responses c`

func (db *DB) canned(ctx context.Context, x q, agentID int64, where string, args ...any) ([]chat.Canned, error) {
	rows, err := x.query(ctx, cannedSelect+` WHERE `+where+` ORDER BY c.title, c.id`, append([]any{agentID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Canned{}
	for rows.Next() {
		var c chat.Canned
		var updated int64
		if err := rows.Scan(&c.ID, &c.WorkspaceID, &c.OwnerID, &c.Title, &c.Body, &updated, &c.Favourite); err != nil {
			return nil, err
		}
		c.Shared, c.UpdatedAt = c.OwnerID == 0, fromMicros(updated)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CannedResponses lists what agentID may use: the workspace's shared
// responses and their own, marked with their favourites.
func (db *DB) CannedResponses(ctx context.Context, workspaceID, agentID int64) ([]chat.Canned, error) {
	return db.canned(ctx, db.read(), agentID, `c.workspace_id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, agentID)
}

// CreateCanned stores a canned response: shared when c.OwnerID is 0.
func (db *DB) CreateCanned(ctx context.Context, c *chat.Canned) error {
	title, body, err := chat.CheckCanned(c.Title, c.Body)
	if err != nil {
		return err
	}
	c.Title, c.Body, c.Shared, c.UpdatedAt = title, body, c.OwnerID == 0, db.Now().UTC()
	return db.tx(ctx, func(x q) error {
		return x.row(ctx, `INSERT INTO canned_responses (workspace_id, owner_id, title, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			c.WorkspaceID, nullID(c.OwnerID), title, body, micros(c.UpdatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
	})
}

// editableCanned reads a canned response actor may change: their own, or a
// shared one when they are a manager or master.
func (db *DB) editableCanned(ctx context.Context, x q, workspaceID, id int64, actor chat.Actor) (chat.Canned, error) {
	cs, err := db.canned(ctx, x, actor.AgentID, `c.workspace_id = ? AND c.id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, id, actor.AgentID)
	if err != nil {
		return chat.Canned{}, err
	}
	if len(cs) == 0 {
		return chat.Canned{}, chat.Errorf(chat.ErrNotFound, "no such canned response")
	}
	if cs[0].Shared && !actor.Role.SeesAll() {
		return chat.Canned{}, chat.Errorf(chat.ErrRoleRequired, "only managers and masters change shared canned responses")
	}
	return cs[0], nil
}

// UpdateCanned changes a canned response's title and body.
func (db *DB) UpdateCanned(ctx context.Context, workspaceID, id int64, actor chat.Actor, title, body string) (chat.Canned, error) {
	title, body, err := chat.CheckCanned(title, body)
	if err != nil {
		return chat.Canned{}, err
	}
	var c chat.Canned
	err = db.tx(ctx, func(x q) error {
		if _, err := db.editableCanned(ctx, x, workspaceID, id, actor); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `UPDATE canned_responses SET title = ?, body = ?, updated_at = ? WHERE id = ?`, title, body, micros(db.Now()), id); err != nil {
			return err
		}
		c, err = db.editableCanned(ctx, x, workspaceID, id, actor)
		return err
	})
	return c, err
}

// DeleteCanned removes a canned response and the favourites on it.
func (db *DB) DeleteCanned(ctx context.Context, workspaceID, id int64, actor chat.Actor) error {
	return db.tx(ctx, func(x q) error {
		if _, err := db.editableCanned(ctx, x, workspaceID, id, actor); err != nil {
			return err
		}
		if _, err := x.exec(ctx, `DELETE FROM canned_favourites WHERE canned_id = ?`, id); err != nil {
			return err
		}
		_, err := x.exec(ctx, `DELETE FROM canned_responses WHERE id = ?`, id)
		return err
	})
}

// SetCannedFavourite marks or unmarks a response agentID may use as one of
// their favourites.
func (db *DB) SetCannedFavourite(ctx context.Context, workspaceID, id, agentID int64, on bool) error {
	return db.tx(ctx, func(x q) error {
		cs, err := db.canned(ctx, x, agentID, `c.workspace_id = ? AND c.id = ? AND (c.owner_id IS NULL OR c.owner_id = ?)`, workspaceID, id, agentID)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			return chat.Errorf(chat.ErrNotFound, "no such canned response")
		}
		if on {
			_, err = x.exec(ctx, `INSERT INTO canned_favourites (agent_id, canned_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, agentID, id)
		} else {
			_, err = x.exec(ctx, `DELETE FROM canned_favourites WHERE agent_id = ? AND canned_id = ?`, agentID, id)
		}
		return err
	})
}
