package storetest

import (
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/pii"
)

// supportLines are what customers and agents of a Korean shop write; the
// corpus (../shared/corpora) adds everyday chat when it is there.
var supportLines = []string{
	"환불은 언제 되나요?", "환불해 주세요", "주문번호 A2026-1183 배송이 안 와요", "배송 조회가 안 됩니다",
	"교환하고 싶은데 사이즈가 안 맞아요", "010-2345-6789로 연락 주세요", "결제가 두 번 됐어요", "카드 결제 취소 부탁드립니다",
	"쿠폰이 적용이 안 돼요", "포인트는 언제 적립되나요", "반품 접수했습니다", "택배 기사님이 연락이 없어요",
	"상품이 파손되어 왔어요 ㅠㅠ", "refund please, order ORD-55120", "Galaxy S25 케이스 재입고 언제?", "비밀번호를 잊어버렸어요",
	"회원 탈퇴는 어떻게 하나요", "영수증 발급 가능할까요", "현금영수증 010-9876-5432", "주소 변경하고 싶어요: 서울시 강남구 테헤란로 123",
	"환불 요청드립니다", "환불요청 처리 부탁해요", "확인 후 안내드리겠습니다", "불편을 드려 죄송합니다",
	"감사합니다! 좋은 하루 보내세요", "네 알겠습니다", "주문 취소 되었습니다", "입금 확인되었습니다",
	// The same words spaced and unspaced, as the FAQ's test questions
	// (internal/faq/testdata) have them.
	"카드 취소가 안 돼요", "카드취소 확인이 안돼요", "카드-취소 부탁드립니다", "배송조회 어떻게 해요", "배송 조회는 어디서 하나요?",
	"주문내역 어디서 봐요?", "지난번 주문 내역 보는 법", "주문취소 어떻게 해요?", "해외 배송 가능 여부", "새벽배송 되나요",
}

// corpusLines reads some of the shared Korean chat corpus, if present.
func corpusLines(n int) []string {
	for _, p := range []string{"../../../../shared/corpora/ChatbotData.csv", "../../shared/corpora/ChatbotData.csv", "../shared/corpora/ChatbotData.csv"} {
		f, err := os.Open(p)
		if err != nil {
			continue
		}
		defer f.Close()
		recs, err := csv.NewReader(f).ReadAll()
		if err != nil || len(recs) < 2 {
			return nil
		}
		var out []string
		for _, r := range recs[1:] {
			out = append(out, r[0], r[1])
			if len(out) >= n {
				break
			}
		}
		return out
	}
	return nil
}

// recallQueries are the queries the recall test runs: two-syllable words,
// words with particles, mixed scripts and digits, phrases, single
// characters, punctuation inside terms and words nobody wrote.
var recallQueries = []string{
	"환불", "환불은", "환불해", "환불 요청", `"환불 요청"`, `"환불요청"`, "요청", "배송", "배송이", "조회",
	"교환", "사이즈", "연락", "결제", "결제가", "취소", `"결제 취소"`, "쿠폰", "포인트", "적립",
	"반품", "택배", "파손", "ㅠㅠ", "refund", "REFUND", "ord", "ORD-55120", "55120", "A2026",
	"2026-1183", "a2026 1183", "010", "2345", "010-2345-6789", "9876 5432", "galaxy", "S25", "s25 케이스", "재입고",
	"비밀번호", "탈퇴", "영수증", "현금영수증", "강남구", "테헤란로 123", "서울시 강남구", "확인", "안내", "죄송",
	"감사", "하루", "좋은 하루", "네", "환", "불", "요", "다", "주문", "주문번호",
	"주문 취소", "입금", "없는단어", "zzz", "배송 환불", `"배송이 안"`, `"안 와요"`, "와요", "가", "오늘",
	"밥", "사랑", "친구", "회사", "여행",
	// Spacing aside: unspaced queries find spaced text and the other way
	// round, punctuation inside a word is a space, and a bigram across
	// two words is found.
	"카드취소", `"카드 취소"`, "카드-취소", "카드/취소", "배송조회", `"배송 조회"`, "주문내역", `"주문 내역"`, "주문취소", `"주문 취소"`,
	"해외배송", `"새벽 배송"`, "드취", "소가", "요카", `"조회 어떻게"`, "조회어떻게", "아무것도", `"아무 것도"`, "하루종일",
}

