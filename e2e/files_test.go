package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAttachments: the visitor's photo appears as a thumbnail in
// the console, the agent's photo and document in the widget, and a file
// the workspace does not take is refused with the reason on screen.
func TestBrowserAttachments(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	agent, visitor, id := takenChat(t, s, "주문한 찻잔이 깨져서 왔어요. 사진 보내드릴게요.")
	dir := t.TempDir()
	photo := writeFile(t, dir, "깨진 찻잔.png", pngImage(t, 900, 600, color.NRGBA{R: 180, G: 120, B: 60, A: 255}))
	reply := writeFile(t, dir, "교환 안내.png", pngImage(t, 400, 800, color.NRGBA{G: 110, B: 90, A: 255}))
	quote := writeFile(t, dir, "교환 신청서.pdf", []byte("%PDF-1.4\n"+strings.Repeat("% 교환 신청서\n", 2000)))
	program := writeFile(t, dir, "setup.exe", []byte("MZ\x90\x00 a program"))
	fake := writeFile(t, dir, "cat.png", []byte("<!doctype html><script>alert(1)</script>"))

	// The visitor sends a photo from the widget: its thumbnail shows on
	// both sides, and the console's opens the whole image.
	widgetChoose(visitor, photo)
	visitor.waitFrame("the photo as a thumbnail in the widget", thumbnailShown("d", "visitor", "깨진 찻잔.png", 320))
	agent.waitFor("the visitor's photo as an inline thumbnail in the console", thumbnailShown("document", "visitor", "깨진 찻잔.png", 320))
	if got := eval[string](agent, `(async () => {
		const a = document.querySelector('[data-testid=messages] li[data-kind=file] a[data-testid=file-open]');
		const r = await fetch(a.href);
		return [a.target, r.status, r.headers.get('content-type'), r.headers.get('content-disposition').split(';')[0]].join(' ');
	})()`); got != "_blank 200 image/png inline" {
		agent.fail("the thumbnail's link opens %q, want the whole image inline in a new tab", got)
	}

	// The agent answers with a photo and a document.
	agent.do("choose a photo in the console", chromedp.SetUploadFiles(chromedp.CSS("[data-testid=composer-file]"), []string{reply}))
	agent.waitFor("the agent's photo in the console", thumbnailShown("document", "agent", "교환 안내.png", 160))
	visitor.waitFrame("the agent's photo as a thumbnail in the widget", thumbnailShown("d", "agent", "교환 안내.png", 160))
	agent.do("choose a document in the console", chromedp.SetUploadFiles(chromedp.CSS("[data-testid=composer-file]"), []string{quote}))
	visitor.waitFrame("the document as a download link with its name and size",
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-seq][data-sender=agent][data-kind=file] a[data-testid=file-link]')].some((a) => a.querySelector('.file-name').textContent === '교환 신청서.pdf' && /^[0-9.]+ ?kB$/i.test(a.querySelector('.file-size').textContent))`)
	if got := frameEval[string](visitor, `const a = [...d.querySelectorAll('[data-testid=file-link]')].at(-1);
		const r = await w.fetch(a.href);
		return [r.status, r.headers.get('content-disposition').split(';')[0], r.headers.get('content-security-policy'), (await r.text()).slice(0, 8)].join(' ');`); got != "200 attachment sandbox %PDF-1.4" {
		visitor.fail("the document's link gives %q, want a sandboxed download of the PDF", got)
	}

	// A program is refused before it is sent; a web page named .png by
	// the server, with the reason on the draft.
	widgetChoose(visitor, program)
	visitor.waitFrame("the refusal of the program", `!d.querySelector('[data-testid=widget-alert]').hidden && d.querySelector('[data-testid=widget-alert]').textContent.includes('setup.exe')`)
	widgetChoose(visitor, fake)
	visitor.waitFrame("the refusal of the disguised web page",
		`[...d.querySelectorAll('[data-testid=widget-messages] li[data-pending=failed][data-kind=file]')].some((li) => li.textContent.includes('cat.png') && li.querySelector('.meta').textContent.includes('확장자와 맞지 않아'))`)

	// Both sides show the same stored messages, files by name.
	want := []string{"주문한 찻잔이 깨져서 왔어요. 사진 보내드릴게요.", "깨진 찻잔.png", "교환 안내.png", "교환 신청서.pdf"}
	w := stored(widgetThread(visitor))
	c := consoleThread(agent)
	checkThread(visitor, "the widget", w, want)
	checkThread(agent, "the console", c, want)
	sameThread(t, w, c)

	// The conversation list names the last file.
	agent.click("[data-testid=tab-active]")
	agent.waitFor("the document's name as the list's preview",
		fmt.Sprintf(`document.querySelector("[data-testid=conversation-list] a[data-conversation-id='%d'] .preview")?.textContent === '교환 신청서.pdf'`, id))

	// The master takes documents off and lowers the limit in the settings.
	agent.click("[data-testid=nav-settings]")
	agent.waitFor("the attachment settings with the §3.4 table",
		`document.querySelectorAll('[data-testid=settings-extension]:checked').length === 66 && document.querySelector('[data-testid=settings-max-file-size]').value === '300'`)
	agent.clickAt("[data-testid=settings-extension-kind][data-kind=document]")
	agent.clickAt("[data-testid=settings-extension][value=bmp]")
	agent.waitFor("the image kind shown partly on", `document.querySelector('[data-testid=settings-extension-kind][data-kind=image]').indeterminate`)
	agent.do("set the largest file", chromedp.SetValue(chromedp.CSS("[data-testid=settings-max-file-size]"), "20"))
	agent.clickAt("[data-testid=attachments-save]")
	agent.waitFor("the saved settings", `!document.querySelector('[data-testid=toast]').hidden`)
	ws, err := s.node.Store.Workspace(context.Background(), s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a := ws.Settings.Attachments; a.MaxSizeMB != 20 || len(a.Extensions.Document) != 0 || strings.Join(a.Extensions.Image, " ") != "jpg jpeg gif png" || len(a.Extensions.Video) != 12 {
		t.Fatalf("saved attachment settings %+v", a)
	}
}

// widgetChoose picks a file in the widget's file input, as the file
// dialog would after the visitor clicks the attach button.
func widgetChoose(p *tab, path string) {
	p.t.Helper()
	p.waitFrame("the attach button", `d.querySelector('[data-testid=widget-attach]')?.checkVisibility()`)
	frames := run(p, "find the widget's frame", chromedp.Nodes(chromedp.CSS("#sodam-frame")))
	p.do("choose "+filepath.Base(path)+" in the widget",
		chromedp.SetUploadFiles(chromedp.CSS("[data-testid=widget-file]"), []string{path}, chromedp.FromNode(frames[0])))
}

// run returns the value of an action on the tab.
func run[T any](p *tab, what string, action chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		p.fail("%s: %v", what, err)
	}
	return v
}

// thumbnailShown is a condition over doc (document, or d in the widget):
// a stored file message from sender shows a loaded thumbnail named name,
// width pixels wide.
func thumbnailShown(doc, sender, name string, width int) string {
	return `[...` + doc + `.querySelectorAll('li[data-seq][data-sender=` + sender + `][data-kind=file] img[data-testid=file-thumbnail]')].some((img) => img.alt === ` + js(name) +
		` && img.complete && img.naturalWidth === ` + strconv.Itoa(width) + `)`
}

func pngImage(t *testing.T, w, h int, c color.NRGBA) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x/40+y/40)%2 == 0 {
				img.SetNRGBA(x, y, c)
			} else {
				img.SetNRGBA(x, y, color.NRGBA{R: 250, G: 247, B: 242, A: 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
