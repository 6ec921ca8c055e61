package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/httpapi"
)

func withLimits(c *httpapi.Config) { c.NoLimits = false }

// retryAfter checks a 429's Retry-After header and returns it.
func retryAfter(t *testing.T, resp *http.Response) time.Duration {
	t.Helper()
	s, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if resp.StatusCode != 429 || err != nil || s < 1 {
		t.Fatalf("status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	return time.Duration(s) * time.Second
}

func (c *client) raw(method, path, body string) *http.Response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, strings.NewReader(body))
	must(c.e.t, err)
	req.Header.Set("Content-Type", "application/json")
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := c.hc.Do(req)
	must(c.e.t, err)
	resp.Body.Close()
	return resp
}

// spend sends the requests req makes, the i-th with i, until one is
// refused with 429 or max were sent, and returns how many were not
// refused and the last answer.
func spend(max int, req func(i int) *http.Response) (answered int, last *http.Response) {
	for i := range max {
		if last = req(i); last.StatusCode == 429 {
			break
		}
		answered++
	}
	return answered, last
}

// A visitor who floods messages is slowed down with 429 and Retry-After;
// one who chats normally never is, and neither are the other visitors
// behind the same address.
func TestMessageLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	flood := e.visitor("shop", "")
	conv := flood.start()
	path := fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID)
	sent := 0
	var resp *http.Response
	for i := range 100 {
		resp = flood.raw("POST", path, fmt.Sprintf(`{"client_msg_id":"f%d","body":"스팸 %d"}`, i, i))
		if resp.StatusCode != 201 {
			break
		}
		sent++
	}
	if sent != 30 {
		t.Fatalf("%d messages before the limit, want the burst of 30", sent)
	}
	if d := retryAfter(t, resp); d != time.Second {
		t.Fatalf("Retry-After %v", d)
	}
	// The refused message was not stored.
	var msgs []chat.Message
	flood.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), "", 200, &msgs)
	if len(msgs) != 30 {
		t.Fatalf("%d messages stored", len(msgs))
	}
	// A neighbour on the same address chats on.
	other := e.visitor("shop", "")
	oc := other.start()
	other.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", oc.ID), `{"client_msg_id":"n1","body":"배송 문의드려요"}`, 201, nil)
	// A second later the flooder may send one more.
	e.clock.advance(time.Second)
	flood.json("POST", path, `{"client_msg_id":"later","body":"한 번 더"}`, 201, nil)
}

// A person typing a message every two seconds for ten minutes is never
// refused.
func TestRealVisitorNeverLimited(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	v := e.visitor("shop", "")
	conv := v.start()
	for i := range 300 {
		v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID), fmt.Sprintf(`{"client_msg_id":"m%d","body":"문의 %d"}`, i, i), 201, nil)
		e.clock.advance(2 * time.Second)
	}
}

// Tickets and sessions have budgets of their own; a spammer's tickets stop
// at the third, the address's sessions at their burst.
func TestTicketAndSessionLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	v := e.visitor("shop", "")
	for i := range 3 {
		v.json("POST", "/api/v1/widget/tickets", fmt.Sprintf(`{"name":"홍길동","contact":"010-1234-5678","message":"연락 부탁드려요 %d"}`, i), 201, nil)
	}
	if d := retryAfter(t, v.raw("POST", "/api/v1/widget/tickets", `{"name":"홍길동","contact":"010-1234-5678","message":"또"}`)); d != 10*time.Minute {
		t.Fatalf("ticket Retry-After %v", d)
	}
	made := 1 // the visitor above
	var resp *http.Response
	for range 200 {
		resp = e.anonymous().raw("POST", "/api/v1/widget/sessions", `{"site_id":"shop"}`)
		if resp.StatusCode != 200 {
			break
		}
		made++
	}
	if made != 120 {
		t.Fatalf("%d sessions from one address before the limit", made)
	}
	retryAfter(t, resp)
}

