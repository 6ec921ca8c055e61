package storetest

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/pii"
	"github.com/sodam-chat/sodam/internal/stats"
	"golang.org/x/text/unicode/norm"
)

// SearchAcrossUpgrade: messages and profiles indexed before migration
// 0028, by the scheme that kept words apart, are found spacing aside once
// it has run. The migration rebuilds the customer index in its
// transaction and queues the search_backfill job, which indexes every
// message again; until the job reaches a message, its old entry still
// finds it by a word. downgrade closes s, runs the SQL it is given on its
// database — the old scheme's entries for this test's messages and
// profile, and 0028 forgotten — and opens it again, which migrates it.
func SearchAcrossUpgrade(t *testing.T, s chat.Store, postgres bool, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0028")
	texts := []string{"카드 취소가 안 돼요", "카드취소 부탁드려요", "배송 조회는 어디서 하나요?", "주문내역 어디서 봐요?"}
	msgs, convs := sendEach(t, s, f, "up-", texts)
	hong := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: "up-hong", Profile: chat.Profile{Name: "홍 길동"}}
	must(t, s.UpsertCustomer(ctx, hong))
	hc, _, err := openConversation(s, f.ws.ID, hong.ID, chat.ChannelWeb)
	must(t, err)

	find, check := upgradeSearches(t, f.ws.ID, []upgradeSearch{
		{url.Values{"q": {"카드취소"}}, []int64{convs[1], convs[0]}},
		{url.Values{"q": {`"카드 취소"`}}, []int64{convs[1], convs[0]}},
		{url.Values{"q": {"배송조회"}}, []int64{convs[2]}},
		{url.Values{"q": {`"주문 내역"`}}, []int64{convs[3]}},
		{url.Values{"customer": {"홍길동"}}, []int64{hc.ID}},
	})
	check(s, "before the downgrade")

	s = downgrade(undo0028(msgs, hong, postgres))
	// The customer index is rebuilt; the messages still have their old
	// entries: a word within one of their words finds them, a term across
	// a space does not yet. SQLite's 0040 makes its index anew: there
	// the messages are found by no word until the backfill.
	if got, want := find(s, url.Values{"customer": {"홍길동"}}), []int64{hc.ID}; !slices.Equal(got, want) {
		t.Errorf("the customer index after the migration: %v, want %v", got, want)
	}
	if !postgres {
		notBeforeBackfill(t, find(s, url.Values{"q": {"취소"}}))
	} else {
		if got, want := find(s, url.Values{"q": {"취소"}}), []int64{convs[1], convs[0]}; !slices.Equal(got, want) {
			t.Errorf("a word in old entries: %v, want %v", got, want)
		}
		if got, want := find(s, url.Values{"q": {"카드취소"}}), []int64{convs[1]}; !slices.Equal(got, want) {
			t.Fatalf("before the backfill, 카드취소 found %v, want only %v: the downgrade did not write the old entries", got, want)
		}
	}
	backfill(t, s)
	check(s, "after the backfill")
}