// oldTerms is a query's terms as the rule before spacing was ignored
// read them: each word's, or quoted phrase's, words separated by single
// spaces.
func oldTerms(q string) []string {
	var out []string
	add := func(s string) {
		if n := history.Normalize(s); n != "" {
			out = append(out, n)
		}
	}
	parts := strings.Split(q, `"`)
	for i, p := range parts {
		if i%2 == 1 && i < len(parts)-1 {
			add(p)
			continue
		}
		for _, w := range strings.Fields(p) {
			add(w)
		}
	}
	return out
}

func testHistorySearchRecall(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "recall")
	corpus := corpusLines(400)
	rng := rand.New(rand.NewPCG(13, 13))
	line := func() string { // half support talk, half everyday chat
		if len(corpus) == 0 || rng.IntN(2) == 0 {
			return supportLines[rng.IntN(len(supportLines))]
		}
		return corpus[rng.IntN(len(corpus))]
	}
	bodies := map[int64][]string{}
	for i := range 100 {
		c := active(t, s, f, fmt.Sprintf("rc-%d", i), f.a1)
		bodies[c.ID] = []string{"안녕하세요"}
		for j := range 4 {
			b := line()
			if rng.IntN(3) == 0 {
				b += " " + line()
			}
			actor := chat.Actor{Kind: chat.SenderVisitor}
			if j%2 == 1 {
				actor = f.a1
			}
			send(t, s, f.ws.ID, c.ID, actor, fmt.Sprintf("m%d", j), b)
			bodies[c.ID] = append(bodies[c.ID], b)
		}
	}
	if len(recallQueries) < 50 {
		t.Fatalf("only %d queries", len(recallQueries))
	}
	found := 0
	for _, query := range recallQueries {
		fl, err := history.Parse(url.Values{"q": {query}}, time.UTC)
		must(t, err)
		var want, before []int64 // by the rule, and by the rule before spacing was ignored
		for id, bs := range bodies {
			for _, b := range bs {
				if history.Matches(b, fl.Terms) {
					want = append(want, id)
					break
				}
			}
			for _, b := range bs {
				n := history.Normalize(b)
				if !slices.ContainsFunc(oldTerms(query), func(t string) bool { return !strings.Contains(n, t) }) {
					before = append(before, id)
					break
				}
			}
		}
		slices.Sort(want)
		for _, id := range before {
			if !slices.Contains(want, id) {
				t.Errorf("query %q no longer finds conversation %d", query, id)
			}
		}
		check := func(how string) {
			got := allHistory(t, hs, f.ws.ID, fl)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("query %q%s: index found %v, a scan %v", query, how, got, want)
			}
		}
		check("")
		if tune, ok := s.(interface{ TuneSearch(ginRows, size int) }); ok {
			// PostgreSQL: a first window of 5 conversations, then the GIN
			// index at once, after windows that expect few matches, or
			// never.
			for _, g := range []int{1000, 3, -1} {
				tune.TuneSearch(g, 5)
				check(fmt.Sprintf(" (windows from 5, GIN under %d)", g))
				fl.Oldest = true
				check(fmt.Sprintf(" (windows from 5, GIN under %d, oldest first)", g))
				fl.Oldest = false
			}
			tune.TuneSearch(0, 0)
		}
		if len(want) > 0 {
			found++
		}
	}
	if found < 40 {
		t.Fatalf("only %d of %d queries find anything: the corpus does not exercise the index", found, len(recallQueries))
	}
}

