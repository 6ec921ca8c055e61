package httpapi_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// upload posts a file as multipart/form-data, streamed through a pipe as a
// browser streams it: client_msg_id first, then the file. extra parts
// follow the file.
func (c *client) upload(path, clientMsgID, name string, content io.Reader, extra ...string) (int, []byte) {
	c.e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if clientMsgID != "" {
				if err := mw.WriteField("client_msg_id", clientMsgID); err != nil {
					return err
				}
			}
			fw, err := mw.CreateFormFile("file", name)
			if err != nil {
				return err
			}
			if _, err := io.Copy(fw, content); err != nil {
				return err
			}
			for i := 0; i+1 < len(extra); i += 2 {
				if err := mw.WriteField(extra[i], extra[i+1]); err != nil {
					return err
				}
			}
			return mw.Close()
		}()
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequest("POST", c.e.srv.URL+path, pr)
	must(c.e.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.hc.Do(req)
	must(c.e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	must(c.e.t, err)
	return resp.StatusCode, data
}

// get fetches a URL with the client's credentials and returns the response
// with its body read.
func (c *client) get(path string) (*http.Response, []byte) {
	c.e.t.Helper()
	req, err := http.NewRequest("GET", c.e.srv.URL+path, nil)
	must(c.e.t, err)
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.hc.Do(req)
	must(c.e.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	must(c.e.t, err)
	return resp, data
}

// stored counts attachment rows and stored blobs (finished or not).
func (e *env) stored() (rows, blobs int) {
	e.t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?mode=ro")
	must(e.t, err)
	defer db.Close()
	must(e.t, db.QueryRow(`SELECT COUNT(*) FROM attachments`).Scan(&rows))
	keys, err := e.files.Keys()
	must(e.t, err)
	tmp, err := e.files.Temporary()
	must(e.t, err)
	return rows, len(keys) + len(tmp)
}

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, h/2, color.NRGBA{G: 160, A: 255})
	}
	var b bytes.Buffer
	must(t, png.Encode(&b, img))
	return b.Bytes()
}

type fileMessage struct {
	ID         int64
	Seq        int64
	Kind       chat.MessageKind
	Body       string
	Attachment *chat.Attachment
}

type uploadAnswer struct {
	fileMessage
	Message *fileMessage // the widget answers {message, conversation}
}

func decodeMessage(t *testing.T, data []byte) fileMessage {
	t.Helper()
	var a uploadAnswer
	if err := json.Unmarshal(data, &a); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	if a.Message != nil {
		return *a.Message
	}
	return a.fileMessage
}