// A visitor may hold a few sockets (tabs) at once, not thousands.
func TestSocketLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	v := e.visitor("shop", "")
	conv := v.start()
	path := fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, conv.ID)
	var open []*socket
	for range 5 {
		s := v.mustSocket(path)
		s.next("ready")
		open = append(open, s)
	}
	_, resp, err := v.socket(path)
	if err == nil || resp == nil || resp.StatusCode != 429 {
		t.Fatalf("a sixth socket: %v %v", err, resp)
	}
	// Closing one frees its place.
	open[0].close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, _, err := v.socket(path)
		if err == nil {
			s.next("ready")
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a closed socket's place was not freed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The leave-a-message form's honeypot: a filled one is refused, and
// nothing reaches To check.
func TestTicketHoneypot(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.visitor("shop", "")
	tickets := func() string {
		_, data := e.login("master").do("GET", e.shopPath()+"/tickets", "")
		return string(data)
	}
	e.refuse(tickets, []scenario{{name: "a bot fills every field", as: v, method: "POST", path: "/api/v1/widget/tickets",
		body: `{"name":"홍길동","contact":"010-1234-5678","message":"최저가 보장","website":"http://spam.example"}`, status: 400, code: chat.ErrSpamSuspected}})
	v.json("POST", "/api/v1/widget/tickets", `{"name":"홍길동","contact":"010-1234-5678","message":"환불 문의드려요","website":""}`, 201, nil)
}

// Consent is asked once per wording: recorded with its time and version on
// the customer, it stands for their next chats until the notice changes.
func TestConsentRecorded(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.visitor("shop", "")
	widget := func(p string) string { return "/api/v1/widget" + p }
	e.run([]scenario{{name: "no consent", as: v, method: "POST", path: widget("/conversations"), body: `{}`, status: 400, code: chat.ErrConsentRequired}})
	first := v.start() // consents
	v.json("POST", fmt.Sprintf(widget("/conversations/%d/close"), first.ID), "", 200, nil)
	// A new chat of the same visitor needs no second consent…
	v.json("POST", widget("/conversations"), `{}`, 201, nil)
	var s struct {
		Consented bool `json:"consented"`
	}
	again := e.anonymous()
	again.json("POST", widget("/sessions"), `{"site_id":"shop","visitor_token":"`+v.bearer+`"}`, 200, &s)
	if !s.Consented {
		t.Fatal("the session does not say the visitor consented")
	}
	m := e.login("master")
	d := m.detailOf(first.ID)
	if d.Customer.ConsentAt == nil || d.Customer.ConsentVersion != chat.ConsentVersion("개인정보 수집에 동의합니다") {
		t.Fatalf("customer %+v", d.Customer)
	}
	// …until the wording changes.
	m.json("PATCH", e.shopPath(), `{"consent_text":"새 개인정보 처리방침에 동의합니다"}`, 200, nil)
	again.json("POST", widget("/sessions"), `{"site_id":"shop","visitor_token":"`+v.bearer+`"}`, 200, &s)
	if s.Consented {
		t.Fatal("a new wording was taken as agreed")
	}
}

// A refused start records none of the consent sent with it: not while
// the desk takes no chats (409), not for a blocked customer (403).
func TestConsentNotRecordedOnRefusedStart(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { consentNotRecordedOnRefusedStart(t, newEnvOn(t, kind, nil)) })
	}
}

func consentNotRecordedOnRefusedStart(t *testing.T, e *env) {
	master := e.login("master")
	consented := func(v *client) bool {
		var s struct {
			Consented bool `json:"consented"`
		}
		e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+v.bearer+`"}`, 200, &s)
		return s.Consented
	}
	start := func(name string, v *client, status int, code string) scenario {
		return scenario{name: name, as: v, method: "POST", path: "/api/v1/widget/conversations", body: `{"consent":true}`, status: status, code: code}
	}

	quiet := e.visitor("shop", "")
	master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":true}}`, 200, nil)
	e.refuse(func() string { return fmt.Sprint(consented(quiet)) }, []scenario{start("the desk is stopped", quiet, 409, chat.ErrUnavailable)})
	master.json("PATCH", e.shopPath(), `{"settings":{"operation_stopped":false}}`, 200, nil)
	if quiet.start(); !consented(quiet) {
		t.Fatal("a start that went ahead did not record the consent")
	}

	// A blocked customer asked again after the notice changed.
	troll := e.visitor("shop", "")
	conv := troll.start()
	master.json("POST", e.convPath(conv.ID)+"/assign", "", 200, nil)
	master.json("POST", e.convPath(conv.ID)+"/block", `{"reason":"spam"}`, 200, nil)
	master.json("PATCH", e.shopPath(), `{"consent_text":"새 개인정보 처리방침에 동의합니다"}`, 200, nil)
	e.refuse(func() string { return fmt.Sprint(consented(troll), master.detailOf(conv.ID).Customer.ConsentVersion) },
		[]scenario{start("the customer is blocked", troll, 403, chat.ErrCustomerBlocked)})
}

