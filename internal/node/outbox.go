package node

import (
	"fmt"
	"time"

	"github.com/sodam-chat/sodam/internal/notify"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// outboxWorker builds the node's delivery worker (package outbox), which
// opens endpoints' secrets with sealer.
func (m *Main) outboxWorker(sealer *outbox.Sealer, node, baseURL string, mailer *notify.Mailer) (*outbox.Worker, error) {
	c := m.Config.Integrations
	st, ok := m.Store.(outbox.Store)
	if !ok {
		return nil, fmt.Errorf("the store keeps no outbox")
	}
	b := outbox.DefaultBackoff
	if c.RetryMax > 0 {
		b.Max = c.RetryMax
	}
	if c.GiveUp > 0 {
		b.GiveUp = c.GiveUp
	}
	w := &outbox.Worker{Store: st, Reader: m.Store, Sealer: sealer, Client: outbox.NewClient(c.AllowPrivate, outbox.RequestTimeout),
		BaseURL: baseURL, Log: m.Log, Node: node, Every: time.Second, Lease: c.Lease, Backoff: b}
	if mailer != nil {
		w.Mail = mailer
	}
	return w, nil
}