// sendEach opens a chat for each of texts, each chat's customer named
// prefix and its index, and sends the text in it as the visitor.
func sendEach(t *testing.T, s chat.Store, f fixture, prefix string, texts []string) (msgs []chat.Message, convs []int64) {
	t.Helper()
	for i, text := range texts {
		c := active(t, s, f, fmt.Sprint(prefix, i), f.a1)
		msgs = append(msgs, send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", text))
		convs = append(convs, c.ID)
	}
	return msgs, convs
}

// sqliteIndexBefore0040 is the SQL that puts back SQLite's search index
// as it was made before migration 0040 (with contentless_delete, keeping
// token counts), empty, and forgets that 0040 ran.
const sqliteIndexBefore0040 = `DROP TABLE message_fts;
CREATE VIRTUAL TABLE message_fts USING fts5(grams, content='', contentless_delete=1, tokenize='ascii');
DELETE FROM schema_migrations WHERE version = '0040_search_without_sizes.sql';
`

// notBeforeBackfill reports a search that found messages in SQLite's
// index after migration 0040 made it anew and before the backfill ran.
func notBeforeBackfill(t *testing.T, got []int64) {
	t.Helper()
	if len(got) != 0 {
		t.Errorf("SQLite's index is made anew by 0040: before the backfill a word found %v", got)
	}
}

// upgradeSearch is a history search and the conversations it finds,
// newest first.
type upgradeSearch struct {
	v    url.Values
	want []int64
}

// upgradeSearches returns find, which runs a search in workspace ws, and
// check, which runs each of searches and reports what it finds wrongly.
func upgradeSearches(t *testing.T, ws int64, searches []upgradeSearch) (find func(chat.Store, url.Values) []int64, check func(chat.Store, string)) {
	find = func(s chat.Store, v url.Values) []int64 {
		t.Helper()
		fl, err := history.Parse(v, time.UTC)
		must(t, err)
		return allHistory(t, s.(history.Store), ws, fl)
	}
	check = func(s chat.Store, when string) {
		t.Helper()
		for _, c := range searches {
			if got := find(s, c.v); !slices.Equal(got, c.want) {
				t.Errorf("%s: %v found %v, want %v", when, c.v, got, c.want)
			}
		}
	}
	return find, check
}

// backfill checks that a migration queued the search_backfill job, and
// runs it to the end.
func backfill(t *testing.T, s chat.Store) {
	t.Helper()
	jobs, err := s.ClaimJobs(ctx, "n1", time.Now(), time.Minute, 100)
	must(t, err)
	if !slices.ContainsFunc(jobs, func(j chat.Job) bool { return j.Kind == history.JobSearchBackfill }) {
		t.Fatalf("the migration queued no %s job: %+v", history.JobSearchBackfill, jobs)
	}
	for more := true; more; {
		more, err = s.(history.Store).BackfillSearch(ctx, 2)
		must(t, err)
	}
}

// undo0028 is the SQL that puts back the entries the scheme before 0028
// gave msgs and the customer's profile — each word's bigrams and its last
// character (SQLite), the text with its spaces and each word's characters
// and bigrams (PostgreSQL) — and forgets that 0028 ran. Normalized text
// holds only letters, digits and spaces: nothing to escape.
func undo0028(msgs []chat.Message, cu *chat.Customer, postgres bool) string {
	oldGrams := func(text string) (tokens []string, set []string) {
		for _, w := range strings.Fields(history.Normalize(text)) {
			rs := []rune(w)
			for i := range rs {
				set = append(set, string(rs[i]))
				if i+1 < len(rs) {
					tokens = append(tokens, string(rs[i:i+2]))
					set = append(set, string(rs[i:i+2]))
				}
			}
			tokens = append(tokens, string(rs[len(rs)-1]))
		}
		slices.Sort(set)
		return tokens, slices.Compact(set)
	}
	var b strings.Builder
	if !postgres {
		b.WriteString(sqliteIndexBefore0040)
	}
	for _, m := range msgs {
		tokens, set := oldGrams(m.Body)
		if !postgres {
			key := m.ConversationID<<24 | m.Seq // sqldb.ftsKey
			fmt.Fprintf(&b, "INSERT INTO message_fts (rowid, grams) VALUES (%d, '%s');\n", key, strings.Join(tokens, " "))
			continue
		}
		codes := make([]string, len(set))
		for i, g := range set {
			codes[i] = fmt.Sprint(history.GramCode(g))
		}
		fmt.Fprintf(&b, "DELETE FROM message_search WHERE message_id = %d;\n", m.ID)
		fmt.Fprintf(&b, "INSERT INTO message_search (message_id, workspace_id, conversation_id, norm, grams) VALUES (%d, %d, %d, '%s', '{%s}');\n",
			m.ID, m.WorkspaceID, m.ConversationID, history.Normalize(m.Body), strings.Join(codes, ","))
	}
	// The profile has a name only.
	tokens, set := oldGrams(cu.Name)
	if postgres {
		fmt.Fprintf(&b, "UPDATE customer_search SET norm = '%s\n\n\n', grams = '{\"%s\"}' WHERE profile_id = %d;\n",
			history.Normalize(cu.Name), strings.Join(set, `","`), cu.Profile.ID)
	} else {
		fmt.Fprintf(&b, "DELETE FROM customer_fts WHERE rowid = %d;\nINSERT INTO customer_fts (rowid, name, nickname, email, phone) VALUES (%d, '%s', '', '', '');\n",
			cu.Profile.ID, cu.Profile.ID, strings.Join(tokens, " "))
	}
	b.WriteString("DELETE FROM schema_migrations WHERE version = '0028_search_ignores_spacing.sql';\n")
	return b.String()
}

// WidthAcrossUpgrade: messages and profiles indexed before migration
// 0031, with full-width digits and letters kept as typed, are found by
// ordinary ones once it has run (and ordinary ones by a full-width
// query). The migration rebuilds the customer index in its transaction
// and queues the search_backfill job; until the job reaches a message,
// its old entry finds it by its other words only. downgrade is
// SearchAcrossUpgrade's.
func WidthAcrossUpgrade(t *testing.T, s chat.Store, postgres bool, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0031")
	texts := []string{"주문번호 １１８３ 취소해주세요", "ＫＢ카드 결제가 두 번 됐어요", "주문번호 2046 배송 언제 와요?"}
	msgs, convs := sendEach(t, s, f, "wide-", texts)
	kim := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: "wide-kim", Profile: chat.Profile{Name: "김하늘", Phone: "０１０－５５５５－１２３４"}}
	must(t, s.UpsertCustomer(ctx, kim))
	kc, _, err := openConversation(s, f.ws.ID, kim.ID, chat.ChannelWeb)
	must(t, err)

	find, check := upgradeSearches(t, f.ws.ID, []upgradeSearch{
		{url.Values{"q": {"1183"}}, []int64{convs[0]}},
		{url.Values{"q": {"kb카드"}}, []int64{convs[1]}},
		{url.Values{"q": {"２０４６"}}, []int64{convs[2]}},
		{url.Values{"customer": {"010-5555"}}, []int64{kc.ID}},
	})
	check(s, "before the downgrade")

	s = downgrade(undo0031(msgs, kim, postgres))
	if got, want := find(s, url.Values{"customer": {"010-5555"}}), []int64{kc.ID}; !slices.Equal(got, want) {
		t.Errorf("the customer index after the migration: %v, want %v", got, want)
	}
	// The old entries still find their messages by their other words,
	// not by the full-width ones, until the backfill (PostgreSQL; SQLite's
	// 0040 makes its index anew).
	if !postgres {
		notBeforeBackfill(t, find(s, url.Values{"q": {"주문번호"}}))
	} else {
		if got, want := find(s, url.Values{"q": {"주문번호"}}), []int64{convs[2], convs[0]}; !slices.Equal(got, want) {
			t.Errorf("a word in old entries: %v, want %v", got, want)
		}
		if got := find(s, url.Values{"q": {"1183"}}); len(got) != 0 {
			t.Fatalf("before the backfill, 1183 found %v: the downgrade did not write the old entries", got)
		}
	}
	backfill(t, s)
	check(s, "after the backfill")
}