// The widget's reads have budgets too: its settings and launcher per
// address (each page view reads them), a visitor's pages of messages per
// visitor, so a neighbour behind the same address reads on.
func TestWidgetReadLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	count := func(c *client, path string, max int) (int, *http.Response) {
		return spend(max, func(int) *http.Response { return c.raw("GET", path, "") })
	}
	office := e.fromAddress("127.0.0.3")
	if n, resp := count(office, "/api/v1/widget/config?site_id=shop", 700); n != 600 {
		t.Fatalf("%d config reads from one address before the limit", n)
	} else {
		retryAfter(t, resp)
	}
	// The address's budget is the widget's reads', the launcher's too.
	retryAfter(t, office.raw("GET", "/api/v1/widget/launcher?site_id=shop", ""))

	v := e.visitor("shop", "")
	conv := v.start()
	path := fmt.Sprintf("/api/v1/widget/conversations/%d/messages", conv.ID)
	if n, resp := count(v, path, 100); n != 60 {
		t.Fatalf("%d pages of messages before the limit", n)
	} else if d := retryAfter(t, resp); d != time.Second {
		t.Fatalf("Retry-After %v", d)
	}
	neighbour := e.visitor("shop", "")
	nc := neighbour.start()
	neighbour.json("GET", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", nc.ID), "", 200, nil)
	e.clock.advance(time.Second)
	v.json("GET", path, "", 200, nil)
}

// An invitation's and a password reset's public routes share a budget per
// address: their tokens cannot be guessed, and trying costs a client its
// budget, not the server its work.
func TestAccountLinkLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	c := e.anonymous()
	tried, resp := spend(40, func(i int) *http.Response {
		path := "/api/v1/invitations/lookup"
		if i%2 == 1 {
			path = "/api/v1/password-reset"
		}
		return c.raw("POST", path, `{"token":"guess-`+strconv.Itoa(i)+`","password":"`+strongPassword+`"}`)
	})
	if tried != 30 {
		t.Fatalf("%d tries before the limit", tried)
	}
	if d := retryAfter(t, resp); d != 2*time.Second {
		t.Fatalf("Retry-After %v", d)
	}
	retryAfter(t, c.raw("POST", "/api/v1/invitations/accept", `{"token":"guess","password":"`+strongPassword+`"}`))
}

// TestWidgetFileLimits: the widget's file links are public (the signature
// is the credential), so each address has a budget for them, files and
// thumbnails together, spent by good links and bad ones alike.
func TestWidgetFileLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	c := e.fromAddress("127.0.0.4")
	answered, last := spend(700, func(i int) *http.Response {
		return c.raw("GET", fmt.Sprintf("/api/v1/widget/attachments/%d?w=%d&exp=4102444800&sig=guess", i+1, e.shop.ID), "")
	})
	if answered != 600 {
		t.Fatalf("%d file links answered from one address before the limit", answered)
	}
	if d := retryAfter(t, last); d != time.Second {
		t.Fatalf("Retry-After %v", d)
	}
	retryAfter(t, c.raw("GET", fmt.Sprintf("/api/v1/widget/attachments/1/thumbnail?w=%d&exp=4102444800&sig=guess", e.shop.ID), ""))
	// Another address is not held back.
	if resp := e.fromAddress("127.0.0.5").raw("GET", fmt.Sprintf("/api/v1/widget/attachments/1?w=%d&exp=4102444800&sig=guess", e.shop.ID), ""); resp.StatusCode != 404 {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
}

