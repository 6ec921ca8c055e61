package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
	"github.com/sodam-chat/sodam/internal/outbox"
)

type createdChannel struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"`
	Token  string `json:"token"`
	Secret string `json:"secret"`
}

type channelSent struct {
	ConversationID int64 `json:"conversation_id"`
	MessageID      int64 `json:"message_id"`
}

// bridge is a KakaoTalk-style bridge as the test plays it: it posts with
// the channel's token and receives on its receiver.
func (e *env) bridge(token string) *client {
	c := e.anonymous()
	c.bearer = token
	return c
}

// TestChannelBridge: a bridge posts messenger users' messages (idempotent
// per client_msg_id), each account keeps its own conversation, and what
// agents say — and the close — reach the bridge signed, addressed to the
// user, while the customer's own messages and internal ones do not.
func TestChannelBridge(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡 채널 @소담샵","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			if !strings.HasPrefix(ch.Token, "sodam_ch_") || !strings.HasPrefix(ch.Secret, "whsec_") {
				t.Fatalf("channel %+v", ch)
			}
			rc.secret(ch.Secret)
			status, data := master.do("GET", e.shopPath()+"/channels", "")
			if status != 200 || strings.Contains(string(data), ch.Token) || strings.Contains(string(data), ch.Secret) {
				t.Fatalf("the list shows a secret: %s", data)
			}
			b := e.bridge(ch.Token)
			first := `{"external_user_id":"kk_8841","client_msg_id":"kakao-1","text":"안녕하세요, 어제 주문한 상품 배송 문의드려요","profile":{"name":"이수진","phone":"010-2345-6789"}}`
			var sent, again channelSent
			b.json("POST", "/api/v1/channel/messages", first, 201, &sent)
			b.json("POST", "/api/v1/channel/messages", first, 200, &again)
			if sent != again || sent.ConversationID == 0 {
				t.Fatalf("retry gave %+v, first %+v", again, sent)
			}
			var other channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_9921","client_msg_id":"kakao-2","text":"교환 가능할까요?"}`, 201, &other)
			if other.ConversationID == sent.ConversationID {
				t.Fatal("two messenger accounts share a conversation")
			}
			d := master.detailOf(sent.ConversationID)
			if d.Conversation.Channel != "kakao" || d.Customer.Name != "이수진" {
				t.Fatalf("conversation %+v customer %+v", d.Conversation, d.Customer)
			}
			// An agent answers; the bridge hears it for kk_8841, signed.
			master.json("POST", e.convPath(sent.ConversationID)+"/assign", "", 200, nil)
			master.json("POST", e.convPath(sent.ConversationID)+"/messages", `{"client_msg_id":"a1","body":"네, 이수진 고객님. 배송 조회해 드릴게요."}`, 201, nil)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_8841","client_msg_id":"kakao-3","text":"감사합니다"}`, 201, nil)
			master.json("POST", e.convPath(sent.ConversationID)+"/close", "", 200, nil)
			w := e.worker()
			w.RunDue(t.Context())
			var agentSaid, closed bool
			for _, g := range rc.all() {
				if g.Err != nil {
					t.Fatalf("verification: %v", g.Err)
				}
				if g.Body.Recipient == nil || g.Body.Recipient.ExternalUserID != "kk_8841" || g.Body.Recipient.Kind != "kakao" {
					t.Fatalf("addressed to %+v: %s", g.Body.Recipient, g.Raw)
				}
				ev, err := event.Decode(g.Body.Data)
				must(t, err)
				switch {
				case ev.Message != nil && ev.Message.SenderType == chat.SenderVisitor:
					t.Fatalf("the customer's own message was echoed: %s", g.Raw)
				case ev.Message != nil && ev.Message.Internal:
					t.Fatalf("an internal message reached the bridge: %s", g.Raw)
				case ev.Message != nil && strings.Contains(ev.Message.Body, "배송 조회해 드릴게요"):
					agentSaid = true
				case ev.Type == chat.EventConversationClosed:
					closed = true
				}
			}
			if !agentSaid || !closed {
				t.Fatalf("the bridge got %v", rc.types())
			}
			// After the close, the user's next message opens a new conversation.
			var next channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_8841","client_msg_id":"kakao-4","text":"하나 더 여쭤볼게요"}`, 201, &next)
			if next.ConversationID == sent.ConversationID {
				t.Fatal("a closed conversation took a new message")
			}
			// A deleted channel's token stops working.
			master.json("DELETE", fmt.Sprintf("%s/channels/%d", e.shopPath(), ch.ID), "", 204, nil)
			status, data = b.do("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_8841","client_msg_id":"kakao-5","text":"여보세요"}`)
			if code, _ := errorBodyOf(t, data); status != 401 || code != outbox.ErrChannelToken {
				t.Fatalf("revoked token: %d %s", status, data)
			}
		})
	}
}

// TestChannelBadInput: each refusal, in JSON or multipart, has its code
// and stores nothing — no conversation, no file, and not the messenger
// user's customer either: the user's first stored message creates it.
func TestChannelBadInput(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			// The store's clock is the test's, so a customer's created_at
			// tells which request made it.
			e.store.(interface{ SetClock(func() time.Time) }).SetClock(e.clock.Now)
			e.clock.freeze()
			var img bytes.Buffer
			must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))))
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"naver","name":"네이버 톡톡","webhook_url":"https://bridge.example.com/naver"}`, 201, &ch)
			files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/huge.png":
					w.Header().Set("Content-Length", "999999999")
					w.Write([]byte("\x89PNG"))
				case "/away":
					http.Redirect(w, r, "http://localhost:1/elsewhere.png", http.StatusFound)
				case "/fake.png":
					w.Write([]byte("MZ this is a program"))
				case "/photo.png":
					w.Write(img.Bytes())
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(files.Close)
			b := e.bridge(ch.Token)
			body := func(extra string) string {
				return `{"external_user_id":"nv_1001","client_msg_id":"n1"` + extra + `}`
			}
			// form is the multipart form of the route, with a good picture.
			form := func(userID, msgID string) scenario {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				must(t, mw.WriteField("external_user_id", userID))
				must(t, mw.WriteField("client_msg_id", msgID))
				fw, err := mw.CreateFormFile("file", "photo.png")
				must(t, err)
				fw.Write(img.Bytes())
				must(t, mw.Close())
				return scenario{as: b, method: "POST", path: "/api/v1/channel/messages", body: body.String(),
					header: []string{"Content-Type", mw.FormDataContentType()}, status: 400, code: chat.ErrInvalid}
			}
			named := func(name string, sc scenario) scenario {
				sc.name = name
				return sc
			}
			scenarios := []scenario{
				{name: "no token", as: e.anonymous(), method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"안녕하세요"`), status: 401, code: chat.ErrUnauthorized},
				{name: "wrong token", as: e.bridge("sodam_ch_nope"), method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"안녕하세요"`), status: 401, code: outbox.ErrChannelToken},
				{name: "an API token", as: e.bridge(ch.Secret), method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"안녕하세요"`), status: 401, code: outbox.ErrChannelToken},
				{name: "no external user", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"client_msg_id":"n1","text":"안녕하세요"}`, status: 400, code: chat.ErrInvalid},
				{name: "external user with spaces", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"a b","client_msg_id":"n1","text":"x"}`, status: 400, code: chat.ErrInvalid},
				{name: "no client id", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"nv_1001","text":"안녕하세요"}`, status: 400, code: chat.ErrInvalid},
				{name: "nothing to say", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(``), status: 400, code: chat.ErrEmptyMessage},
				{name: "text of spaces", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":" \n\t "`), status: 400, code: chat.ErrEmptyMessage},
				{name: "text of spaces with a file", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"   ","attachment_url":"` + files.URL + `/photo.png"`), status: 400, code: chat.ErrEmptyMessage},
				{name: "oversize text", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"` + strings.Repeat("가", 10001) + `"`), status: 400, code: chat.ErrMessageTooLong},
				{name: "control character", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"x\u0000"`), status: 400, code: chat.ErrInvalid},
				{name: "bad email", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"text":"x","profile":{"email":"nope"}`), status: 400, code: chat.ErrInvalid},
				{name: "ftp attachment", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"attachment_url":"ftp://files.example.com/a.png"`), status: 400, code: outbox.ErrInvalidURL},
				{name: "missing attachment", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"attachment_url":"` + files.URL + `/gone.png"`), status: 422, code: outbox.ErrFetchFailed},
				{name: "huge attachment", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"attachment_url":"` + files.URL + `/huge.png"`), status: 413, code: chat.ErrFileTooLarge},
				{name: "redirect elsewhere", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"attachment_url":"` + files.URL + `/away"`), status: 422, code: outbox.ErrFetchFailed},
				{name: "a program", as: b, method: "POST", path: "/api/v1/channel/messages", body: body(`,"attachment_url":"` + files.URL + `/fake.png"`), status: 415, code: chat.ErrFileContentMismatch},
				{name: "wrong type", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":7,"client_msg_id":"n1","text":"x"}`, status: 400, code: chat.ErrInvalid},
				{name: "malformed", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":`, status: 400, code: "invalid_json"},
				{name: "external user with control characters", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"nv\u0000\u001b[31m","client_msg_id":"n1","text":"x"}`, status: 400, code: chat.ErrInvalid},
				named("multipart: external user with control characters", form("nv\x00\x1b[31m", "n1")),
				named("multipart: external user with an escape", form("nv_1001\x1b[31m", "n1")),
				named("multipart: client id with a control character", form("nv_1001", "n\x7f1")),
				{name: "external user turned around", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"nv_\u202e1001","client_msg_id":"n1","text":"x"}`, status: 400, code: chat.ErrInvalid},
				{name: "external user with a wide space", as: b, method: "POST", path: "/api/v1/channel/messages", body: `{"external_user_id":"nv\u30001001","client_msg_id":"n1","text":"x"}`, status: 400, code: chat.ErrInvalid},
				named("multipart: external user with spaces", form("nv 1001", "n1")),
				named("multipart: external user turned around", form("nv_\u202e1001", "n1")),
				named("multipart: no external user", form("", "n1")),
			}
			e.refuse(func() string {
				list, err := e.store.Conversations(t.Context(), e.shop.ID, chat.ConversationFilter{})
				must(t, err)
				return fmt.Sprint(e.lastSeqs(), len(list), countFiles(t, e.uploads))
			}, scenarios)
			refused := e.clock.Now()
			e.clock.advance(time.Second)
			var sent channelSent
			b.json("POST", "/api/v1/channel/messages", body(`,"text":"안녕하세요"`), 201, &sent)
			if cu := master.detailOf(sent.ConversationID).Customer; !cu.CreatedAt.After(refused) {
				t.Fatalf("the customer was created at %v, by a refused request: the first stored message came a second after %v", cu.CreatedAt, refused)
			}
		})
	}
}

