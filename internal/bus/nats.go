package bus

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
)

// NATS is the cluster bus: every node publishes committed events to NATS
// and receives every node's. Core NATS delivers at most once; a message lost
// while a link blips is recovered by the hub, which fills sequence gaps
// from the store and sweeps it periodically.
type NATS struct {
	fanout
	nc  *nats.Conn
	sub *nats.Subscription
	// prefix starts every subject: sodam.<installation>.ws.<workspace>, so
	// installations sharing a NATS server never hear each other.
	prefix string
}

var _ Bus = (*NATS)(nil)

// DialNATS connects to the NATS server at url for the given installation.
// It fails at once, rather than leaving a half-working node, when the
// server cannot be reached.
func DialNATS(url, name, installation string) (*NATS, error) {
	b := &NATS{prefix: "sodam." + installation + ".ws."}
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.Timeout(5*time.Second),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(250*time.Millisecond),
		// Publishes made while disconnected wait in a buffer and go out on
		// reconnect; anything lost beyond it is refilled from the store.
		nats.ReconnectBufSize(8<<20),
		// This node's own messages go to its subscribers directly
		// (Publish), not out to NATS and back.
		nats.NoEcho(),
	)
	if err != nil {
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	sub, err := nc.Subscribe(b.prefix+">", b.receive)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats subscribe: %w", err)
	}
	// A slow hub must not make NATS drop this node's connection: allow a
	// deep pending buffer (the hub sheds slow sockets itself).
	if err := sub.SetPendingLimits(1<<20, 256<<20); err != nil {
		nc.Close()
		return nil, err
	}
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats %s: %w", url, err)
	}
	b.nc, b.sub = nc, sub
	return b, nil
}

// Publish sends m to every node: to this one's subscribers directly, as
// the in-memory bus does, and to the others through NATS.
func (b *NATS) Publish(_ context.Context, m Message) error {
	msg := nats.NewMsg(b.prefix + strconv.FormatInt(m.WorkspaceID, 10))
	msg.Header.Set("Sodam-Seq", strconv.FormatInt(m.Seq, 10))
	msg.Data = m.Data
	err := b.nc.PublishMsg(msg)
	b.deliver(m)
	return err
}

func (b *NATS) receive(msg *nats.Msg) {
	ws, err1 := strconv.ParseInt(strings.TrimPrefix(msg.Subject, b.prefix), 10, 64)
	seq, err2 := strconv.ParseInt(msg.Header.Get("Sodam-Seq"), 10, 64)
	if err1 != nil || err2 != nil {
		return // not ours
	}
	b.deliver(Message{WorkspaceID: ws, Seq: seq, Data: msg.Data})
}

// Subscribe registers fn for every message from every node.
func (b *NATS) Subscribe(fn func(Message)) func() { return b.subscribe(fn) }

// Close drains the subscription and closes the connection.
func (b *NATS) Close() error {
	b.clear()
	return b.nc.Drain()
}
