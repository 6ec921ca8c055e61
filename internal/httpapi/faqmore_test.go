package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
)

// TestFAQCSVRowNumbers: a refused CSV import names the row of the file a
// person finds in their spreadsheet (a quoted body may span lines), not a
// place in a list they never saw; nothing is imported.
func TestFAQCSVRowNumbers(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			long := strings.Repeat("가", chat.MaxFAQTitle+1)
			longCat := strings.Repeat("분", chat.MaxFAQCategoryName+1)
			for _, tc := range []struct{ file, want string }{
				{"title,body_html,category\n배송 조회,\"<p>주문내역에서\n확인하세요</p>\",배송\n환불 기간,<p>3일</p>,환불\n" + long + ",<p>x</p>,환불\n", "row 4: "},
				{"title,body_html,category\n배송 조회,<p>주문내역</p>,배송\n교환 신청,<p>마이페이지</p>," + longCat + "\n", "row 3: "},
			} {
				status, data := m.do("POST", e.shopPath()+"/faq/import", tc.file, "Content-Type", "text/csv")
				_, msg := errorBodyOf(t, data)
				if status != 400 || !strings.HasPrefix(msg, tc.want) {
					t.Errorf("import answered %d %s, want 400 naming %q", status, data, tc.want)
				}
			}
			var arts []map[string]any
			m.json("GET", e.shopPath()+"/faq/articles", "", 200, &arts)
			var cats []chat.FAQCategory
			m.json("GET", e.shopPath()+"/faq/categories", "", 200, &cats)
			if len(arts) != 0 || len(cats) != 0 {
				t.Fatalf("a refused import left %d articles and %d categories", len(arts), len(cats))
			}
		})
	}
}

// TestWorkspaceLimitsHTTP: one more than a workspace may have is 409
// limit_reached, with a message naming the limit (limits lowered here;
// the store's conformance test covers each list).
func TestWorkspaceLimitsHTTP(t *testing.T) {
	t.Parallel()
	was := chat.MaxCannedPerWorkspace
	chat.MaxCannedPerWorkspace = 1
	t.Cleanup(func() { chat.MaxCannedPerWorkspace = was })
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			m.json("POST", e.shopPath()+"/canned", `{"title":"첫 인사","body":"안녕하세요, 소담 고객센터입니다.","shared":true}`, 201, nil)
			status, data := m.do("POST", e.shopPath()+"/canned", `{"title":"마무리","body":"이용해 주셔서 감사합니다.","shared":true}`)
			code, msg := errorBodyOf(t, data)
			if status != 409 || code != chat.ErrLimitReached || !strings.Contains(msg, "at most 1 canned responses") {
				t.Fatalf("over the limit: %d %s", status, data)
			}
		})
	}
}

// TestFAQFilesAudited: an image upload and an export (JSON or CSV: the
// whole FAQ, drafts included, leaves) are in the audit log like the
// FAQ's other changes; an agent's attempt at either is recorded refused.
func TestFAQFilesAudited(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			m.json("POST", e.shopPath()+"/faq/articles", `{"title":"교환 신청 방법","body_html":"<p>주문내역에서 교환을 신청하세요.</p>","published":false}`, 201, nil)
			status, data := m.upload(e.shopPath()+"/faq/images", "", "교환안내.png", bytes.NewReader(pngOf(t, 32, 24)))
			if status != 201 {
				t.Fatalf("upload %d %s", status, data)
			}
			for _, f := range []string{"json", "csv"} {
				if status, data := m.do("GET", e.shopPath()+"/faq/export?format="+f, ""); status != 200 {
					t.Fatalf("export %d %s", status, data)
				}
			}
			m.json("GET", e.shopPath()+"/faq/export?format=xlsx", "", 400, nil)
			e.login("kim").json("GET", e.shopPath()+"/faq/export", "", 403, nil)

			var page struct{ Entries []chat.AuditEntry }
			e.login("master").json("GET", e.shopPath()+"/audit-log", "", 200, &page)
			var got []string
			for _, en := range page.Entries {
				if en.Action == chat.AuditFAQExport || en.Action == chat.AuditFAQImageUpload {
					after, _ := json.Marshal(en.After)
					got = append(got, fmt.Sprintf("%s %s %s %s %s", en.Action, en.ActorName, en.Target, after, en.Refused))
				}
			}
			want := []string{
				`faq.export kim /api/v1/workspaces/1/faq/export null role_required`,
				`faq.export manager faq {"articles":1,"categories":0,"format":"csv"} `,
				`faq.export manager faq {"articles":1,"categories":0,"format":"json"} `,
				`faq.image_upload manager 교환안내.png {"content_type":"image/png","id":1,"name":"교환안내.png","size":`,
			}
			if len(got) != len(want) {
				t.Fatalf("audit entries:\n%s", strings.Join(got, "\n"))
			}
			for i := range want {
				if !strings.HasPrefix(got[i], want[i]) {
					t.Errorf("entry %d: %s\nwant %s…", i, got[i], want[i])
				}
			}
		})
	}
}

