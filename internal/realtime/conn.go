package realtime

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/lesismal/nbio/logging"
	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"
)

// Conn is the little of a WebSocket the sessions need, so that the library
// underneath can be swapped and measured without touching the session
// logic. Nothing in it blocks: an idle socket costs no goroutine.
type Conn interface {
	// Serve starts handing the client's frames to onFrame, one at a time
	// and in order (while one is handled, a newer frame replaces the one
	// waiting: clients send typing signals, where only the latest counts,
	// so a flood costs one frame of memory and one handler at a time), and
	// calls onClose once when the connection ends (the
	// client left, it stopped answering pings, it sent an oversize frame,
	// or it read too slowly for its send buffer). It returns at once.
	Serve(onFrame func(data []byte), onClose func(error))
	// Write queues a text frame.
	Write(data []byte) error
	// Ping sends a protocol ping; a client that does not answer within
	// PongTimeout is disconnected.
	Ping() error
	// Close sends a close frame with reason and closes the connection.
	Close(reason string) error
}

// MaxFrame is the largest frame a client may send; a larger one closes the
// connection (status 1009).
const MaxFrame = 64 << 10

// MaxSendBuffer bounds what one connection may have written but its client
// not yet read: a client that falls this far behind is disconnected (it
// reconnects and replays) rather than buffered without bound.
const MaxSendBuffer = 256 << 10

// The sockets live on an event-driven poller (lesismal/nbio): net/http
// answers the handshake, with Sodam's routing, authentication, limits and
// origin check, and the upgraded TCP connection then moves to the poller's
// epoll set. An idle socket holds no goroutine, no stack and no HTTP
// buffers, only its file descriptor and a few hundred bytes of state.
var (
	engineOnce sync.Once
	engineErr  error
	upgrader   *websocket.Upgrader
)

func startEngine() error {
	engineOnce.Do(func() {
		logging.SetLevel(logging.LevelNone)
		e := nbhttp.NewEngine(nbhttp.Config{
			Name:                    "sodam-ws",
			NPoller:                 1,
			ReleaseWebsocketPayload: true,
			MaxWriteBufferSize:      MaxSendBuffer,
		})
		if engineErr = e.Start(); engineErr != nil {
			return
		}
		u := websocket.NewUpgrader()
		u.Engine = e
		u.MessageLengthLimit = MaxFrame
		// Every frame from the client, and every pong, extends the read
		// deadline; a client silent this long is gone.
		u.KeepaliveTime = PingInterval + PongTimeout
		u.CheckOrigin = func(*http.Request) bool { return true } // checked before the upgrade
		// A client that offers the sodam protocol (the widget, whose
		// token rides in its offer, not its URL) gets it chosen; one that
		// offers none gets none.
		u.Subprotocols = []string{Subprotocol}
		u.OnMessage(func(c *websocket.Conn, mt websocket.MessageType, data []byte) {
			if nc, ok := c.Session().(*nbConn); ok && (mt == websocket.TextMessage || mt == websocket.BinaryMessage) {
				nc.frame(data)
			}
		})
		u.SetPongHandler(func(c *websocket.Conn, _ string) {
			c.SetReadDeadline(time.Now().Add(PingInterval + PongTimeout))
		})
		u.OnClose(func(c *websocket.Conn, err error) {
			if nc, ok := c.Session().(*nbConn); ok {
				nc.closed(err)
			}
		})
		upgrader = u
	})
	return engineErr
}

// Subprotocol is the WebSocket protocol a client may offer, with
// TokenProtocol and its credential beside it, to keep the credential out
// of the URL (which proxies write into their access logs).
const Subprotocol = "sodam"

// TokenProtocol prefixes the credential a client offers as a protocol.
const TokenProtocol = "sodam.token."

// ProtocolToken is the credential a handshake offers as a protocol
// (TokenProtocol…), or "".
func ProtocolToken(r *http.Request) string {
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			if token, ok := strings.CutPrefix(strings.TrimSpace(p), TokenProtocol); ok {
				return token
			}
		}
	}
	return ""
}