// TestChannelBlockedUserChangesNothing (§5.5): a blocked messenger user's
// messages are refused 403 customer_blocked — text, end command or file —
// and the profile the bridge sends with them is not merged into the
// blocked customer.
func TestChannelBlockedUserChangesNothing(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오","webhook_url":"https://bridge.example.com/kakao"}`, 201, &ch)
			b := e.bridge(ch.Token)
			var sent channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"a1","text":"안녕","profile":{"name":"곰돌이"}}`, 201, &sent)
			master.json("POST", e.convPath(sent.ConversationID)+"/block", `{"reason":"spam"}`, 200, nil)
			var img bytes.Buffer
			must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))))
			var upload bytes.Buffer
			mw := multipart.NewWriter(&upload)
			must(t, mw.WriteField("external_user_id", "kk_1"))
			must(t, mw.WriteField("client_msg_id", "a4"))
			fw, err := mw.CreateFormFile("file", "photo.png")
			must(t, err)
			fw.Write(img.Bytes())
			must(t, mw.Close())
			msg := func(id, text string) string {
				return `{"external_user_id":"kk_1","client_msg_id":"` + id + `","text":"` + text + `","profile":{"name":"스팸왕","email":"spam@example.com"}}`
			}
			e.refuse(func() string {
				return master.state(e.convPath(sent.ConversationID)) + fmt.Sprint(countFiles(t, e.uploads))
			}, []scenario{
				{name: "text", as: b, method: "POST", path: "/api/v1/channel/messages", body: msg("a2", "또"), status: 403, code: chat.ErrCustomerBlocked},
				{name: "end command", as: b, method: "POST", path: "/api/v1/channel/messages", body: msg("a3", "!end"), status: 403, code: chat.ErrCustomerBlocked},
				{name: "file", as: b, method: "POST", path: "/api/v1/channel/messages", body: upload.String(),
					header: []string{"Content-Type", mw.FormDataContentType()}, status: 403, code: chat.ErrCustomerBlocked},
			})
		})
	}
}

// TestChannelAttachment: a bridge's attachment URL is fetched, checked and
// stored as a file message.
func TestChannelAttachment(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master := e.login("master")
	var ch createdChannel
	master.json("POST", e.shopPath()+"/channels", `{"kind":"telegram","name":"텔레그램","webhook_url":"https://bridge.example.com/tg"}`, 201, &ch)
	var img bytes.Buffer
	m := image.NewRGBA(image.Rect(0, 0, 40, 30))
	m.Set(1, 1, color.RGBA{200, 10, 10, 255})
	must(t, png.Encode(&img, m))
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(img.Bytes())
	}))
	t.Cleanup(files.Close)
	var sent channelSent
	e.bridge(ch.Token).json("POST", "/api/v1/channel/messages", `{"external_user_id":"tg_55","client_msg_id":"t1","text":"파손된 상품 사진입니다","attachment_url":"`+files.URL+`/damage.png"}`, 201, &sent)
	var msgs []chat.Message
	master.json("GET", e.convPath(sent.ConversationID)+"/messages", "", 200, &msgs)
	kinds := []string{}
	for _, m := range msgs {
		kinds = append(kinds, string(m.Kind))
		if m.Attachment != nil && (m.Attachment.Width != 40 || m.Body != "damage.png") {
			t.Fatalf("file %+v", m)
		}
	}
	if !slices.Contains(kinds, "file") || !slices.Contains(kinds, "text") {
		raw, _ := json.Marshal(msgs)
		t.Fatalf("messages %s", raw)
	}
}

// countFiles counts the files under dir (the blob store's bytes).
func countFiles(t *testing.T, dir string) int {
	n := 0
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestChannelAgentFile: an agent's file reaches the bridge as an
// attachment ID in message.created, which the bridge downloads with its
// token; another channel's token gets nothing.
func TestChannelAgentFile(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master := e.login("master")
	rc := newReceiver(t)
	var kakao, naver createdChannel
	master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`"}`, 201, &kakao)
	master.json("POST", e.shopPath()+"/channels", `{"kind":"naver","name":"네이버 톡톡","webhook_url":"`+rc.srv.URL+`"}`, 201, &naver)
	rc.secret(kakao.Secret)
	var sent channelSent
	e.bridge(kakao.Token).json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k1","text":"영수증 보내주실 수 있나요?"}`, 201, &sent)
	master.json("POST", e.convPath(sent.ConversationID)+"/assign", "", 200, nil)
	pdf := "%PDF-1.4\n% 영수증\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
	if status, data := master.upload(e.convPath(sent.ConversationID)+"/files", "f1", "receipt.pdf", strings.NewReader(pdf)); status != 201 {
		t.Fatalf("upload: %d %s", status, data)
	}
	e.worker().RunDue(t.Context())
	var aid int64
	for _, g := range rc.all() {
		ev, err := event.Decode(g.Body.Data)
		must(t, err)
		if ev.Message != nil && ev.Message.Attachment != nil {
			aid = ev.Message.Attachment.ID
		}
	}
	if aid == 0 {
		t.Fatalf("no file reached the bridge: %v", rc.types())
	}
	path := fmt.Sprintf("/api/v1/channel/files/%d", aid)
	status, data := e.bridge(kakao.Token).do("GET", path, "")
	if status != 200 || string(data) != pdf {
		t.Fatalf("download: %d %q", status, data)
	}
	for name, c := range map[string]*client{"another channel": e.bridge(naver.Token), "no token": e.anonymous(), "a visitor": e.visitor("shop", "")} {
		status, data := c.do("GET", path, "")
		if status != 404 && status != 401 {
			t.Fatalf("%s: %d %s", name, status, data)
		}
		if name == "another channel" && status != 404 {
			t.Fatalf("another channel's token: %d", status)
		}
	}
}

