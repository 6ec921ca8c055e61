package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// The FAQ (chat.FAQ). Every change bumps the workspace's revision in the
// same transaction, so a search index built at revision N holds exactly
// the rows committed up to N.

// bumpFAQ moves the workspace's FAQ revision.
func (x q) bumpFAQ(ctx context.Context, workspaceID int64) error {
	_, err := x.exec(ctx, `INSERT INTO faq_state (workspace_id, revision) VALUES (?, 1)
		ON CONFLICT (workspace_id) DO UPDATE SET revision = faq_state.revision + 1`, workspaceID)
	return err
}

const faqCategorySelect = `SELECT id, workspace_id, name, name_en, position, created_at FROM faq_categories`

func (db *DB) faqCategories(ctx context.Context, x q, where string, args ...any) ([]chat.FAQCategory, error) {
	rows, err := x.query(ctx, faqCategorySelect+` WHERE `+where+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.FAQCategory{}
	for rows.Next() {
		var c chat.FAQCategory
		var created int64
		if err := rows.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.NameEN, &c.Position, &created); err != nil {
			return nil, err
		}
		c.CreatedAt = fromMicros(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

// FAQCategories lists the workspace's FAQ categories in order.
func (db *DB) FAQCategories(ctx context.Context, workspaceID int64) ([]chat.FAQCategory, error) {
	return db.faqCategories(ctx, db.read(), `workspace_id = ?`, workspaceID)
}

// underLimit refuses one more row when count (a COUNT(*) query of args)
// reaches limit.
func (x q) underLimit(ctx context.Context, count string, limit int, what string, args ...any) error {
	var n int
	if err := x.row(ctx, count, args...).Scan(&n); err != nil {
		return err
	}
	if n >= limit {
		return chat.LimitReached(what, limit)
	}
	return nil
}

// underListLimit is underLimit for a workspace's canned responses, tags
// or categories (count's first argument is the workspace), under its
// lists lock. The FAQ's own lock (bumpFAQ) serializes its counts.
func (x q) underListLimit(ctx context.Context, count string, limit int, what string, workspaceID int64, args ...any) error {
	if err := x.lockLists(ctx, workspaceID); err != nil {
		return err
	}
	return x.underLimit(ctx, count, limit, what, append([]any{workspaceID}, args...)...)
}

// lockLists takes the workspace's lock on its counted lists
// (Dialect.LockLists) before a count that decides an insert: without it
// two nodes could each count one under the limit and both insert.
func (x q) lockLists(ctx context.Context, workspaceID int64) error {
	if x.d.LockLists == nil {
		return nil
	}
	return x.d.LockLists(ctx, x, workspaceID)
}

func (db *DB) insertFAQCategory(ctx context.Context, x q, c *chat.FAQCategory) error {
	if err := chat.CheckFAQCategory(c); err != nil {
		return err
	}
	if err := x.underLimit(ctx, `SELECT COUNT(*) FROM faq_categories WHERE workspace_id = ?`, chat.MaxFAQCategories, "FAQ categories", c.WorkspaceID); err != nil {
		return err
	}
	if err := sameNameFAQCategory(ctx, x, c.WorkspaceID, 0, c.Name); err != nil {
		return err
	}
	c.CreatedAt = db.Now().UTC()
	return x.row(ctx, `INSERT INTO faq_categories (workspace_id, name, name_en, position, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		c.WorkspaceID, c.Name, c.NameEN, c.Position, micros(c.CreatedAt)).Scan(&c.ID)
}

// faqChange runs a change to the workspace's FAQ: it moves the FAQ's
// revision, serializing the workspace's FAQ changes, and records the change in the audit log as by's action, all in
// one transaction. change makes the change and returns the entry's target
// and what was before and is after (either nil).
func (db *DB) faqChange(ctx context.Context, workspaceID int64, by chat.Who, action string, change func(x q) (target string, before, after any, err error)) error {
	_, err := db.write(ctx, func(t *txn) error {
		// The revision's row first: it locks the workspace's FAQ for the
		// change (PostgreSQL), so what change checks against other rows
		// (a name in use, a count under its limit) still holds at commit.
		if err := t.bumpFAQ(ctx, workspaceID); err != nil {
			return err
		}
		// A change may take an image out of the last article showing it.
		if err := t.sweepImagesLater(ctx, workspaceID, t.now); err != nil {
			return err
		}
		target, before, after, err := change(t.q)
		if err != nil {
			return err
		}
		return t.audit(ctx, t.entry(workspaceID, by, action, target, before, after))
	})
	return err
}

// CreateFAQCategory inserts c.
func (db *DB) CreateFAQCategory(ctx context.Context, c *chat.FAQCategory, by chat.Who) error {
	return db.faqChange(ctx, c.WorkspaceID, by, chat.AuditFAQCategoryCreate, func(x q) (string, any, any, error) {
		err := db.insertFAQCategory(ctx, x, c)
		return c.Name, nil, c, err
	})
}

// sameNameFAQCategory refuses a name another of the workspace's FAQ
// categories has but for its case, as tags do: the CSV import names
// categories by name, and people choose one by it. Duplicates a database
// held before this check stay (no migration renames what people named);
// only a new name, or a changed one, is checked.
func sameNameFAQCategory(ctx context.Context, x q, workspaceID, id int64, name string) error {
	var other string
	err := x.row(ctx, `SELECT name FROM faq_categories WHERE workspace_id = ? AND id <> ? AND lower(name) = lower(?) LIMIT 1`,
		workspaceID, id, name).Scan(&other)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return chat.Errorf(chat.ErrNameInUse, "an FAQ category named %q exists already", other)
}

// updateFAQCategory stores c; a name changed from was (the stored one) must
// be free.
func (db *DB) updateFAQCategory(ctx context.Context, x q, c *chat.FAQCategory, was string) error {
	if err := chat.CheckFAQCategory(c); err != nil {
		return err
	}
	if c.Name != was {
		if err := sameNameFAQCategory(ctx, x, c.WorkspaceID, c.ID, c.Name); err != nil {
			return err
		}
	}
	res, err := x.exec(ctx, `UPDATE faq_categories SET name = ?, name_en = ?, position = ? WHERE workspace_id = ? AND id = ?`,
		c.Name, c.NameEN, c.Position, c.WorkspaceID, c.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ErrNotFound, "no such FAQ category")
	}
	cs, err := db.faqCategories(ctx, x, `workspace_id = ? AND id = ?`, c.WorkspaceID, c.ID)
	if err == nil && len(cs) == 1 {
		*c = cs[0]
	}
	return err
}

// UpdateFAQCategory renames or moves a category: p applies to the row as
// it is, locked, so a change committed meanwhile is kept.
func (db *DB) UpdateFAQCategory(ctx context.Context, workspaceID, id int64, p chat.FAQCategoryPatch, by chat.Who) (chat.FAQCategory, error) {
	var c chat.FAQCategory
	err := db.faqChange(ctx, workspaceID, by, chat.AuditFAQCategoryUpdate, func(x q) (string, any, any, error) {
		if err := x.lockFAQ(ctx, "faq_categories", workspaceID, id, "no such FAQ category"); err != nil {
			return "", nil, nil, err
		}
		before, err := db.faqCategory(ctx, x, workspaceID, id)
		if err != nil {
			return "", nil, nil, err
		}
		c = before
		p.Apply(&c)
		err = db.updateFAQCategory(ctx, x, &c, before.Name)
		return c.Name, before, c, err
	})
	return c, err
}

// lockFAQ locks one of the workspace's rows of table (an FAQ category or
// article) for the change that reads and writes it (SQLite's writes are
// serial already), or says it is not there.
func (x q) lockFAQ(ctx context.Context, table string, workspaceID, id int64, notFound string) error {
	var got int64
	err := x.row(ctx, `SELECT id FROM `+table+` WHERE workspace_id = ? AND id = ?`+x.forUpdate(), workspaceID, id).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return chat.Errorf(chat.ErrNotFound, "%s", notFound)
	}
	return err
}

// DeleteFAQCategory removes a category; its articles stay, uncategorised.
func (db *DB) DeleteFAQCategory(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	return db.faqChange(ctx, workspaceID, by, chat.AuditFAQCategoryDelete, func(x q) (string, any, any, error) {
		before, err := db.faqCategory(ctx, x, workspaceID, id)
		if err != nil {
			return "", nil, nil, err
		}
		if _, err := x.exec(ctx, `UPDATE faq_articles SET category_id = NULL WHERE workspace_id = ? AND category_id = ?`, workspaceID, id); err != nil {
			return "", nil, nil, err
		}
		_, err = x.exec(ctx, `DELETE FROM faq_categories WHERE id = ?`, id)
		return before.Name, before, nil, err
	})
}

// faqCategory reads one of the workspace's FAQ categories.
func (db *DB) faqCategory(ctx context.Context, x q, workspaceID, id int64) (chat.FAQCategory, error) {
	cs, err := db.faqCategories(ctx, x, `workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return chat.FAQCategory{}, err
	}
	if len(cs) == 0 {
		return chat.FAQCategory{}, chat.Errorf(chat.ErrNotFound, "no such FAQ category")
	}
	return cs[0], nil
}

const articleSelect = `SELECT a.id, a.workspace_id, COALESCE(a.category_id, 0), a.lang, a.title, a.body_html, a.body_text, a.keywords,
	a.published, a.position, a.helpful, a.not_helpful, a.created_at, a.updated_at
	FROM faq_articles a LEFT JOIN faq_categories c ON c.id = a.category_id`

// articleListSelect is articleSelect without the bodies.
const articleListSelect = `SELECT a.id, a.workspace_id, COALESCE(a.category_id, 0), a.lang, a.title, '', '', a.keywords,
	a.published, a.position, a.helpful, a.not_helpful, a.created_at, a.updated_at
	FROM faq_articles a LEFT JOIN faq_categories c ON c.id = a.category_id`

// ArticleList lists the workspace's articles, in Articles' order, without
// their bodies.
func (db *DB) ArticleList(ctx context.Context, workspaceID int64) ([]chat.Article, error) {
	return db.articlesOf(ctx, db.read(), articleListSelect, `a.workspace_id = ?`, workspaceID)
}

func (db *DB) articles(ctx context.Context, x q, where string, args ...any) ([]chat.Article, error) {
	return db.articlesOf(ctx, x, articleSelect, where, args...)
}

func (db *DB) articlesOf(ctx context.Context, x q, sel, where string, args ...any) ([]chat.Article, error) {
	rows, err := x.query(ctx, sel+` WHERE `+where+` ORDER BY COALESCE(c.position, 1000000000), COALESCE(c.id, 0), a.position, a.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []chat.Article{}
	for rows.Next() {
		var a chat.Article
		var kw string
		var created, updated int64
		if err := rows.Scan(&a.ID, &a.WorkspaceID, &a.CategoryID, &a.Lang, &a.Title, &a.BodyHTML, &a.BodyText, &kw,
			&a.Published, &a.Position, &a.Helpful, &a.NotHelpful, &created, &updated); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(kw), &a.Keywords); err != nil {
			return nil, err
		}
		a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Articles lists the workspace's articles in category and article order.
func (db *DB) Articles(ctx context.Context, workspaceID int64, publishedOnly bool) ([]chat.Article, error) {
	if publishedOnly {
		return db.articles(ctx, db.read(), `a.workspace_id = ? AND a.published = ?`, workspaceID, true)
	}
	return db.articles(ctx, db.read(), `a.workspace_id = ?`, workspaceID)
}

// HelpCenterSites lists the site IDs of the public help centers, oldest
// workspace first, at most limit.
func (db *DB) HelpCenterSites(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.read().query(ctx, `SELECT w.site_id FROM workspaces w WHERE w.archived_at IS NULL
		AND EXISTS (SELECT 1 FROM faq_articles a WHERE a.workspace_id = w.id AND a.published = ?)
		ORDER BY w.id LIMIT ?`, true, limit)
	if err != nil {
		return nil, err
	}
	return scanColumn[string](rows)
}

// Article reads one article of the workspace.
func (db *DB) Article(ctx context.Context, workspaceID, id int64) (*chat.Article, error) {
	return db.article(ctx, db.read(), workspaceID, id)
}

func (db *DB) article(ctx context.Context, x q, workspaceID, id int64) (*chat.Article, error) {
	as, err := db.articles(ctx, x, `a.workspace_id = ? AND a.id = ?`, workspaceID, id)
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, chat.Errorf(chat.ErrNotFound, "no such FAQ article")
	}
	return &as[0], nil
}

// prepareArticle validates a, sanitizes its body and derives its text, and
// checks that its category is the workspace's own.
func (db *DB) prepareArticle(ctx context.Context, x q, a *chat.Article) (string, error) {
	if err := faq.Prepare(a); err != nil {
		return "", err
	}
	if a.CategoryID != 0 {
		var n int
		if err := x.row(ctx, `SELECT COUNT(*) FROM faq_categories WHERE workspace_id = ? AND id = ?`, a.WorkspaceID, a.CategoryID).Scan(&n); err != nil {
			return "", err
		}
		if n == 0 {
			return "", chat.Errorf(chat.ErrNotFound, "no such FAQ category")
		}
	}
	kw, err := json.Marshal(a.Keywords)
	return string(kw), err
}

func (db *DB) insertArticle(ctx context.Context, x q, a *chat.Article) error {
	kw, err := db.prepareArticle(ctx, x, a)
	if err != nil {
		return err
	}
	if err := x.underLimit(ctx, `SELECT COUNT(*) FROM faq_articles WHERE workspace_id = ?`, chat.MaxFAQArticles, "FAQ articles", a.WorkspaceID); err != nil {
		return err
	}
	now := db.Now().UTC().Truncate(time.Microsecond) // as stored: the answer's updated_at is the article's version (If-Match)
	a.CreatedAt, a.UpdatedAt, a.Helpful, a.NotHelpful = now, now, 0, 0
	return x.row(ctx, `INSERT INTO faq_articles (workspace_id, category_id, lang, title, body_html, body_text, keywords, published, position, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		a.WorkspaceID, nullID(a.CategoryID), a.Lang, a.Title, a.BodyHTML, a.BodyText, kw, a.Published, a.Position, micros(now), micros(now)).Scan(&a.ID)
}

// articleView is what the audit log keeps of an article: its title,
// category and whether it is published, not its body.
type articleView struct {
	Title      string `json:"title"`
	CategoryID int64  `json:"category_id"`
	Published  bool   `json:"published"`
}

func viewArticle(a *chat.Article) articleView { return articleView{a.Title, a.CategoryID, a.Published} }

// CreateArticle sanitizes and stores a new article.
func (db *DB) CreateArticle(ctx context.Context, a *chat.Article, by chat.Who) error {
	return db.faqChange(ctx, a.WorkspaceID, by, chat.AuditArticleCreate, func(x q) (string, any, any, error) {
		err := db.insertArticle(ctx, x, a)
		return a.Title, nil, viewArticle(a), err
	})
}

func (db *DB) updateArticle(ctx context.Context, x q, a *chat.Article) error {
	kw, err := db.prepareArticle(ctx, x, a)
	if err != nil {
		return err
	}
	res, err := x.exec(ctx, `UPDATE faq_articles SET category_id = ?, lang = ?, title = ?, body_html = ?, body_text = ?, keywords = ?, published = ?, position = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`,
		nullID(a.CategoryID), a.Lang, a.Title, a.BodyHTML, a.BodyText, kw, a.Published, a.Position, micros(db.Now()), a.WorkspaceID, a.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chat.Errorf(chat.ErrNotFound, "no such FAQ article")
	}
	got, err := db.article(ctx, x, a.WorkspaceID, a.ID)
	if err == nil {
		*a = *got
	}
	return err
}

// UpdateArticle changes an article's fields that p sets (its counts
// stay): p applies to the row as it is, locked, so a change committed
// meanwhile to another field is kept; with p.Unchanged, only to the row
// as it was then (ErrConflict otherwise).
func (db *DB) UpdateArticle(ctx context.Context, workspaceID, id int64, p chat.ArticlePatch, by chat.Who) (*chat.Article, error) {
	var a *chat.Article
	err := db.faqChange(ctx, workspaceID, by, chat.AuditArticleUpdate, func(x q) (string, any, any, error) {
		if err := x.lockFAQ(ctx, "faq_articles", workspaceID, id, "no such FAQ article"); err != nil {
			return "", nil, nil, err
		}
		before, err := db.article(ctx, x, workspaceID, id)
		if err != nil {
			return "", nil, nil, err
		}
		if p.Unchanged != nil && !p.Unchanged.Equal(before.UpdatedAt) {
			return "", nil, nil, chat.Errorf(chat.ErrConflict, "someone saved this FAQ article after you opened it")
		}
		after := *before
		p.Apply(&after)
		err = db.updateArticle(ctx, x, &after)
		a = &after
		return after.Title, viewArticle(before), viewArticle(&after), err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// DeleteArticle removes an article.
func (db *DB) DeleteArticle(ctx context.Context, workspaceID, id int64, by chat.Who) error {
	return db.faqChange(ctx, workspaceID, by, chat.AuditArticleDelete, func(x q) (string, any, any, error) {
		before, err := db.article(ctx, x, workspaceID, id)
		if err != nil {
			return "", nil, nil, err
		}
		_, err = x.exec(ctx, `DELETE FROM faq_articles WHERE id = ?`, id)
		return before.Title, viewArticle(before), nil, err
	})
}

// FAQRevision reads the workspace's FAQ revision (0 before any change).
func (db *DB) FAQRevision(ctx context.Context, workspaceID int64) (int64, error) {
	var rev int64
	err := db.read().row(ctx, `SELECT revision FROM faq_state WHERE workspace_id = ?`, workspaceID).Scan(&rev)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return rev, err
}

// FAQSynonyms reads the workspace's synonym groups.
func (db *DB) FAQSynonyms(ctx context.Context, workspaceID int64) ([][]string, error) {
	return synonyms(ctx, db.read(), workspaceID)
}

func synonyms(ctx context.Context, x q, workspaceID int64) ([][]string, error) {
	var raw string
	err := x.row(ctx, `SELECT synonyms FROM faq_state WHERE workspace_id = ?`, workspaceID).Scan(&raw)
	if err == sql.ErrNoRows {
		return [][]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := [][]string{}
	return out, json.Unmarshal([]byte(raw), &out)
}

func (x q) setSynonyms(ctx context.Context, workspaceID int64, groups [][]string) error {
	groups, err := chat.CheckSynonyms(groups)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(groups)
	if err != nil {
		return err
	}
	if err := x.bumpFAQ(ctx, workspaceID); err != nil {
		return err
	}
	_, err = x.exec(ctx, `UPDATE faq_state SET synonyms = ? WHERE workspace_id = ?`, string(raw), workspaceID)
	return err
}

// SetFAQSynonyms replaces the workspace's synonym groups.
func (db *DB) SetFAQSynonyms(ctx context.Context, workspaceID int64, groups [][]string, by chat.Who) error {
	return db.faqChange(ctx, workspaceID, by, chat.AuditFAQSynonyms, func(x q) (string, any, any, error) {
		before, err := synonyms(ctx, x, workspaceID)
		if err != nil {
			return "", nil, nil, err
		}
		if err := x.setSynonyms(ctx, workspaceID, groups); err != nil {
			return "", nil, nil, err
		}
		after, err := synonyms(ctx, x, workspaceID)
		return "faq", map[string]any{"synonyms": before}, map[string]any{"synonyms": after}, err
	})
}

// ImportFAQ applies an export: categories and articles whose IDs the
// workspace has are updated, the rest created (an imported article's
// category_id may name a category of the same file by its ID there).
// One transaction: any refusal leaves the FAQ as it was. The work is set
// by set, so that a file of thousands of articles holds the write lock
// briefly: what the workspace has is read once (the IDs of its categories
// and articles, which also give their counts), every article is checked
// against that in memory, new articles are inserted many rows to a
// statement, and a known one is updated by its ID.
func (db *DB) ImportFAQ(ctx context.Context, workspaceID int64, f chat.FAQExport, by chat.Who) (created, updated int, err error) {
	if len(f.Articles) > chat.MaxFAQArticles || len(f.Categories) > chat.MaxFAQCategories {
		return 0, 0, chat.Errorf(chat.ErrLimitReached, "a file may hold at most %d articles and %d categories, as a workspace may", chat.MaxFAQArticles, chat.MaxFAQCategories)
	}
	// Sanitizing takes most of an import's time: it is done before the
	// transaction, which then only checks what depends on the rows.
	arts := slices.Clone(f.Articles)
	for i := range arts {
		a := &arts[i]
		cat := a.CategoryID // may be one of the file's, mapped in the transaction
		a.CategoryID = 0
		if err := faq.Prepare(a); err != nil {
			return 0, 0, importError(f.Where("articles", i), err)
		}
		a.CategoryID = cat
	}
	err = db.faqChange(ctx, workspaceID, by, chat.AuditFAQImport, func(x q) (string, any, any, error) {
		created, updated = 0, 0
		stored, err := db.faqCategories(ctx, x, `workspace_id = ?`, workspaceID)
		if err != nil {
			return "", nil, nil, err
		}
		haveCats, names := map[int64]bool{}, map[int64]string{}
		for _, c := range stored {
			haveCats[c.ID], names[c.ID] = true, c.Name
		}
		catIDs := map[int64]int64{} // ID in the file → ID here
		for i, c := range f.Categories {
			c.WorkspaceID = workspaceID
			fileID := c.ID
			if haveCats[c.ID] {
				err = db.updateFAQCategory(ctx, x, &c, names[c.ID])
			} else if len(haveCats) >= chat.MaxFAQCategories {
				err = chat.LimitReached("FAQ categories", chat.MaxFAQCategories)
			} else if err = db.insertFAQCategory(ctx, x, &c); err == nil {
				haveCats[c.ID] = true
			}
			if err != nil {
				return "", nil, nil, importError(f.Where("categories", i), err)
			}
			if fileID != 0 {
				catIDs[fileID] = c.ID
			}
		}
		haveArts, err := faqIDs(ctx, x, "faq_articles", workspaceID)
		if err != nil {
			return "", nil, nil, err
		}
		now := micros(db.Now())
		var fresh []any // the new articles' columns, row after row
		for i, a := range arts {
			a.WorkspaceID = workspaceID
			if id, ok := catIDs[a.CategoryID]; ok {
				a.CategoryID = id
			}
			known := haveArts[a.ID]
			if known && f.Columns != nil {
				stored, err := db.article(ctx, x, workspaceID, a.ID)
				if err == nil {
					f.KeepStored(&a, *stored)
					err = faq.Prepare(&a)
				}
				if err != nil {
					return "", nil, nil, importError(f.Where("articles", i), err)
				}
			}
			kw, err := articleKeywords(&a, haveCats)
			if err == nil && !known && len(haveArts)+created >= chat.MaxFAQArticles {
				err = chat.LimitReached("FAQ articles", chat.MaxFAQArticles)
			}
			if err != nil {
				return "", nil, nil, importError(f.Where("articles", i), err)
			}
			if known {
				// Sent with the next statement that needs an answer, where
				// the store pipelines (PostgreSQL): not a round trip each.
				if err := x.later(ctx, `UPDATE faq_articles SET category_id = ?, lang = ?, title = ?, body_html = ?, body_text = ?, keywords = ?, published = ?, position = ?, updated_at = ?
					WHERE workspace_id = ? AND id = ?`,
					nullID(a.CategoryID), a.Lang, a.Title, a.BodyHTML, a.BodyText, kw, a.Published, a.Position, now, workspaceID, a.ID); err != nil {
					return "", nil, nil, err
				}
				updated++
				continue
			}
			fresh = append(fresh, workspaceID, nullID(a.CategoryID), a.Lang, a.Title, a.BodyHTML, a.BodyText, kw, a.Published, a.Position, now, now)
			created++
		}
		const cols = 11
		for chunk := range slices.Chunk(fresh, cols*faqImportChunk) {
			if _, err := x.exec(ctx, `INSERT INTO faq_articles (workspace_id, category_id, lang, title, body_html, body_text, keywords, published, position, created_at, updated_at) VALUES `+
				strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(chunk)/cols)[2:], chunk...); err != nil {
				return "", nil, nil, err
			}
		}
		if f.Synonyms != nil {
			if err := x.setSynonyms(ctx, workspaceID, f.Synonyms); err != nil {
				return "", nil, nil, importError("synonyms", err)
			}
		}
		return "faq", nil, map[string]int{"created": created, "updated": updated}, nil
	})
	if err != nil {
		return 0, 0, err
	}
	return created, updated, nil
}

// faqImportChunk is how many new articles one INSERT of an import carries
// (11 parameters each: well under both stores' limits).
const faqImportChunk = 100

// faqIDs reads the IDs of the workspace's rows of table.
func faqIDs(ctx context.Context, x q, table string, workspaceID int64) (map[int64]bool, error) {
	ids := map[int64]bool{}
	err := x.each(ctx, func(scan func(dest ...any) error) error {
		var id int64
		if err := scan(&id); err != nil {
			return err
		}
		ids[id] = true
		return nil
	}, `SELECT id FROM `+table+` WHERE workspace_id = ?`, workspaceID)
	return ids, err
}

// articleKeywords checks a prepared article's category against the
// workspace's (cats) and gives its keywords as stored.
func articleKeywords(a *chat.Article, cats map[int64]bool) (string, error) {
	if a.CategoryID < 0 {
		return "", chat.Errorf(chat.ErrInvalid, "category_id must be a category's ID, or 0 for none")
	}
	if a.CategoryID != 0 && !cats[a.CategoryID] {
		return "", chat.Errorf(chat.ErrNotFound, "no such FAQ category")
	}
	kw, err := json.Marshal(a.Keywords)
	return string(kw), err
}

// importError says which entry of an import was refused (where: the
// file's row, its list and index, or the synonyms), in the refusal's own
// words in every language (chat.Error.In).
func importError(where any, err error) error {
	if e, ok := err.(*chat.Error); ok {
		return chat.Errorf(e.Code, "%s: %s", where, e)
	}
	return err
}

// RateArticle counts a visitor's answer on a published article.
func (db *DB) RateArticle(ctx context.Context, workspaceID, id int64, helpful bool) error {
	col := "not_helpful"
	if helpful {
		col = "helpful"
	}
	return db.tx(ctx, func(x q) error {
		res, err := x.exec(ctx, `UPDATE faq_articles SET `+col+` = `+col+` + 1 WHERE workspace_id = ? AND id = ? AND published = ?`, workspaceID, id, true)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return chat.Errorf(chat.ErrNotFound, "no such FAQ article")
		}
		return nil
	})
}

// faqImageView is what the audit log keeps of an image.
type faqImageView struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

func viewImage(img *chat.FAQImage) faqImageView {
	return faqImageView{img.ID, img.Name, img.ContentType, img.Size}
}

// AddFAQImage records an uploaded image, up to chat.MaxFAQImages, and
// audits the upload in the same transaction.
func (db *DB) AddFAQImage(ctx context.Context, img *chat.FAQImage, by chat.Who) error {
	_, err := db.write(ctx, func(t *txn) error {
		img.CreatedAt = t.now.UTC()
		if err := t.underLimit(ctx, `SELECT COUNT(*) FROM faq_images WHERE workspace_id = ?`, chat.MaxFAQImages, "FAQ images", img.WorkspaceID); err != nil {
			return err
		}
		if err := t.row(ctx, `INSERT INTO faq_images (workspace_id, name, content_type, size, blob_key, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			img.WorkspaceID, img.Name, img.ContentType, img.Size, img.BlobKey, micros(img.CreatedAt)).Scan(&img.ID); err != nil {
			return err
		}
		if err := t.sweepImagesLater(ctx, img.WorkspaceID, t.now); err != nil {
			return err
		}
		return t.audit(ctx, t.entry(img.WorkspaceID, by, chat.AuditFAQImageUpload, img.Name, nil, viewImage(img)))
	})
	return err
}

// FAQImage reads one of the workspace's images.
func (db *DB) FAQImage(ctx context.Context, workspaceID, id int64) (*chat.FAQImage, error) {
	return faqImage(ctx, db.read(), workspaceID, id)
}

func faqImage(ctx context.Context, x q, workspaceID, id int64) (*chat.FAQImage, error) {
	img := chat.FAQImage{WorkspaceID: workspaceID, ID: id}
	var created int64
	err := x.row(ctx, `SELECT name, content_type, size, blob_key, created_at FROM faq_images WHERE workspace_id = ? AND id = ?`, workspaceID, id).
		Scan(&img.Name, &img.ContentType, &img.Size, &img.BlobKey, &created)
	if err == sql.ErrNoRows {
		return nil, chat.Errorf(chat.ErrNotFound, "no such image")
	}
	img.CreatedAt = fromMicros(created)
	return &img, err
}

// DeleteFAQImage removes one of the workspace's images unless an article,
// published or draft, shows it: one whose body has its address (a LIKE
// finds the candidates, faq.ImageIDs reads their <img src>). An FAQ change
// (the revision moves first), so that no article saved meanwhile can
// start showing it.
func (db *DB) DeleteFAQImage(ctx context.Context, workspaceID, id int64, by chat.Who) (*chat.FAQImage, error) {
	var img *chat.FAQImage
	err := db.faqChange(ctx, workspaceID, by, chat.AuditFAQImageDelete, func(x q) (string, any, any, error) {
		var err error
		if img, err = faqImage(ctx, x, workspaceID, id); err != nil {
			return "", nil, nil, err
		}
		var users []string
		err = x.each(ctx, func(scan func(dest ...any) error) error {
			var title, body string
			if err := scan(&title, &body); err != nil {
				return err
			}
			if slices.Contains(faq.ImageIDs(body), id) {
				users = append(users, title)
			}
			return nil
		}, `SELECT title, body_html FROM faq_articles WHERE workspace_id = ? AND body_html LIKE ? ORDER BY id`,
			workspaceID, "%/images/"+strconv.FormatInt(id, 10)+`"%`)
		if err != nil {
			return "", nil, nil, err
		}
		if len(users) > 0 {
			return "", nil, nil, chat.Errorf(chat.ErrImageInUse, "%d articles show the image (%q first); take it out of them first", len(users), users[0])
		}
		if err := x.trashImage(ctx, img, db.Now()); err != nil {
			return "", nil, nil, err
		}
		return img.Name, viewImage(img), nil, nil
	})
	if err != nil {
		return nil, err
	}
	return img, nil
}

// trashImage deletes an image's record and keeps its key until its bytes
// are gone: the other way round, a file deletion that failed (or a node
// that died before it) left the bytes on disk with nothing naming them.
func (x q) trashImage(ctx context.Context, img *chat.FAQImage, now time.Time) error {
	if _, err := x.exec(ctx, `DELETE FROM faq_images WHERE workspace_id = ? AND id = ?`, img.WorkspaceID, img.ID); err != nil {
		return err
	}
	if _, err := x.exec(ctx, `INSERT INTO faq_image_trash (blob_key, workspace_id) VALUES (?, ?) ON CONFLICT (blob_key) DO NOTHING`,
		img.BlobKey, img.WorkspaceID); err != nil {
		return err
	}
	return x.scheduleJob(ctx, chat.Job{Kind: chat.JobFAQImageFiles, WorkspaceID: img.WorkspaceID, DueAt: now.Add(chat.FAQImageFilesRetry)})
}

// DeletedFAQImageFiles lists the keys of deleted images whose bytes may
// still be stored.
func (db *DB) DeletedFAQImageFiles(ctx context.Context, workspaceID int64) ([]string, error) {
	rows, err := db.read().query(ctx, `SELECT blob_key FROM faq_image_trash WHERE workspace_id = ? ORDER BY blob_key`, workspaceID)
	if err != nil {
		return nil, err
	}
	return scanColumn[string](rows)
}

// ForgetFAQImageFiles drops the keys of bytes that are gone.
func (db *DB) ForgetFAQImageFiles(ctx context.Context, workspaceID int64, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	return db.tx(ctx, func(x q) error {
		for _, key := range keys {
			if _, err := x.exec(ctx, `DELETE FROM faq_image_trash WHERE workspace_id = ? AND blob_key = ?`, workspaceID, key); err != nil {
				return err
			}
		}
		return nil
	})
}

// sweepImagesLater makes sure the workspace's image sweep is pending:
// chat.FAQImageGrace after now, unless one is pending already (a sweep
// schedules the next while images no article shows remain).
func (x q) sweepImagesLater(ctx context.Context, workspaceID int64, now time.Time) error {
	_, err := x.exec(ctx, `INSERT INTO jobs (kind, workspace_id, ref_id, due_at) VALUES (?, ?, 0, ?)
		ON CONFLICT (kind, workspace_id, ref_id) DO NOTHING`, chat.JobFAQImageSweep, workspaceID, micros(now.Add(chat.FAQImageGrace)))
	return err
}

// SweepFAQImages deletes the images no article shows once their grace is
// over, under the FAQ's lock (as DeleteFAQImage), so that no article
// saved meanwhile can start showing one.
func (db *DB) SweepFAQImages(ctx context.Context, workspaceID int64) ([]chat.FAQImage, error) {
	var gone []chat.FAQImage
	_, err := db.write(ctx, func(t *txn) error {
		gone = nil
		if err := t.bumpFAQ(ctx, workspaceID); err != nil {
			return err
		}
		shown := map[int64]bool{}
		err := t.each(ctx, func(scan func(dest ...any) error) error {
			var body string
			if err := scan(&body); err != nil {
				return err
			}
			for _, id := range faq.ImageIDs(body) {
				shown[id] = true
			}
			return nil
		}, `SELECT body_html FROM faq_articles WHERE workspace_id = ? AND body_html LIKE '%/images/%'`, workspaceID)
		if err != nil {
			return err
		}
		due := t.now.Add(-chat.FAQImageGrace)
		var next time.Time // the upload time of the oldest image left unshown
		err = t.each(ctx, func(scan func(dest ...any) error) error {
			img := chat.FAQImage{WorkspaceID: workspaceID}
			var created int64
			if err := scan(&img.ID, &img.Name, &img.ContentType, &img.Size, &img.BlobKey, &created); err != nil {
				return err
			}
			img.CreatedAt = fromMicros(created)
			switch {
			case shown[img.ID]:
			case !img.CreatedAt.After(due):
				gone = append(gone, img)
			case next.IsZero() || img.CreatedAt.Before(next):
				next = img.CreatedAt
			}
			return nil
		}, `SELECT id, name, content_type, size, blob_key, created_at FROM faq_images WHERE workspace_id = ? ORDER BY id`, workspaceID)
		if err != nil {
			return err
		}
		for _, img := range gone {
			if err := t.trashImage(ctx, &img, t.now); err != nil {
				return err
			}
			if err := t.audit(ctx, t.entry(workspaceID, chat.Who{}, chat.AuditFAQImageDelete, img.Name, viewImage(&img),
				map[string]string{"reason": "no article showed it"})); err != nil {
				return err
			}
		}
		if next.IsZero() {
			return nil
		}
		// A job rescheduled while it runs outlives its completion.
		return t.scheduleJob(ctx, chat.Job{Kind: chat.JobFAQImageSweep, WorkspaceID: workspaceID, DueAt: next.Add(chat.FAQImageGrace)})
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}
