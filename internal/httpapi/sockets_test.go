package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

// frame is a server frame as a client sees it.
type frame struct {
	Type           string          `json:"type"`
	Seq            int64           `json:"seq"`
	Event          json.RawMessage `json:"event"`
	ConversationID int64           `json:"conversation_id"`
	SenderType     string          `json:"sender_type"`
	Typing         bool            `json:"typing"`
	Position       int             `json:"position"`
}

type wireEvent struct {
	Seq          int64              `json:"seq"`
	Type         chat.EventType     `json:"type"`
	Conversation *chat.Conversation `json:"conversation"`
	Message      *chat.Message      `json:"message"`
	Member       *chat.Member       `json:"member"`
}

// socket is a WebSocket client collecting frames.
type socket struct {
	t      *testing.T
	conn   *websocket.Conn
	frames chan frame
}

func (c *client) socket(path string, header ...string) (*socket, *http.Response, error) {
	c.e.t.Helper()
	h := http.Header{}
	u := strings.TrimPrefix(c.e.srv.URL, "http://")
	for _, ck := range c.hc.Jar.Cookies(mustURL(c.e.srv.URL)) {
		h.Add("Cookie", ck.String())
	}
	for i := 0; i+1 < len(header); i += 2 {
		h.Set(header[i], header[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws://"+u+path, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	s := &socket{t: c.e.t, conn: conn, frames: make(chan frame, 1000)}
	go func() {
		defer close(s.frames)
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				return
			}
			var f frame
			if json.Unmarshal(data, &f) == nil {
				s.frames <- f
			}
		}
	}()
	c.e.t.Cleanup(func() { conn.CloseNow() })
	return s, resp, nil
}

func (c *client) mustSocket(path string) *socket {
	c.e.t.Helper()
	s, resp, err := c.socket(path)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		c.e.t.Fatalf("dial %s: %v (status %d)", path, err, status)
	}
	return s
}

// next returns the next frame of the given type (any type for ""),
// failing after a timeout.
func (s *socket) next(typ string) frame {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case f, ok := <-s.frames:
			if !ok {
				s.t.Fatalf("socket closed while waiting for %q", typ)
			}
			if typ == "" || f.Type == typ {
				return f
			}
		case <-timeout:
			s.t.Fatalf("no %q frame", typ)
		}
	}
}

// eventOf skips events until one of the given type.
func (s *socket) eventOf(typ chat.EventType) wireEvent {
	s.t.Helper()
	for {
		if ev := s.event(); ev.Type == typ {
			return ev
		}
	}
}

func (s *socket) event() wireEvent {
	s.t.Helper()
	var ev wireEvent
	must(s.t, json.Unmarshal(s.next("event").Event, &ev))
	return ev
}

// quiet asserts that no frame of type typ arrives for a moment.
func (s *socket) quiet(typ string) {
	s.t.Helper()
	timeout := time.After(300 * time.Millisecond)
	for {
		select {
		case f, ok := <-s.frames:
			if ok && f.Type == typ {
				s.t.Fatalf("unexpected %s frame: %+v %s", typ, f, f.Event)
			}
		case <-timeout:
			return
		}
	}
}

func (s *socket) send(v any) {
	data, _ := json.Marshal(v)
	must(s.t, s.conn.Write(context.Background(), websocket.MessageText, data))
}

func (s *socket) close() { s.conn.Close(websocket.StatusNormalClosure, "") }

type sent struct {
	Message      *chat.Message      `json:"message"`
	Conversation *chat.Conversation `json:"conversation"`
}