// TestChannelUpload: a bridge may send a file as multipart/form-data
// (external_user_id, client_msg_id, then the file), idempotent like text;
// a program under a picture's name is refused and nothing is kept.
func TestChannelUpload(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, allowPrivate)
	master := e.login("master")
	var ch createdChannel
	master.json("POST", e.shopPath()+"/channels", `{"kind":"telegram","name":"텔레그램","webhook_url":"https://bridge.example.com/tg"}`, 201, &ch)
	var img bytes.Buffer
	must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))))
	post := func(user, msgID, name string, content []byte) (int, []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		must(t, mw.WriteField("external_user_id", user))
		must(t, mw.WriteField("client_msg_id", msgID))
		fw, err := mw.CreateFormFile("file", name)
		must(t, err)
		fw.Write(content)
		must(t, mw.Close())
		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/channel/messages", &body)
		must(t, err)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Bearer "+ch.Token)
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		data, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, data
	}
	before := countFiles(t, e.uploads)
	if status, data := post("tg_9", "t1", "setup.png", []byte("MZ\x90\x00 a program")); status != 415 || countFiles(t, e.uploads) != before {
		t.Fatalf("a program: %d %s", status, data)
	}
	status, data := post("tg_9", "t2", "상품 사진.png", img.Bytes())
	var sent, again channelSent
	if status != 201 || json.Unmarshal(data, &sent) != nil {
		t.Fatalf("upload: %d %s", status, data)
	}
	status, data = post("tg_9", "t2", "상품 사진.png", img.Bytes())
	if status != 200 || json.Unmarshal(data, &again) != nil || again != sent {
		t.Fatalf("retry: %d %s", status, data)
	}
	if n := countFiles(t, e.uploads); n-before != 2 { // the file and its thumbnail, once
		t.Fatalf("%d files kept, want 2", n-before)
	}
}

