package chat

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"

	"github.com/sodam-chat/sodam/internal/pii"
)

// PIIMode says what Sodam does with personal information it finds in a
// workspace's messages (§11).
type PIIMode string

// PII modes.
const (
	// PIIOff finds nothing; agents may still mask by hand.
	PIIOff PIIMode = "off"
	// PIISuggest underlines findings in the console for one-click masking.
	PIISuggest PIIMode = "suggest"
	// PIIAuto masks findings in visitors' messages before they are stored.
	PIIAuto PIIMode = "auto"
)

// PIISettings are a workspace's personal-information rules.
type PIISettings struct {
	Mode PIIMode `json:"mode"`
	// Kinds are the kinds the mode applies to; none (nil) means every kind.
	// A patch's empty list is refused while the mode is on: it reads as
	// "none", which is what off is for.
	Kinds []pii.Kind `json:"kinds,omitempty"`
	// ViewRole is the least role that may see an original for a moment
	// (unmask in the agent's view); RestoreRole the least that may put it
	// back in storage (unmask permanently).
	ViewRole    Role `json:"view_role"`
	RestoreRole Role `json:"restore_role"`
}

// DefaultPIISettings: suggest every kind; managers and masters unmask.
func DefaultPIISettings() PIISettings {
	return PIISettings{Mode: PIISuggest, ViewRole: RoleManager, RestoreRole: RoleManager}
}

// Validate reports the first thing wrong with p.
func (p PIISettings) Validate() error {
	switch p.Mode {
	case PIIOff, PIISuggest, PIIAuto:
	default:
		return Errorf(ErrInvalid, "pii.mode must be off, suggest or auto")
	}
	if p.Kinds != nil && len(p.Kinds) == 0 && p.Mode != PIIOff {
		return Errorf(ErrInvalid, "pii.kinds: choose at least one kind (leave kinds out for every kind, or set mode off)")
	}
	for i, k := range p.Kinds {
		if !k.Valid() {
			return Errorf(ErrInvalid, "pii.kinds: unknown kind %q", k)
		}
		if slices.Contains(p.Kinds[:i], k) {
			return Errorf(ErrInvalid, "pii.kinds: %q is listed twice", k)
		}
	}
	if !p.ViewRole.Valid() || !p.RestoreRole.Valid() {
		return Errorf(ErrInvalid, "pii.view_role and pii.restore_role must be agent, manager or master")
	}
	return nil
}

// Applies reports whether the mode covers kind k.
func (p PIISettings) Applies(k pii.Kind) bool {
	return p.Mode != PIIOff && (len(p.Kinds) == 0 || slices.Contains(p.Kinds, k))
}

// AutoMask returns text with what automatic masking hides masked, the
// masks, and the originals to seal (one per mask), when p masks
// automatically and text holds something it covers.
func (p PIISettings) AutoMask(text string) (masked string, masks []pii.Span, originals []string) {
	return p.autoMask(text, pii.Scan)
}

// AutoMaskFileName is AutoMask for a file's name, which is scanned as a
// name (pii.ScanFileName): its extension is never masked.
func (p PIISettings) AutoMaskFileName(name string) (masked string, masks []pii.Span, originals []string) {
	return p.autoMask(name, pii.ScanFileName)
}

func (p PIISettings) autoMask(text string, scan func(string) []pii.Finding) (masked string, masks []pii.Span, originals []string) {
	if p.Mode != PIIAuto {
		return text, nil, nil
	}
	r := []rune(text)
	for _, f := range scan(text) {
		if p.Applies(f.Kind) {
			masks = append(masks, pii.Span{Start: f.Start, End: f.End, Kind: f.Kind})
			originals = append(originals, string(r[f.Start:f.End]))
		}
	}
	if len(masks) == 0 {
		return text, nil, nil
	}
	return pii.Apply(text, masks), masks, originals
}

// Maskable reports whether m's text may be masked: a text message's, or a
// file message's, whose text is the file's name.
func (m *Message) Maskable() bool { return m.Kind == KindText || m.Kind == KindFile }

// Findings are the personal information in m's text, a file's name read as
// one (pii.ScanFileName).
func (m *Message) Findings() []pii.Finding {
	if m.Kind == KindFile {
		return pii.ScanFileName(m.Body)
	}
	return pii.Scan(m.Body)
}

// Outranks reports whether role r is at least as powerful as least.
func (r Role) Outranks(least Role) bool {
	rank := map[Role]int{RoleAgent: 1, RoleManager: 2, RoleMaster: 3}
	return rank[r] >= rank[least]
}

