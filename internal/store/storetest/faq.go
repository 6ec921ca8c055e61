package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/faq"
)

// testFAQ: the FAQ's categories, articles and synonyms; each change moves
// the revision and is audited in its own transaction, a refused one
// neither.
func testFAQ(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq")
	other := setup(t, s, "faq-other")
	by := whoOf(f.manager, "manager")
	rev0, err := s.FAQRevision(ctx, f.ws.ID)
	must(t, err)

	delivery := &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "배송", NameEN: "Delivery", Position: 2}
	must(t, s.CreateFAQCategory(ctx, delivery, by))
	refunds := &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "환불", Position: 1}
	must(t, s.CreateFAQCategory(ctx, refunds, by))
	theirs := &chat.FAQCategory{WorkspaceID: other.ws.ID, Name: "기타"}
	must(t, s.CreateFAQCategory(ctx, theirs, by))
	wantCode(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "  "}, by), chat.ErrInvalid)

	a := &chat.Article{WorkspaceID: f.ws.ID, CategoryID: refunds.ID, Title: " 환불은 언제 되나요? ", Lang: "ko", Published: true,
		Keywords: []string{"환불 기간", "환불 기간", "refund"},
		BodyHTML: `<p onclick="alert(1)">영업일 <b>3일</b> 안에 환불됩니다.<script>alert(1)</script></p><a href="javascript:alert(1)">x</a><svg onload="alert(1)"></svg>`}
	must(t, s.CreateArticle(ctx, a, by))
	if a.ID == 0 || a.Title != "환불은 언제 되나요?" || len(a.Keywords) != 2 {
		t.Fatalf("created %+v", a)
	}
	for _, bad := range []string{"onclick", "<script", "javascript:", "<svg", "onload"} {
		if strings.Contains(a.BodyHTML, bad) {
			t.Fatalf("unsafe HTML stored: %q", a.BodyHTML)
		}
	}
	if a.BodyText != "영업일 3일 안에 환불됩니다.\nx" {
		t.Fatalf("text %q", a.BodyText)
	}
	draft := &chat.Article{WorkspaceID: f.ws.ID, CategoryID: delivery.ID, Title: "배송 조회", BodyHTML: "<p>주문내역에서 확인하세요.</p>"}
	must(t, s.CreateArticle(ctx, draft, by))

	// Refusals change nothing.
	rev1, err := s.FAQRevision(ctx, f.ws.ID)
	must(t, err)
	if rev1 <= rev0 {
		t.Fatalf("revision did not move: %d → %d", rev0, rev1)
	}
	for _, bad := range []*chat.Article{
		{WorkspaceID: f.ws.ID, Title: "", BodyHTML: "x"},
		{WorkspaceID: f.ws.ID, Title: "x", BodyHTML: strings.Repeat("가", chat.MaxFAQBody)},
		{WorkspaceID: f.ws.ID, Title: "x", Lang: "jp"},
		{WorkspaceID: f.ws.ID, Title: "x", CategoryID: theirs.ID},
		{WorkspaceID: f.ws.ID, Title: "x", CategoryID: 999999},
		{WorkspaceID: f.ws.ID, Title: "x", Keywords: []string{strings.Repeat("k", 51)}},
	} {
		err := s.CreateArticle(ctx, bad, by)
		if err == nil {
			t.Fatalf("accepted %+v", bad)
		}
	}
	if rev, _ := s.FAQRevision(ctx, f.ws.ID); rev != rev1 {
		t.Fatalf("a refusal moved the revision")
	}

	all, err := s.Articles(ctx, f.ws.ID, false)
	must(t, err)
	if len(all) != 2 || all[0].ID != a.ID {
		t.Fatalf("articles in category order: %+v", all)
	}
	pub, err := s.Articles(ctx, f.ws.ID, true)
	must(t, err)
	if len(pub) != 1 || pub[0].ID != a.ID {
		t.Fatalf("published: %+v", pub)
	}
	// Another workspace's IDs mean nothing.
	_, err = s.Article(ctx, other.ws.ID, a.ID)
	wantCode(t, err, chat.ErrNotFound)
	wantCode(t, s.DeleteArticle(ctx, other.ws.ID, a.ID, by), chat.ErrNotFound)
	wantCode(t, s.DeleteFAQCategory(ctx, other.ws.ID, refunds.ID, by), chat.ErrNotFound)
	wantCode(t, s.RateArticle(ctx, other.ws.ID, a.ID, true), chat.ErrNotFound)
	_, err = s.UpdateArticle(ctx, other.ws.ID, a.ID, chat.ArticlePatch{Title: new("x")}, by)
	wantCode(t, err, chat.ErrNotFound)
	_, err = s.UpdateFAQCategory(ctx, other.ws.ID, refunds.ID, chat.FAQCategoryPatch{Name: new("x")}, by)
	wantCode(t, err, chat.ErrNotFound)

	// Feedback counts on published articles only.
	must(t, s.RateArticle(ctx, f.ws.ID, a.ID, true))
	must(t, s.RateArticle(ctx, f.ws.ID, a.ID, false))
	must(t, s.RateArticle(ctx, f.ws.ID, a.ID, true))
	wantCode(t, s.RateArticle(ctx, f.ws.ID, draft.ID, true), chat.ErrNotFound)
	got, err := s.Article(ctx, f.ws.ID, a.ID)
	must(t, err)
	if got.Helpful != 2 || got.NotHelpful != 1 {
		t.Fatalf("feedback %+v", got)
	}

	// Update keeps the counts; deleting a category keeps its articles.
	got, err = s.UpdateArticle(ctx, f.ws.ID, a.ID, chat.ArticlePatch{Title: new("환불 기간"), Published: new(false)}, by)
	must(t, err)
	if got.Helpful != 2 || got.Title != "환불 기간" || got.Published {
		t.Fatalf("updated %+v", got)
	}
	must(t, s.DeleteFAQCategory(ctx, f.ws.ID, refunds.ID, by))
	got, err = s.Article(ctx, f.ws.ID, a.ID)
	must(t, err)
	if got.CategoryID != 0 {
		t.Fatalf("category kept %+v", got)
	}

	// Synonyms.
	wantCode(t, s.SetFAQSynonyms(ctx, f.ws.ID, [][]string{{"반품"}}, by), chat.ErrInvalid)
	must(t, s.SetFAQSynonyms(ctx, f.ws.ID, [][]string{{"반품", " 환불 요청 "}}, by))
	syn, err := s.FAQSynonyms(ctx, f.ws.ID)
	must(t, err)
	if len(syn) != 1 || syn[0][1] != "환불 요청" {
		t.Fatalf("synonyms %v", syn)
	}
	if syn, _ := s.FAQSynonyms(ctx, other.ws.ID); len(syn) != 0 {
		t.Fatalf("other workspace's synonyms %v", syn)
	}
	must(t, s.DeleteArticle(ctx, f.ws.ID, draft.ID, by))
	wantAudit(t, s, f.ws.ID, "faq.article_delete:배송 조회 faq.synonyms:faq faq.category_delete:환불 faq.article_update:환불 기간 "+
		"faq.article_create:배송 조회 faq.article_create:환불은 언제 되나요? faq.category_create:환불 faq.category_create:배송")
	if e := lastAudit(t, s, f.ws.ID, chat.AuditArticleUpdate); e.ActorName != "manager" || !strings.Contains(jsonOf(e),
		`"before":{"title":"환불은 언제 되나요?","category_id":`+fmt.Sprint(refunds.ID)+`,"published":true},"after":{"title":"환불 기간","category_id":`+fmt.Sprint(refunds.ID)+`,"published":false}`) {
		t.Fatalf("the update's entry %s", jsonOf(e))
	}
	if e := lastAudit(t, s, f.ws.ID, chat.AuditFAQSynonyms); !strings.Contains(jsonOf(e), `"before":{"synonyms":[]},"after":{"synonyms":[["반품","환불 요청"]]}`) {
		t.Fatalf("the synonyms' entry %s", jsonOf(e))
	}

	// A change made on the article as its editor read it (Unchanged:
	// If-Match) applies only if nobody saved it since: a second manager's
	// whole article is not laid over the first's without a word.
	read, err := s.Article(ctx, f.ws.ID, a.ID)
	must(t, err)
	stale := read.UpdatedAt
	saved, err := s.UpdateArticle(ctx, f.ws.ID, a.ID, chat.ArticlePatch{BodyHTML: new("<p>첫 관리자의 글</p>"), Unchanged: &stale}, by)
	must(t, err)
	if saved.UpdatedAt.Equal(stale) {
		t.Fatalf("a save kept updated_at %v", stale)
	}
	_, err = s.UpdateArticle(ctx, f.ws.ID, a.ID, chat.ArticlePatch{Title: new("환불은 언제 되나요 🙏"), BodyHTML: new("<p>두 번째</p>"), Unchanged: &stale}, by)
	wantCode(t, err, chat.ErrConflict)
	if back, _ := s.Article(ctx, f.ws.ID, a.ID); back.Title != "환불 기간" || back.BodyText != "첫 관리자의 글" || !back.UpdatedAt.Equal(saved.UpdatedAt) {
		t.Fatalf("a stale change changed the article: %+v", back)
	}
	fresh := saved.UpdatedAt
	saved, err = s.UpdateArticle(ctx, f.ws.ID, a.ID, chat.ArticlePatch{Title: new("환불은 언제 되나요 🙏"), Unchanged: &fresh}, by)
	must(t, err)
	if saved.Title != "환불은 언제 되나요 🙏" {
		t.Fatalf("a current change: %+v", saved)
	}
	// The version a new article is answered with is the one stored: a
	// client that sends it back is not refused as if someone had saved.
	made := &chat.Article{WorkspaceID: f.ws.ID, Title: "교환 신청", BodyHTML: "<p>주문내역에서</p>"}
	must(t, s.CreateArticle(ctx, made, by))
	if read, _ := s.Article(ctx, f.ws.ID, made.ID); !read.UpdatedAt.Equal(made.UpdatedAt) || !read.CreatedAt.Equal(made.CreatedAt) {
		t.Fatalf("created at %v / %v, stored %v / %v", made.CreatedAt, made.UpdatedAt, read.CreatedAt, read.UpdatedAt)
	}
	_, err = s.UpdateArticle(ctx, f.ws.ID, made.ID, chat.ArticlePatch{Published: new(true), Unchanged: &made.UpdatedAt}, by)
	must(t, err)
}