// undo0031 is the SQL that puts back the entries msgs and the customer's
// profile had before 0031 — their text in NFC and lower case with
// full-width forms kept, the phone's full-width digits left out — and
// forgets that 0031 ran.
func undo0031(msgs []chat.Message, cu *chat.Customer, postgres bool) string {
	oldCompact := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) {
				return r
			}
			return -1
		}, strings.ToLower(norm.NFC.String(s)))
	}
	var b strings.Builder
	if !postgres {
		b.WriteString(sqliteIndexBefore0040)
	}
	for _, m := range msgs {
		rs := []rune(oldCompact(m.Body))
		var tokens, set []string
		for i := range rs {
			tokens = append(tokens, string(rs[i:min(i+2, len(rs))]))
			set = append(set, string(rs[i]), string(rs[i:min(i+2, len(rs))]))
		}
		if !postgres {
			key := m.ConversationID<<24 | m.Seq // sqldb.ftsKey
			fmt.Fprintf(&b, "INSERT INTO message_fts (rowid, grams) VALUES (%d, '%s');\n", key, strings.Join(tokens, " "))
			continue
		}
		slices.Sort(set)
		var codes []string
		for _, g := range slices.Compact(set) {
			codes = append(codes, fmt.Sprint(history.GramCode(g)))
		}
		fmt.Fprintf(&b, "DELETE FROM message_search WHERE message_id = %d;\n", m.ID)
		fmt.Fprintf(&b, "INSERT INTO message_search (message_id, workspace_id, conversation_id, norm, grams) VALUES (%d, %d, %d, '%s', '{%s}');\n",
			m.ID, m.WorkspaceID, m.ConversationID, string(rs), strings.Join(codes, ","))
	}
	// The phone had no ASCII digits: its field was empty.
	fields := []string{oldCompact(cu.Name), "", "", ""}
	if postgres {
		fmt.Fprintf(&b, "UPDATE customer_search SET norm = '%s', grams = '{\"%s\"}' WHERE profile_id = %d;\n",
			history.CustomerNorm(fields), strings.Join(history.CustomerGramSet(fields), `","`), cu.Profile.ID)
	} else {
		fmt.Fprintf(&b, "DELETE FROM customer_fts WHERE rowid = %d;\nINSERT INTO customer_fts (rowid, name, nickname, email, phone) VALUES (%d, '%s', '', '', '');\n",
			cu.Profile.ID, cu.Profile.ID, history.CustomerGrams(fields)[0])
	}
	b.WriteString("DELETE FROM schema_migrations WHERE version = '0031_search_folds_width.sql';\n")
	return b.String()
}