// testSearchIgnoresSpacing: a term is found however the message and the
// query space it (§9): an unspaced query finds spaced text, a quoted
// phrase unspaced text, punctuation is a space, a bigram across two words
// is found; a term that is not there, spaces aside, is not.
func testSearchIgnoresSpacing(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "spacing")
	texts := []string{
		"카드 취소가 안 돼요",     // 0
		"카드취소 확인이 안돼요",    // 1
		"카드-취소 부탁드립니다",    // 2
		"배송 조회는 어디서 하나요?", // 3
		"배송조회 어떻게 해요",     // 4
		"지난번 주문 내역 보는 법",  // 5
		"카드 결제 취소 부탁드립니다", // 6
	}
	convs := make([]int64, len(texts))
	for i, text := range texts {
		c := active(t, s, f, fmt.Sprint("sp-", i), f.a1)
		send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", text)
		convs[i] = c.ID
	}
	for _, tt := range []struct {
		q    string
		want []int // texts, newest first
	}{
		{"카드취소", []int{2, 1, 0}},
		{`"카드 취소"`, []int{2, 1, 0}},
		{"카드-취소", []int{2, 1, 0}},
		{`"카드 취소가"`, []int{0}},
		{"드취", []int{2, 1, 0}},
		{"배송조회", []int{4, 3}},
		{`"배송 조회"`, []int{4, 3}},
		{"주문내역", []int{5}},
		{`"주문 내역 보는"`, []int{5}},
		{"카드결제취소", []int{6}},
		{"카드 취소", []int{6, 2, 1, 0}}, // two words, each anywhere
		{"카드 취소 결제", []int{6}},
		{"취소결제", nil},
		{`"조회 배송"`, nil},
	} {
		fl, err := history.Parse(url.Values{"q": {tt.q}}, time.UTC)
		must(t, err)
		var want []int64
		for _, i := range tt.want {
			want = append(want, convs[i])
		}
		check := func(how string) {
			t.Helper()
			if got := allHistory(t, hs, f.ws.ID, fl); !slices.Equal(got, want) {
				t.Errorf("query %q%s found %v, want %v", tt.q, how, got, want)
			}
			if n, err := hs.CountHistory(ctx, f.ws.ID, fl); err != nil || n != len(want) {
				t.Errorf("query %q%s counted %d (%v), want %d", tt.q, how, n, err, len(want))
			}
		}
		check("")
		if tune, ok := s.(interface{ TuneSearch(ginRows, size int) }); ok {
			tune.TuneSearch(1000, 2) // PostgreSQL: the GIN index after a window of two
			check(" (by the GIN index)")
			tune.TuneSearch(0, 0)
		}
	}
}

// allHistory pages through everything f selects.
func allHistory(t *testing.T, hs history.Store, ws int64, f history.Filter) []int64 {
	t.Helper()
	var ids []int64
	var after *history.Cursor
	for {
		page, err := hs.History(ctx, ws, f, after, 7)
		must(t, err)
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if len(page) < 7 {
			return ids
		}
		last := page[len(page)-1]
		after = &history.Cursor{ID: last.ID}
	}
}