// TestChannelEndCommand (§2.3): a messenger user ends the chat by sending
// !종료 or !end, as a widget visitor does: the conversation ends as the
// customer left it, the command is not stored, and the bridge hears the
// close. With no conversation open the command does nothing.
func TestChannelEndCommand(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			rc.secret(ch.Secret)
			b := e.bridge(ch.Token)
			var none channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-0","text":"!종료"}`, 200, &none)
			if none.ConversationID != 0 {
				t.Fatalf("the end command with nothing open answered %+v", none)
			}
			var list []chat.Conversation
			master.json("GET", e.shopPath()+"/conversations?state=closed", "", 200, &list)
			if len(list) != 0 {
				t.Fatalf("the end command with nothing open made conversations %+v", list)
			}

			// A queued conversation: the customer's !end closes it.
			var queued channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-1","text":"배송 문의요"}`, 201, &queued)
			var ended struct {
				channelSent
				Closed bool `json:"closed"`
			}
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-2","text":" !END "}`, 200, &ended)
			if ended.ConversationID != queued.ConversationID || !ended.Closed {
				t.Fatalf("!end answered %+v; want conversation %d closed", ended, queued.ConversationID)
			}
			d := master.detailOf(queued.ConversationID)
			if d.Conversation.State != chat.StateClosed || d.Conversation.CloseReason != chat.CloseByCustomer {
				t.Fatalf("after !end the conversation is %s (%q)", d.Conversation.State, d.Conversation.CloseReason)
			}
			// An agent's conversation: the customer leaves it for the agent's
			// wrap-up, as from the widget.
			var talk channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-3","text":"하나 더요"}`, 201, &talk)
			master.json("POST", e.convPath(talk.ConversationID)+"/assign", "", 200, nil)
			master.json("POST", e.convPath(talk.ConversationID)+"/messages", `{"client_msg_id":"a1","body":"네, 말씀하세요."}`, 201, nil)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-4","text":"!종료"}`, 200, &ended)
			if d := master.detailOf(talk.ConversationID); ended.ConversationID != talk.ConversationID || d.Conversation.CustomerLeftAt == nil {
				t.Fatalf("!종료 answered %+v; the conversation %+v", ended, d.Conversation)
			}
			var msgs []chat.Message
			master.json("GET", e.convPath(talk.ConversationID)+"/messages", "", 200, &msgs)
			for _, m := range msgs {
				if strings.Contains(m.Body, "!종료") {
					t.Fatalf("the command was stored: %+v", m)
				}
			}
			// The next message starts a new conversation.
			var next channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-5","text":"다시 왔어요"}`, 201, &next)
			if next.ConversationID == talk.ConversationID || next.ConversationID == queued.ConversationID {
				t.Fatalf("the message after !종료 went to conversation %d", next.ConversationID)
			}
			e.worker().RunDue(t.Context())
			closes := 0
			for _, g := range rc.all() {
				if g.Body.Type == string(chat.EventConversationClosed) {
					closes++
				}
			}
			if closes != 1 {
				t.Fatalf("the bridge heard %d closes (%v); want the queued one's", closes, rc.types())
			}
		})
	}
}