// TestUploadRefusals: every refused upload answers with its code and
// leaves no row, no blob and no event behind.
func TestUploadRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager, kim, lee, olga := e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	visA, visB, visO := e.visitor("shop", ""), e.visitor("shop", ""), e.visitor("other", "")
	cA, cB, cO := visA.start(), visB.start(), visO.start()
	kim.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/assign", e.shop.ID, cA.ID), "", 200, nil)
	// A small limit, so that "too large" needs no large body.
	manager.json("PATCH", fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID), `{"settings":{"attachments":{"max_size_mb":1}}}`, 200, nil)

	agentFiles := func(c chat.Conversation, ws *chat.Workspace) string {
		return fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/files", ws.ID, c.ID)
	}
	widgetFiles := func(c chat.Conversation) string { return fmt.Sprintf("/api/v1/widget/conversations/%d/files", c.ID) }
	text := func(n int) io.Reader { return io.LimitReader(repeatText{}, int64(n)) }
	html := "<!doctype html><html><body><script>fetch('/api/v1/me')</script></body></html>"
	program := "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00This program cannot be run in DOS mode."

	for _, tt := range []struct {
		name     string
		as       *client
		path     string
		id, file string
		body     io.Reader
		extra    []string
		status   int
		code     string
	}{
		{"program", visA, widgetFiles(cA), "f1", "setup.exe", strings.NewReader(program), nil, 415, chat.ErrFileTypeNotAllowed},
		{"no extension", visA, widgetFiles(cA), "f2", "README", text(100), nil, 415, chat.ErrFileTypeNotAllowed},
		{"program behind a document", visA, widgetFiles(cA), "f3", "invoice.exe.pdf", strings.NewReader("%PDF-1.4"), nil, 415, chat.ErrFileTypeNotAllowed},
		{"web page", visA, widgetFiles(cA), "f4", "x.html", strings.NewReader(html), nil, 415, chat.ErrFileTypeNotAllowed},
		{"web page named png", visA, widgetFiles(cA), "f5", "cat.png", strings.NewReader(html), nil, 415, chat.ErrFileContentMismatch},
		{"program named jpg", kim, agentFiles(cA, e.shop), "f6", "photo.jpg", strings.NewReader(program), nil, 415, chat.ErrFileContentMismatch},
		{"over the limit", visA, widgetFiles(cA), "f7", "log.txt", text(2 << 20), nil, 413, chat.ErrFileTooLarge},
		{"one byte over", kim, agentFiles(cA, e.shop), "f8", "log.txt", text(1<<20 + 1), nil, 413, chat.ErrFileTooLarge},
		{"empty", visA, widgetFiles(cA), "f9", "empty.txt", strings.NewReader(""), nil, 400, chat.ErrFileEmpty},
		{"no client_msg_id", visA, widgetFiles(cA), "", "a.txt", text(10), nil, 400, chat.ErrInvalid},
		{"two files", visA, widgetFiles(cA), "f10", "a.txt", text(10), []string{"file", "again"}, 400, chat.ErrInvalid},
		{"unknown conversation", visA, "/api/v1/widget/conversations/999/files", "f11", "a.txt", text(10), nil, 404, chat.ErrConversationNotFound},
		{"another visitor's conversation", visB, widgetFiles(cA), "f12", "a.txt", text(10), nil, 404, chat.ErrConversationNotFound},
		{"another workspace's conversation", kim, agentFiles(cO, e.shop), "f13", "a.txt", text(10), nil, 404, chat.ErrConversationNotFound},
		{"a workspace of another company", olga, agentFiles(cA, e.shop), "f14", "a.txt", text(10), nil, 404, chat.ErrWorkspaceNotFound},
		{"a colleague's conversation", lee, agentFiles(cA, e.shop), "f15", "a.txt", text(10), nil, 404, chat.ErrConversationNotFound},
		{"before taking the conversation", kim, agentFiles(cB, e.shop), "f16", "a.txt", text(10), nil, 409, chat.ErrConversationNotOpen},
		{"manager in an agent's conversation", manager, agentFiles(cA, e.shop), "f17", "a.txt", text(10), nil, 403, chat.ErrNotAssignee},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := e.lastSeqs()
			status, data := tt.as.upload(tt.path, tt.id, tt.file, tt.body, tt.extra...)
			var body struct {
				Error struct{ Code, Message string }
			}
			json.Unmarshal(data, &body)
			if status != tt.status || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Fatalf("status %d %s, want %d %s", status, data, tt.status, tt.code)
			}
			if after := e.lastSeqs(); after != before {
				t.Fatalf("a refused upload changed the event log: %v → %v", before, after)
			}
			if rows, blobs := e.stored(); rows != 0 || blobs != 0 {
				t.Fatalf("a refused upload left %d rows and %d blobs", rows, blobs)
			}
		})
	}

	e.run([]scenario{
		{name: "not multipart", as: visA, method: "POST", path: widgetFiles(cA), body: `{"client_msg_id":"j","body":"x"}`, status: 415, code: "unsupported_media_type"},
		{name: "upload without CSRF token", as: kim, method: "POST", path: agentFiles(cA, e.shop), header: []string{"X-CSRF-Token", "", "Content-Type", "multipart/form-data; boundary=x"}, status: 403, code: chat.ErrCSRF},
		{name: "declared too large", as: visA, method: "POST", path: widgetFiles(cA), body: strings.Repeat("x", 2<<20), header: []string{"Content-Type", "multipart/form-data; boundary=x"}, status: 413, code: chat.ErrFileTooLarge},
		{name: "extension outside the table", as: manager, method: "PATCH", path: fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID), body: `{"settings":{"attachments":{"extensions":{"document":["pdf","exe"]}}}}`, status: 400, code: chat.ErrInvalid},
		{name: "no size", as: manager, method: "PATCH", path: fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID), body: `{"settings":{"attachments":{"max_size_mb":0}}}`, status: 400, code: chat.ErrInvalid},
		{name: "agent changes the extensions", as: kim, method: "PATCH", path: fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID), body: `{"settings":{"attachments":{"max_size_mb":5}}}`, status: 403, code: chat.ErrRoleRequired},
	})

	// A workspace that allows only images refuses the rest.
	manager.json("PATCH", fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID), `{"settings":{"attachments":{"extensions":{"image":["png"],"video":[],"audio":[],"document":[]}}}}`, 200, nil)
	status, data := visA.upload(widgetFiles(cA), "g1", "견적서.pdf", strings.NewReader("%PDF-1.4"))
	if status != 415 || !strings.Contains(string(data), chat.ErrFileTypeNotAllowed) {
		t.Fatalf("a PDF where only PNG is allowed: %d %s", status, data)
	}
	var cfg struct {
		Attachments chat.AttachmentSettings `json:"attachments"`
	}
	visA.json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
	if cfg.Attachments.MaxSizeMB != 1 || !slices.Equal(cfg.Attachments.Extensions.Image, []string{"png"}) || len(cfg.Attachments.Extensions.Document) != 0 {
		t.Fatalf("the widget's config says %+v", cfg.Attachments)
	}
}