// FAQSweepAcrossUpgrade: FAQ images stored before the image sweep
// existed, in a workspace whose FAQ has not changed since, are swept
// after migration 0032 queues the sweep for every workspace holding
// images. downgrade is SearchAcrossUpgrade's.
func FAQSweepAcrossUpgrade(t *testing.T, s chat.Store, _ bool, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0032")
	empty := setup(t, s, "upgrade0032-none")
	img := &chat.FAQImage{WorkspaceID: f.ws.ID, Name: "교환안내.png", ContentType: "image/png", Size: 100, BlobKey: "upgrade0032/교환안내.png"}
	must(t, s.AddFAQImage(ctx, img, whoOf(f.manager, "manager")))
	s = downgrade(`DELETE FROM jobs WHERE kind = 'faq_image_sweep';
DELETE FROM schema_migrations WHERE version = '0032_faq_image_sweep_all.sql';`)
	jobs, err := s.ClaimJobs(ctx, "n1", time.Now(), time.Minute, 100)
	must(t, err)
	var swept []int64
	for _, j := range jobs {
		if j.Kind == chat.JobFAQImageSweep {
			swept = append(swept, j.WorkspaceID)
		}
	}
	if !slices.Equal(swept, []int64{f.ws.ID}) {
		t.Fatalf("the migration queued sweeps for workspaces %v, want only %d (%d has no images)", swept, f.ws.ID, empty.ws.ID)
	}
}

// RefusedAcrossUpgrade: a chat whose customer asked the robot for a
// person in words when nobody could chat, before migration 0037 kept such
// refusals, and which the robot then closed, counted as robot-resolved;
// after the migration it is unprocessed — the mark is filled in from the
// robot's "no agent" answer, and the roll-up of its workspace (only) is
// rebuilt. A chat that only asked the robot stays robot-resolved.
// downgrade is SearchAcrossUpgrade's.
func RefusedAcrossUpgrade(t *testing.T, s chat.Store, _ bool, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0037")
	other := setup(t, s, "upgrade0037-none")
	robotChat := func(cu chat.Customer, body, outcome string) {
		t.Helper()
		var c chat.Conversation
		_, err := s.Write(ctx, func(tx chat.Tx) error {
			var err error
			c, _, err = tx.StartBotConversation(ctx, f.ws.ID, cu.ID, chat.ChannelWeb)
			return err
		})
		must(t, err)
		m, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "q", Body: body})
		must(t, err)
		_, err = s.Write(ctx, func(tx chat.Tx) error {
			// As the robot answered before 0037: no mark.
			_, err := tx.RobotReply(ctx, c, m.ID, map[string]string{"robot": chat.RobotName(f.ws.SiteID), "outcome": outcome, "reason": "nobody"})
			if err != nil {
				return err
			}
			c, err := tx.LockConversation(ctx, f.ws.ID, c.ID)
			if err != nil {
				return err
			}
			return tx.CloseConversation(ctx, c, chat.CloseByRobot)
		})
		must(t, err)
	}
	robotChat(*newCustomer(t, s, f.ws, "refused"), "상담원 연결해 주세요", chat.RobotNoAgent)
	robotChat(*newCustomer(t, s, f.ws, "answered"), "배송 조회", chat.RobotNoAnswer)
	st := statsStore(t, s)
	total := func(st stats.Store) stats.Measures {
		kept, err := st.StoredStats(ctx, f.ws.ID)
		must(t, err)
		var sum stats.Measures
		for k, m := range kept {
			if k.Level() == stats.ReadLevel(0) {
				sum.Add(m, 1)
			}
		}
		return sum
	}
	if m := total(st); m.RobotResolved != 2 || m.Unprocessed != 0 {
		t.Fatalf("before the upgrade: robot-resolved %d, unprocessed %d; want 2, 0", m.RobotResolved, m.Unprocessed)
	}
	s = downgrade(`ALTER TABLE conversations DROP COLUMN agent_refused_at;
DELETE FROM jobs WHERE kind = 'stats_rebuild';
DELETE FROM schema_migrations WHERE version = '0037_agent_refused.sql';`)
	jobs, err := s.ClaimJobs(ctx, "n1", time.Now(), time.Minute, 100)
	must(t, err)
	var rebuilt []int64
	for _, j := range jobs {
		if j.Kind == stats.JobRebuild {
			rebuilt = append(rebuilt, j.WorkspaceID)
		}
	}
	if !slices.Equal(rebuilt, []int64{f.ws.ID}) {
		t.Fatalf("the migration queued rebuilds for workspaces %v, want only %d (%d has no refused chat)", rebuilt, f.ws.ID, other.ws.ID)
	}
	st = statsStore(t, s)
	_, err = st.RebuildStats(ctx, f.ws.ID)
	must(t, err)
	if m := total(st); m.RobotResolved != 1 || m.Unprocessed != 1 || m.Completed != 2 {
		t.Fatalf("after the upgrade: robot-resolved %d, unprocessed %d, completed %d; want 1, 1, 2", m.RobotResolved, m.Unprocessed, m.Completed)
	}
}