// TestFAQImageDelete: a manager deletes an image no article shows (204,
// its address then 404 and its bytes gone); while a draft shows it the
// delete is 409 image_in_use and changes nothing; an agent may not.
func TestFAQImageDelete(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			status, data := m.upload(e.shopPath()+"/faq/images", "", "배송조회.png", bytes.NewReader(pngOf(t, 40, 30)))
			if status != 201 {
				t.Fatalf("upload %d %s", status, data)
			}
			var img chat.FAQImage
			must(t, json.Unmarshal(data, &img))
			imgPath := strings.TrimPrefix(img.URL, e.srv.URL)
			del := fmt.Sprintf("%s/faq/images/%d", e.shopPath(), img.ID)
			var a chat.Article
			m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"title":"배송 조회 방법","body_html":"<p>버튼을 누르세요.</p><img src=\"%s\" alt=\"\">","published":false}`, img.URL), 201, &a)

			e.login("kim").json("DELETE", del, "", 403, nil)
			status, data = m.do("DELETE", del, "")
			if code, msg := errorBodyOf(t, data); status != 409 || code != chat.ErrImageInUse || !strings.Contains(msg, "배송 조회 방법") {
				t.Fatalf("delete of an image a draft shows: %d %s", status, data)
			}
			if resp, _ := m.get(imgPath); resp.StatusCode != 200 {
				t.Fatalf("a refused delete: the image answers %d", resp.StatusCode)
			}
			keys, err := e.files.Keys()
			must(t, err)
			m.json("PATCH", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), a.ID), `{"body_html":"<p>버튼을 누르세요.</p>"}`, 200, nil)
			m.json("DELETE", del, "", 204, nil)
			if resp, _ := m.get(imgPath); resp.StatusCode != 404 {
				t.Fatalf("a deleted image answers %d", resp.StatusCode)
			}
			after, err := e.files.Keys()
			must(t, err)
			if len(after) != len(keys)-1 {
				t.Fatalf("blobs %d before the delete, %d after", len(keys), len(after))
			}
			m.json("DELETE", del, "", 404, nil)
		})
	}
}

// failingDeletes is blob storage whose deletions fail while fail is set
// (a disk gone read-only, a node's storage unmounted).
type failingDeletes struct {
	blob.Store
	fail atomic.Bool
}

func (f *failingDeletes) Delete(ctx context.Context, key string) error {
	if f.fail.Load() {
		return errors.New("input/output error")
	}
	return f.Store.Delete(ctx, key)
}

// TestFAQImageDeleteKeepsKeyUntilFileIsGone: an image's record was
// deleted first and its file after, by a manager's delete or by the
// sweep, so a file deletion that failed (or a node that died between the
// two) left the bytes on disk for good, with nothing naming them. The key
// is kept until the file is gone, and a durable job deletes what the
// first try could not.
func TestFAQImageDeleteKeepsKeyUntilFileIsGone(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			e.clock.freeze()
			e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
			files := &failingDeletes{Store: e.files}
			e.app.UseFiles(files, slog.New(slog.DiscardHandler))
			m := e.login("manager")
			upload := func(name string) chat.FAQImage { return uploadFAQImage(t, e, m, name) }
			stored := func() int {
				t.Helper()
				keys, err := e.files.Keys()
				must(t, err)
				return len(keys)
			}
			deleted, unsaved := upload("반품주소.png"), upload("작성중.png")
			before := stored()
			files.fail.Store(true)
			m.json("DELETE", fmt.Sprintf("%s/faq/images/%d", e.shopPath(), deleted.ID), "", 204, nil)
			e.clock.advance(chat.FAQImageGrace)
			e.runJobs() // the sweep takes the image no article shows
			for _, img := range []chat.FAQImage{deleted, unsaved} {
				if resp, _ := m.get(strings.TrimPrefix(img.URL, e.srv.URL)); resp.StatusCode != 404 {
					t.Fatalf("deleted image %s answers %d", img.Name, resp.StatusCode)
				}
			}
			files.fail.Store(false)
			e.clock.advance(time.Minute)
			e.runJobs()
			if after := stored(); after != before-2 {
				t.Fatalf("blobs %d before the deletes, %d after the disk came back: files stay on disk", before, after)
			}
		})
	}
}

// TestFAQImageSweep: an image uploaded for an article never saved is
// deleted, record and bytes, by the durable sweep seven days later; the
// image an article shows stays.
func TestFAQImageSweep(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			e.clock.freeze()
			e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
			m := e.login("manager")
			upload := func(name string) chat.FAQImage { return uploadFAQImage(t, e, m, name) }
			shown, unsaved := upload("배송조회.png"), upload("임시저장.png")
			m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"title":"배송 조회 방법","body_html":"<p>버튼을 누르세요.</p><img src=\"%s\" alt=\"\">","published":true}`, shown.URL), 201, nil)
			keys, err := e.files.Keys()
			must(t, err)
			e.runJobs()
			if resp, _ := m.get(strings.TrimPrefix(unsaved.URL, e.srv.URL)); resp.StatusCode != 200 {
				t.Fatalf("an image just uploaded answers %d", resp.StatusCode)
			}
			e.clock.advance(chat.FAQImageGrace + time.Minute)
			e.runJobs()
			if resp, _ := m.get(strings.TrimPrefix(unsaved.URL, e.srv.URL)); resp.StatusCode != 404 {
				t.Fatalf("the unsaved article's image answers %d", resp.StatusCode)
			}
			if resp, _ := e.anonymous().get(strings.TrimPrefix(shown.URL, e.srv.URL)); resp.StatusCode != 200 {
				t.Fatalf("the shown image answers %d", resp.StatusCode)
			}
			after, err := e.files.Keys()
			must(t, err)
			if len(after) != len(keys)-1 {
				t.Fatalf("blobs %d before the sweep, %d after", len(keys), len(after))
			}
		})
	}
}