// ErrOrigin refuses a handshake from an origin that may not open the socket.
var ErrOrigin = errors.New("origin not allowed")

// checkOrigin allows a browser's handshake only from the request's own
// host or one matching originHosts (path.Match patterns, case-insensitive);
// a client that sends no Origin (not a browser) is allowed.
func checkOrigin(r *http.Request, originHosts []string) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return ErrOrigin
	}
	host := strings.ToLower(u.Host)
	if host == strings.ToLower(r.Host) {
		return nil
	}
	for _, p := range originHosts {
		if ok, _ := path.Match(strings.ToLower(p), host); ok {
			return nil
		}
	}
	return ErrOrigin
}

// Accept upgrades an HTTP request. originHosts lists host patterns besides
// the request's own host that may open the socket (path.Match syntax). On
// an error Accept has answered the client.
func Accept(w http.ResponseWriter, r *http.Request, originHosts []string) (Conn, error) {
	if err := checkOrigin(r, originHosts); err != nil {
		http.Error(w, "WebSocket origin "+r.Header.Get("Origin")+" is not allowed for this site", http.StatusForbidden)
		return nil, err
	}
	if err := startEngine(); err != nil {
		http.Error(w, "WebSockets are unavailable", http.StatusServiceUnavailable)
		return nil, err
	}
	c, err := upgrader.UpgradeAndTransferConnToPoller(hijacker{w, http.NewResponseController(w)}, r, nil)
	if err != nil {
		return nil, err
	}
	nc := &nbConn{c: c}
	c.SetSession(nc)
	return nc, nil
}

// hijacker reaches the connection through middleware that wraps the
// ResponseWriter (and unwraps, as http.ResponseController expects).
type hijacker struct {
	http.ResponseWriter
	rc *http.ResponseController
}

func (h hijacker) Hijack() (net.Conn, *bufio.ReadWriter, error) { return h.rc.Hijack() }

// nbConn is a WebSocket on the poller.
type nbConn struct {
	c        *websocket.Conn
	mu       sync.Mutex
	onFrame  func([]byte)
	onClose  func(error)
	ended    bool
	err      error
	pending  []byte // the latest frame not yet handled
	waiting  bool
	handling bool // a goroutine runs onFrame
}

func (c *nbConn) Serve(onFrame func([]byte), onClose func(error)) {
	c.mu.Lock()
	c.onFrame, c.onClose = onFrame, onClose
	ended, err := c.ended, c.err
	c.mu.Unlock()
	if ended {
		onClose(err)
	}
}

// frame takes a frame from the poller, which must not wait on the handler
// (its payload buffer is reused after this returns).
func (c *nbConn) frame(data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.onFrame == nil || c.ended {
		return
	}
	c.pending = append(c.pending[:0], data...)
	c.waiting = true
	if !c.handling {
		c.handling = true
		go c.handle()
	}
}

func (c *nbConn) handle() {
	for {
		c.mu.Lock()
		if !c.waiting || c.ended {
			c.handling, c.pending = false, nil
			c.mu.Unlock()
			return
		}
		data, f := c.pending, c.onFrame
		c.pending, c.waiting = nil, false
		c.mu.Unlock()
		f(data)
	}
}

func (c *nbConn) closed(err error) {
	if err == nil {
		err = errors.New("connection closed")
	}
	c.mu.Lock()
	if c.ended {
		c.mu.Unlock()
		return
	}
	c.ended, c.err = true, err
	f := c.onClose
	c.mu.Unlock()
	if f != nil {
		f(err)
	}
}

func (c *nbConn) Write(data []byte) error { return c.c.WriteMessage(websocket.TextMessage, data) }

func (c *nbConn) Ping() error {
	// The deadline first: a pong quicker than this call extends it again.
	if err := c.c.SetReadDeadline(time.Now().Add(PongTimeout)); err != nil {
		return err
	}
	return c.c.WriteMessage(websocket.PingMessage, nil)
}

func (c *nbConn) Close(reason string) error {
	c.c.WriteClose(1000, reason)
	return c.c.Close()
}