// SearchSizesAcrossUpgrade: SQLite's migration 0040 makes its search
// index anew, without token counts. The messages stored before it are
// found once the backfill has run; one masked before the backfill reaches
// it and one masked after are found by their new text only; one stored
// after the migration is found at once. downgrade is
// SearchAcrossUpgrade's; SQLite only.
func SearchSizesAcrossUpgrade(t *testing.T, s chat.Store, downgrade func(sql string) chat.Store) {
	f := setup(t, s, "upgrade0040")
	texts := []string{"배송지 변경하고 싶어요", "환불 계좌는 110-234-567890 입니다", "카드 결제 영수증 주세요 010-2345-6789"}
	msgs, convs := sendEach(t, s, f, "sizes-", texts)
	var b strings.Builder
	b.WriteString(sqliteIndexBefore0040)
	for _, m := range msgs { // the entries the index held; grams hold letters, digits and spaces
		fmt.Fprintf(&b, "INSERT INTO message_fts (rowid, grams) VALUES (%d, '%s');\n", m.ConversationID<<24|m.Seq, history.Grams(m.Body))
	}
	s = downgrade(b.String())
	find := func(q string) []int64 {
		t.Helper()
		fl, err := history.Parse(url.Values{"q": {q}}, time.UTC)
		must(t, err)
		return allHistory(t, s.(history.Store), f.ws.ID, fl)
	}
	mask := func(m chat.Message, span pii.Span) {
		t.Helper()
		_, _, err := s.MaskMessage(ctx, f.ws.ID, m.ConversationID, m.ID, span, keyring(t), chat.Who{AgentID: f.a1.AgentID, Name: "kim"})
		must(t, err)
	}
	notBeforeBackfill(t, find("배송지"))
	mask(msgs[1], pii.Span{Start: 7, End: 21, Kind: pii.Account})
	backfill(t, s)
	for _, c := range []struct {
		q    string
		want []int64
	}{
		{"배송지 변경", []int64{convs[0]}},
		{"110-234-567890", nil},
		{"환불 계좌는", []int64{convs[1]}},
		{"010-2345-6789", []int64{convs[2]}},
	} {
		if got := find(c.q); !slices.Equal(got, c.want) {
			t.Errorf("after the backfill, %q found %v, want %v", c.q, got, c.want)
		}
	}
	mask(msgs[2], pii.Span{Start: 14, End: 27, Kind: pii.Phone})
	for _, q := range []string{"010-2345-6789", "2345"} {
		if got := find(q); len(got) != 0 {
			t.Errorf("masked after the backfill, %q is still found: %v", q, got)
		}
	}
	if got := find("영수증 주세요"); !slices.Equal(got, []int64{convs[2]}) {
		t.Errorf("masked after the backfill, the rest: %v", got)
	}
	c := active(t, s, f, "sizes-new", f.a1)
	send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "주문 취소 요청드립니다")
	if got := find("주문 취소"); !slices.Equal(got, []int64{c.ID}) {
		t.Errorf("a message stored after the migration: %v", got)
	}
}