// TestChannelCustomerText (§1.2): what reaches a messenger bridge carries
// the words its user reads in data.message.text, in the workspace's
// language — the greeting, the robot's welcome, answers (the articles'
// titles and help center links) and no-answer with how to ask for a
// person, the handover to a person, the agent who joins and the one a
// transfer brings (not the transfer's reason), the rating request, the
// close — never a bare code; and not the customer's own leaving (!종료).
func TestChannelCustomerText(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			_, tracking := seedFAQ(t, e)
			master, kim := e.login("master"), e.login("kim")
			master.json("PATCH", e.shopPath(), `{"settings":{"robot":{"enabled":true},"greeting":"소담샵입니다. 무엇을 도와드릴까요?"}}`, 200, nil)
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"`+rc.srv.URL+`/kakao"}`, 201, &ch)
			rc.secret(ch.Secret)
			b := e.bridge(ch.Token)
			var sent channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_7","client_msg_id":"k-1","text":"운송장"}`, 201, &sent)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_7","client_msg_id":"k-2","text":"쿠폰은 어디서 받나요"}`, 201, nil)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_7","client_msg_id":"k-3","text":"상담원 연결"}`, 201, nil)
			conv := e.convPath(sent.ConversationID)
			master.json("POST", conv+"/assign", "", 200, nil)
			master.json("POST", conv+"/messages", `{"client_msg_id":"a1","body":"네, 확인해 드릴게요."}`, 201, nil)
			master.json("POST", conv+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"반품 규정 담당"}`, e.agents["kim"].ID), 200, nil)
			kim.json("POST", conv+"/rating-request", "", 201, nil)
			var left struct{ Closed bool }
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_7","client_msg_id":"k-4","text":"!종료"}`, 200, &left)
			if !left.Closed || master.detailOf(sent.ConversationID).Conversation.CustomerLeftAt == nil {
				t.Fatal("the customer's !종료 did not leave the chat")
			}
			kim.json("POST", conv+"/close", "", 200, nil)
			e.worker().RunDue(t.Context())

			var texts []string
			for _, g := range rc.all() {
				if g.Err != nil {
					t.Fatalf("verification: %v", g.Err)
				}
				var d struct {
					Data struct {
						Message *struct {
							Kind string            `json:"kind"`
							Body string            `json:"body"`
							Meta map[string]string `json:"meta"`
							Text string            `json:"text"`
						} `json:"message"`
					} `json:"data"`
				}
				must(t, json.Unmarshal(g.Raw, &d))
				m := d.Data.Message
				switch {
				case m == nil:
					continue
				case m.Text == "":
					t.Fatalf("a %s message %q reached the bridge without text: %s", m.Kind, m.Body, g.Raw)
				case m.Body == chat.SystemCustomerLeft:
					t.Fatalf("the customer's own leaving reached the bridge: %s", g.Raw)
				case strings.Contains(string(g.Raw), "반품 규정 담당") || m.Meta["from"] != "":
					t.Fatalf("the transfer's reason or its agent reached the bridge: %s", g.Raw)
				}
				texts = append(texts, m.Text)
			}
			link := fmt.Sprintf("%s/help/shop/articles/%d", e.srv.URL, tracking.ID)
			want := []string{
				"소담샵입니다. 무엇을 도와드릴까요?",
				"안녕하세요! 궁금한 것을 물어보세요. 도움말에서 답을 찾아 드릴게요.\n상담원과 이야기하시려면 '상담원 연결'이라고 보내 주세요.",
				"이런 도움말을 찾았어요.\n\n배송 조회 방법\n" + link + "\n\n상담원과 이야기하시려면 '상담원 연결'이라고 보내 주세요.",
				"죄송해요, 맞는 답을 찾지 못했어요. 상담원과 이야기해 보시겠어요?\n상담원과 이야기하시려면 '상담원 연결'이라고 보내 주세요.",
				"상담원에게 연결하는 중입니다. 잠시만 기다려 주세요.",
				"master 상담사가 연결되었습니다.",
				"네, 확인해 드릴게요.",
				"kim 상담사에게 연결되었습니다.",
				"상담은 만족스러우셨나요? 별점으로 평가해 주세요.",
				"상담이 종료되었습니다.",
			}
			slices.Sort(texts) // the worker sends them concurrently
			slices.Sort(want)
			if !slices.Equal(texts, want) {
				t.Fatalf("the bridge got\n%q\nwant\n%q", texts, want)
			}
		})
	}
}