func testHistoryFilters(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	clk := withClock(t, s)
	f := setup(t, s, "hist")
	other := setup(t, s, "other")
	c1 := active(t, s, f, "h-1", f.a1) // kim's, active
	clk.advance(time.Hour)
	c2 := active(t, s, f, "h-2", f.a2) // lee's, then closed
	send(t, s, f.ws.ID, c2.ID, chat.Actor{Kind: chat.SenderVisitor}, "v-1", "환불은 어떻게 하나요? 주문번호 B-7781")
	_, _, err := s.CloseConversation(ctx, f.ws.ID, c2.ID, f.a2)
	must(t, err)
	clk.advance(time.Hour)
	cu := newCustomer(t, s, f.ws, "h-3") // queued, unprocessed once closed
	c3, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
	must(t, err)
	send(t, s, f.ws.ID, c3.ID, chat.Actor{Kind: chat.SenderVisitor}, "v-1", "환불 문의")
	o := active(t, s, other, "o-1", other.a1)
	send(t, s, other.ws.ID, o.ID, chat.Actor{Kind: chat.SenderVisitor}, "v-1", "환불 부탁해요")

	list := func(v url.Values, visibleTo int64) []int64 {
		t.Helper()
		fl, err := history.Parse(v, time.UTC)
		must(t, err)
		fl.VisibleTo = visibleTo
		return allHistory(t, hs, f.ws.ID, fl)
	}
	check := func(name string, got []int64, want ...int64) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("everything, newest first", list(nil, 0), c3.ID, c2.ID, c1.ID)
	check("oldest first", list(url.Values{"sort": {"oldest"}}, 0), c1.ID, c2.ID, c3.ID)
	check("words", list(url.Values{"q": {"환불"}}, 0), c3.ID, c2.ID)
	check("words with digits", list(url.Values{"q": {"b-7781"}}, 0), c2.ID)
	// An internal note is searched too.
	_, _, _, err = s.AddNote(ctx, f.ws.ID, c1.ID, f.a1, chat.NewMessage{ClientMsgID: "n1", Body: "VIP 고객, 다음에 사은품 챙기기"})
	must(t, err)
	check("an internal note", list(url.Values{"q": {"사은품"}}, 0), c1.ID)
	check("closed", list(url.Values{"state": {"closed"}}, 0), c2.ID)
	check("open", list(url.Values{"state": {"open"}}, 0), c3.ID, c1.ID)
	check("processed", list(url.Values{"processed": {"true"}}, 0), c2.ID)
	check("unprocessed", list(url.Values{"processed": {"false"}}, 0))
	check("agent", list(url.Values{"agent_id": {fmt.Sprint(f.a1.AgentID)}}, 0), c1.ID)
	check("period", list(url.Values{"from": {clk.now.Add(-90 * time.Minute).Format(time.RFC3339)}, "to": {clk.now.Add(-30 * time.Minute).Format(time.RFC3339)}}, 0), c2.ID)
	check("customer ID", list(url.Values{"customer": {"h-2"}}, 0), c2.ID)
	check("identifier as the console shows it", list(url.Values{"customer": {chat.Identifier(f.ws.SiteID, "h-2")}}, 0), c2.ID)
	check("another workspace's identifier", list(url.Values{"customer": {chat.Identifier(other.ws.SiteID, "h-2")}}, 0))
	check("an agent sees their own and the queue", list(nil, f.a1.AgentID), c3.ID, c1.ID)
	check("unrated", list(url.Values{"rating": {"none"}}, 0), c3.ID, c2.ID, c1.ID)

	// Category (any level) and tags.
	top, err := s.CreateCategory(ctx, f.ws.ID, 0, "배송", chat.Who{})
	must(t, err)
	sub, err := s.CreateCategory(ctx, f.ws.ID, top.ID, "지연", chat.Who{})
	must(t, err)
	tag, err := s.CreateTag(ctx, f.ws.ID, chat.TagConversation, "VIP", chat.Who{})
	must(t, err)
	_, _, err = s.SetNote(ctx, f.ws.ID, c2.ID, chat.Note{CategoryID: sub.ID, TagIDs: []int64{tag.ID}, Memo: "배송 지연 안내함"})
	must(t, err)
	check("category, from its parent", list(url.Values{"category_id": {fmt.Sprint(top.ID)}}, 0), c2.ID)
	check("conversation tag", list(url.Values{"tag_id": {fmt.Sprint(tag.ID)}}, 0), c2.ID)
	n, err := hs.CountHistory(ctx, f.ws.ID, history.Filter{})
	must(t, err)
	if n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	d, err := hs.ExportDetails(ctx, f.ws.ID, []int64{c2.ID, o.ID})
	must(t, err)
	if d[c2.ID].CustomerKey != "h-2" || !slices.Equal(d[c2.ID].Tags, []string{"VIP"}) || d[c2.ID].Messages != 2 {
		t.Errorf("details = %+v", d[c2.ID])
	}
	if _, ok := d[o.ID]; ok {
		t.Error("another workspace's conversation has details")
	}
	msgs, err := hs.TranscriptOf(ctx, f.ws.ID, []int64{c2.ID, o.ID})
	must(t, err)
	// System messages included, in order; another workspace's none.
	var got []string
	for _, m := range msgs {
		got = append(got, m.Body)
	}
	if want := []string{chat.SystemAssigned, "안녕하세요", "환불은 어떻게 하나요? 주문번호 B-7781", chat.SystemClosed}; !slices.Equal(got, want) {
		t.Errorf("transcript = %q, want %q", got, want)
	}
}