func testFAQImport(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-import")
	other := setup(t, s, "faq-import-other")
	by := chat.Who{AgentID: f.manager.AgentID, Name: "manager"}
	mine := &chat.Article{WorkspaceID: f.ws.ID, Title: "교환 신청", BodyHTML: "<p>주문내역에서 신청하세요.</p>", Published: true}
	must(t, s.CreateArticle(ctx, mine, by))
	theirs := &chat.Article{WorkspaceID: other.ws.ID, Title: "남의 글", BodyHTML: "x"}
	must(t, s.CreateArticle(ctx, theirs, by))

	file := chat.FAQExport{Version: 1,
		Categories: []chat.FAQCategory{{ID: 77, Name: "교환"}},
		Articles: []chat.Article{
			{ID: mine.ID, CategoryID: 77, Title: "교환 신청 방법", BodyHTML: "<p>마이페이지에서</p>", Published: true, Lang: "ko"},
			{ID: theirs.ID, Title: "새 글", BodyHTML: "<p>새로</p><script>x</script>", Lang: "ko"},
			{Title: "How to exchange", BodyHTML: "<p>From your orders</p>", Lang: "en", Published: true},
		},
		Synonyms: [][]string{{"교환", "바꾸기"}},
	}
	created, updated, err := s.ImportFAQ(ctx, f.ws.ID, file, by)
	must(t, err)
	if created != 2 || updated != 1 {
		t.Fatalf("created %d updated %d", created, updated)
	}
	all, err := s.Articles(ctx, f.ws.ID, false)
	must(t, err)
	if len(all) != 3 {
		t.Fatalf("after import %+v", all)
	}
	cats, err := s.FAQCategories(ctx, f.ws.ID)
	must(t, err)
	for _, a := range all {
		if a.ID == mine.ID && (a.Title != "교환 신청 방법" || len(cats) != 1 || a.CategoryID != cats[0].ID) {
			t.Fatalf("updated article %+v (categories %+v)", a, cats)
		}
		if strings.Contains(a.BodyHTML, "<script") {
			t.Fatalf("import kept a script: %q", a.BodyHTML)
		}
	}
	if got, _ := s.Article(ctx, other.ws.ID, theirs.ID); got.Title != "남의 글" {
		t.Fatalf("import changed another workspace's article: %+v", got)
	}

	// A file of a few columns (CSV) changes only those.
	draft := &chat.Article{WorkspaceID: f.ws.ID, Title: "Draft", BodyHTML: "x", Lang: "en", Keywords: []string{"k"}, Position: 3, CategoryID: cats[0].ID}
	must(t, s.CreateArticle(ctx, draft, by))
	few := chat.FAQExport{Version: 1, Columns: map[string]bool{"id": true, "title": true, "body_html": true},
		Articles: []chat.Article{{ID: draft.ID, Title: "Draft 2", BodyHTML: "y", Published: true, Lang: "ko"}}}
	_, _, err = s.ImportFAQ(ctx, f.ws.ID, few, by)
	must(t, err)
	if got, _ := s.Article(ctx, f.ws.ID, draft.ID); got.Title != "Draft 2" || got.BodyHTML != "y" || got.Published || got.Lang != "en" ||
		got.Position != 3 || got.CategoryID != cats[0].ID || len(got.Keywords) != 1 {
		t.Fatalf("a few columns changed others: %+v", got)
	}
	must(t, s.DeleteArticle(ctx, f.ws.ID, draft.ID, by))

	// A refusal anywhere imports nothing.
	rev, _ := s.FAQRevision(ctx, f.ws.ID)
	bad := chat.FAQExport{Version: 1, Articles: []chat.Article{
		{Title: "좋은 글", BodyHTML: "x"},
		{Title: "", BodyHTML: "x"},
	}}
	_, _, err = s.ImportFAQ(ctx, f.ws.ID, bad, by)
	wantCode(t, err, chat.ErrInvalid)
	if !strings.Contains(err.Error(), "articles[1]") {
		t.Fatalf("error does not say where: %v", err)
	}
	if after, _ := s.Articles(ctx, f.ws.ID, false); len(after) != 3 {
		t.Fatalf("partly imported: %d articles", len(after))
	}
	if r, _ := s.FAQRevision(ctx, f.ws.ID); r != rev {
		t.Fatalf("refused import moved the revision")
	}

	// Searching sees the import at once.
	found, err := faq.NewSearcher(s).Search(ctx, f.ws.ID, "교환 신청", "ko", 3)
	must(t, err)
	if len(found) == 0 || found[0].Article.ID != mine.ID {
		t.Fatalf("search %+v", found)
	}
}

