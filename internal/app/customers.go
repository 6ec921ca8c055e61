package app

import (
	"context"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BlockCustomer blocks a customer and closes their open conversations.
func (a *App) BlockCustomer(ctx context.Context, workspaceID, customerID int64, reason, note string, by chat.Who) (*chat.Customer, error) {
	c, events, err := a.store.BlockCustomer(ctx, workspaceID, customerID, reason, note, by)
	return done(ctx, a, c, events, err)
}

// UpdateProfile applies an agent's edit to a customer's profile.
func (a *App) UpdateProfile(ctx context.Context, workspaceID, customerID int64, p chat.ProfilePatch) (*chat.Customer, error) {
	c, events, err := a.store.UpdateProfile(ctx, workspaceID, customerID, p)
	return done(ctx, a, c, events, err)
}

// ChangeCustomerID renames a customer's ID, or merges with its holder,
// audited as by's.
func (a *App) ChangeCustomerID(ctx context.Context, workspaceID, customerID int64, newID string, confirm bool, by chat.Who) (*chat.Customer, error) {
	c, events, err := a.store.ChangeCustomerID(ctx, workspaceID, customerID, newID, confirm, by)
	return done(ctx, a, c, events, err)
}

// SetCustomerTags replaces a customer identifier's tags.
func (a *App) SetCustomerTags(ctx context.Context, workspaceID, customerID int64, tagIDs []int64) (*chat.Customer, error) {
	c, events, err := a.store.SetCustomerTags(ctx, workspaceID, customerID, tagIDs)
	return done(ctx, a, c, events, err)
}
