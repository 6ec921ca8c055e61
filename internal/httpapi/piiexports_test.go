package httpapi_test

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// TestPIIMaskReachesExports: a mask reaches the history's export files
// too (§9, §11), on both stores. A file finished before the mask is no
// longer served and is deleted by its removal job at once; an export
// being written when the mask commits starts over, so its file is
// written from the masked text. Without this, the refund account a
// customer typed stayed downloadable, in clear, for the file's 24 hours.
func TestPIIMaskReachesExports(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { piiMaskReachesExports(t, newEnvOn(t, kind, nil)) })
	}
}

func piiMaskReachesExports(t *testing.T, e *env) {
	kim, manager, master := e.login("kim"), e.login("manager"), e.login("master")
	const account = "110-234-567890"
	visitor := e.visitor("shop", "")
	conv := visitor.start()
	var sent struct{ Message chat.Message }
	visitor.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID),
		`{"client_msg_id":"v1","body":"환불 계좌는 신한 `+account+` 홍길동입니다. 확인 부탁드려요"}`, 201, &sent)
	kim.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)

	export := func(as *client) int64 {
		t.Helper()
		var created struct{ ID int64 }
		as.json("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages"}`, 202, &created)
		return created.ID
	}
	download := func(as *client, id int64) (exportAnswer, int, []byte) {
		t.Helper()
		var ex exportAnswer
		as.json("GET", fmt.Sprintf("%s/exports/%d", e.shopPath(), id), "", 200, &ex)
		status, data := as.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), id), "")
		return ex, status, data
	}

	// The manager's export is finished before the mask, and holds the account.
	done := export(manager)
	e.runJobs()
	if ex, status, data := download(manager, done); ex.State != history.ExportDone || status != 200 || !bytes.Contains(data, []byte(account)) {
		t.Fatalf("the export before the mask: %+v, %d: %.300s", ex, status, data)
	}
	// The master's export is being written by a node when the mask commits.
	running := export(master)
	hs := e.store.(history.Store)
	ok, err := hs.StartExport(t.Context(), e.shop.ID, running, "other-node/writer", 1, time.Now())
	must(t, err)
	if !ok {
		t.Fatal("the export could not be started")
	}

	var m chat.Message
	kim.json("POST", fmt.Sprintf("%s/messages/%d/mask", e.convPath(conv.ID), sent.Message.ID), `{"finding":0}`, 200, &m)
	if bytes.Contains([]byte(m.Body), []byte("567890")) {
		t.Fatalf("not masked: %s", m.Body)
	}

	// The finished file is refused at once, then deleted.
	if ex, status, data := download(manager, done); status != 410 || bytes.Contains(data, []byte("567890")) {
		t.Fatalf("the export finished before the mask: %+v, %d: %.300s", ex, status, data)
	}
	e.runJobs()
	// The export being written starts over and is written masked.
	ex, status, data := download(master, running)
	if ex.State != history.ExportDone || status != 200 || !bytes.Contains(data, []byte("환불 계좌는 신한")) || bytes.Contains(data, []byte("567890")) {
		t.Fatalf("the export written during the mask: %+v, %d: %.300s", ex, status, data)
	}
	// No file in storage holds the account any more.
	must(t, filepath.WalkDir(e.uploads, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(b, []byte("567890")) {
			t.Errorf("%s holds the masked account", path)
		}
		return nil
	}))
}

// TestPIIMaskReachesWebhookReplies: a receiver that answers with the
// request's body had its reply, and with it the text a mask later hid,
// kept in the delivery and shown in the webhook's deliveries. A mask now
// empties the replies of the deliveries that sent it, and of no others.
func TestPIIMaskReachesWebhookReplies(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master, kim := e.login("master"), e.login("kim")
			rc := newReceiver(t)
			rc.answer = func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				w.Write(rc.all()[len(rc.all())-1].Raw) // an echo
			}
			var wh createdWebhook
			master.json("POST", e.shopPath()+"/webhooks", `{"url":"`+rc.srv.URL+`/hook","events":["message.created"]}`, 201, &wh)
			const account = "110-234-567890"
			masked, kept := e.visitor("shop", ""), e.visitor("shop", "")
			c1, c2 := masked.start(), kept.start()
			var sent struct{ Message chat.Message }
			masked.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c1.ID),
				`{"client_msg_id":"v1","body":"환불 계좌는 신한 `+account+` 홍길동입니다."}`, 201, &sent)
			kept.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c2.ID),
				`{"client_msg_id":"v1","body":"배송지 변경은 어디서 하나요?"}`, 201, nil)
			e.worker().RunDue(t.Context())
			replies := func() string {
				t.Helper()
				var all []string
				for _, d := range deliveriesOf(t, master, fmt.Sprintf("%s/webhooks/%d/deliveries", e.shopPath(), wh.ID)) {
					if d.Status != outbox.StatusDelivered {
						t.Fatalf("delivery %+v", d)
					}
					all = append(all, d.LastBody)
				}
				return strings.Join(all, "\n")
			}
			if r := replies(); !strings.Contains(r, account) || !strings.Contains(r, "배송지 변경") {
				t.Fatalf("the replies before the mask: %s", r)
			}
			kim.json("POST", e.convPath(c1.ID)+"/assign", "", 200, nil)
			kim.json("POST", fmt.Sprintf("%s/messages/%d/mask", e.convPath(c1.ID), sent.Message.ID), `{"finding":0}`, 200, nil)
			if r := replies(); strings.Contains(r, "567890") || strings.Contains(r, "환불 계좌") || !strings.Contains(r, "배송지 변경") {
				t.Fatalf("the replies after the mask: %s", r)
			}
		})
	}
}