// testFAQConcurrentPatches: managers changing different fields of one
// article (or category) at the same moment all keep their change: each
// patch applies to the row as the change before it left it.
func testFAQConcurrentPatches(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-patch")
	by := whoOf(f.manager, "manager")
	cat := &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "환불"}
	must(t, s.CreateFAQCategory(ctx, cat, by))
	for round := range 5 {
		a := &chat.Article{WorkspaceID: f.ws.ID, Title: "환불은 언제 되나요?", BodyHTML: "<p>영업일 3일</p>", Lang: "ko", Published: true}
		must(t, s.CreateArticle(ctx, a, by))
		patches := []chat.ArticlePatch{
			{Title: new("환불은 언제 되나요? (영업일 기준)")},
			{BodyHTML: new("<p>검수 후 영업일 3일</p>")},
			{Keywords: &[]string{"환불 기간"}},
			{Published: new(false)},
			{Position: new(round + 1)},
			{CategoryID: &cat.ID},
		}
		catPatches := []chat.FAQCategoryPatch{{NameEN: new("Refunds")}, {Position: new(round + 2)}, {Name: new("환불 · 반품")}}
		var wg sync.WaitGroup
		errs := make(chan error, len(patches)+len(catPatches))
		for _, p := range patches {
			wg.Go(func() {
				_, err := s.UpdateArticle(ctx, f.ws.ID, a.ID, p, by)
				errs <- err
			})
		}
		for _, p := range catPatches {
			wg.Go(func() {
				_, err := s.UpdateFAQCategory(ctx, f.ws.ID, cat.ID, p, by)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		got, err := s.Article(ctx, f.ws.ID, a.ID)
		must(t, err)
		if got.Title != "환불은 언제 되나요? (영업일 기준)" || got.BodyText != "검수 후 영업일 3일" || len(got.Keywords) != 1 ||
			got.Published || got.Position != round+1 || got.CategoryID != cat.ID {
			t.Fatalf("round %d: a change was lost: %+v", round, got)
		}
		cs, err := s.FAQCategories(ctx, f.ws.ID)
		must(t, err)
		if len(cs) != 1 || cs[0].NameEN != "Refunds" || cs[0].Position != round+2 || cs[0].Name != "환불 · 반품" {
			t.Fatalf("round %d: a change was lost: %+v", round, cs)
		}
	}
}

// testFAQImportFull: an import of as many articles as a workspace may
// hold goes in as one, in several statements, all or nothing: the rows
// are the file's, a file one article over the limit, or refused at its
// last article, changes nothing.
func testFAQImportFull(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-import-full")
	other := setup(t, s, "faq-import-full-other")
	by := chat.Who{AgentID: f.manager.AgentID, Name: "manager"}
	theirs := &chat.FAQCategory{WorkspaceID: other.ws.ID, Name: "남의 분류"}
	must(t, s.CreateFAQCategory(ctx, theirs, by))

	file := faqBenchFile()
	file.Articles[len(file.Articles)-1].CategoryID = theirs.ID
	_, _, err := s.ImportFAQ(ctx, f.ws.ID, file, by)
	wantCode(t, err, chat.ErrNotFound)
	if !strings.Contains(err.Error(), fmt.Sprint("articles[", chat.MaxFAQArticles-1, "]")) {
		t.Fatalf("the refusal names another entry: %v", err)
	}
	if as, _ := s.Articles(ctx, f.ws.ID, false); len(as) != 0 {
		t.Fatalf("a refused import left %d articles", len(as))
	}
	if cs, _ := s.FAQCategories(ctx, f.ws.ID); len(cs) != 0 {
		t.Fatalf("a refused import left %d categories", len(cs))
	}

	file = faqBenchFile()
	created, updated, err := s.ImportFAQ(ctx, f.ws.ID, file, by)
	must(t, err)
	if created != chat.MaxFAQArticles || updated != 0 {
		t.Fatalf("created %d, updated %d", created, updated)
	}
	as, err := s.Articles(ctx, f.ws.ID, false)
	must(t, err)
	cs, err := s.FAQCategories(ctx, f.ws.ID)
	must(t, err)
	if len(as) != chat.MaxFAQArticles || len(cs) != 20 {
		t.Fatalf("%d articles in %d categories", len(as), len(cs))
	}
	catName := map[int64]string{}
	for _, c := range cs {
		catName[c.ID] = c.Name
	}
	seen := map[string]bool{}
	for _, a := range as {
		var i int
		if _, err := fmt.Sscanf(a.Title, "주문 %d번", &i); err != nil || seen[a.Title] {
			t.Fatalf("article %+v", a)
		}
		seen[a.Title] = true
		want := file.Articles[i]
		if a.Position != i || a.Published != want.Published || catName[a.CategoryID] != fmt.Sprintf("분류 %d", i%20+1) ||
			a.BodyText == "" || len(a.Keywords) != 3 || a.Lang != "ko" {
			t.Fatalf("article %d stored as %+v", i, a)
		}
	}
	rev, _ := s.FAQRevision(ctx, f.ws.ID)
	one := chat.FAQExport{Version: 1, Articles: []chat.Article{{Title: "한 개 더", BodyHTML: "<p>넘칩니다</p>"}}}
	_, _, err = s.ImportFAQ(ctx, f.ws.ID, one, by)
	wantCode(t, err, chat.ErrLimitReached)
	wantCode(t, s.CreateArticle(ctx, &chat.Article{WorkspaceID: f.ws.ID, Title: "한 개 더", BodyHTML: "<p>넘칩니다</p>"}, by), chat.ErrLimitReached)
	if r, _ := s.FAQRevision(ctx, f.ws.ID); r != rev {
		t.Fatal("a refused import moved the revision")
	}
}

// testFAQCategoryNames: an FAQ category's name is the workspace's only
// one but for its case, on create, rename and import (as tags'); a
// category keeps a name it had already (a database may hold duplicates
// from before the check), and another workspace's names do not count.
func testFAQCategoryNames(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-names")
	other := setup(t, s, "faq-names-other")
	by := whoOf(f.manager, "manager")
	refunds := &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "Refund 환불"}
	must(t, s.CreateFAQCategory(ctx, refunds, by))
	delivery := &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "배송"}
	must(t, s.CreateFAQCategory(ctx, delivery, by))
	must(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: other.ws.ID, Name: "배송"}, by))
	rev, _ := s.FAQRevision(ctx, f.ws.ID)

	wantCode(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "배송"}, by), chat.ErrNameInUse)
	wantCode(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: " REFUND 환불 "}, by), chat.ErrNameInUse)
	name := "refund 환불"
	_, err := s.UpdateFAQCategory(ctx, f.ws.ID, delivery.ID, chat.FAQCategoryPatch{Name: &name}, by)
	wantCode(t, err, chat.ErrNameInUse)
	_, _, err = s.ImportFAQ(ctx, f.ws.ID, chat.FAQExport{Version: 1, Categories: []chat.FAQCategory{{ID: -1, Name: "배송"}}}, by)
	wantCode(t, err, chat.ErrNameInUse)
	if r, _ := s.FAQRevision(ctx, f.ws.ID); r != rev {
		t.Fatal("a refused name moved the revision")
	}
	if cs, _ := s.FAQCategories(ctx, f.ws.ID); len(cs) != 2 {
		t.Fatalf("categories after refusals: %+v", cs)
	}

	// Its own name, in another case, and a move keep working.
	name = "REFUND 환불"
	got, err := s.UpdateFAQCategory(ctx, f.ws.ID, refunds.ID, chat.FAQCategoryPatch{Name: &name}, by)
	must(t, err)
	if got.Name != name {
		t.Fatalf("renamed to %q", got.Name)
	}
	pos := 5
	_, err = s.UpdateFAQCategory(ctx, f.ws.ID, delivery.ID, chat.FAQCategoryPatch{Position: &pos}, by)
	must(t, err)
}