// Sealer seals originals of masked text and opens them again (package
// pii's Keyring, under the server's key).
type Sealer interface {
	// KeyID names the key, never revealing it.
	KeyID() string
	Seal(workspaceID, conversationID int64, original string) ([]byte, error)
	Open(workspaceID, conversationID int64, sealed []byte) (string, error)
}

// TicketSealScope is what a ticket's originals are sealed for in place of
// a conversation's ID: the ticket's ID, negated, so that an original
// opens only for its ticket and never for a conversation (whose IDs are
// positive), nor a conversation's for a ticket.
func TicketSealScope(ticketID int64) int64 { return -ticketID }

// SealedOriginal is an original sealed before its message is stored
// (automatic masking).
type SealedOriginal struct {
	Span   pii.Span
	KeyID  string
	Sealed []byte
}

// Original is a masked span's text, opened for someone allowed to see it.
type Original struct {
	Start int      `json:"start"`
	End   int      `json:"end"`
	Kind  pii.Kind `json:"kind"`
	Text  string   `json:"text"`
}

// Unmask is a request to see or restore masked text.
type Unmask struct {
	Start, End int
	Reason     string
	Permanent  bool
}

// MaxUnmaskReason is the longest reason for an unmask, in characters.
const MaxUnmaskReason = 500

// PIIStore keeps masked messages' originals, sealed (§11).
type PIIStore interface {
	// MaskMessage masks span of a text message: its stored text, the
	// conversation's preview and every stored event that carried it show
	// '*' there, and the original is kept only sealed. Overlapping masks
	// merge. It is audited (pii.mask) and appends message.updated.
	MaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, span pii.Span, s Sealer, by Who) (Message, []Event, error)
	// UnmaskMessage opens the masks inside u's span: for the caller only
	// (audited pii.view), or, with u.Permanent, back into storage (audited
	// pii.unmask, appending message.updated).
	UnmaskMessage(ctx context.Context, workspaceID, conversationID, messageID int64, u Unmask, s Sealer, by Who) (Message, []Original, []Event, error)
	// PIIKeyID is the ID of the key the installation's originals are
	// sealed under, "" before the first start recorded one.
	PIIKeyID(ctx context.Context) (string, error)
	// UsePIIKey records keyID as the installation's key when none is,
	// and fails with ErrPIIKeyMismatch when another is.
	UsePIIKey(ctx context.Context, keyID string) error
	// MaskTicket masks span of a ticket's message by hand, as MaskMessage
	// masks a message's: the stored message and every stored ticket event
	// that carried it show '*' there, the original is kept only sealed,
	// and it is audited (pii.mask) and appends ticket.updated.
	MaskTicket(ctx context.Context, workspaceID, ticketID int64, span pii.Span, s Sealer, by Who) (Ticket, []Event, error)
	// UnmaskTicket opens the masks inside u's span of a ticket's message
	// (a left message automatic masking masked): for the caller only
	// (audited pii.view), or, with u.Permanent, back into storage
	// (audited pii.unmask, appending ticket.updated).
	UnmaskTicket(ctx context.Context, workspaceID, ticketID int64, u Unmask, s Sealer, by Who) (Ticket, []Original, []Event, error)
	// RotatePIIKey re-seals every original (messages' and tickets') from
	// old to new in one transaction and records new's ID; it returns how
	// many it re-sealed.
	RotatePIIKey(ctx context.Context, old, new Sealer) (int, error)
}

// Errors of masking.
const (
	ErrMessageNotFound  = "message_not_found"
	ErrNotMaskable      = "message_not_maskable"
	ErrSpanOutOfRange   = "span_out_of_range"
	ErrSpanSplits       = "span_splits_character"
	ErrSpanCrossesMask  = "span_crosses_mask"
	ErrMaskNotFound     = "mask_not_found"
	ErrReasonRequired   = "reason_required"
	ErrFindingNotFound  = "finding_not_found"
	ErrPIIKeyMismatch   = "pii_key_mismatch"
	AuditPIIMask        = "pii.mask"
	AuditPIIView        = "pii.view"
	AuditPIIUnmask      = "pii.unmask"
	EventMessageUpdated = EventType("message.updated")
)

// UnmarshalJSON decodes p over its current value, as settings patches do,
// except Kinds: a pii object without kinds means every kind, whatever
// was chosen before. Unknown fields are refused.
func (p *PIISettings) UnmarshalJSON(b []byte) error {
	type plain PIISettings
	q := plain(*p)
	q.Kinds = nil
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&q); err != nil {
		return err
	}
	*p = PIISettings(q)
	return nil
}
