package event

import (
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// FromDomain is ev in the current version.
func FromDomain(ev chat.Event) Envelope {
	return Envelope{
		Version: Version, WorkspaceID: ev.WorkspaceID, Seq: ev.Seq, Type: string(ev.Type),
		Conversation: conversationOf(ev.Conversation), Message: messageOf(ev.Message), Member: memberOf(ev.Member),
		Ticket: ticketOf(ev.Ticket), TicketReply: replyOf(ev.TicketReply), Customer: customerOf(ev.Customer),
		Archived: ev.Archived, OperationStopped: ev.OperationStopped, PrevAssigneeID: ev.PrevAssigneeID, PrevState: string(ev.PrevState), CreatedAt: ev.CreatedAt,
	}
}

// Domain is e as the domain's event.
func (e Envelope) Domain() chat.Event {
	return chat.Event{
		WorkspaceID: e.WorkspaceID, Seq: e.Seq, Type: chat.EventType(e.Type),
		Conversation: e.Conversation.domain(), Message: e.Message.domain(), Member: e.Member.domain(),
		Ticket: e.Ticket.domain(), TicketReply: e.TicketReply.domain(), Customer: e.Customer.domain(),
		Archived: e.Archived, OperationStopped: e.OperationStopped, PrevAssigneeID: e.PrevAssigneeID, PrevState: chat.State(e.PrevState), CreatedAt: e.CreatedAt,
	}
}

func conversationOf(c *chat.Conversation) *Conversation {
	if c == nil {
		return nil
	}
	out := &Conversation{
		ID: c.ID, WorkspaceID: c.WorkspaceID, RoomNo: c.RoomNo, CustomerID: c.CustomerID, Channel: string(c.Channel),
		State: string(c.State), AssigneeID: c.AssigneeID, AssigneeName: c.AssigneeName, CustomerName: c.CustomerName,
		Identifier: c.Identifier, CloseReason: c.CloseReason, Important: c.Important, OnHold: c.OnHold,
		CustomerLeftAt: c.CustomerLeftAt, FirstReplyAt: c.FirstReplyAt, LastSeq: c.LastSeq, LastMessage: c.LastMessage,
		LastMessageAt: c.LastMessageAt, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt, Processed: c.Processed,
		CategoryID: c.CategoryID, CategoryPath: c.CategoryPath, Memo: c.Memo, Tags: tagsOf(c.Tags),
		RatingRequestedAt: c.RatingRequestedAt, QueuePosition: c.QueuePosition,
		AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, QueuedAt: c.QueuedAt, AgentRefusedAt: c.AgentRefusedAt,
	}
	if c.AgentPath != nil {
		out.AgentPath = make([]PathStep, len(c.AgentPath))
		for i, p := range c.AgentPath {
			out.AgentPath[i] = PathStep{AgentID: p.AgentID, Name: p.Name}
		}
	}
	if c.Rating != nil {
		out.Rating = &Rating{Score: c.Rating.Score, Comment: c.Rating.Comment, CreatedAt: c.Rating.CreatedAt}
	}
	return out
}

func (c *Conversation) domain() *chat.Conversation {
	if c == nil {
		return nil
	}
	out := &chat.Conversation{
		ID: c.ID, WorkspaceID: c.WorkspaceID, RoomNo: c.RoomNo, CustomerID: c.CustomerID, Channel: chat.Channel(c.Channel),
		State: chat.State(c.State), AssigneeID: c.AssigneeID, AssigneeName: c.AssigneeName, CustomerName: c.CustomerName,
		Identifier: c.Identifier, CloseReason: c.CloseReason, Important: c.Important, OnHold: c.OnHold,
		CustomerLeftAt: c.CustomerLeftAt, FirstReplyAt: c.FirstReplyAt, LastSeq: c.LastSeq, LastMessage: c.LastMessage,
		LastMessageAt: c.LastMessageAt, CreatedAt: c.CreatedAt, ClosedAt: c.ClosedAt, Processed: c.Processed,
		CategoryID: c.CategoryID, CategoryPath: c.CategoryPath, Memo: c.Memo, Tags: domainTags(c.Tags),
		RatingRequestedAt: c.RatingRequestedAt, QueuePosition: c.QueuePosition,
		AgentReadSeq: c.AgentReadSeq, VisitorReadSeq: c.VisitorReadSeq, QueuedAt: c.QueuedAt, AgentRefusedAt: c.AgentRefusedAt,
	}
	if c.AgentPath != nil {
		out.AgentPath = make([]chat.PathStep, len(c.AgentPath))
		for i, p := range c.AgentPath {
			out.AgentPath[i] = chat.PathStep{AgentID: p.AgentID, Name: p.Name}
		}
	}
	if c.Rating != nil {
		out.Rating = &chat.Rating{Score: c.Rating.Score, Comment: c.Rating.Comment, CreatedAt: c.Rating.CreatedAt}
	}
	return out
}

func tagsOf(tags []chat.Tag) []Tag {
	if tags == nil {
		return nil
	}
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag{ID: t.ID, Kind: string(t.Kind), Name: t.Name}
	}
	return out
}