// testWorkspaceLimits: a workspace's canned responses, tags of each kind,
// conversation categories, FAQ categories and FAQ images stop at their
// limits (lowered here, but for FAQ categories' 200) with
// ErrLimitReached, and a refusal writes nothing; one deleted makes room,
// and another workspace's count is its own.
func testWorkspaceLimits(t *testing.T, s chat.Store) {
	f := setup(t, s, "limits")
	other := setup(t, s, "limits-other")
	by := whoOf(f.manager, "manager")
	lower := func(v *int, n int) {
		was := *v
		*v = n
		t.Cleanup(func() { *v = was })
	}
	lower(&chat.MaxCannedPerWorkspace, 2)
	lower(&chat.MaxTagsPerKind, 2)
	lower(&chat.MaxCategoriesPerWorkspace, 2)
	lower(&chat.MaxFAQImages, 2)

	for _, ws := range []int64{f.ws.ID, other.ws.ID} {
		for i := range 2 {
			must(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: ws, Title: fmt.Sprint("인사 ", i), Body: "안녕하세요, 소담 고객센터입니다."}, by))
		}
	}
	wantCode(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: f.ws.ID, Title: "마무리", Body: "감사합니다."}, by), chat.ErrLimitReached)
	wantCode(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: f.ws.ID, OwnerID: f.a1.AgentID, Title: "내 인사", Body: "네, 확인해 드릴게요."}, whoOf(f.a1, "kim")), chat.ErrLimitReached)
	cs, err := s.CannedResponses(ctx, f.ws.ID, f.manager.AgentID)
	must(t, err)
	if len(cs) != 2 {
		t.Fatalf("canned responses after refusals: %d", len(cs))
	}
	must(t, s.DeleteCanned(ctx, f.ws.ID, cs[0].ID, f.manager, by))
	must(t, s.CreateCanned(ctx, &chat.Canned{WorkspaceID: f.ws.ID, Title: "마무리", Body: "감사합니다."}, by))

	for _, kind := range []chat.TagKind{chat.TagCustomer, chat.TagConversation} {
		for _, name := range []string{"VIP", "재문의"} {
			_, err := s.CreateTag(ctx, f.ws.ID, kind, name, by)
			must(t, err)
		}
		_, err := s.CreateTag(ctx, f.ws.ID, kind, "불만", by)
		wantCode(t, err, chat.ErrLimitReached)
	}
	_, err = s.CreateCategory(ctx, f.ws.ID, 0, "배송", by)
	must(t, err)
	_, err = s.CreateCategory(ctx, f.ws.ID, 0, "환불", by)
	must(t, err)
	_, err = s.CreateCategory(ctx, f.ws.ID, 0, "교환", by)
	wantCode(t, err, chat.ErrLimitReached)
	cats, _ := s.Categories(ctx, f.ws.ID)
	must(t, s.DeleteCategory(ctx, f.ws.ID, cats[0].ID, by))
	_, err = s.CreateCategory(ctx, f.ws.ID, 0, "교환", by)
	must(t, err)

	for i := range 2 {
		must(t, s.AddFAQImage(ctx, &chat.FAQImage{WorkspaceID: f.ws.ID, Name: "배송안내.png", ContentType: "image/png", Size: 10, BlobKey: fmt.Sprint("limits/", i)}, by))
	}
	wantCode(t, s.AddFAQImage(ctx, &chat.FAQImage{WorkspaceID: f.ws.ID, Name: "환불안내.png", ContentType: "image/png", Size: 10, BlobKey: "limits/2"}, by), chat.ErrLimitReached)
	must(t, s.AddFAQImage(ctx, &chat.FAQImage{WorkspaceID: other.ws.ID, Name: "환불안내.png", ContentType: "image/png", Size: 10, BlobKey: "limits/3"}, by))

	for i := range chat.MaxFAQCategories {
		must(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: fmt.Sprint("분류 ", i)}, by))
	}
	rev, _ := s.FAQRevision(ctx, f.ws.ID)
	wantCode(t, s.CreateFAQCategory(ctx, &chat.FAQCategory{WorkspaceID: f.ws.ID, Name: "하나 더"}, by), chat.ErrLimitReached)
	_, _, err = s.ImportFAQ(ctx, f.ws.ID, chat.FAQExport{Version: 1, Categories: []chat.FAQCategory{{ID: -1, Name: "하나 더"}}}, by)
	wantCode(t, err, chat.ErrLimitReached)
	if r, _ := s.FAQRevision(ctx, f.ws.ID); r != rev {
		t.Fatal("a refusal moved the revision")
	}
}

