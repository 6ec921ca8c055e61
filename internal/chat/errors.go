package chat

import (
	"errors"
	"fmt"
	"slices"
)

// Error is a domain error: a stable machine-readable code and a message a
// person can read. The HTTP layer maps codes to status codes in one table.
// Message is English; In gives it in another language the catalogs have.
// Field, when set, names the request field the error is about.
type Error struct {
	Code    string
	Message string
	Field   string

	format string // Errorf's, to word the message again (In)
	args   []any
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// worded is an argument that words itself in a language (In): a refusal
// within a larger one (a weekday's hours), an import's row (Place).
type worded interface{ In(lang string) string }

// Errorf returns an *Error with the given code and formatted message. An
// argument that words itself reads as its English (an *Error as its
// message, not its code).
func Errorf(code, format string, args ...any) *Error {
	var shown []any
	for i, a := range args {
		if w, ok := a.(worded); ok {
			if shown == nil {
				shown = slices.Clone(args)
			}
			shown[i] = w.In("en")
		}
	}
	if shown == nil {
		shown = args
	}
	return &Error{Code: code, Message: fmt.Sprintf(format, shown...), format: format, args: args}
}

// About returns e naming field as the one it is about.
func (e *Error) About(field string) *Error {
	e.Field = field
	return e
}

// In returns e's message in language lang ("ko" or "en"): Korean where
// the Korean catalog (errors_ko.go) has e's format, else English. The
// arguments are the same; an argument the catalog's words list, and one
// that words itself (an *Error, a Place), are worded in Korean too.
func (e *Error) In(lang string) string {
	ko, ok := koMessages[e.format]
	if lang != "ko" || !ok {
		return e.Message
	}
	args := make([]any, len(e.args))
	for i, a := range e.args {
		switch a := a.(type) {
		case string:
			args[i] = a
			if w := koWords[a]; w != "" {
				args[i] = w
			}
		case worded:
			args[i] = a.In(lang)
		default:
			args[i] = a
		}
	}
	return fmt.Sprintf(ko, args...)
}

// Error codes. Each names one reason a request was refused.
const (
	ErrInvalid      = "invalid_input"
	ErrNotFound     = "not_found"
	ErrUnauthorized = "unauthorized"
	ErrForbidden    = "forbidden"
	ErrConflict     = "conflict"

	ErrConversationClosed   = "conversation_closed"
	ErrConversationNotOpen  = "conversation_unassigned"
	ErrAlreadyAssigned      = "already_assigned"
	ErrNotAssignee          = "not_assignee"
	ErrAgentNotOnline       = "agent_not_online"
	ErrMessageTooLong       = "message_too_long"
	ErrEmptyMessage         = "empty_message"
	ErrBadSignature         = "bad_signature"
	ErrConsentRequired      = "consent_required"
	ErrOriginNotAllowed     = "origin_not_allowed"
	ErrInvalidCredentials   = "invalid_credentials"
	ErrTooManyRequests      = "too_many_requests"
	ErrCSRF                 = "csrf_failed"
	ErrClientMsgIDConflict  = "client_msg_id_conflict"
	ErrWorkspaceNotFound    = "workspace_not_found"
	ErrConversationNotFound = "conversation_not_found"
	ErrAgentNotFound        = "agent_not_found"
	ErrRoleRequired         = "role_required"
	ErrAutoAssignOnly       = "auto_assign_only"
	ErrCustomerLeft         = "customer_left"
	ErrOperationStopped     = "operation_stopped"
	ErrOnHold               = "on_hold"
	ErrHoldNeedsActive      = "hold_needs_active"
	ErrTooManyWaiting       = "too_many_waiting"
	ErrCustomerBlocked      = "customer_blocked"
	ErrUnavailable          = "chat_unavailable"
	ErrFileTypeNotAllowed   = "file_type_not_allowed"
	ErrFileContentMismatch  = "file_content_mismatch"
	ErrFileTooLarge         = "file_too_large"
	ErrFileEmpty            = "file_empty"
	ErrAttachmentNotFound   = "attachment_not_found"
	ErrLinkExpired          = "link_expired"
	ErrMergeRequired        = "merge_required"
	ErrTooManyIdentifiers   = "too_many_identifiers"
	ErrCategoryTooDeep      = "category_too_deep"
	ErrCategoryHasChildren  = "category_has_children"
	ErrNotReplied           = "not_replied"
	ErrAlreadyRated         = "already_rated"

	ErrAlreadyMember      = "already_member"
	ErrInvitationNotFound = "invitation_not_found"
	ErrInvitationUsed     = "invitation_used"
	ErrInvitationExpired  = "invitation_expired"
	ErrInvitationRevoked  = "invitation_revoked"
	ErrLastMaster         = "last_master"
	ErrLastOwner          = "last_owner"
	ErrWeakPassword       = "weak_password"
	ErrScopeRequired      = "scope_required"
	ErrSessionRequired    = "session_required"
	ErrOwnerRequired      = "owner_required"
	ErrTokenNotFound      = "api_token_not_found"
	ErrTooManyTokens      = "too_many_tokens"
	ErrResetLinkInvalid   = "reset_link_invalid"
	ErrLoginShared        = "login_shared"
	ErrWorkspaceArchived  = "workspace_archived"
	ErrMemberInactive     = "member_inactive"
	ErrSpamSuspected      = "spam_suspected"

	// ErrNameInUse refuses a name another of the same kind has: a tag's
	// or an FAQ category's (compared without case), a conversation
	// category's at its level.
	ErrNameInUse = "name_in_use"
	// ErrLimitReached refuses one more of something a workspace has as
	// many of as it may (canned responses, tags, categories, FAQ articles,
	// categories and images).
	ErrLimitReached = "limit_reached"
	// ErrImageInUse refuses to delete an FAQ image an article shows.
	ErrImageInUse = "image_in_use"
)

// History and export (§9).
const (
	ErrQueryTooLong    = "query_too_long"
	ErrQueryNoWords    = "query_no_words"
	ErrInvalidPeriod   = "invalid_period"
	ErrInvalidCursor   = "invalid_cursor"
	ErrCategoryUnknown = "category_not_found"
	ErrTagUnknown      = "tag_not_found"
	ErrExportNotFound  = "export_not_found"
	ErrExportRunning   = "export_running"
	ErrExportNotReady  = "export_not_ready"
	ErrExportExpired   = "export_expired"
)

// Ticket codes (issue 13).
const (
	// ErrTicketSolved refuses a public reply to a solved ticket: reopen it
	// first, so a customer is never written to about a case marked done.
	ErrTicketSolved = "ticket_solved"
)

// Customer ID codes (§1.3): a change of customer ID that would make two
// web identifiers one is refused while each has an open chat, while one is
// blocked and the other not, and when the name it needs belongs to another
// customer ID or to a messenger account.
const (
	ErrMergeOpenChats  = "merge_open_chats"
	ErrMergeBlocked    = "merge_blocked"
	ErrIdentifierInUse = "identifier_in_use"
)

// ErrorCode returns err's domain code, or "" when err is not an *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