func testExports(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	clk := withClock(t, s)
	f := setup(t, s, "exp")
	active(t, s, f, "e-1", f.a1)
	by := chat.Who{AgentID: f.manager.AgentID, Name: "manager"}
	e := &history.Export{WorkspaceID: f.ws.ID, AgentID: f.manager.AgentID, Format: history.FormatCSV, Layout: history.LayoutMessages,
		Language: "en", Filter: map[string]string{"q": "환불"}}
	must(t, hs.CreateExport(ctx, e, by))
	second := *e
	second.ID = 0
	wantCode(t, hs.CreateExport(ctx, &second, by), chat.ErrExportRunning)
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{})
	must(t, err)
	if len(entries) != 1 || entries[0].Action != chat.AuditExport || entries[0].ActorID != f.manager.AgentID {
		t.Fatalf("audit = %+v", entries)
	}
	jobs, err := s.ClaimJobs(ctx, "n1", clk.now, time.Minute, 10)
	must(t, err)
	if len(jobs) != 1 || jobs[0].Kind != history.JobExport || jobs[0].RefID != e.ID {
		t.Fatalf("jobs = %+v", jobs)
	}
	ok, err := hs.StartExport(ctx, f.ws.ID, e.ID, "r1", 1, clk.now)
	must(t, err)
	if !ok {
		t.Fatal("a queued export was not started")
	}
	if ok, _ := hs.StartExport(ctx, f.ws.ID, e.ID, "r2", 1, clk.now.Add(10*time.Second)); ok {
		t.Fatal("a live runner's export was taken")
	}
	// The first runner dies; after its heartbeat goes stale another takes over.
	ok, err = hs.StartExport(ctx, f.ws.ID, e.ID, "r2", 1, clk.now.Add(time.Minute))
	must(t, err)
	if !ok {
		t.Fatal("an abandoned export was not taken over")
	}
	if ok, _ := hs.ExportProgress(ctx, f.ws.ID, e.ID, "r1", 1, 1, clk.now); ok {
		t.Fatal("the dead runner still records progress")
	}
	done := clk.now.Add(time.Minute)
	exp := done.Add(24 * time.Hour)
	fin := history.Export{ID: e.ID, WorkspaceID: f.ws.ID, State: history.ExportDone, Done: 1, Rows: 3, BlobKey: "exports/x.csv", Size: 10, FinishedAt: &done, ExpiresAt: &exp}
	if ok, _ := hs.FinishExport(ctx, fin, "r1"); ok {
		t.Fatal("the dead runner finished the export")
	}
	ok, err = hs.FinishExport(ctx, fin, "r2")
	must(t, err)
	if !ok {
		t.Fatal("the live runner could not finish")
	}
	got, err := hs.Export(ctx, f.ws.ID, e.ID)
	must(t, err)
	if got.State != history.ExportDone || got.Rows != 3 || got.BlobKey != "exports/x.csv" || got.Filter["q"] != "환불" || got.Language != "en" || got.Progress() != 1 {
		t.Fatalf("export = %+v", got)
	}
	_, err = hs.Export(ctx, setup(t, s, "exp2").ws.ID, e.ID)
	wantCode(t, err, chat.ErrExportNotFound)
	// Done: the next may start.
	must(t, hs.CreateExport(ctx, &second, by))
	key, err := hs.ExpireExport(ctx, f.ws.ID, e.ID, exp.Add(-time.Second))
	must(t, err)
	if key != "" {
		t.Fatal("expired early")
	}
	key, err = hs.ExpireExport(ctx, f.ws.ID, e.ID, exp)
	must(t, err)
	if key != "exports/x.csv" {
		t.Fatalf("expired key = %q", key)
	}
	got, err = hs.Export(ctx, f.ws.ID, e.ID)
	must(t, err)
	if !got.Expired(exp) {
		t.Fatal("not expired")
	}
}

