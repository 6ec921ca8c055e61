package history

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/web"
	"github.com/sodam-chat/sodam/internal/xlsx"
)

// DefaultExportTTL is how long an export's file can be downloaded.
const DefaultExportTTL = 24 * time.Hour

// exportPage is how many conversations an export reads at a time, and
// exportMessages about how many messages: its memory grows neither with
// the export nor with a conversation's length.
const exportPage = 500

var exportMessages = 5000 // a variable for the tests

// Exporter writes exports: the job handlers of JobExport and
// JobExportExpire.
type Exporter struct {
	Store Store
	// Workspace reads the workspace, for its time zone and site ID (the
	// robot's name).
	Workspace func(ctx context.Context, id int64) (*chat.Workspace, error)
	Files     blob.Store
	// Node names this node; each run adds a tag of its own.
	Node string
	TTL  time.Duration
	Now  func() time.Time
	Log  *slog.Logger
}

// errLost says another runner took the export over (this one was
// thought dead): its file must not be kept.
var errLost = errors.New("the export was taken over by another runner")

// Run writes export j.RefID. Its file is stored under a key of this run
// and only once complete (blob.Store.Put), so a node that dies mid-way
// leaves no half file: another node starts the export over once the
// dead one's heartbeat is stale. An export that cannot be written (a
// filter no longer valid) is marked failed; the database's errors are
// returned, so the job runs again.
func (x *Exporter) Run(ctx context.Context, j chat.Job) error {
	e, err := x.Store.Export(ctx, j.WorkspaceID, j.RefID)
	if chat.ErrorCode(err) == chat.ErrExportNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if e.State == ExportDone || e.State == ExportFailed {
		return nil
	}
	ws, err := x.Workspace(ctx, e.WorkspaceID)
	if err != nil {
		return err
	}
	loc := ws.Settings.Location()
	runner := x.Node + "/" + rand.Text()[:8]
	v := url.Values{}
	for k, s := range e.Filter {
		v.Set(k, s)
	}
	f, ferr := Parse(v, loc)
	total := 0
	if ferr == nil {
		if total, err = x.Store.CountHistory(ctx, e.WorkspaceID, f); err != nil {
			return err
		}
	}
	ok, err := x.Store.StartExport(ctx, e.WorkspaceID, e.ID, runner, total, x.Now())
	if err != nil {
		return err
	}
	if !ok {
		// A failure, logged at Warn on purpose: the runner renews a Long
		// job's claim while it runs, and a dead or frozen node's heartbeat
		// is stale (30 s) before its claim runs out (at least 40 s after
		// its last renewal), so a takeover never meets this. Only a
		// runner whose claim lapsed while it kept writing (its renewals
		// failed for two thirds of a lease) is met here, once: its next
		// renewal fails and stops it, and the job's next claim takes the
		// export over.
		return fmt.Errorf("export %d is being written by another node", e.ID)
	}
	fin := *e
	if ferr != nil {
		return x.finish(ctx, fin, runner, ferr)
	}
	key := fmt.Sprintf("exports/%d/%d-%s.%s", e.WorkspaceID, e.ID, strings.ToLower(rand.Text()[:10]), e.Format)
	pr, pw := io.Pipe()
	written := make(chan error, 1)
	go func() {
		n, rows, err := x.write(ctx, pw, e, f, loc, ws, runner)
		fin.Done, fin.Rows = n, rows
		pw.CloseWithError(err)
		written <- err
	}()
	size, putErr := x.Files.Put(ctx, key, pr)
	pr.CloseWithError(putErr) // stops the writer if the store gave up first
	werr := <-written
	switch {
	case errors.Is(werr, errLost):
		return nil // the other runner finishes it
	case ctx.Err() != nil:
		return ctx.Err() // shutting down: the export runs again, from the start
	case werr != nil:
		return x.finish(ctx, fin, runner, werr)
	case putErr != nil:
		return putErr
	}
	now := x.Now()
	exp := now.Add(x.ttl())
	fin.State, fin.BlobKey, fin.Size, fin.FinishedAt, fin.ExpiresAt = ExportDone, key, size, &now, &exp
	ok, err = x.Store.FinishExport(ctx, fin, runner)
	if err != nil || !ok {
		x.Files.Delete(context.WithoutCancel(ctx), key) //nolint:errcheck // best effort: the file would never be served
	}
	return err
}

func (x *Exporter) ttl() time.Duration {
	if x.TTL <= 0 {
		return DefaultExportTTL
	}
	return x.TTL
}