// testFAQImageDelete: an image no article shows is deleted (audited, the
// record gone, its blob key returned); one a published or a draft article
// shows is refused with ErrImageInUse and stays; another workspace's is
// not found.
func testFAQImageDelete(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-images")
	other := setup(t, s, "faq-images-other")
	by := whoOf(f.manager, "manager")
	var imgs []*chat.FAQImage
	for i := range 4 {
		img := &chat.FAQImage{WorkspaceID: f.ws.ID, Name: fmt.Sprintf("안내%d.png", i), ContentType: "image/png", Size: 100, BlobKey: fmt.Sprint("faq-images/", i)}
		must(t, s.AddFAQImage(ctx, img, by))
		imgs = append(imgs, img)
	}
	src := func(img *chat.FAQImage) string {
		return fmt.Sprintf(`<p>아래처럼 누르세요.</p><img src="/help/faq-images/images/%d" alt="">`, img.ID)
	}
	must(t, s.CreateArticle(ctx, &chat.Article{WorkspaceID: f.ws.ID, Title: "배송 조회", BodyHTML: src(imgs[0]), Published: true}, by))
	must(t, s.CreateArticle(ctx, &chat.Article{WorkspaceID: f.ws.ID, Title: "교환 신청 (작성 중)", BodyHTML: src(imgs[1])}, by))
	// An address that only starts like another image's is not that image.
	must(t, s.CreateArticle(ctx, &chat.Article{WorkspaceID: f.ws.ID, Title: "환불", BodyHTML: fmt.Sprintf(`<img src="/help/faq-images/images/%d0" alt="">`, imgs[2].ID)}, by))

	for _, img := range imgs[:2] {
		_, err := s.DeleteFAQImage(ctx, f.ws.ID, img.ID, by)
		wantCode(t, err, chat.ErrImageInUse)
		if _, err := s.FAQImage(ctx, f.ws.ID, img.ID); err != nil {
			t.Fatalf("a refused delete removed the image: %v", err)
		}
	}
	_, err := s.DeleteFAQImage(ctx, other.ws.ID, imgs[2].ID, whoOf(other.manager, "manager"))
	wantCode(t, err, chat.ErrNotFound)
	got, err := s.DeleteFAQImage(ctx, f.ws.ID, imgs[2].ID, by)
	must(t, err)
	if got.BlobKey != imgs[2].BlobKey {
		t.Fatalf("deleted %+v", got)
	}
	_, err = s.FAQImage(ctx, f.ws.ID, imgs[2].ID)
	wantCode(t, err, chat.ErrNotFound)
	_, err = s.DeleteFAQImage(ctx, f.ws.ID, imgs[2].ID, by)
	wantCode(t, err, chat.ErrNotFound)
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Action: chat.AuditFAQImageDelete})
	must(t, err)
	if len(entries) != 1 || entries[0].Target != "안내2.png" || entries[0].ActorID != f.manager.AgentID {
		t.Fatalf("audit %+v", entries)
	}
}