// TestChatLoop walks the whole foundation: a visitor asks, an agent takes
// the conversation and answers, both see each other live, the visitor ends it.
func TestChatLoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim, lee, manager := e.login("kim"), e.login("lee"), e.login("manager")
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	kimWS := kim.mustSocket(shop + "/ws?after=0")
	leeWS := lee.mustSocket(shop + "/ws")
	kimWS.next("ready")
	leeWS.next("ready")

	var cfg struct {
		AgentsOnline bool   `json:"agents_online"`
		ConsentText  string `json:"consent_text"`
		TimeZone     string `json:"time_zone"`
	}
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
	if !cfg.AgentsOnline || cfg.ConsentText == "" || cfg.TimeZone != chat.DefaultTimeZone {
		t.Fatalf("config %+v", cfg)
	}

	vis := e.visitor("shop", `,"language":"ko-KR","extra":{"cus_extra_username":"홍길동","cus_extra_plan":"gold"}`)
	conv := vis.start()
	if conv.State != chat.StateUnassigned || conv.RoomNo != 1 {
		t.Fatalf("started %+v", conv)
	}
	// Starting again resumes the same conversation.
	if again := vis.start(); again.ID != conv.ID {
		t.Fatalf("second start made conversation %d", again.ID)
	}
	for _, ws := range []*socket{kimWS, leeWS} {
		if ev := ws.event(); ev.Type != chat.EventConversationCreated || ev.Conversation.ID != conv.ID || ev.Conversation.CustomerName != "홍길동" {
			t.Fatalf("created event %+v", ev)
		}
	}
	visWS := vis.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d&after=0", vis.bearer, conv.ID))
	visWS.next("ready")

	var out sent
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v-1","body":"배송이 언제 오나요?"}`, 201, &out)
	if ev := kimWS.event(); ev.Type != chat.EventMessageCreated || ev.Message.Body != "배송이 언제 오나요?" {
		t.Fatalf("kim got %+v", ev)
	}
	if ev := visWS.event(); ev.Message == nil || ev.Message.ClientMsgID != "v-1" {
		t.Fatalf("visitor echo %+v", ev)
	}

	// Typing reaches the agents who can see the conversation.
	visWS.send(map[string]any{"type": "typing", "typing": true})
	if f := kimWS.next("typing"); f.ConversationID != conv.ID || f.SenderType != "visitor" || !f.Typing {
		t.Fatalf("typing %+v", f)
	}

	var taken chat.Conversation
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, conv.ID), "", 200, &taken)
	if taken.State != chat.StateWaiting || taken.AssigneeName != "kim" {
		t.Fatalf("taken %+v", taken)
	}
	// Lee saw the queued message, learns that the conversation left the
	// queue, then sees no more of it.
	if ev := leeWS.event(); ev.Type != chat.EventMessageCreated {
		t.Fatalf("lee got %+v", ev)
	}
	if ev := leeWS.event(); ev.Type != chat.EventConversationAssigned {
		t.Fatalf("lee got %+v", ev)
	}
	if ev := visWS.event(); ev.Type != chat.EventConversationAssigned || ev.Conversation.AssigneeName != "kim" {
		t.Fatalf("visitor got %+v", ev)
	}

	var reply chat.Message
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/messages", shop, conv.ID), `{"client_msg_id":"k-1","body":"내일 도착 예정입니다 <b>감사합니다</b>"}`, 201, &reply)
	ev := visWS.event()
	if ev.Message == nil || ev.Message.Body != "내일 도착 예정입니다 <b>감사합니다</b>" || ev.Message.SenderName != "kim" || ev.Conversation.State != chat.StateActive {
		t.Fatalf("visitor got reply %+v", ev)
	}
	if strings.Contains(string(mustJSON(t, ev)), "sender_id") {
		t.Fatal("visitor sees the agent's account ID")
	}
	kimWS.send(map[string]any{"type": "typing", "conversation_id": conv.ID, "typing": true})
	if f := visWS.next("typing"); f.SenderType != "agent" {
		t.Fatalf("visitor typing frame %+v", f)
	}
	leeWS.quiet("event")
	leeWS.quiet("typing")

	// The manager sees everything, including the customer's profile.
	var detail struct {
		Conversation chat.Conversation
		Customer     chat.Customer
	}
	manager.json("GET", fmt.Sprintf("%s/conversations/%d", shop, conv.ID), "", 200, &detail)
	if detail.Customer.Name != "홍길동" || detail.Customer.Language != "ko-KR" || detail.Customer.Extra["cus_extra_plan"] != "gold" || detail.Conversation.State != chat.StateActive {
		t.Fatalf("detail %+v", detail)
	}

	// "!종료" ends the chat from the widget.
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"v-2","body":"!종료"}`, 200, &out)
	if out.Message != nil || out.Conversation.State != chat.StateClosed {
		t.Fatalf("end command answered %+v", out)
	}
	// The conversation stays with kim for the wrap-up until kim ends it.
	if ev := kimWS.eventOf(chat.EventConversationUpdated); ev.Conversation.CustomerLeftAt == nil || ev.Message.Body != chat.SystemCustomerLeft {
		t.Fatalf("kim got %+v", ev)
	}
	// Ending again is harmless; replying is refused.
	vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/close", conv.ID), "", 200, nil)
	status, _ := kim.do("POST", fmt.Sprintf("%s/conversations/%d/messages", shop, conv.ID), `{"client_msg_id":"k-2","body":"?"}`)
	if status != 409 {
		t.Fatalf("reply after the customer left: %d", status)
	}
	var ended chat.Conversation
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/close", shop, conv.ID), "", 200, &ended)
	if ended.State != chat.StateClosed || ended.CloseReason != chat.CloseByCustomer || !ended.Processed {
		t.Fatalf("wrap-up end %+v", ended)
	}
	var msgs []chat.Message
	vis.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), "", 200, &msgs)
	var kinds []string
	for _, m := range msgs {
		kinds = append(kinds, string(m.Kind)+":"+m.Body[:min(len(m.Body), 8)])
	}
	// The end command is not a message; the visitor sees the system events.
	if len(msgs) != 5 || msgs[1].Kind != chat.KindSystem || msgs[1].Body != chat.SystemAssigned || msgs[4].Body != chat.SystemClosed {
		t.Fatalf("visitor's transcript %v", kinds)
	}
	var closed []chat.Conversation
	kim.json("GET", shop+"/conversations?state=closed&scope=mine", "", 200, &closed)
	if len(closed) != 1 || closed[0].ID != conv.ID {
		t.Fatalf("closed list %+v", closed)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	data, err := json.Marshal(v)
	must(t, err)
	return data
}

// TestReconnectReplaysGap drops the visitor's socket, lets the agent write
// while it is away, and checks the reconnect delivers exactly the gap.
func TestReconnectReplaysGap(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.login("kim")
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	vis := e.visitor("shop", "")
	conv := vis.start()
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, conv.ID), "", 200, nil)
	wsPath := func(after int64) string {
		return fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d&after=%d", vis.bearer, conv.ID, after)
	}
	first := vis.mustSocket(wsPath(0))
	var last int64
	for range 2 { // created, assigned
		last = first.event().Seq
	}
	if ready := first.next("ready"); ready.Seq != last {
		t.Fatalf("ready at %d, last event %d", ready.Seq, last)
	}
	first.close()

	for i := range 3 {
		kim.json("POST", fmt.Sprintf("%s/conversations/%d/messages", shop, conv.ID), fmt.Sprintf(`{"client_msg_id":"k-%d","body":"reply %d"}`, i, i), 201, nil)
	}
	// Events of other conversations in between must not reach this visitor.
	e.visitor("shop", "").start()

	second := vis.mustSocket(wsPath(last))
	var bodies []string
	for range 3 {
		ev := second.event()
		if ev.Seq <= last {
			t.Fatalf("replayed seq %d at or below %d", ev.Seq, last)
		}
		bodies = append(bodies, ev.Message.Body)
	}
	second.next("ready")
	if strings.Join(bodies, ",") != "reply 0,reply 1,reply 2" {
		t.Fatalf("replay %v", bodies)
	}
	second.quiet("event")
	// Live events continue after the replay.
	kim.json("POST", fmt.Sprintf("%s/conversations/%d/messages", shop, conv.ID), `{"client_msg_id":"k-live","body":"live"}`, 201, nil)
	if ev := second.event(); ev.Message.Body != "live" {
		t.Fatalf("live %+v", ev)
	}

	// Without after, or with one beyond the log's end (a database restored
	// under the client), the session starts at the end: no replay.
	end, err := e.store.LastEventSeq(context.Background(), e.shop.ID)
	must(t, err)
	for _, path := range []string{strings.Replace(wsPath(0), "&after=0", "", 1), wsPath(end + 1000)} {
		s := vis.mustSocket(path)
		if f := s.next(""); f.Type != "ready" || f.Seq != end {
			t.Fatalf("%s: first frame %+v, want ready at %d", path, f, end)
		}
		s.quiet("event")
	}
}

// TestIdempotentRetries sends the same client_msg_id many times at once:
// one message is stored and every observer sees it once.
func TestIdempotentRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.login("kim")
	shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)
	kimWS := kim.mustSocket(shop + "/ws")
	kimWS.next("ready")
	vis := e.visitor("shop", "")
	conv := vis.start()
	kimWS.event() // created

	const tries = 10
	statuses := make(chan int, tries)
	ids := make(chan int64, tries)
	var wg sync.WaitGroup
	for range tries {
		wg.Go(func() {
			status, data := vis.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"retry-me","body":"한 번만 저장"}`)
			var out sent
			json.Unmarshal(data, &out)
			statuses <- status
			if out.Message != nil {
				ids <- out.Message.ID
			}
		})
	}
	wg.Wait()
	close(statuses)
	close(ids)
	created := 0
	for s := range statuses {
		switch s {
		case 201:
			created++
		case 200:
		default:
			t.Fatalf("status %d", s)
		}
	}
	var first int64
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Fatalf("retries answered different messages %d and %d", first, id)
		}
	}
	if created != 1 {
		t.Fatalf("%d sends reported created, want 1", created)
	}
	if ev := kimWS.event(); ev.Message == nil || ev.Message.ClientMsgID != "retry-me" {
		t.Fatalf("event %+v", ev)
	}
	kimWS.quiet("event")
	status, _ := vis.do("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), `{"client_msg_id":"retry-me","body":"다른 내용"}`)
	if status != 409 {
		t.Fatalf("reused client_msg_id with another body: %d", status)
	}
}