// TestChannelFileLimits: a bridge's file downloads are public (its token
// is the credential) and share the address's budget with its messages, so
// guessing tokens there costs the same as anywhere else.
func TestChannelFileLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	c := e.fromAddress("127.0.0.6")
	c.bearer = "guess"
	answered, last := spend(2100, func(int) *http.Response { return c.raw("GET", "/api/v1/channel/files/1", "") })
	if answered != 2000 {
		t.Fatalf("%d file downloads answered from one address before the limit", answered)
	}
	retryAfter(t, last)
	retryAfter(t, c.raw("POST", "/api/v1/channel/messages", `{"external_user_id":"kk_1","client_msg_id":"m-1","text":"안녕하세요"}`))
}

// Ending and rating a conversation spend the visitor's start budget: a
// script repeating either (a closed chat answers each "end" again) is
// slowed down like one starting chats.
func TestCloseAndRatingLimits(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	v := e.visitor("shop", "")
	conv := v.start() // one of the budget's 10
	closePath := fmt.Sprintf("/api/v1/widget/conversations/%d/close", conv.ID)
	if n, resp := spend(50, func(int) *http.Response { return v.raw("POST", closePath, "") }); n != 9 {
		t.Fatalf("%d ends before the limit, want 9", n)
	} else if d := retryAfter(t, resp); d != 6*time.Second {
		t.Fatalf("Retry-After %v", d)
	}
	r := e.visitor("shop", "")
	rc := r.start()
	ratePath := fmt.Sprintf("/api/v1/widget/conversations/%d/rating", rc.ID)
	if n, resp := spend(50, func(int) *http.Response { return r.raw("POST", ratePath, `{"score":5,"comment":""}`) }); n != 9 {
		t.Fatalf("%d ratings before the limit, want 9", n)
	} else {
		retryAfter(t, resp)
	}
	e.clock.advance(6 * time.Second)
	v.json("POST", closePath, "", 200, nil)
}

// TestConsentWithLeftMessage: the widget asks for the privacy consent
// before the leave-a-message form too; the visitor's agreement is
// recorded once the message is taken, so they are asked once (§1.1), and
// a refused message records none.
func TestConsentWithLeftMessage(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			consented := func(v *client) bool {
				var s struct {
					Consented bool `json:"consented"`
				}
				e.anonymous().json("POST", "/api/v1/widget/sessions", `{"site_id":"shop","visitor_token":"`+v.bearer+`"}`, 200, &s)
				return s.Consented
			}
			v := e.visitor("shop", "")
			ticket := func(contact string) string {
				return `{"name":"홍길동","contact":"` + contact + `","message":"환불 문의드립니다","consent":true}`
			}
			e.refuse(func() string { return fmt.Sprint(consented(v)) }, []scenario{
				{name: "a bad contact", as: v, method: "POST", path: "/api/v1/widget/tickets", body: ticket("전화 주세요"), status: 400, code: chat.ErrInvalid},
			})
			v.json("POST", "/api/v1/widget/tickets", ticket("010-1234-5678"), 201, nil)
			if !consented(v) {
				t.Fatal("the consent given with the left message was not recorded: the visitor is asked again")
			}
			cu, err := e.store.Customer(context.Background(), e.shop.ID, mustSession(t, e, v))
			must(t, err)
			if cu.ConsentAt == nil || cu.ConsentVersion != chat.ConsentVersion("개인정보 수집에 동의합니다") {
				t.Fatalf("customer %+v", cu)
			}
			// Without it (an older widget), the message is taken as before.
			quiet := e.visitor("shop", "")
			quiet.json("POST", "/api/v1/widget/tickets", `{"name":"김철수","contact":"kim@example.com","message":"문의"}`, 201, nil)
			if consented(quiet) {
				t.Fatal("a consent nobody gave was recorded")
			}
		})
	}
}

// mustSession is the customer row ID of v's widget session.
func mustSession(t *testing.T, e *env, v *client) int64 {
	t.Helper()
	vs, err := e.store.VisitorSession(context.Background(), auth.HashToken(v.bearer))
	must(t, err)
	return vs.CustomerID
}