// testSearchBackfill: messages a database held before the index existed
// are found once the backfill has run; it resumes in steps. A message
// masked before the backfill reaches it is found by its new text only.
func testSearchBackfill(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "fill")
	c := active(t, s, f, "b-1", f.a1)
	send(t, s, f.ws.ID, c.ID, chat.Actor{Kind: chat.SenderVisitor}, "v-1", "예전에 보낸 환불 문의")
	masked := active(t, s, f, "b-2", f.a1)
	m := send(t, s, f.ws.ID, masked.ID, chat.VisitorActor, "v-2", "환불 계좌는 110-234-567890 입니다")
	findQ := func(q string) []int64 {
		t.Helper()
		fl, err := history.Parse(url.Values{"q": {q}}, time.UTC)
		must(t, err)
		return allHistory(t, hs, f.ws.ID, fl)
	}
	find := func() []int64 { return findQ("환불 문의") }
	if got := find(); !slices.Equal(got, []int64{c.ID}) {
		t.Fatalf("before: %v", got)
	}
	r, ok := s.(interface{ RebuildSearchIndex(context.Context) error })
	if !ok {
		t.Fatalf("%T cannot rebuild its search index", s)
	}
	must(t, r.RebuildSearchIndex(ctx))
	if got := find(); len(got) != 0 {
		t.Fatalf("an emptied index found %v", got)
	}
	_, _, err := s.MaskMessage(ctx, f.ws.ID, masked.ID, m.ID, pii.Span{Start: 7, End: 21, Kind: pii.Account}, keyring(t), chat.Who{AgentID: f.a1.AgentID, Name: "kim"})
	must(t, err)
	if got := findQ("110-234-567890"); len(got) != 0 {
		t.Fatalf("masked before the backfill reached it, the account is found: %v", got)
	}
	steps := 0
	for more := true; more; steps++ {
		var err error
		more, err = hs.BackfillSearch(ctx, 1)
		must(t, err)
	}
	if steps < 2 {
		t.Errorf("the backfill took %d steps of one message", steps)
	}
	if got := find(); !slices.Equal(got, []int64{c.ID}) {
		t.Fatalf("after the backfill: %v", got)
	}
	if got := findQ("110-234-567890"); len(got) != 0 {
		t.Errorf("after the backfill, the masked account is found: %v", got)
	}
	if got := findQ("환불 계좌는"); !slices.Equal(got, []int64{masked.ID}) {
		t.Errorf("after the backfill, the masked message by its other words: %v", got)
	}
	// Done: another step does nothing.
	more, err := hs.BackfillSearch(ctx, 1)
	must(t, err)
	if more {
		t.Fatal("more after the end")
	}
}

// testSearchFollowsMasking: once part of a message is masked (§11), the
// original is not found any more; the rest of the message still is.
func testSearchFollowsMasking(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "maskfind")
	c := f.open(t, s)
	v := send(t, s, f.ws.ID, c.ID, chat.VisitorActor, "v1", "주민번호 900101-1234568이에요. 연락처는 010-1234-5678 👍🏽")
	_, _, err := s.Take(ctx, f.ws.ID, c.ID, f.a1)
	must(t, err)
	find := func(q string) []int64 {
		t.Helper()
		fl, err := history.Parse(url.Values{"q": {q}}, time.UTC)
		must(t, err)
		return allHistory(t, hs, f.ws.ID, fl)
	}
	if got := find("900101-1234568"); !slices.Equal(got, []int64{c.ID}) {
		t.Fatalf("before masking: %v", got)
	}
	_, _, err = s.MaskMessage(ctx, f.ws.ID, c.ID, v.ID, pii.Span{Start: 5, End: 19, Kind: pii.RRN}, keyring(t), chat.Who{AgentID: f.a1.AgentID, Name: "kim"})
	must(t, err)
	for _, q := range []string{"900101-1234568", "1234568", "900101"} {
		if got := find(q); len(got) != 0 {
			t.Errorf("the masked %q is still found: %v", q, got)
		}
	}
	if got := find("연락처는 010-1234-5678"); !slices.Equal(got, []int64{c.ID}) {
		t.Errorf("the rest of the masked message: %v", got)
	}
}

