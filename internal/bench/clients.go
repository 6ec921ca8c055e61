package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// dialer spreads connections over several 127.0.0.x source addresses: the
// kernel's ephemeral ports (about 28,000) limit connections per source
// address to one server address, and loopback has 16 million addresses.
type dialer struct {
	addrs []*net.TCPAddr
	next  atomic.Uint64
}

func newDialer(n int, target string) *dialer {
	d := &dialer{}
	// Only an IPv4 loopback target can be reached from 127.0.0.x.
	if u, err := url.Parse(target); err == nil {
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.To4() != nil {
			for i := range n {
				d.addrs = append(d.addrs, &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(1+i))})
			}
		}
	}
	return d
}

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	nd := net.Dialer{Timeout: 10 * time.Second}
	if len(d.addrs) > 0 {
		nd.LocalAddr = d.addrs[d.next.Add(1)%uint64(len(d.addrs))]
	}
	return nd.DialContext(ctx, network, addr)
}

// clients holds what every simulated browser shares: the transports.
type clients struct {
	rest *http.Client // keep-alive pool for REST calls
	// fresh dials a new connection for each request, from the next source
	// address: for WebSocket handshakes (each hijacks its connection) and
	// logins (limited per client address, 60 at once).
	fresh *http.Client
	ws    *http.Client
}

func newClients(d *dialer) *clients {
	rest := &http.Transport{DialContext: d.DialContext, MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute}
	fresh := &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return &clients{rest: &http.Client{Transport: rest, Timeout: 30 * time.Second},
		fresh: &http.Client{Transport: fresh, Timeout: 30 * time.Second}, ws: &http.Client{Transport: fresh}}
}

// apiError is a non-2xx answer.
type apiError struct {
	status     int
	body       string
	retryAfter time.Duration // when a refusal says to try again
}

func (e *apiError) Error() string { return fmt.Sprintf("status %d: %s", e.status, e.body) }

// kind names an error for the report's error counts: the status and code
// of an answer, or what went wrong underneath a failed request.
func kind(op string, err error) string {
	var api *apiError
	var ue *url.Error
	switch {
	case errors.As(err, &api):
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		json.Unmarshal([]byte(api.body), &body)
		return fmt.Sprintf("%s: %d %s", op, api.status, body.Error.Code)
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded):
		return op + ": timeout"
	case errors.Is(err, context.Canceled):
		return op + ": canceled"
	case errors.As(err, &ue):
		err = ue.Err
	}
	return op + ": " + err.Error()
}

// call makes one REST request and decodes a 2xx answer into out.
func (c *clients) call(ctx context.Context, method, url string, h http.Header, body any, out any) error {
	var rd io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return err
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.rest.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeAnswer(resp, out)
}

// retryAfter reads a refusal's retry hint as the widget does: the
// millisecond Retry-After-Ms if present, else the whole-second
// Retry-After, else a second.
func retryAfter(h http.Header) time.Duration {
	if ms, err := strconv.Atoi(h.Get("Retry-After-Ms")); err == nil && ms >= 0 {
		return time.Duration(ms) * time.Millisecond
	}
	if s, err := strconv.Atoi(h.Get("Retry-After")); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	return time.Second
}

// decodeAnswer reads a 2xx answer into out (unless nil), or returns an
// *apiError.
func decodeAnswer(resp *http.Response, out any) error {
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &apiError{status: resp.StatusCode, body: string(data), retryAfter: retryAfter(resp.Header)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// frame is what the bench reads of a server frame.
type frame struct {
	Type  string `json:"type"`
	Seq   int64  `json:"seq"`
	Event *struct {
		Seq     int64 `json:"seq"`
		Message *struct {
			ClientMsgID string `json:"client_msg_id"`
			SenderType  string `json:"sender_type"`
		} `json:"message"`
	} `json:"event"`
}

// socket is one client's WebSocket. It reports the messages it receives
// to the tracker and remembers the last sequence; when the server drops it
// (a slow client, a node going away) it reconnects with ?after= as the
// widget and the console do, so nothing the server acknowledged is lost
// to the bench's own connection handling.
type socket struct {
	url  func(after int64) string // the socket URL resuming after a sequence
	h    http.Header
	last atomic.Int64

	mu      sync.Mutex
	conn    *websocket.Conn
	closing bool

	ready   chan struct{}
	done    chan struct{}
	readErr error
}

// dial opens a socket, replaying after the given sequence (negative: from
// the end of the log), and waits for its "ready" frame. A goroutine of the
// socket's own reads its frames; receipts of messages travelling in
// direction dir are reported to t.
func (c *clients) dial(ctx context.Context, url func(after int64) string, after int64, h http.Header, t *tracker, dir direction, errs *errorCounts) (*socket, error) {
	s := &socket{url: url, h: h, ready: make(chan struct{}), done: make(chan struct{})}
	s.last.Store(after)
	conn, err := c.open(ctx, s)
	if err != nil {
		return nil, err
	}
	s.conn = conn
	go s.read(c, conn, t, dir, errs)
	select {
	case <-s.ready:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("socket closed before ready: %w", s.readErr)
	case <-ctx.Done():
		s.close()
		return nil, ctx.Err()
	case <-time.After(30 * time.Second):
		s.close()
		return nil, fmt.Errorf("no ready frame in 30s")
	}
}

func (c *clients) open(ctx context.Context, s *socket) (*websocket.Conn, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, s.url(s.last.Load()), &websocket.DialOptions{HTTPClient: c.ws, HTTPHeader: s.h})
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	return conn, nil
}

func (s *socket) read(c *clients, conn *websocket.Conn, t *tracker, dir direction, errs *errorCounts) {
	defer close(s.done)
	readyOnce := sync.OnceFunc(func() { close(s.ready) })
	sender := "visitor"
	if dir == toVisitor {
		sender = "agent"
	}
	for {
		_, data, err := conn.Read(context.Background())
		at := time.Now()
		if err != nil {
			if conn = s.reconnect(c, errs); conn == nil {
				s.readErr = err
				return
			}
			continue
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			errs.add("undecodable frame")
			continue
		}
		switch {
		case f.Type == "ready":
			s.last.Store(max(s.last.Load(), f.Seq))
			readyOnce()
		case f.Type == "event" && f.Event != nil:
			s.last.Store(max(s.last.Load(), f.Event.Seq))
			if m := f.Event.Message; m != nil && m.SenderType == sender {
				t.received(m.ClientMsgID, dir, at)
			}
		}
	}
}

// reconnect replaces a connection the server ended, retrying for up to ten
// seconds; it returns nil when the bench closed the socket or it gave up.
func (s *socket) reconnect(c *clients, errs *errorCounts) *websocket.Conn {
	s.mu.Lock()
	closing := s.closing
	s.mu.Unlock()
	if closing || s.last.Load() < 0 { // never ready: nothing to resume
		return nil
	}
	errs.add("socket dropped by the server (reconnected)")
	for try := 0; try < 50; try++ {
		conn, err := c.open(context.Background(), s)
		if err == nil {
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.closing {
				conn.CloseNow()
				return nil
			}
			s.conn = conn
			return conn
		}
		time.Sleep(200 * time.Millisecond)
	}
	errs.add("socket dropped by the server (gave up reconnecting)")
	return nil
}

// close drops the connection at once, the way a lost network does, and
// waits for the reader to stop.
func (s *socket) close() {
	s.mu.Lock()
	s.closing = true
	conn := s.conn
	s.mu.Unlock()
	conn.CloseNow()
	<-s.done
}