// finish marks the export failed with cause: a refusal's message, or a
// plain one for anything else (which is logged).
func (x *Exporter) finish(ctx context.Context, e Export, runner string, cause error) error {
	now := x.Now()
	e.State, e.FinishedAt, e.ExpiresAt = ExportFailed, &now, nil
	var ce *chat.Error
	if errors.As(cause, &ce) {
		e.Error = ce.Message
	} else {
		x.Log.Warn("export failed", slog.Int64("workspace", e.WorkspaceID), slog.Int64("export", e.ID), slog.Any("err", cause))
		e.Error = "the export could not be written"
	}
	_, err := x.Store.FinishExport(ctx, e, runner)
	return err
}

// Expire removes an export's file once it expired. The file goes before
// the export forgets its key: the other way round, a deletion that failed
// (or a node that died between the two) left the file — every
// conversation it holds, text masked since included — on disk for good,
// since the job's next run found no key to delete.
func (x *Exporter) Expire(ctx context.Context, j chat.Job) error {
	now := x.Now()
	e, err := x.Store.Export(ctx, j.WorkspaceID, j.RefID)
	if chat.ErrorCode(err) == chat.ErrExportNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if e.BlobKey != "" && e.ExpiresAt != nil && !e.ExpiresAt.After(now) {
		if err := x.Files.Delete(ctx, e.BlobKey); err != nil {
			return err
		}
	}
	key, err := x.Store.ExpireExport(ctx, j.WorkspaceID, j.RefID, now)
	if err != nil || key == "" || key == e.BlobKey {
		return err
	}
	return x.Files.Delete(ctx, key) // written again since the read above
}

// write streams the export's rows into w, a page of conversations at a
// time, recording progress (and the runner's heartbeat) after each page.
// ws's site ID names the robot (NameRobot), and its widget's language
// words the robot's answers.
func (x *Exporter) write(ctx context.Context, w io.Writer, e *Export, f Filter, loc *time.Location, ws *chat.Workspace, runner string) (done, rows int, err error) {
	var out rowWriter
	if e.Format == FormatXLSX {
		out = newXLSX(w)
	} else {
		out = newCSV(w)
	}
	head := conversationHeader
	if e.Layout == LayoutMessages {
		head = messageHeader
	}
	if err := out.Row(head); err != nil {
		return 0, 0, err
	}
	// The reader's words for the system messages, read once per export.
	// (and, in the conversations layout, for the close reasons).
	console, err := web.ConsoleCatalog(ExportLanguage(e.Language))
	if err != nil {
		return 0, 0, err
	}
	var after *Cursor
	for {
		page, err := x.Store.History(ctx, e.WorkspaceID, f, after, exportPage)
		if err != nil {
			return done, rows, err
		}
		if len(page) == 0 {
			break
		}
		NameRobot(page, ws.SiteID)
		ids := make([]int64, len(page))
		for i, c := range page {
			ids[i] = c.ID
		}
		if e.Layout == LayoutMessages {
			n, err := x.messageRows(ctx, out, ws, console, page, ids, loc)
			rows += n
			if err != nil {
				return done, rows, err
			}
		} else {
			details, err := x.Store.ExportDetails(ctx, e.WorkspaceID, ids)
			if err != nil {
				return done, rows, err
			}
			for _, c := range page {
				if err := out.Row(conversationRow(c, details[c.ID], loc, console)); err != nil {
					return done, rows, err
				}
				rows++
			}
		}
		done += len(page)
		ok, err := x.Store.ExportProgress(ctx, e.WorkspaceID, e.ID, runner, done, rows, x.Now())
		if err != nil {
			return done, rows, err
		}
		if !ok {
			return done, rows, errLost
		}
		if len(page) < exportPage {
			break
		}
		last := page[len(page)-1]
		after = &Cursor{ID: last.ID}
	}
	return done, rows, out.Close()
}