// testFAQImageSweep: images no article shows are deleted once they are
// chat.FAQImageGrace old, by a sweep that an upload or an FAQ change
// schedules and that schedules itself again while younger unshown images
// remain; an image taken out of its last article goes at the next sweep.
// Without it the 5,000 images a workspace may hold filled up with the
// uploads of articles never saved, and only the API could delete them.
func testFAQImageSweep(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-sweep")
	other := setup(t, s, "faq-sweep-other")
	clk := withClock(t, s)
	by := whoOf(f.manager, "manager")
	add := func(ws *chat.Workspace, name string) *chat.FAQImage {
		t.Helper()
		img := &chat.FAQImage{WorkspaceID: ws.ID, Name: name, ContentType: "image/png", Size: 100, BlobKey: "faq-sweep/" + name}
		must(t, s.AddFAQImage(ctx, img, by))
		return img
	}
	due := func() []chat.Job {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, "n1", clk.Now(), time.Minute, 10)
		must(t, err)
		var out []chat.Job
		for _, j := range jobs {
			if j.Kind == chat.JobFAQImageSweep && j.WorkspaceID == f.ws.ID {
				out = append(out, j)
			}
		}
		return out
	}
	sweep := func(want ...*chat.FAQImage) {
		t.Helper()
		jobs := due()
		if len(jobs) != 1 {
			t.Fatalf("%d sweeps due, want 1", len(jobs))
		}
		gone, err := s.SweepFAQImages(ctx, f.ws.ID)
		must(t, err)
		must(t, s.CompleteJob(ctx, jobs[0], "n1"))
		if len(gone) != len(want) {
			t.Fatalf("the sweep deleted %+v, want %d images", gone, len(want))
		}
		for i, img := range want {
			if gone[i].ID != img.ID || gone[i].BlobKey != img.BlobKey {
				t.Fatalf("the sweep deleted %+v, want %+v", gone[i], img)
			}
			_, err := s.FAQImage(ctx, f.ws.ID, img.ID)
			wantCode(t, err, chat.ErrNotFound)
		}
		// Their keys stay until their bytes are gone.
		keys, err := s.DeletedFAQImageFiles(ctx, f.ws.ID)
		must(t, err)
		for _, img := range want {
			if !slices.Contains(keys, img.BlobKey) {
				t.Fatalf("swept %s's key is forgotten (%v) before its file is gone", img.Name, keys)
			}
		}
	}
	kept := func(imgs ...*chat.FAQImage) {
		t.Helper()
		for _, img := range imgs {
			if _, err := s.FAQImage(ctx, img.WorkspaceID, img.ID); err != nil {
				t.Fatalf("%s was deleted: %v", img.Name, err)
			}
		}
	}
	shown, unsaved := add(f.ws, "배송조회.png"), add(f.ws, "임시.png")
	elsewhere := add(other.ws, "다른가게.png")
	a := &chat.Article{WorkspaceID: f.ws.ID, Title: "배송 조회", BodyHTML: fmt.Sprintf(`<p>주문 내역에서 누르세요.</p><img src="/help/faq-sweep/images/%d" alt="">`, shown.ID), Published: true}
	must(t, s.CreateArticle(ctx, a, by))
	if jobs := due(); len(jobs) != 0 {
		t.Fatalf("a sweep due at once: %+v", jobs)
	}
	clk.advance(3 * 24 * time.Hour)
	draft := add(f.ws, "작성중.png")
	clk.advance(chat.FAQImageGrace - 3*24*time.Hour)
	// Day 7: the image never saved in an article goes; the one uploaded
	// on day 3 waits for its own seven days.
	sweep(unsaved)
	kept(shown, draft, elsewhere)
	// The article stops showing its image: it goes with the day-3 one.
	body := `<p>주문 내역에서 배송 조회를 누르세요.</p>`
	_, err := s.UpdateArticle(ctx, f.ws.ID, a.ID, chat.ArticlePatch{BodyHTML: &body}, by)
	must(t, err)
	clk.advance(2 * 24 * time.Hour)
	if jobs := due(); len(jobs) != 0 {
		t.Fatalf("a sweep due before the day-3 image's grace is over: %+v", jobs)
	}
	clk.advance(24 * time.Hour)
	sweep(shown, draft)
	kept(elsewhere)
	// Nothing unshown is left: no sweep is pending.
	clk.advance(30 * 24 * time.Hour)
	if jobs := due(); len(jobs) != 0 {
		t.Fatalf("a sweep pending with nothing to sweep: %+v", jobs)
	}
	entries, err := s.Audit(ctx, f.ws.ID, chat.AuditFilter{Action: chat.AuditFAQImageDelete})
	must(t, err)
	if len(entries) != 3 || entries[0].ActorID != 0 || entries[0].ActorName != "system" {
		t.Fatalf("the sweep's audit entries %+v", entries)
	}
}