func domainTags(tags []Tag) []chat.Tag {
	if tags == nil {
		return nil
	}
	out := make([]chat.Tag, len(tags))
	for i, t := range tags {
		out[i] = chat.Tag{ID: t.ID, Kind: chat.TagKind(t.Kind), Name: t.Name}
	}
	return out
}

func messageOf(m *chat.Message) *Message {
	if m == nil {
		return nil
	}
	out := &Message{
		ID: m.ID, WorkspaceID: m.WorkspaceID, ConversationID: m.ConversationID, Seq: m.Seq, SenderType: string(m.SenderType),
		SenderID: m.SenderID, SenderName: m.SenderName, ClientMsgID: m.ClientMsgID, Kind: string(m.Kind), Body: m.Body,
		Meta: m.Meta, Internal: m.Internal, CreatedAt: m.CreatedAt, Mentions: m.Mentions,
	}
	for _, s := range m.Masks {
		out.Masks = append(out.Masks, Mask{Start: s.Start, End: s.End, Kind: string(s.Kind)})
	}
	if a := m.Attachment; a != nil {
		out.Attachment = &Attachment{
			ID: a.ID, ConversationID: a.ConversationID, MessageID: a.MessageID, Name: a.Name, Size: a.Size,
			ContentType: a.ContentType, Kind: string(a.Kind), Width: a.Width, Height: a.Height, Thumbnail: a.Thumbnail,
			URL: a.URL, ThumbnailURL: a.ThumbnailURL, CreatedAt: a.CreatedAt,
		}
	}
	return out
}

func (m *Message) domain() *chat.Message {
	if m == nil {
		return nil
	}
	out := &chat.Message{
		ID: m.ID, WorkspaceID: m.WorkspaceID, ConversationID: m.ConversationID, Seq: m.Seq, SenderType: chat.SenderType(m.SenderType),
		SenderID: m.SenderID, SenderName: m.SenderName, ClientMsgID: m.ClientMsgID, Kind: chat.MessageKind(m.Kind), Body: m.Body,
		Meta: m.Meta, Internal: m.Internal, CreatedAt: m.CreatedAt, Mentions: m.Mentions,
	}
	for _, s := range m.Masks {
		out.Masks = append(out.Masks, pii.Span{Start: s.Start, End: s.End, Kind: pii.Kind(s.Kind)})
	}
	if a := m.Attachment; a != nil {
		out.Attachment = &chat.Attachment{
			ID: a.ID, ConversationID: a.ConversationID, MessageID: a.MessageID, Name: a.Name, Size: a.Size,
			ContentType: a.ContentType, Kind: chat.FileKind(a.Kind), Width: a.Width, Height: a.Height, Thumbnail: a.Thumbnail,
			URL: a.URL, ThumbnailURL: a.ThumbnailURL, CreatedAt: a.CreatedAt,
		}
	}
	return out
}

func memberOf(m *chat.Member) *Member {
	if m == nil {
		return nil
	}
	return &Member{WorkspaceID: m.WorkspaceID, AgentID: m.AgentID, Role: string(m.Role), Status: string(m.Status),
		Capacity: m.Capacity, Inactive: !m.Active, Name: m.Name, Email: m.Email}
}

func (m *Member) domain() *chat.Member {
	if m == nil {
		return nil
	}
	return &chat.Member{WorkspaceID: m.WorkspaceID, AgentID: m.AgentID, Role: chat.Role(m.Role), Status: chat.AgentStatus(m.Status),
		Capacity: m.Capacity, Active: !m.Inactive, Name: m.Name, Email: m.Email}
}

func ticketOf(t *chat.Ticket) *Ticket {
	if t == nil {
		return nil
	}
	out := &Ticket{ID: t.ID, WorkspaceID: t.WorkspaceID, CustomerID: t.CustomerID, Name: t.Name, Contact: t.Contact,
		Message: t.Message, Status: string(t.Status), AssigneeID: t.AssigneeID, Note: t.Note,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, SolvedAt: t.SolvedAt,
		ConversationID: t.ConversationID, Channel: string(t.Channel), Subject: t.Subject, Priority: string(t.Priority),
		CreatedBy: t.CreatedBy, DueAt: t.DueAt, Tags: t.Tags, Replies: t.Replies}
	if !t.ActivityAt.IsZero() {
		out.ActivityAt = &t.ActivityAt
	}
	for _, s := range t.Masks {
		out.Masks = append(out.Masks, Mask{Start: s.Start, End: s.End, Kind: string(s.Kind)})
	}
	return out
}