// messageRows writes the messages of a page of conversations, in the
// page's order: conversations read together while their messages (each
// one's LastSeq, system messages included) come to at most
// exportMessages, and one longer than that alone, a page of
// chat.MaxMessagePage at a time. The robot's answers are the chat's other
// side where it answered: sender type robot, in the words the visitor read
// (robotText). Every other system message — the greeting, the automatic
// away reply, a handover, a transfer, the close — is a row of its own
// where it happened, sender type and kind system, in the words the
// console shows it in the reader's language (console: that catalog,
// SystemText).
func (x *Exporter) messageRows(ctx context.Context, out rowWriter, ws *chat.Workspace, console map[string]string, page []chat.Conversation, ids []int64, loc *time.Location) (int, error) {
	wid := ws.ID
	words := web.WidgetCatalogs()[ws.Settings.Widget.WidgetLanguage("")]
	byID := make(map[int64]*chat.Conversation, len(page))
	for i := range page {
		byID[page[i].ID] = &page[i]
	}
	// The customer's name, not the nickname the list shows in its place.
	details, err := x.Store.ExportDetails(ctx, wid, ids)
	if err != nil {
		return 0, err
	}
	n := 0
	write := func(msgs []chat.Message) error {
		for _, m := range msgs {
			c := byID[m.ConversationID]
			sender, senderType, kind, body := m.SenderName, string(m.SenderType), string(m.Kind), m.Body
			switch {
			case m.Kind == chat.KindSystem && m.Body == chat.SystemRobot:
				sender, senderType, kind, body = cmp.Or(m.Meta["robot"], chat.RobotName(ws.SiteID)), "robot", string(chat.KindText), robotText(words, m.Meta)
			case m.Kind == chat.KindSystem:
				sender, senderType, kind, body = m.SenderName, string(chat.SenderSystem), string(chat.KindSystem), SystemText(console, refusedClose(m, c))
			case m.SenderType == chat.SenderVisitor && sender == "":
				sender = details[c.ID].Name
			}
			row := []string{strconv.FormatInt(c.RoomNo, 10), at(m.CreatedAt, loc), senderType, sender, kind, yes(m.Internal), body}
			if err := out.Row(row); err != nil {
				return err
			}
			n++
		}
		return nil
	}
	for len(ids) > 0 {
		k, held := 1, byID[ids[0]].LastSeq
		for k < len(ids) && held+byID[ids[k]].LastSeq <= int64(exportMessages) {
			held += byID[ids[k]].LastSeq
			k++
		}
		if held <= int64(exportMessages) {
			msgs, err := x.Store.TranscriptOf(ctx, wid, ids[:k])
			if err == nil {
				err = write(msgs)
			}
			if err != nil {
				return n, err
			}
		} else {
			for after := int64(0); ; {
				msgs, err := x.Store.Messages(ctx, wid, ids[0], after, chat.MaxMessagePage)
				if err == nil {
					err = write(msgs)
				}
				if err != nil {
					return n, err
				}
				if len(msgs) < chat.MaxMessagePage {
					break
				}
				after = msgs[len(msgs)-1].Seq
			}
		}
		ids = ids[k:]
	}
	return n, nil
}

// robotText is a robot answer (chat.SystemRobot) as the widget showed it,
// in words's language: what it said, then each article it offered, its
// title and help-center link, a line each.
func robotText(words map[string]string, meta map[string]string) string {
	var articles []struct {
		Title string `json:"title"`
		URL   string `json:"url"`
	}
	_ = json.Unmarshal([]byte(meta["articles"]), &articles) // none: the words alone
	lines := []string{words["robot."+meta["outcome"]]}
	for _, a := range articles {
		lines = append(lines, strings.TrimSpace(a.Title+" "+a.URL))
	}
	return strings.Join(lines, "\n")
}

// closeReason is closed conversation c's close reason in the words of the
// console's catalog (close_reason.*), the robot's close of one whose
// customer asked in vain for a person as robot_refused; empty while open.
func closeReason(console map[string]string, c chat.Conversation) string {
	if c.State != chat.StateClosed || c.CloseReason == "" {
		return ""
	}
	r := c.CloseReason
	if r == chat.CloseByRobot && c.AgentRefusedAt != nil {
		r = "robot_refused"
	}
	return cmp.Or(console["close_reason."+r], r)
}

// refusedClose is m, or, for the robot's close of conversation c whose
// customer asked in vain for a person (chat.Conversation.AgentRefusedAt),
// a copy whose reason says so (close_reason.robot_refused, as the console
// words it): such a chat was not resolved by the robot.
func refusedClose(m chat.Message, c *chat.Conversation) chat.Message {
	if m.Body != chat.SystemClosed || m.Meta["reason"] != chat.CloseByRobot || c == nil || c.AgentRefusedAt == nil {
		return m
	}
	m.Meta = maps.Clone(m.Meta)
	m.Meta["reason"] = "robot_refused"
	return m
}

// NameRobot names the robot where it held a conversation, as it shows
// wherever an agent's name is shown (§0: robot-<site_id>): the assignee
// of a conversation the robot holds or that ended in its hands, and the
// agent path of one no agent ever held. The list's assignee_name and the
// export's agent columns then agree.
func NameRobot(cs []chat.Conversation, siteID string) {
	robot := chat.RobotName(siteID)
	for i := range cs {
		c := &cs[i]
		robotHeld := c.State == chat.StateBot || (c.State == chat.StateClosed && c.CloseReason == chat.CloseByRobot)
		if c.AssigneeID != 0 || !robotHeld {
			continue
		}
		c.AssigneeName = robot
		if len(c.AgentPath) == 0 {
			c.AgentPath = []chat.PathStep{{Name: robot}}
		}
	}
}