// TestSignedVisitor checks site_uid identity: the same signed customer lands
// in the same open conversation from any browser, and a logged-out page
// never resumes it.
func TestSignedVisitor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	signed := `,"site_uid":"user-42","site_uid_sig":"` + chat.SignSiteUID(e.shop.IdentitySecret, "user-42") + `"`
	var s1 struct {
		VisitorToken string `json:"visitor_token"`
		Identifier   string `json:"identifier"`
		Conversation *chat.Conversation
	}
	e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop"`+signed+`}`, 200, &s1)
	if s1.Identifier != "shop_user-42" || s1.Conversation != nil {
		t.Fatalf("session %+v", s1)
	}
	first := &client{e: e, hc: http.DefaultClient, bearer: s1.VisitorToken}
	conv := first.start()

	// Another browser, same signed customer: same conversation.
	var s2 = s1
	e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop"`+signed+`}`, 200, &s2)
	if s2.Conversation == nil || s2.Conversation.ID != conv.ID || s2.VisitorToken == s1.VisitorToken {
		t.Fatalf("second browser %+v", s2)
	}
	// The first browser's token after logging out: a new anonymous customer.
	var s3 = s1
	e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+s1.VisitorToken+`"}`, 200, &s3)
	if s3.Conversation != nil || s3.VisitorToken == s1.VisitorToken || !strings.HasPrefix(s3.Identifier, "shop_v") {
		t.Fatalf("logged-out session %+v", s3)
	}
	// An anonymous token resumes its own customer.
	var s4 = s3
	e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+s3.VisitorToken+`"}`, 200, &s4)
	if s4.VisitorToken != s3.VisitorToken || s4.Identifier != s3.Identifier {
		t.Fatalf("anonymous resume %+v vs %+v", s4, s3)
	}
	// A token of one workspace means nothing in another.
	var s5 = s3
	e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"other","visitor_token":"`+s3.VisitorToken+`"}`, 200, &s5)
	if s5.VisitorToken == s3.VisitorToken {
		t.Fatal("token reused across workspaces")
	}
}

// TestSocketOrigins refuses WebSockets opened by pages of other sites.
func TestSocketOrigins(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.login("kim")
	vis := e.visitor("shop", "")
	conv := vis.start()
	visPath := fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", vis.bearer, conv.ID)
	for _, tc := range []struct {
		name   string
		c      *client
		path   string
		origin string
		ok     bool
	}{
		{"agent, same origin", kim, fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID), e.srv.URL, true},
		{"agent, other site", kim, fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID), "https://evil.example", false},
		{"agent, not logged in", e.anonymous(), fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID), e.srv.URL, false},
		{"visitor, widget iframe", vis, visPath, e.srv.URL, true},
		{"visitor, other site", vis, visPath, "https://evil.example", false},
		{"visitor, bad token", vis, fmt.Sprintf("/api/v1/widget/ws?token=forged&conversation_id=%d", conv.ID), e.srv.URL, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, resp, err := tc.c.socket(tc.path, "Origin", tc.origin)
			if tc.ok != (err == nil) {
				t.Fatalf("err %v", err)
			}
			if err == nil {
				s.next("ready")
				s.close()
			} else if resp == nil || resp.StatusCode < 400 || resp.StatusCode >= 500 {
				t.Fatalf("refusal answered %v", resp)
			}
		})
	}
}

// TestWidgetSocketTokenInProtocol: the widget's socket carries the
// visitor's token in its Sec-WebSocket-Protocol offer (sodam, and
// sodam.token.<token>) instead of the URL, whose query a reverse proxy
// writes into its access log: the server takes it from there, answers
// with the sodam protocol, and refuses a forged one as it refuses a
// forged ?token=.
func TestWidgetSocketTokenInProtocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	vis := e.visitor("shop", "")
	conv := vis.start()
	dial := func(token string) (*websocket.Conn, *http.Response, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return websocket.Dial(ctx, fmt.Sprintf("ws://%s/api/v1/widget/ws?conversation_id=%d", strings.TrimPrefix(e.srv.URL, "http://"), conv.ID),
			&websocket.DialOptions{Subprotocols: []string{"sodam", "sodam.token." + token}})
	}
	conn, resp, err := dial(vis.bearer)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial with the token in the protocol: %v (status %d)", err, status)
	}
	defer conn.CloseNow()
	if p := conn.Subprotocol(); p != "sodam" {
		t.Fatalf("the server chose protocol %q, want sodam", p)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := conn.Read(ctx)
	if err != nil || !strings.Contains(string(data), `"ready"`) {
		t.Fatalf("first frame %s, %v", data, err)
	}
	if _, resp, err := dial("FORGEDTOKEN234567ABCDEFGHIJ"); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("a forged token in the protocol: %v, %v", resp, err)
	}
}

// TestAgentSocketPlainPage: behind https, a page of the same host served
// over plain http — which anyone on the network path can write — may not
// open a console socket: the browser sends the session cookie with it,
// and the socket streams every conversation the agent sees. (Writes are
// safe without this: they need the CSRF token, which such a page cannot
// read.) The console's own https page still connects.
func TestAgentSocketPlainPage(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(c *httpapi.Config) { c.BaseURL = strings.Replace(c.BaseURL, "http://", "https://", 1) })
	kim := e.login("kim")
	host := strings.TrimPrefix(e.srv.URL, "http://")
	path := fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID)
	if _, resp, err := kim.socket(path, "Origin", "http://"+host); err == nil || resp == nil || resp.StatusCode != 403 {
		t.Fatalf("a plain-http page of the host opened the console socket: %v, %v", resp, err)
	}
	s, resp, err := kim.socket(path, "Origin", "https://"+host)
	if err != nil {
		t.Fatalf("the console's own page: %v, %v", resp, err)
	}
	s.next("ready")
	s.close()
}
