package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestChannelLanguage (§1.2, §14): a bridge may say which language its
// user reads, ko or en: the greeting, the canned responses' fill and what
// the bridge is told — an agent joining, the close — then speak it; a
// message without one keeps the language given before, and a user who
// never gave one is spoken to in Korean. Anything else is refused, JSON or
// multipart, and changes nothing.
func TestChannelLanguage(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, allowPrivate)
			master := e.login("master")
			master.json("PATCH", e.shopPath(), `{"settings":{"widget":{"texts":{"ko":{"greeting":"소담샵입니다. 무엇을 도와드릴까요?"},"en":{"greeting":"Welcome to Sodam Shop. How can we help?"}}}}}`, 200, nil)
			master.json("POST", e.shopPath()+"/canned", `{"title":"hello","body":"Dear {customer_name}, / {고객명}님","shared":true}`, 201, nil)
			rc := newReceiver(t)
			var ch createdChannel
			master.json("POST", e.shopPath()+"/channels", `{"kind":"telegram","name":"텔레그램","webhook_url":"`+rc.srv.URL+`/tg"}`, 201, &ch)
			rc.secret(ch.Secret)
			b := e.bridge(ch.Token)
			path := "/api/v1/channel/messages"

			// Bad languages first: refused, and nothing is stored.
			var img bytes.Buffer
			must(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 8, 8))))
			form := func(lang string) scenario {
				var body bytes.Buffer
				mw := multipart.NewWriter(&body)
				must(t, mw.WriteField("external_user_id", "tg_1"))
				must(t, mw.WriteField("client_msg_id", "t-0"))
				must(t, mw.WriteField("language", lang))
				fw, err := mw.CreateFormFile("file", "photo.png")
				must(t, err)
				fw.Write(img.Bytes())
				must(t, mw.Close())
				return scenario{name: "multipart language " + lang, as: b, method: "POST", path: path, body: body.String(),
					header: []string{"Content-Type", mw.FormDataContentType()}, status: 400, code: chat.ErrInvalid}
			}
			msg := func(lang string) string {
				return `{"external_user_id":"tg_1","client_msg_id":"t-0","text":"Hello","language":` + lang + `}`
			}
			var scenarios []scenario
			for _, bad := range []string{`"fr"`, `"EN"`, `"en-US"`, `" en"`, `"ko\u0000"`, `7`, `["en"]`} {
				scenarios = append(scenarios, scenario{name: "language " + bad, as: b, method: "POST", path: path, body: msg(bad), status: 400, code: chat.ErrInvalid})
			}
			scenarios = append(scenarios, form("fr"), form(""), form("en\x1b"))
			e.refuse(func() string {
				list, err := e.store.Conversations(t.Context(), e.shop.ID, chat.ConversationFilter{})
				must(t, err)
				return fmt.Sprint(e.lastSeqs(), len(list), countFiles(t, e.uploads))
			}, scenarios)
			status, data := b.do("POST", path, msg(`"fr"`))
			if code, message := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid || !strings.Contains(message, "language must be ko or en") {
				t.Fatalf("language fr: %d %s", status, data)
			}

			// An English user; their next message gives no language and
			// keeps English. A user who gives none reads Korean.
			var en, ko channelSent
			b.json("POST", path, `{"external_user_id":"tg_1","client_msg_id":"t-1","text":"Hello, where is my parcel?","language":"en"}`, 201, &en)
			b.json("POST", path, `{"external_user_id":"tg_1","client_msg_id":"t-2","text":"Order 1234"}`, 201, nil)
			b.json("POST", path, `{"external_user_id":"tg_2","client_msg_id":"t-3","text":"안녕하세요"}`, 201, &ko)
			for _, c := range []struct {
				conv int64
				want string
			}{{en.ConversationID, "Dear customer, / customer님"}, {ko.ConversationID, "Dear 고객, / 고객님"}} {
				master.json("POST", e.convPath(c.conv)+"/assign", "", 200, nil)
				var found []chat.Canned
				master.json("GET", fmt.Sprintf("%s/canned?q=hello&conversation_id=%d", e.shopPath(), c.conv), "", 200, &found)
				if len(found) != 1 || found[0].Text != c.want {
					t.Errorf("canned fill in conversation %d: %+v, want %q", c.conv, found, c.want)
				}
				master.json("POST", e.convPath(c.conv)+"/close", "", 200, nil)
			}
			e.worker().RunDue(t.Context())
			got := bridgeTexts(t, rc)
			want := map[string][]string{
				"tg_1 greeting": {"Welcome to Sodam Shop. How can we help?"},
				"tg_1 assigned": {"master joined the chat."},
				"tg_1 closed":   {"The chat has ended."},
				"tg_2 greeting": {"소담샵입니다. 무엇을 도와드릴까요?"},
				"tg_2 assigned": {"master 상담사가 연결되었습니다."},
				"tg_2 closed":   {"상담이 종료되었습니다."},
			}
			for k, w := range want {
				if !slices.Equal(got[k], w) {
					t.Errorf("%s: told %q, want %q", k, got[k], w)
				}
			}
			// The bridge's language is the customer's, as the panel shows it.
			if d := master.detailOf(en.ConversationID); d.Customer.Language != "en" {
				t.Errorf("the English user's language is %q", d.Customer.Language)
			}
			// Korean again, by a file sent as multipart with its language.
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			must(t, mw.WriteField("external_user_id", "tg_1"))
			must(t, mw.WriteField("client_msg_id", "t-4"))
			must(t, mw.WriteField("language", "ko"))
			fw, err := mw.CreateFormFile("file", "photo.png")
			must(t, err)
			fw.Write(img.Bytes())
			must(t, mw.Close())
			if status, data := b.do("POST", path, body.String(), "Content-Type", mw.FormDataContentType()); status != 201 {
				t.Fatalf("multipart with a language: %d %s", status, data)
			}
			var again channelSent
			b.json("POST", path, `{"external_user_id":"tg_1","client_msg_id":"t-5","text":"다시 한국어로"}`, 201, &again)
			if d := master.detailOf(again.ConversationID); d.Customer.Language != "ko" {
				t.Errorf("after a multipart message in Korean the language is %q", d.Customer.Language)
			}
		})
	}
}

// bridgeTexts is what each messenger user was told, by data.message's
// body (a system message's code, or an agent's text): the words of
// data.message.text.
func bridgeTexts(t *testing.T, rc *receiver) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, g := range rc.all() {
		if g.Err != nil {
			t.Fatalf("verification: %v", g.Err)
		}
		var d struct {
			Data struct {
				Message *struct {
					Body string `json:"body"`
					Text string `json:"text"`
				} `json:"message"`
			} `json:"data"`
		}
		must(t, json.Unmarshal(g.Raw, &d))
		if m := d.Data.Message; m != nil && g.Body.Recipient != nil {
			key := g.Body.Recipient.ExternalUserID + " " + m.Body
			out[key] = append(out[key], m.Text)
		}
	}
	return out
}