// TestChannelRetryAfterClose: a bridge that retries a message whose answer
// it lost — after its user's conversation closed (the user's !종료, sent
// next, went through first) — is answered as a retry, with the message it
// stored, and starts no new conversation with the message a second time.
func TestChannelRetryAfterClose(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"kakao","name":"카카오톡","webhook_url":"http://127.0.0.1:9/kakao"}`, 201, &ch)
			b := e.bridge(ch.Token)
			var first, retry channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-1","text":"감사합니다"}`, 201, &first)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-2","text":"!종료"}`, 200, nil)
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"k-1","text":"감사합니다"}`, 200, &retry)
			if retry != first {
				t.Fatalf("the retry answered %+v, want the first answer %+v", retry, first)
			}
			var all []chat.Conversation
			master.json("GET", e.shopPath()+"/conversations", "", 200, &all)
			if len(all) != 1 || all[0].State != chat.StateClosed {
				t.Fatalf("after the retry, the conversations are %+v; want the first, closed", all)
			}
			// Another user's message with the same ID is theirs.
			var other channelSent
			b.json("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_2","client_msg_id":"k-1","text":"안녕하세요"}`, 201, &other)
			if other.ConversationID == first.ConversationID {
				t.Fatalf("another user's message went to %d", other.ConversationID)
			}
		})
	}
}