// TestFAQListWithoutBodies: the console's article list (any member may
// read it) carries everything but the bodies, in order; one article read
// by its ID carries its body.
func TestFAQListWithoutBodies(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			m := e.login("manager")
			var cat chat.FAQCategory
			m.json("POST", e.shopPath()+"/faq/categories", `{"name":"환불"}`, 201, &cat)
			m.json("POST", e.shopPath()+"/faq/articles", `{"title":"배송 조회 방법","body_html":"<p>주문내역의 배송 조회 버튼을 누르세요.</p>","keywords":["운송장"],"published":true}`, 201, nil)
			var refund chat.Article
			m.json("POST", e.shopPath()+"/faq/articles", fmt.Sprintf(`{"category_id":%d,"title":"환불은 언제 되나요?","body_html":"<p>영업일 3일 안에 환불됩니다.</p>","keywords":["환불 기간"],"published":false,"position":2}`, cat.ID), 201, &refund)

			var list []map[string]any
			e.login("kim").json("GET", e.shopPath()+"/faq/articles", "", 200, &list)
			if len(list) != 2 || list[0]["title"] != "환불은 언제 되나요?" || list[1]["title"] != "배송 조회 방법" {
				t.Fatalf("list %v", list)
			}
			for _, a := range list {
				if _, ok := a["body_html"]; ok {
					t.Errorf("the list carries a body: %v", a)
				}
				if _, ok := a["body_text"]; ok {
					t.Errorf("the list carries a body: %v", a)
				}
			}
			if list[0]["category_id"] != float64(cat.ID) || list[0]["published"] != false || list[0]["position"] != float64(2) ||
				fmt.Sprint(list[0]["keywords"]) != "[환불 기간]" || list[0]["lang"] != "ko" || list[0]["updated_at"] == nil {
				t.Errorf("list item %v", list[0])
			}
			var one chat.Article
			e.login("kim").json("GET", fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), refund.ID), "", 200, &one)
			if one.BodyHTML != "<p>영업일 3일 안에 환불됩니다.</p>" {
				t.Errorf("article %+v", one)
			}
		})
	}
}

