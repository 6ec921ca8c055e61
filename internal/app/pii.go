package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// UsePII gives the node's sealer (the keyring over the server's PII key)
// to the workflows that mask. Without one, masking fails and automatic
// masking refuses visitors' messages rather than store them in clear.
func (a *App) UsePII(s chat.Sealer) { a.sealer = s }

func (a *App) sealerOrErr() (chat.Sealer, error) {
	if a.sealer == nil {
		return nil, chat.Errorf(chat.ErrPIIKeyMismatch, "this node has no PII key")
	}
	return a.sealer, nil
}

// autoMask masks what the workspace's automatic masking covers in a
// visitor's text message before it is stored, sealing the originals: the
// plaintext never reaches the database or the bus.
func (a *App) autoMask(ctx context.Context, workspaceID, conversationID int64, actor chat.Actor, m *chat.NewMessage) error {
	if actor.Kind != chat.SenderVisitor || m.Attachment != nil || !pii.MayHold(m.Body) {
		return nil
	}
	ws, err := a.store.Workspace(ctx, workspaceID)
	if err != nil {
		return err
	}
	masked, masks, originals := ws.Settings.PII.AutoMask(m.Body)
	if len(masks) == 0 {
		return nil
	}
	s, err := a.sealerOrErr()
	if err != nil {
		return err
	}
	sealed := make([]chat.SealedOriginal, len(masks))
	for i, span := range masks {
		b, err := s.Seal(workspaceID, conversationID, originals[i])
		if err != nil {
			return err
		}
		sealed[i] = chat.SealedOriginal{Span: span, KeyID: s.KeyID(), Sealed: b}
	}
	m.Body, m.Masks, m.Originals = masked, masks, sealed
	return nil
}

// MaskMessage masks a span of a message.
func (a *App) MaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, span pii.Span, by chat.Who) (chat.Message, error) {
	s, err := a.sealerOrErr()
	if err != nil {
		return chat.Message{}, err
	}
	m, events, err := a.store.MaskMessage(ctx, workspaceID, conversationID, messageID, span, s, by)
	return done(ctx, a, m, events, err)
}

// UnmaskMessage opens masked spans for the caller, or restores them.
func (a *App) UnmaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, u chat.Unmask, by chat.Who) (chat.Message, []chat.Original, error) {
	s, err := a.sealerOrErr()
	if err != nil {
		return chat.Message{}, nil, err
	}
	m, originals, events, err := a.store.UnmaskMessage(ctx, workspaceID, conversationID, messageID, u, s, by)
	a.publish(ctx, events)
	return m, originals, err
}