// testHistoryCustomerRecall: the customer filter, through the customer
// index, selects exactly the conversations a scan of the profiles finds
// (history.CustomerMatches, or the customer ID or identifier itself, the
// identifier also as SITEID_customerID);
// edits, merges and a rebuilt index keep it so.
func testHistoryCustomerRecall(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "custfind")
	other := setup(t, s, "custother")
	names := []string{"김민준", "김민", "이서연", "박지훈", "최수아", "정하은", "강도윤", "조은비", "윤서준", "장하늘",
		"Kim Minjun", "Lee Seo-yeon", "PARK Jihoon", "고객1234", "고객12345", "고객 1234", "홍길동", "홍 길동", "", "김"}
	nicknames := []string{"", "단골", "VIP 김", "민준이", "", "까다로운 고객", "", "", "KIM", ""}
	emails := []string{"minjun.kim@example.com", "", "seo_yeon@corp.co.kr", "jihoon+shop@gmail.com", "", "hana@naver.com", "", "kim@kim.kr"}
	phones := []string{"010-1234-5678", "01098765432", "+82 10-5555-1234", "", "02-345-6789", "010 1111 2222", "", "070-1234-0000"}
	type row struct {
		conv   int64
		cu     *chat.Customer
		fields []string
	}
	var rows []row
	add := func(i int) {
		id := fmt.Sprintf("cf-%02d", i)
		cu := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: id}
		cu.Name, cu.Email, cu.Phone = names[i%len(names)], emails[i%len(emails)], phones[i%len(phones)]
		must(t, s.UpsertCustomer(ctx, cu))
		if nick := nicknames[i%len(nicknames)]; nick != "" {
			var err error
			cu, _, err = s.UpdateProfile(ctx, f.ws.ID, cu.ID, chat.ProfilePatch{Nickname: &nick})
			must(t, err)
		}
		c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		rows = append(rows, row{c.ID, cu, history.CustomerFields(cu.Name, cu.Nickname, cu.Email, cu.Phone)})
	}
	for i := range 40 {
		add(i)
	}
	// Another workspace's customer with the same name is never found.
	ou := &chat.Customer{WorkspaceID: other.ws.ID, ExternalID: "cf-00", Profile: chat.Profile{Name: "김민준", Phone: "010-1234-5678"}}
	must(t, s.UpsertCustomer(ctx, ou))
	_, _, err := openConversation(s, other.ws.ID, ou.ID, chat.ChannelWeb)
	must(t, err)

	queries := []string{"김", "김민", "김민준", "민준", "민", "이서연", "서연", "kim", "KIM", "minjun", "kim minjun", "Kim Minjun",
		"seo-yeon", "seo yeon", "seo_yeon", "example", "example.com", "@example.com", "minjun.kim@example.com", "naver",
		"gmail.com", "jihoon+shop", "010", "1234", "010-1234", "01012345678", "010-1234-5678", "5555-1234", "821055551234",
		"+82 10", "02-345", "1111 2222", "010-5555-1234", "+82 10-1234-5678", "+82 010-1111", "고객", "고객1234", "고객 1234", "1234", "12345", "홍길동", "길동", "홍 길동",
		"단골", "vip", "VIP 김", "까다로운", "고객1", "cf-03", "cf-07", "custfind_cf-03", "custother_cf-03", "custfind_", "없는사람", "zzz", "@", "-", "ㅋ"}
	check := func(when string) {
		t.Helper()
		for _, q := range queries {
			fl, err := history.Parse(url.Values{"customer": {q}}, time.UTC)
			must(t, err)
			terms := history.CustomerTerms(q)
			var want []int64
			for _, r := range rows {
				key := strings.TrimPrefix(q, chat.Identifier(f.ws.SiteID, "")) // an identifier as the console shows it
				if r.cu.CustomerID == q || r.cu.ExternalID == q || r.cu.CustomerID == key || r.cu.ExternalID == key ||
					history.CustomerMatches(r.fields, terms) {
					want = append(want, r.conv)
				}
			}
			slices.Sort(want)
			slices.Reverse(want)
			got := allHistory(t, hs, f.ws.ID, fl)
			if !slices.Equal(got, want) {
				t.Errorf("%s: customer %q: index found %v, a scan %v", when, q, got, want)
			}
			n, err := hs.CountHistory(ctx, f.ws.ID, fl)
			must(t, err)
			if n != len(want) {
				t.Errorf("%s: customer %q: counted %d, a scan %d", when, q, n, len(want))
			}
		}
	}
	check("as created")

	// An edit is found under the new name only.
	newName := "남궁민수"
	cu, _, err := s.UpdateProfile(ctx, f.ws.ID, rows[0].cu.ID, chat.ProfilePatch{Name: &newName})
	must(t, err)
	rows[0].cu, rows[0].fields = cu, history.CustomerFields(cu.Name, cu.Nickname, cu.Email, cu.Phone)
	queries = append(queries, "남궁", "남궁민수")
	check("after an edit")

	// A merge: identifier 1's profile joins identifier 2's and is deleted,
	// and so is identifier 1, a web identifier folded into identifier 2
	// (§1.3), once its chat is over.
	_, _, err = s.CloseConversation(ctx, f.ws.ID, rows[1].conv, f.manager)
	must(t, err)
	folded := rows[1].cu.ID
	merged, _, err := s.ChangeCustomerID(ctx, f.ws.ID, folded, rows[2].cu.CustomerID, true, chat.Who{})
	must(t, err)
	for i := range rows {
		if rows[i].cu.ID == folded {
			rows[i].cu = merged
		}
		if rows[i].cu.Profile.ID == merged.Profile.ID {
			c, err := s.Customer(ctx, f.ws.ID, rows[i].cu.ID)
			must(t, err)
			rows[i].cu, rows[i].fields = c, history.CustomerFields(c.Name, c.Nickname, c.Email, c.Phone)
		}
	}
	check("after a merge")

	r, ok := s.(interface{ RebuildCustomerIndex(context.Context) error })
	if !ok {
		t.Fatalf("%T cannot rebuild its customer index", s)
	}
	must(t, r.RebuildCustomerIndex(ctx))
	check("after a rebuild")
}