// TestFAQArticleIfMatch: the console's editor sends the whole article, so
// two managers who opened the same article both saved and the second
// silently laid their copy over the first's edits. A PATCH with If-Match
// (the ETag a read gives, the article's updated_at) changes the article
// only if nobody has since: 409 conflict, nothing changed, otherwise.
// Without If-Match, as before.
func TestFAQArticleIfMatch(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			refund, _ := seedFAQ(t, e)
			m, master := e.login("manager"), e.login("master")
			path := fmt.Sprintf("%s/faq/articles/%d", e.shopPath(), refund.ID)
			req, err := http.NewRequest("GET", e.srv.URL+path, nil)
			must(t, err)
			resp, err := m.hc.Do(req)
			must(t, err)
			resp.Body.Close()
			etag := resp.Header.Get("ETag")
			var opened chat.Article
			m.json("GET", path, "", 200, &opened)
			if etag != `"`+opened.UpdatedAt.UTC().Format(time.RFC3339Nano)+`"` {
				t.Fatalf("ETag %q for updated_at %v", etag, opened.UpdatedAt)
			}
			// Both opened the article; the master saves first.
			var masterSaw chat.Article
			master.json("PATCH", path, `{"title":"환불은 언제 되나요? 🙏","body_html":"<p>영업일 3일, 카드 취소는 5일</p>"}`, 200, &masterSaw)
			read := func() string { return m.state(path) }
			e.refuse(read, []scenario{
				{name: "the manager's article as they opened it", as: m, method: "PATCH", path: path,
					body:   `{"title":"환불은 언제 되나요?","body_html":"<p>영업일 3일</p>","published":true}`,
					header: []string{"If-Match", etag}, status: 409, code: chat.ErrConflict},
				{name: "the bare updated_at they read", as: m, method: "PATCH", path: path, body: `{"published":false}`,
					header: []string{"If-Match", opened.UpdatedAt.UTC().Format(time.RFC3339Nano)}, status: 409, code: chat.ErrConflict},
				{name: "an If-Match that is no version", as: m, method: "PATCH", path: path, body: `{"published":false}`,
					header: []string{"If-Match", `"v2"`}, status: 400, code: chat.ErrInvalid},
			})
			status, body := m.do("PATCH", path, `{"published":false}`, "If-Match", `"`+masterSaw.UpdatedAt.UTC().Format(time.RFC3339Nano)+`"`)
			var saved chat.Article
			must(t, json.Unmarshal(body, &saved))
			if status != 200 || saved.Published || saved.Title != "환불은 언제 되나요? 🙏" {
				t.Fatalf("a current If-Match: %d %s", status, body)
			}
			m.json("PATCH", path, `{"published":true}`, 200, nil) // without If-Match, as before
		})
	}
}

// uploadFAQImage uploads a small PNG named name to the shop's FAQ images
// as m, and returns the image.
func uploadFAQImage(t *testing.T, e *env, m *client, name string) chat.FAQImage {
	t.Helper()
	status, data := m.upload(e.shopPath()+"/faq/images", "", name, bytes.NewReader(pngOf(t, 40, 30)))
	if status != 201 {
		t.Fatalf("upload %d %s", status, data)
	}
	var img chat.FAQImage
	must(t, json.Unmarshal(data, &img))
	return img
}