// testHelpCenterSites: robots.txt names the sitemaps of the help centers
// that are public — a workspace with a published article, not archived —
// oldest first and no more than asked for.
func testHelpCenterSites(t *testing.T, s chat.Store) {
	public, drafts, archived := setup(t, s, "help-public"), setup(t, s, "help-drafts"), setup(t, s, "help-archived")
	for _, f := range []fixture{public, drafts, archived} {
		must(t, s.CreateArticle(ctx, &chat.Article{WorkspaceID: f.ws.ID, Title: "반품 신청은 어떻게 하나요?",
			BodyHTML: "<p>주문 내역에서 반품 신청을 누르세요.</p>", Published: f.ws.ID != drafts.ws.ID}, whoOf(f.manager, "manager")))
	}
	_, _, err := s.ArchiveWorkspace(ctx, archived.ws.ID, true, chat.Who{})
	must(t, err)
	sites, err := s.HelpCenterSites(ctx, 10000)
	must(t, err)
	if !slices.Contains(sites, "help-public") || slices.Contains(sites, "help-drafts") || slices.Contains(sites, "help-archived") {
		t.Fatalf("public help centers %v", sites)
	}
	if first, err := s.HelpCenterSites(ctx, 1); err != nil || len(first) != 1 || first[0] != sites[0] {
		t.Fatalf("the first public help center %v %v, of %v", first, err, sites)
	}
}