// testHistoryCustomerPhoneForms: a Korean phone number is found whichever
// way the profile and the query write it, national (010-…) or
// international (+82 10-…), and only the numbers that match.
func testHistoryCustomerPhoneForms(t *testing.T, s chat.Store) {
	hs := s.(history.Store)
	f := setup(t, s, "phoneforms")
	conv := map[string]int64{}
	for id, phone := range map[string]string{"national": "010-2345-6789", "international": "+82 10-9876-5432", "slip": "+82 010 1111 2222", "other": "010-2345-0000"} {
		cu := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: id, Profile: chat.Profile{Phone: phone}}
		must(t, s.UpsertCustomer(ctx, cu))
		c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		conv[id] = c.ID
	}
	for q, want := range map[string][]string{
		"+82 10-2345-6789": {"national"}, "+82 10 2345": {"other", "national"},
		"010-9876-5432": {"international"}, "01098765432": {"international"}, "+82 010-9876-5432": {"international"},
		"010-1111-2222": {"slip"}, "+82 10-1111-2222": {"slip"}, "010-2345-6789": {"national"},
	} {
		fl, err := history.Parse(url.Values{"customer": {q}}, time.UTC)
		must(t, err)
		var ids []int64
		for _, id := range want {
			ids = append(ids, conv[id])
		}
		slices.Sort(ids)
		slices.Reverse(ids)
		if got := allHistory(t, hs, f.ws.ID, fl); !slices.Equal(got, ids) {
			t.Errorf("customer %q: found %v, want %v (%v)", q, got, ids, want)
		}
	}
}
