package chat

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FAQCategory is an ordered group of FAQ articles (§8.1), named in Korean
// and, optionally, in English.
type FAQCategory struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	Name        string    `json:"name"`
	NameEN      string    `json:"name_en"`
	Position    int       `json:"position"`
	CreatedAt   time.Time `json:"created_at"`
}

// Article is one FAQ article in one language. Its body is HTML sanitized
// when saved (package faq); BodyText is its text version, derived on save,
// which search indexes, excerpts show and the console's ? inserts.
type Article struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	CategoryID  int64  `json:"category_id,omitempty"`
	Lang        string `json:"lang"`
	Title       string `json:"title"`
	BodyHTML    string `json:"body_html"`
	BodyText    string `json:"body_text"`
	// Keywords are words customers use for the topic that the title and
	// body may not (반품 for 환불 요청, refund): search weighs them like the
	// title.
	Keywords  []string `json:"keywords"`
	Published bool     `json:"published"`
	Position  int      `json:"position"`
	// Helpful and NotHelpful count visitors' answers to "did this answer
	// your question?".
	Helpful    int       `json:"helpful"`
	NotHelpful int       `json:"not_helpful"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// FAQExport is a workspace's whole FAQ as exported and imported (JSON).
// Import matches categories and articles by ID within the workspace:
// a known ID is updated, anything else is created.
type FAQExport struct {
	Version    int           `json:"version"`
	Categories []FAQCategory `json:"categories"`
	Articles   []Article     `json:"articles"`
	Synonyms   [][]string    `json:"synonyms"`
	// Columns, when set (a CSV import), names the article fields the file
	// carries (category, lang, title, body_html, keywords, published,
	// position): an article the workspace has keeps the others as stored,
	// so that a file of a few columns changes only those.
	Columns map[string]bool `json:"-"`
	// ArticleRows and CategoryRows, when set (a CSV import), are the
	// file's row of each article and of the row that named each new
	// category first (the header is row 1): a refusal names the row the
	// person can find in their spreadsheet, not a place in a list.
	ArticleRows  []int `json:"-"`
	CategoryRows []int `json:"-"`
}

// Where names the i-th entry of list (categories, articles) of the file
// as its reader knows it: the CSV row, or the JSON list and index.
func (f FAQExport) Where(list string, i int) Place {
	rows := f.ArticleRows
	if list == "categories" {
		rows = f.CategoryRows
	}
	if i >= 0 && i < len(rows) {
		return Place{Row: rows[i]}
	}
	return Place{List: list, Index: i}
}

// Place is an entry of an import file (FAQExport.Where): a CSV row, or a
// JSON list and index.
type Place struct {
	Row   int
	List  string
	Index int
}

func (p Place) String() string { return p.In("en") }

// In words p in language lang, as Error.In words its arguments.
func (p Place) In(lang string) string {
	switch {
	case p.Row > 0 && lang == "ko":
		return fmt.Sprintf("%d행", p.Row)
	case p.Row > 0:
		return fmt.Sprintf("row %d", p.Row)
	}
	return fmt.Sprintf("%s[%d]", p.List, p.Index)
}

// FAQCategoryPatch is a change to a category: the fields set.
type FAQCategoryPatch struct {
	Name     *string `json:"name"`
	NameEN   *string `json:"name_en"`
	Position *int    `json:"position"`
}

// Apply sets c's fields that p sets.
func (p FAQCategoryPatch) Apply(c *FAQCategory) {
	if p.Name != nil {
		c.Name = *p.Name
	}
	if p.NameEN != nil {
		c.NameEN = *p.NameEN
	}
	if p.Position != nil {
		c.Position = *p.Position
	}
}

// ArticlePatch is a change to an article: the fields set. The store
// applies it to the article as it is when the change commits, so two
// people changing different fields at once both keep theirs.
type ArticlePatch struct {
	CategoryID *int64    `json:"category_id"`
	Title      *string   `json:"title"`
	BodyHTML   *string   `json:"body_html"`
	Keywords   *[]string `json:"keywords"`
	Lang       *string   `json:"lang"`
	Published  *bool     `json:"published"`
	Position   *int      `json:"position"`
	// Unchanged, when set, applies the change only to the article as it
	// was then (its UpdatedAt; If-Match): a colleague's save since is
	// ErrConflict, not silently replaced (the console sends every field).
	Unchanged *time.Time `json:"-"`
}

// Apply sets a's fields that p sets.
func (p ArticlePatch) Apply(a *Article) {
	if p.CategoryID != nil {
		a.CategoryID = *p.CategoryID
	}
	if p.Title != nil {
		a.Title = *p.Title
	}
	if p.BodyHTML != nil {
		a.BodyHTML = *p.BodyHTML
	}
	if p.Keywords != nil {
		a.Keywords = *p.Keywords
	}
	if p.Lang != nil {
		a.Lang = *p.Lang
	}
	if p.Published != nil {
		a.Published = *p.Published
	}
	if p.Position != nil {
		a.Position = *p.Position
	}
}

// KeepStored gives a, an imported article the workspace already has, the
// stored value of every field the file does not carry (Columns; a JSON
// import carries them all).
func (f FAQExport) KeepStored(a *Article, stored Article) {
	if f.Columns == nil {
		return
	}
	keep := func(col string) bool { return !f.Columns[col] }
	if keep("category") {
		a.CategoryID = stored.CategoryID
	}
	if keep("lang") {
		a.Lang = stored.Lang
	}
	if keep("title") {
		a.Title = stored.Title
	}
	if keep("body_html") {
		a.BodyHTML = stored.BodyHTML
	}
	if keep("keywords") {
		a.Keywords = stored.Keywords
	}
	if keep("published") {
		a.Published = stored.Published
	}
	if keep("position") {
		a.Position = stored.Position
	}
}

// Limits of the FAQ (docs/operations.md).
const (
	MaxFAQPosition     = 1_000_000
	MaxFAQTitle        = 200
	MaxFAQBody         = 60000 // bytes of HTML, after sanitizing too
	MaxFAQKeywords     = 30
	MaxFAQKeyword      = 50
	MaxFAQCategoryName = 100
	MaxFAQArticles     = 10000 // per workspace
	MaxFAQCategories   = 200
	MaxFAQSynonymSets  = 500
	MaxFAQSynonymTerms = 10
	MaxFAQQuery        = 200 // characters of a search
)

// FAQLangs are the languages an article may be written in.
var FAQLangs = []string{"ko", "en"}

func oneLine(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", Errorf(ErrInvalid, "%s must not be empty", field)
	}
	if utf8.RuneCountInString(s) > max || strings.ContainsFunc(s, IsControlOrBidi) {
		return "", Errorf(ErrInvalid, "%s must be at most %d characters on one line", field, max)
	}
	return s, nil
}

// CheckFAQCategory validates and tidies a category's names and position.
func CheckFAQCategory(c *FAQCategory) error {
	var err error
	if c.Name, err = oneLine("name", c.Name, MaxFAQCategoryName, true); err != nil {
		return err
	}
	if c.NameEN, err = oneLine("name_en", c.NameEN, MaxFAQCategoryName, false); err != nil {
		return err
	}
	return checkPosition(c.Position)
}

// checkPosition bounds where a category or an article is placed.
func checkPosition(p int) error {
	if p < 0 || p > MaxFAQPosition {
		return Errorf(ErrInvalid, "position must be between 0 and %d", MaxFAQPosition)
	}
	return nil
}

// CheckArticle validates and tidies an article's fields other than its
// body, which package faq sanitizes.
func CheckArticle(a *Article) error {
	var err error
	if a.Title, err = oneLine("title", a.Title, MaxFAQTitle, true); err != nil {
		return err
	}
	if a.CategoryID < 0 {
		return Errorf(ErrInvalid, "category_id must be a category's ID, or 0 for none")
	}
	if a.Lang == "" {
		a.Lang = "ko"
	}
	if a.Lang != "ko" && a.Lang != "en" {
		return Errorf(ErrInvalid, "lang must be ko or en")
	}
	if len(a.BodyHTML) > MaxFAQBody {
		return Errorf(ErrInvalid, "body_html must be at most %d bytes", MaxFAQBody)
	}
	if len(a.Keywords) > MaxFAQKeywords {
		return Errorf(ErrInvalid, "at most %d keywords", MaxFAQKeywords)
	}
	kws := make([]string, 0, len(a.Keywords))
	seen := map[string]bool{}
	for _, k := range a.Keywords {
		k, err := oneLine("a keyword", k, MaxFAQKeyword, false)
		if err != nil {
			return err
		}
		if k != "" && !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			kws = append(kws, k)
		}
	}
	a.Keywords = kws
	return checkPosition(a.Position)
}

// CheckSynonyms validates a workspace's synonym groups: each a list of two
// or more words or phrases that mean the same to its customers.
func CheckSynonyms(groups [][]string) ([][]string, error) {
	if len(groups) > MaxFAQSynonymSets {
		return nil, Errorf(ErrInvalid, "at most %d synonym groups", MaxFAQSynonymSets)
	}
	out := make([][]string, 0, len(groups))
	for _, g := range groups {
		if len(g) > MaxFAQSynonymTerms {
			return nil, Errorf(ErrInvalid, "at most %d words in a synonym group", MaxFAQSynonymTerms)
		}
		var terms []string
		seen := map[string]bool{}
		for _, t := range g {
			t, err := oneLine("a synonym", t, MaxFAQKeyword, false)
			if err != nil {
				return nil, err
			}
			if t != "" && !seen[strings.ToLower(t)] {
				seen[strings.ToLower(t)] = true
				terms = append(terms, t)
			}
		}
		if len(terms) < 2 {
			return nil, Errorf(ErrInvalid, "a synonym group needs two or more different words")
		}
		out = append(out, terms)
	}
	return out, nil
}

// FAQ holds a workspace's help center: categories, articles, synonyms.
// Every change moves the workspace's FAQ revision, which search indexes
// are built at: a node whose index is older rebuilds it, so every node
// answers from the same rows. Every change is audited as by's, in the same
// transaction.
type FAQ interface {
	FAQCategories(ctx context.Context, workspaceID int64) ([]FAQCategory, error)
	// CreateFAQCategory inserts c and fills in its ID.
	CreateFAQCategory(ctx context.Context, c *FAQCategory, by Who) error
	// UpdateFAQCategory applies p to the category as it is in the
	// change's transaction, and returns the category after it.
	UpdateFAQCategory(ctx context.Context, workspaceID, id int64, p FAQCategoryPatch, by Who) (FAQCategory, error)
	// DeleteFAQCategory removes a category; its articles stay, without one.
	DeleteFAQCategory(ctx context.Context, workspaceID, id int64, by Who) error
	// Articles lists the workspace's articles by category position, then
	// position and ID; only published ones when publishedOnly.
	Articles(ctx context.Context, workspaceID int64, publishedOnly bool) ([]Article, error)
	// ArticleList is Articles(workspaceID, false) without the bodies
	// (BodyHTML and BodyText empty): the console's list, which a
	// workspace of thousands of long articles would otherwise send whole.
	ArticleList(ctx context.Context, workspaceID int64) ([]Article, error)
	Article(ctx context.Context, workspaceID, id int64) (*Article, error)
	// CreateArticle sanitizes and stores a, filling in ID, BodyText and
	// times. A category of another workspace is refused as not found.
	CreateArticle(ctx context.Context, a *Article, by Who) error
	// UpdateArticle applies p to the article as it is in the change's
	// transaction (its counts stay), and returns the article after it.
	UpdateArticle(ctx context.Context, workspaceID, id int64, p ArticlePatch, by Who) (*Article, error)
	DeleteArticle(ctx context.Context, workspaceID, id int64, by Who) error
	// HelpCenterSites lists, oldest workspace first and at most limit,
	// the site IDs whose help center is public: a workspace not archived
	// with at least one published article.
	HelpCenterSites(ctx context.Context, limit int) ([]string, error)
	// FAQRevision is a number that changes with every change to the
	// workspace's categories, articles or synonyms.
	FAQRevision(ctx context.Context, workspaceID int64) (int64, error)
	FAQSynonyms(ctx context.Context, workspaceID int64) ([][]string, error)
	SetFAQSynonyms(ctx context.Context, workspaceID int64, groups [][]string, by Who) error
	// ImportFAQ applies an export in one transaction: all of it or, on any
	// refusal, none. It reports the articles created and updated.
	ImportFAQ(ctx context.Context, workspaceID int64, f FAQExport, by Who) (created, updated int, err error)
	// RateArticle counts a visitor's answer to "did this answer your
	// question?" on a published article.
	RateArticle(ctx context.Context, workspaceID, id int64, helpful bool) error
	// AddFAQImage records an image for article bodies, its bytes already
	// in blob storage, and fills in its ID; audited as by's upload.
	AddFAQImage(ctx context.Context, img *FAQImage, by Who) error
	FAQImage(ctx context.Context, workspaceID, id int64) (*FAQImage, error)
	// DeleteFAQImage removes an image's record, audited as by's, and
	// returns it. Its bytes are the caller's to delete: their key stays
	// among DeletedFAQImageFiles until ForgetFAQImageFiles, and a
	// JobFAQImageFiles is due FAQImageFilesRetry later should the caller
	// not get that far. An image an article shows, published or draft, is
	// refused with ErrImageInUse.
	DeleteFAQImage(ctx context.Context, workspaceID, id int64, by Who) (*FAQImage, error)
	// SweepFAQImages deletes the workspace's images that no article,
	// published or draft, shows and that were uploaded FAQImageGrace ago
	// or more, each audited as the system's deletion, and returns them
	// (their bytes are the caller's to delete, as DeleteFAQImage's). While
	// younger images no article shows remain, it schedules the next sweep
	// for when the oldest of them is due.
	SweepFAQImages(ctx context.Context, workspaceID int64) ([]FAQImage, error)
	// DeletedFAQImageFiles lists the keys of the workspace's deleted
	// images whose bytes may still be stored.
	DeletedFAQImageFiles(ctx context.Context, workspaceID int64) ([]string, error)
	// ForgetFAQImageFiles drops keys from DeletedFAQImageFiles once their
	// bytes are gone.
	ForgetFAQImageFiles(ctx context.Context, workspaceID int64, keys []string) error
}

// JobFAQImageFiles deletes the bytes of a workspace's deleted FAQ images
// (Store.DeletedFAQImageFiles), and is retried until they are gone.
const JobFAQImageFiles = "faq_image_files"

// FAQImageFilesRetry is when a deletion's JobFAQImageFiles is due: the
// deleter removes the bytes at once, and the job is there for a deletion
// that failed or a node that died first.
const FAQImageFilesRetry = time.Minute

// JobFAQImageSweep deletes a workspace's FAQ images that no article shows
// (Store.SweepFAQImages). Every FAQ change and upload makes sure one is
// pending, FAQImageGrace from then unless one is pending already.
const JobFAQImageSweep = "faq_image_sweep"

// FAQImageGrace is how long an image no article shows is kept: the
// editor that uploaded it may not have saved the article yet, and one
// taken out of an article may be put back.
const FAQImageGrace = 7 * 24 * time.Hour

// FAQImage is an image uploaded for article bodies.
type FAQImage struct {
	ID          int64     `json:"id"`
	WorkspaceID int64     `json:"-"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	BlobKey     string    `json:"-"`
	CreatedAt   time.Time `json:"created_at"`
	// URL is where the help center serves it, set by the HTTP layer.
	URL string `json:"url,omitempty"`
}

// MaxFAQImageMB is the largest image for an article.
const MaxFAQImageMB = 5

// Audit actions of the FAQ's files: an import, an export (the whole FAQ
// leaves the system, drafts included), an image uploaded and one deleted.
const (
	AuditFAQImport      = "faq.import"
	AuditFAQExport      = "faq.export"
	AuditFAQImageUpload = "faq.image_upload"
	AuditFAQImageDelete = "faq.image_delete"
)
