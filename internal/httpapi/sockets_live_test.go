package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/realtime"
)

// rawSocket is a bare WebSocket client: no goroutine of its own, so that a
// test can count the server's goroutines in the same process.
type rawSocket struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

func dialRaw(t *testing.T, e *env, path string) *rawSocket {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(e.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
		path, strings.TrimPrefix(e.srv.URL, "http://"))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("handshake: %v %v", err, resp)
	}
	return &rawSocket{t: t, conn: conn, r: r}
}

// frame reads one server frame: its opcode and payload.
func (s *rawSocket) frame() (byte, []byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(s.r, h[:]); err != nil {
		return 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err := io.ReadFull(s.r, b[:]); err != nil {
			return 0, nil, err
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err := io.ReadFull(s.r, b[:]); err != nil {
			return 0, nil, err
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	data := make([]byte, n)
	_, err := io.ReadFull(s.r, data)
	return h[0] & 0x0f, data, err
}

// until reads frames until a text frame containing want.
func (s *rawSocket) until(want string) {
	s.t.Helper()
	for {
		op, data, err := s.frame()
		if err != nil {
			s.t.Fatalf("waiting for %s: %v", want, err)
		}
		if op == 1 && bytes.Contains(data, []byte(want)) {
			return
		}
	}
}

// send writes one masked text frame of the payload.
func (s *rawSocket) send(payload []byte) error {
	var b bytes.Buffer
	b.WriteByte(0x81)
	switch n := len(payload); {
	case n < 126:
		b.WriteByte(0x80 | byte(n))
	case n < 1<<16:
		b.WriteByte(0x80 | 126)
		binary.Write(&b, binary.BigEndian, uint16(n))
	default:
		b.WriteByte(0x80 | 127)
		binary.Write(&b, binary.BigEndian, uint64(n))
	}
	mask := [4]byte{1, 2, 3, 4}
	b.Write(mask[:])
	for i, c := range payload {
		b.WriteByte(c ^ mask[i%4])
	}
	_, err := s.conn.Write(b.Bytes())
	return err
}

// An idle visitor socket holds no goroutine on the server: once its
// session is live, the socket waits on the poller, not on a stack.
func TestIdleSocketsHoldNoGoroutine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.visitor("shop", "")
	conv := v.start()
	path := fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, conv.ID)
	first := dialRaw(t, e, path) // starts the poller
	first.until(`"ready"`)
	before := runtime.NumGoroutine()
	const sockets = 40
	for range sockets {
		dialRaw(t, e, path).until(`"ready"`)
	}
	// Sessions give up their writer right after "ready"; wait for that.
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine()-before >= sockets/4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if extra := runtime.NumGoroutine() - before; extra >= sockets/4 {
		t.Fatalf("%d idle sockets hold %d goroutines", sockets, extra)
	}
}

// A frame larger than the limit closes the socket; the server does not
// read it into memory.
func TestOversizeFrameClosesSocket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	v := e.visitor("shop", "")
	conv := v.start()
	s := dialRaw(t, e, fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, conv.ID))
	s.until(`"ready"`)
	s.send(bytes.Repeat([]byte("가"), realtime.MaxFrame/3+1))
	for {
		op, data, err := s.frame()
		if err != nil {
			return // closed
		}
		if op == 8 {
			if len(data) >= 2 && binary.BigEndian.Uint16(data) == 1000 {
				t.Fatalf("an oversize frame closed the socket as normal: %q", data)
			}
			return
		}
	}
}

// A flood of typing frames is handled one at a time with only the latest
// waiting: the agent hears the visitor's last word (stopped typing), and
// the visitor's socket stays open.
func TestTypingFlood(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	kim := e.login("kim")
	kimWS := kim.mustSocket(fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID))
	kimWS.next("ready")
	v := e.visitor("shop", "")
	conv := v.start()
	vis := dialRaw(t, e, fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, conv.ID))
	vis.until(`"ready"`)
	// One signal heard first: a flood read faster than it is handled may
	// leave only its last frame, a "stopped", which passes only after a
	// "typing" did (typingGate).
	if err := vis.send([]byte(`{"type":"typing","typing":true}`)); err != nil {
		t.Fatal(err)
	}
	for f := kimWS.next("typing"); f.ConversationID != conv.ID || !f.Typing; f = kimWS.next("typing") {
	}
	for i := range 2000 {
		if err := vis.send(fmt.Appendf(nil, `{"type":"typing","typing":%v}`, i < 1999)); err != nil {
			t.Fatal(err)
		}
	}
	for {
		f := kimWS.next("typing")
		if f.ConversationID == conv.ID && !f.Typing {
			break // the last frame's signal arrived
		}
	}
	// Still open: a message reaches the visitor's socket.
	kim.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/assign", e.shop.ID, conv.ID), "", 200, nil)
	kim.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/messages", e.shop.ID, conv.ID), `{"client_msg_id":"flood-1","body":"잠시만 기다려 주세요"}`, 201, nil)
	vis.until("잠시만 기다려 주세요")
}

// Typing signals spend a budget per sender (limitTyping): past it a
// "typing" is dropped, while the "stopped" that follows one passed on
// always reaches the other side. The clock is frozen, so the budget
// refills only when the test moves it.
func TestTypingBudget(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, withLimits)
	e.clock.freeze()
	kim := e.login("kim")
	kimWS := kim.mustSocket(fmt.Sprintf("/api/v1/workspaces/%d/ws", e.shop.ID))
	kimWS.next("ready")
	v := e.visitor("shop", "")
	conv := v.start()
	kim.json("POST", fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/assign", e.shop.ID, conv.ID), "", 200, nil)
	vis := v.mustSocket(fmt.Sprintf("/api/v1/widget/ws?token=%s&conversation_id=%d", v.bearer, conv.ID))
	vis.next("ready")
	// A socket handles one frame at a time and lets a newer one replace
	// the frame waiting, so each signal is given a moment to be handled
	// on its own.
	typing := func(ws *socket, on bool) {
		ws.send(map[string]any{"type": "typing", "conversation_id": conv.ID, "typing": on})
		time.Sleep(20 * time.Millisecond)
	}
	heard := func(ws *socket, want bool) {
		t.Helper()
		if f := ws.next("typing"); f.ConversationID != conv.ID || f.Typing != want {
			t.Fatalf("typing frame %+v, want typing=%v", f, want)
		}
	}
	// Each side: the burst passes one by one, the next "typing" is
	// dropped, and the "stopped" after it is heard next.
	for _, side := range []struct{ from, to *socket }{{vis, kimWS}, {kimWS, vis}} {
		for range 20 {
			typing(side.from, true)
			heard(side.to, true)
		}
		typing(side.from, true)
		typing(side.from, false)
		heard(side.to, false)
		// A "stopped" after one already heard is not sent again, and
		// "typing" stays refused until the budget refills.
		typing(side.from, false)
		typing(side.from, true)
		e.clock.advance(time.Second)
		typing(side.from, true)
		heard(side.to, true)
		typing(side.from, false)
		heard(side.to, false)
	}
}
