package realtime

import (
	"context"
	"net/http"

	"github.com/coder/websocket"
)

// Conn is the little of a WebSocket the sessions need, so that the library
// underneath (coder/websocket today; gws is a candidate) can be swapped and
// measured without touching the session logic.
type Conn interface {
	Read(ctx context.Context) ([]byte, error)
	Write(ctx context.Context, data []byte) error
	Ping(ctx context.Context) error
	Close(reason string) error
}

// MaxFrame is the largest frame a client may send.
const MaxFrame = 64 << 10

// Accept upgrades an HTTP request. originHosts lists host patterns besides
// the request's own host that may open the socket (path.Match syntax).
func Accept(w http.ResponseWriter, r *http.Request, originHosts []string) (Conn, error) {
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{OriginPatterns: originHosts})
	if err != nil {
		return nil, err
	}
	c.SetReadLimit(MaxFrame)
	return coderConn{c}, nil
}

type coderConn struct{ c *websocket.Conn }

func (c coderConn) Read(ctx context.Context) ([]byte, error) {
	_, data, err := c.c.Read(ctx)
	return data, err
}

func (c coderConn) Write(ctx context.Context, data []byte) error {
	return c.c.Write(ctx, websocket.MessageText, data)
}

func (c coderConn) Ping(ctx context.Context) error { return c.c.Ping(ctx) }

func (c coderConn) Close(reason string) error {
	return c.c.Close(websocket.StatusNormalClosure, reason)
}
