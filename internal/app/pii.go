package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// UsePII gives the node's sealer (the keyring over the server's PII key)
// to the workflows that mask, and to the store, which masks visitors'
// messages automatically as it appends them. Without one, masking fails
// and automatic masking refuses visitors' messages rather than store them
// in clear.
func (a *App) UsePII(s chat.Sealer) {
	a.sealer = s
	if st, ok := a.store.(interface{ UsePII(chat.Sealer) }); ok {
		st.UsePII(s)
	}
}

func (a *App) sealerOrErr() (chat.Sealer, error) {
	if a.sealer == nil {
		return nil, chat.Errorf(chat.ErrPIIKeyMismatch, "this node has no PII key")
	}
	return a.sealer, nil
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

// UnmaskTicket opens masked spans of a ticket's message for the caller,
// or restores them.
func (a *App) UnmaskTicket(ctx context.Context, workspaceID, ticketID int64, u chat.Unmask, by chat.Who) (chat.Ticket, []chat.Original, error) {
	s, err := a.sealerOrErr()
	if err != nil {
		return chat.Ticket{}, nil, err
	}
	tk, originals, events, err := a.store.UnmaskTicket(ctx, workspaceID, ticketID, u, s, by)
	a.publish(ctx, events)
	return tk, originals, err
}

// MaskTicket masks a span of a ticket's message.
func (a *App) MaskTicket(ctx context.Context, workspaceID, ticketID int64, span pii.Span, by chat.Who) (chat.Ticket, error) {
	s, err := a.sealerOrErr()
	if err != nil {
		return chat.Ticket{}, err
	}
	tk, events, err := a.store.MaskTicket(ctx, workspaceID, ticketID, span, s, by)
	return done(ctx, a, tk, events, err)
}