// The columns of each layout.
var (
	conversationHeader = []string{"상담번호 Room", "상태 State", "처리 Processed", "채널 Channel", "시작 Started", "종료 Closed",
		"고객 Customer", "고객 ID Customer ID", "전화 Phone", "이메일 Email", "상담원 Agent", "상담원 경로 Agent path",
		"분류 Category", "태그 Tags", "메모 Memo", "평점 Rating", "평가 의견 Rating comment", "메시지 수 Messages", "마지막 메시지 Last message",
		// Added last, so that the columns before keep their places for
		// the spreadsheets and scripts that read them by position.
		"별명 Nickname",
		// The close reason in the reader's words, as the console shows it:
		// a chat the robot resolved, and one it closed after its customer
		// asked in vain for a person (unprocessed, as statistics count it),
		// both "N" under Processed, are told apart here.
		"종료 사유 Close reason"}
	messageHeader = []string{"상담번호 Room", "시간 Time", "보낸 쪽 Sender type", "보낸 사람 Sender", "종류 Kind", "내부 Internal", "내용 Text"}
)

func conversationRow(c chat.Conversation, d Details, loc *time.Location, console map[string]string) []string {
	var path []string
	for _, p := range c.AgentPath {
		path = append(path, p.Name)
	}
	closed, rating, comment := "", "", ""
	if c.ClosedAt != nil {
		closed = at(*c.ClosedAt, loc)
	}
	if c.Rating != nil {
		rating, comment = strconv.Itoa(c.Rating.Score), c.Rating.Comment
	}
	processed := ""
	if c.State == chat.StateClosed {
		processed = yes(c.Processed)
	}
	return []string{strconv.FormatInt(c.RoomNo, 10), string(c.State), processed, string(c.Channel), at(c.CreatedAt, loc), closed,
		d.Name, d.CustomerKey, d.Phone, d.Email, c.AssigneeName, strings.Join(path, " > "),
		strings.Join(c.CategoryPath, " > "), strings.Join(d.Tags, ", "), c.Memo, rating, comment, strconv.Itoa(d.Messages), c.LastMessage, d.Nickname, closeReason(console, c)}
}

func at(t time.Time, loc *time.Location) string { return t.In(loc).Format(time.DateTime) }

func yes(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// rowWriter writes an export's rows in one format.
type rowWriter interface {
	Row(cells []string) error
	Close() error
}

// csvWriter writes UTF-8 with a byte-order mark, which Excel needs to
// read Korean.
type csvWriter struct {
	w   *csv.Writer
	bom bool
	dst io.Writer
}

func newCSV(w io.Writer) *csvWriter { return &csvWriter{w: csv.NewWriter(w), dst: w} }

func (c *csvWriter) Row(cells []string) error {
	if !c.bom {
		c.bom = true
		if _, err := io.WriteString(c.dst, "\uFEFF"); err != nil {
			return err
		}
	}
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = defuse(s)
	}
	return c.w.Write(safe)
}

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

// defuse keeps a spreadsheet from reading a cell as a formula: text that
// starts like one gets a leading apostrophe (CSV injection).
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// xlsxWriter streams rows into sheets of an XLSX file: the first row is
// the header (bold, frozen), and at Excel's row limit a new sheet starts
// with the header again. The columns in numberColumns are written as
// numbers, so that a spreadsheet sums and sorts them; every other cell
// stays text (a phone number keeps its leading 0).
type xlsxWriter struct {
	w       *xlsx.Writer
	sheet   int
	header  []string
	numbers []bool // by column: whether the header names it in numberColumns
}

// numberColumns are the columns, by header, whose cells are whole numbers.
var numberColumns = map[string]bool{"상담번호 Room": true, "평점 Rating": true, "메시지 수 Messages": true}

func newXLSX(w io.Writer) *xlsxWriter { return &xlsxWriter{w: xlsx.NewWriter(w), sheet: 1} }

func (x *xlsxWriter) Row(cells []string) error {
	if x.header == nil {
		x.header, x.numbers = cells, make([]bool, len(cells))
		for i, h := range cells {
			x.numbers[i] = numberColumns[h]
		}
		return x.w.WriteHeader(cells...)
	}
	err := x.put(cells)
	if !errors.Is(err, xlsx.ErrSheetFull) {
		return err
	}
	x.sheet++
	if err := x.w.NewSheet("Sheet" + strconv.Itoa(x.sheet)); err != nil {
		return err
	}
	if err := x.w.WriteHeader(x.header...); err != nil {
		return err
	}
	return x.put(cells)
}

func (x *xlsxWriter) put(cells []string) error {
	vals := make([]any, len(cells))
	for i, s := range cells {
		vals[i] = s
		if i < len(x.numbers) && x.numbers[i] {
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				vals[i] = n
			}
		}
	}
	return x.w.WriteRow(vals...)
}

func (x *xlsxWriter) Close() error { return x.w.Close() }