// testFAQImageTrash: a deleted image's key outlives its record until its
// bytes are gone (ForgetFAQImageFiles), and the job that deletes them is
// due chat.FAQImageFilesRetry later; the record went first, so a file
// deletion that failed left the bytes on disk with nothing naming them.
func testFAQImageTrash(t *testing.T, s chat.Store) {
	f := setup(t, s, "faq-trash")
	other := setup(t, s, "faq-trash-other")
	clk := withClock(t, s)
	by := whoOf(f.manager, "manager")
	img := &chat.FAQImage{WorkspaceID: f.ws.ID, Name: "반품주소.png", ContentType: "image/png", Size: 100, BlobKey: "faq-trash/반품주소.png"}
	must(t, s.AddFAQImage(ctx, img, by))
	_, err := s.DeleteFAQImage(ctx, f.ws.ID, img.ID, by)
	must(t, err)
	trash := func(ws *chat.Workspace, want ...string) {
		t.Helper()
		keys, err := s.DeletedFAQImageFiles(ctx, ws.ID)
		must(t, err)
		if !slices.Equal(keys, want) {
			t.Fatalf("%s's deleted files %v, want %v", ws.SiteID, keys, want)
		}
	}
	trash(f.ws, img.BlobKey)
	trash(other.ws)
	due := func() bool {
		t.Helper()
		jobs, err := s.ClaimJobs(ctx, "n1", clk.Now(), time.Minute, 10)
		must(t, err)
		return slices.ContainsFunc(jobs, func(j chat.Job) bool { return j.Kind == chat.JobFAQImageFiles && j.WorkspaceID == f.ws.ID })
	}
	if due() {
		t.Fatal("the files job is due before the deleter had its try")
	}
	clk.advance(chat.FAQImageFilesRetry)
	if !due() {
		t.Fatal("no files job is due for the deleted image")
	}
	must(t, s.ForgetFAQImageFiles(ctx, other.ws.ID, []string{img.BlobKey}))
	trash(f.ws, img.BlobKey)
	must(t, s.ForgetFAQImageFiles(ctx, f.ws.ID, []string{img.BlobKey}))
	trash(f.ws)
}