func (t *Ticket) domain() *chat.Ticket {
	if t == nil {
		return nil
	}
	out := &chat.Ticket{ID: t.ID, WorkspaceID: t.WorkspaceID, CustomerID: t.CustomerID, Name: t.Name, Contact: t.Contact,
		Message: t.Message, Status: chat.TicketStatus(t.Status), AssigneeID: t.AssigneeID, Note: t.Note,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, SolvedAt: t.SolvedAt,
		ConversationID: t.ConversationID, Channel: chat.TicketChannel(t.Channel), Subject: t.Subject,
		Priority: chat.TicketPriority(t.Priority), CreatedBy: t.CreatedBy, DueAt: t.DueAt, Tags: t.Tags, Replies: t.Replies}
	if t.ActivityAt != nil {
		out.ActivityAt = *t.ActivityAt
	}
	for _, s := range t.Masks {
		out.Masks = append(out.Masks, pii.Span{Start: s.Start, End: s.End, Kind: pii.Kind(s.Kind)})
	}
	if out.Channel == "" { // stored before tickets had channels
		out.Channel = chat.TicketWeb
	}
	if out.Priority == "" {
		out.Priority = chat.PriorityNormal
	}
	return out
}

func replyOf(r *chat.TicketReply) *TicketReply {
	if r == nil {
		return nil
	}
	return &TicketReply{ID: r.ID, WorkspaceID: r.WorkspaceID, TicketID: r.TicketID, AuthorID: r.AuthorID, Internal: r.Internal,
		Body: r.Body, CreatedAt: r.CreatedAt, ClientID: r.ClientID, Delivery: string(r.Delivery), DeliveryTo: r.DeliveryTo,
		DeliveryAttempts: r.DeliveryAttempts, DeliveryError: r.DeliveryError, DeliveredAt: r.DeliveredAt}
}

func (r *TicketReply) domain() *chat.TicketReply {
	if r == nil {
		return nil
	}
	return &chat.TicketReply{ID: r.ID, WorkspaceID: r.WorkspaceID, TicketID: r.TicketID, AuthorID: r.AuthorID, Internal: r.Internal,
		Body: r.Body, CreatedAt: r.CreatedAt, ClientID: r.ClientID, Delivery: chat.DeliveryState(r.Delivery), DeliveryTo: r.DeliveryTo,
		DeliveryAttempts: r.DeliveryAttempts, DeliveryError: r.DeliveryError, DeliveredAt: r.DeliveredAt}
}

func customerOf(c *chat.Customer) *Customer {
	if c == nil {
		return nil
	}
	return &Customer{
		ID: c.ID, WorkspaceID: c.WorkspaceID, ExternalID: c.ExternalID, Identifier: c.Identifier, Verified: c.Verified,
		ProfileID: c.Profile.ID, CustomerID: c.CustomerID, Name: c.Name, Nickname: c.Nickname, Phone: c.Phone,
		VerifiedPhone: c.VerifiedPhone, Email: c.Email, BirthDate: c.BirthDate, Address: c.Address, Note: c.Note,
		Extra: c.Extra, Age: c.Age, Language: c.Language, IP: c.IP, Device: c.Device, Tags: tagsOf(c.Tags),
		Identifiers: c.Identifiers, CreatedAt: c.CreatedAt, BlockedAt: c.BlockedAt, BlockReason: c.BlockReason, BlockNote: c.BlockNote,
		ConsentAt: c.ConsentAt, ConsentVersion: c.ConsentVersion,
	}
}

func (c *Customer) domain() *chat.Customer {
	if c == nil {
		return nil
	}
	return &chat.Customer{
		ID: c.ID, WorkspaceID: c.WorkspaceID, ExternalID: c.ExternalID, Identifier: c.Identifier, Verified: c.Verified,
		Profile: chat.Profile{ID: c.ProfileID, CustomerID: c.CustomerID, Name: c.Name, Nickname: c.Nickname, Phone: c.Phone,
			VerifiedPhone: c.VerifiedPhone, Email: c.Email, BirthDate: c.BirthDate, Address: c.Address, Note: c.Note, Extra: c.Extra},
		Age: c.Age, Language: c.Language, IP: c.IP, Device: c.Device, Tags: domainTags(c.Tags),
		Identifiers: c.Identifiers, CreatedAt: c.CreatedAt, BlockedAt: c.BlockedAt, BlockReason: c.BlockReason, BlockNote: c.BlockNote,
		ConsentAt: c.ConsentAt, ConsentVersion: c.ConsentVersion,
	}
}
