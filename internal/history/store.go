package history

import (
	"context"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Store is what the history needs from the database; store/sqldb
// implements it in history.go.
type Store interface {
	// History lists the workspace's conversations that f selects, by start
	// time (newest first unless f.Oldest), after the cursor, at most limit.
	History(ctx context.Context, workspaceID int64, f Filter, after *Cursor, limit int) ([]chat.Conversation, error)
	// CountHistory counts what f selects.
	CountHistory(ctx context.Context, workspaceID int64, f Filter) (int, error)
	// ExportDetails reads what an export adds to each conversation: its
	// customer's contact fields, its tags and how many messages it has.
	ExportDetails(ctx context.Context, workspaceID int64, conversationIDs []int64) (map[int64]Details, error)
	// TranscriptOf lists the messages of the conversations, system
	// messages included, in conversation order as given and by sequence
	// within one.
	TranscriptOf(ctx context.Context, workspaceID int64, conversationIDs []int64) ([]chat.Message, error)
	// Messages lists one conversation's messages after afterSeq, in order,
	// at most limit (chat.Store's): a long conversation's export reads it
	// a page at a time.
	Messages(ctx context.Context, workspaceID, conversationID, afterSeq int64, limit int) ([]chat.Message, error)

	// CreateExport stores a queued export and its job, audited; a person
	// with an export queued or running is refused (ErrExportRunning).
	CreateExport(ctx context.Context, e *Export, by chat.Who) error
	Export(ctx context.Context, workspaceID, id int64) (*Export, error)
	// StartExport takes a queued or abandoned export for runner; false when
	// it is finished or another runner's heartbeat is fresh.
	StartExport(ctx context.Context, workspaceID, id int64, runner string, total int, now time.Time) (bool, error)
	// ExportProgress records progress and the runner's heartbeat; false
	// when the export is no longer runner's.
	ExportProgress(ctx context.Context, workspaceID, id int64, runner string, done, rows int, now time.Time) (bool, error)
	// FinishExport marks runner's export done (with its file) or failed,
	// and schedules the file's removal at expires; false when the export
	// is no longer runner's.
	FinishExport(ctx context.Context, e Export, runner string) (bool, error)
	// ExpireExport forgets an export's file once it expired and returns
	// the blob key to delete ("" when there is none).
	ExpireExport(ctx context.Context, workspaceID, id int64, now time.Time) (string, error)

	// BackfillSearch indexes up to limit messages stored before the search
	// index existed or before its scheme last changed, and reports whether
	// any remain.
	BackfillSearch(ctx context.Context, limit int) (more bool, err error)
}

// Details is what an export shows of a conversation beyond the list's.
type Details struct {
	// Name is the customer's name and Nickname the agents' name for them
	// (which the console's lists show in its place).
	Name, Nickname string
	CustomerKey    string
	Phone          string
	Email          string
	Tags           []string
	Messages       int
}

// Export formats and layouts.
const (
	FormatXLSX = "xlsx"
	FormatCSV  = "csv"
	// LayoutConversations is one row per conversation, with summary
	// columns; LayoutMessages one row per message.
	LayoutConversations = "conversations"
	LayoutMessages      = "messages"
)

// Export states.
const (
	ExportQueued  = "queued"
	ExportRunning = "running"
	ExportDone    = "done"
	ExportFailed  = "failed"
)

// Job kinds of the history.
const (
	// JobExport writes export RefID's file.
	JobExport = "export"
	// JobExportExpire removes export RefID's file once it expired.
	JobExportExpire = "export_expire"
	// JobSearchBackfill indexes messages older than the search index or
	// its scheme.
	JobSearchBackfill = "search_backfill"
)

// Export is one export of the history and where it stands.
type Export struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"workspace_id"`
	AgentID     int64  `json:"agent_id"`
	Format      string `json:"format"`
	Layout      string `json:"layout"`
	// Language is the reader's (ko or en): what Sodam writes in its own
	// words, the system messages' lines, is in it. "" (exports from
	// before it was kept) is Korean.
	Language string `json:"language"`
	// Filter is the query parameters the export was made with.
	Filter map[string]string `json:"filter"`
	State  string            `json:"state"`
	// Total is how many conversations the filter selected when the export
	// started; Done how many are written; Rows how many rows.
	Total      int        `json:"total"`
	Done       int        `json:"done"`
	Rows       int        `json:"rows"`
	Size       int64      `json:"size,omitempty"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	// BlobKey is where the file is kept; never shown.
	BlobKey     string     `json:"-"`
	Runner      string     `json:"-"`
	HeartbeatAt *time.Time `json:"-"`
}

// Progress is the share written, 0 to 1.
func (e Export) Progress() float64 {
	switch {
	case e.State == ExportDone:
		return 1
	case e.Total == 0:
		return 0
	}
	return min(1, float64(e.Done)/float64(e.Total))
}

// Expired reports whether a done export's file is gone.
func (e Export) Expired(now time.Time) bool {
	return e.State == ExportDone && (e.BlobKey == "" || e.ExpiresAt == nil || !now.Before(*e.ExpiresAt))
}

// ExportLanguage is the catalog language of an export's Language: Korean
// unless it is English.
func ExportLanguage(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "ko"
}