// TestFiles: a visitor's and an agent's file, retried, listed, pushed
// live, and downloaded by exactly those who may see them.
func TestFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	master, manager, kim, lee, olga := e.login("master"), e.login("manager"), e.login("kim"), e.login("lee"), e.login("olga")
	visA, visB := e.visitor("shop", ""), e.visitor("shop", "")
	cA, cB := visA.start(), visB.start()
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, cA.ID), "", 200, nil)
	agentSocket := kim.mustSocket(shop + "/ws")
	agentSocket.next("ready")

	// The visitor sends a photo; a retry of the same upload stores nothing.
	photo := pngOf(t, 800, 600)
	const name = "주문 영수증 #3 (최종).png"
	status, data := visA.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", cA.ID), "photo-1", name, bytes.NewReader(photo))
	if status != 201 {
		t.Fatalf("upload: %d %s", status, data)
	}
	mine := decodeMessage(t, data)
	a := mine.Attachment
	if mine.Kind != chat.KindFile || mine.Body != name || a == nil || a.Name != name || a.Size != int64(len(photo)) ||
		a.Kind != chat.FileImage || a.ContentType != "image/png" || a.Width != 800 || a.Height != 600 || !a.Thumbnail ||
		!strings.HasPrefix(a.URL, fmt.Sprintf("/api/v1/widget/attachments/%d?", a.ID)) || !strings.Contains(a.ThumbnailURL, "/thumbnail?") {
		t.Fatalf("visitor's file message %s", data)
	}
	status, data = visA.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", cA.ID), "photo-1", name, bytes.NewReader(photo))
	if again := decodeMessage(t, data); status != 200 || again.ID != mine.ID {
		t.Fatalf("retry: %d %s", status, data)
	}
	if rows, blobs := e.stored(); rows != 1 || blobs != 2 {
		t.Fatalf("after a retry: %d rows and %d blobs, want the file and its thumbnail once", rows, blobs)
	}

	// The agent sees it live and in the list, with console links.
	ev := agentSocket.eventOf(chat.EventMessageCreated)
	console := fmt.Sprintf("%s/attachments/%d", shop, a.ID)
	if ev.Message.Attachment == nil || ev.Message.Attachment.URL != console || ev.Message.Attachment.ThumbnailURL != console+"/thumbnail" || ev.Conversation.LastMessage != name {
		t.Fatalf("agent's event %+v", ev.Message)
	}
	var listed []fileMessage
	kim.json("GET", fmt.Sprintf("%s/conversations/%d/messages", shop, cA.ID), "", 200, &listed)
	if last := listed[len(listed)-1]; last.Attachment == nil || last.Attachment.URL != console {
		t.Fatalf("listed %+v", last)
	}

	// Downloads: the bytes, a safe type, never run in Sodam's origin.
	resp, body := kim.get(console)
	h := resp.Header
	if resp.StatusCode != 200 || !bytes.Equal(body, photo) || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" ||
		h.Get("Content-Security-Policy") != "sandbox" ||
		h.Get("Content-Disposition") != `attachment; filename="__ ___ #3 (__).png"; filename*=UTF-8''%EC%A3%BC%EB%AC%B8%20%EC%98%81%EC%88%98%EC%A6%9D%20#3%20%28%EC%B5%9C%EC%A2%85%29.png` {
		t.Fatalf("download: %d %v", resp.StatusCode, h)
	}
	if resp, _ := kim.get(console + "?inline=1"); !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "inline;") {
		t.Fatalf("an image asked for inline: %v", resp.Header)
	}
	resp, body = kim.get(console + "/thumbnail")
	cfg, err := png.DecodeConfig(bytes.NewReader(body))
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || err != nil || cfg.Width != 320 || cfg.Height != 240 {
		t.Fatalf("thumbnail: %d %v %dx%d %v", resp.StatusCode, resp.Header, cfg.Width, cfg.Height, err)
	}
	// The visitor's signed link needs no header, as an <img> sends none.
	if resp, body := e.anonymous().get(a.URL); resp.StatusCode != 200 || !bytes.Equal(body, photo) {
		t.Fatalf("visitor's link: %d", resp.StatusCode)
	}
	if resp, _ := e.anonymous().get(a.ThumbnailURL); resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("visitor's thumbnail link: %d", resp.StatusCode)
	}
	if resp, _ := manager.get(console); resp.StatusCode != 200 {
		t.Fatalf("a manager sees every conversation's files: %d", resp.StatusCode)
	}

	// The agent answers with a document; the visitor gets it live with
	// links signed for them.
	visSocket := visA.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", visA.bearer, cA.ID))
	visSocket.next("ready")
	pdf := "%PDF-1.4\n" + strings.Repeat("견적 ", 1000)
	status, data = kim.upload(fmt.Sprintf("%s/conversations/%d/files", shop, cA.ID), "doc-1", "견적서.pdf", strings.NewReader(pdf))
	doc := decodeMessage(t, data)
	if status != 201 || doc.Attachment.Kind != chat.FileDocument || doc.Attachment.Thumbnail || doc.Attachment.URL != fmt.Sprintf("%s/attachments/%d", shop, doc.Attachment.ID) {
		t.Fatalf("agent's upload: %d %s", status, data)
	}
	var got struct {
		Message fileMessage `json:"message"`
	}
	for got.Message.Kind != chat.KindFile {
		must(t, json.Unmarshal(visSocket.next("event").Event, &got))
	}
	if got.Message.Attachment.ID != doc.Attachment.ID || !strings.Contains(got.Message.Attachment.URL, "sig=") {
		t.Fatalf("visitor's event %+v", got.Message.Attachment)
	}
	resp, body = visA.get(got.Message.Attachment.URL)
	if resp.StatusCode != 200 || string(body) != pdf || resp.Header.Get("Content-Type") != "application/pdf" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="___.pdf"; filename*=UTF-8''%EA%B2%AC%EC%A0%81%EC%84%9C.pdf` {
		t.Fatalf("visitor's download: %d %v", resp.StatusCode, resp.Header)
	}
	if resp, _ := visA.get(got.Message.Attachment.URL + "&inline=1"); !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("a document is never shown inline: %v", resp.Header)
	}
	var forVisitor []fileMessage
	visA.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", cA.ID), "", 200, &forVisitor)
	if last := forVisitor[len(forVisitor)-1]; last.Attachment == nil || last.Attachment.URL != got.Message.Attachment.URL {
		t.Fatalf("the visitor's list %+v", last.Attachment)
	}

	// Visitor B sends a file of their own, then tries A's with B's link.
	status, data = visB.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", cB.ID), "b-1", "b.txt", strings.NewReader("hello"))
	if status != 201 {
		t.Fatalf("B's upload: %d %s", status, data)
	}
	bLink := decodeMessage(t, data).Attachment.URL
	stolen := strings.Replace(bLink, fmt.Sprintf("/attachments/%d?", decodeMessage(t, data).Attachment.ID), fmt.Sprintf("/attachments/%d?", a.ID), 1)
	otherWorkspace := strings.Replace(a.URL, fmt.Sprintf("w=%d", e.shop.ID), fmt.Sprintf("w=%d", e.other.ID), 1)
	longer := strings.Replace(a.URL, "exp=", "exp=9", 1)
	unsigned, _, _ := strings.Cut(a.URL, "?")

	for _, tt := range []struct {
		name   string
		as     *client
		path   string
		status int
		code   string
	}{
		{"visitor B with their own signature", visB, stolen, 404, chat.ErrAttachmentNotFound},
		{"visitor B without a signature", visB, unsigned + fmt.Sprintf("?w=%d&exp=%d", e.shop.ID, time.Now().Add(time.Hour).Unix()), 404, chat.ErrAttachmentNotFound},
		{"a link moved to another workspace", visB, otherWorkspace, 404, chat.ErrAttachmentNotFound},
		{"a link made to last longer", visB, longer, 404, chat.ErrAttachmentNotFound},
		{"visitor B on the console's path", visB, console, 401, chat.ErrUnauthorized},
		{"agent in a colleague's conversation", lee, console, 404, chat.ErrAttachmentNotFound},
		{"agent asks for the thumbnail", lee, console + "/thumbnail", 404, chat.ErrAttachmentNotFound},
		{"another company through its workspace", olga, console, 404, chat.ErrWorkspaceNotFound},
		{"another company through its own workspace", olga, fmt.Sprintf("/api/v1/workspaces/%d/attachments/%d", e.other.ID, a.ID), 404, chat.ErrAttachmentNotFound},
		{"unknown attachment", master, shop + "/attachments/999", 404, chat.ErrAttachmentNotFound},
		{"a document's thumbnail", master, fmt.Sprintf("%s/attachments/%d/thumbnail", shop, doc.Attachment.ID), 404, chat.ErrAttachmentNotFound},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tt.as.get(tt.path)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), `"`+tt.code+`"`) || bytes.Contains(body, photo[:32]) {
				t.Fatalf("GET %s: %d %s, want %d %s", tt.path, resp.StatusCode, body, tt.status, tt.code)
			}
		})
	}

	// A conversation the agent closed refuses files as it refuses text.
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/close", shop, cA.ID), "", 200, nil)
	status, data = visA.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", cA.ID), "late", "late.txt", strings.NewReader("late"))
	if status != 409 || !strings.Contains(string(data), chat.ErrConversationClosed) {
		t.Fatalf("a file into a closed conversation: %d %s", status, data)
	}
	if rows, blobs := e.stored(); rows != 3 || blobs != 4 {
		t.Fatalf("%d rows and %d blobs, want the three files (and one thumbnail)", rows, blobs)
	}
}

// TestUploadMemoryStaysFlat streams a 300 MB file, the default limit,
// through the server and checks that the heap never holds more than a
// small fraction of it: the upload goes from the socket to the disk.
func TestUploadMemoryStaysFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 300 MB; skipped in -short mode")
	}
	e := newEnv(t)
	vis := e.visitor("shop", "")
	c := vis.start()
	const size = chat.DefaultMaxFileSizeMB << 20
	const bound = 32 << 20

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	status, data := vis.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", c.ID), "big-1", "server.log.txt", io.LimitReader(repeatText{}, size))
	close(stop)
	wg.Wait()
	if status != 201 {
		t.Fatalf("upload: %d %s", status, data)
	}
	if got := decodeMessage(t, data).Attachment.Size; got != size {
		t.Fatalf("stored %d bytes, want %d", got, size)
	}
	grew := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("heap in use grew by at most %.1f MiB while uploading %d MiB", float64(grew)/(1<<20), size>>20)
	if grew > bound {
		t.Fatalf("the heap grew by %d MiB while uploading %d MiB, want under %d MiB", grew>>20, size>>20, bound>>20)
	}
}

// repeatText is an endless text file: Korean and ASCII lines.
type repeatText struct{}

var textBlock = bytes.Repeat([]byte("2026-04-12 10:31:07 주문 20260412-0031 배송 준비 중 (order ready to ship)\n"), 512)

func (repeatText) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		n += copy(p[n:], textBlock)
	}
	return n, nil
}
