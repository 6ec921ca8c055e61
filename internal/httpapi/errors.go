package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
	"golang.org/x/text/language"
)

// Codes the HTTP layer adds to the domain's.
const (
	codeInvalidJSON  = "invalid_json"
	codeBodyTooLarge = "body_too_large"
	codeMediaType    = "unsupported_media_type"
	codeInternal     = "internal_error"
	codeUnavailable  = "unavailable"
)

// statusOf maps every error code to its HTTP status: the one table.
var statusOf = map[string]int{
	chat.ErrInvalid:              http.StatusBadRequest,
	codeInvalidJSON:              http.StatusBadRequest,
	chat.ErrEmptyMessage:         http.StatusBadRequest,
	chat.ErrMessageTooLong:       http.StatusBadRequest,
	chat.ErrConsentRequired:      http.StatusBadRequest,
	chat.ErrUnauthorized:         http.StatusUnauthorized,
	chat.ErrInvalidCredentials:   http.StatusUnauthorized,
	chat.ErrBadSignature:         http.StatusUnauthorized,
	chat.ErrForbidden:            http.StatusForbidden,
	chat.ErrRoleRequired:         http.StatusForbidden,
	chat.ErrCSRF:                 http.StatusForbidden,
	chat.ErrOriginNotAllowed:     http.StatusForbidden,
	chat.ErrNotAssignee:          http.StatusForbidden,
	chat.ErrNotFound:             http.StatusNotFound,
	chat.ErrWorkspaceNotFound:    http.StatusNotFound,
	chat.ErrConversationNotFound: http.StatusNotFound,
	chat.ErrAgentNotFound:        http.StatusNotFound,
	chat.ErrConflict:             http.StatusConflict,
	chat.ErrAlreadyAssigned:      http.StatusConflict,
	chat.ErrConversationClosed:   http.StatusConflict,
	chat.ErrConversationNotOpen:  http.StatusConflict,
	chat.ErrAgentNotOnline:       http.StatusConflict,
	chat.ErrClientMsgIDConflict:  http.StatusConflict,
	chat.ErrCustomerBlocked:      http.StatusForbidden,
	chat.ErrAutoAssignOnly:       http.StatusConflict,
	chat.ErrCustomerLeft:         http.StatusConflict,
	chat.ErrOperationStopped:     http.StatusConflict,
	chat.ErrOnHold:               http.StatusConflict,
	chat.ErrHoldNeedsActive:      http.StatusConflict,
	chat.ErrTooManyWaiting:       http.StatusConflict,
	chat.ErrUnavailable:          http.StatusConflict,
	chat.ErrFileTypeNotAllowed:   http.StatusUnsupportedMediaType,
	chat.ErrFileContentMismatch:  http.StatusUnsupportedMediaType,
	chat.ErrFileTooLarge:         http.StatusRequestEntityTooLarge,
	chat.ErrFileEmpty:            http.StatusBadRequest,
	chat.ErrAttachmentNotFound:   http.StatusNotFound,
	chat.ErrLinkExpired:          http.StatusForbidden,
	chat.ErrMergeRequired:        http.StatusConflict,
	chat.ErrCategoryHasChildren:  http.StatusConflict,
	chat.ErrNotReplied:           http.StatusConflict,
	chat.ErrAlreadyRated:         http.StatusConflict,
	chat.ErrTooManyIdentifiers:   http.StatusUnprocessableEntity,
	chat.ErrMergeOpenChats:       http.StatusConflict,
	chat.ErrMergeBlocked:         http.StatusConflict,
	chat.ErrIdentifierInUse:      http.StatusConflict,
	chat.ErrCategoryTooDeep:      http.StatusUnprocessableEntity,
	codeBodyTooLarge:             http.StatusRequestEntityTooLarge,
	codeMediaType:                http.StatusUnsupportedMediaType,
	chat.ErrTooManyRequests:      http.StatusTooManyRequests,
	chat.ErrAlreadyMember:        http.StatusConflict,
	chat.ErrInvitationNotFound:   http.StatusNotFound,
	chat.ErrInvitationUsed:       http.StatusGone,
	chat.ErrInvitationExpired:    http.StatusGone,
	chat.ErrInvitationRevoked:    http.StatusGone,
	chat.ErrLastMaster:           http.StatusConflict,
	chat.ErrLastOwner:            http.StatusConflict,
	chat.ErrLoginShared:          http.StatusConflict,
	chat.ErrWeakPassword:         http.StatusUnprocessableEntity,
	chat.ErrScopeRequired:        http.StatusForbidden,
	chat.ErrSessionRequired:      http.StatusForbidden,
	chat.ErrOwnerRequired:        http.StatusForbidden,
	chat.ErrTokenNotFound:        http.StatusNotFound,
	chat.ErrTooManyTokens:        http.StatusConflict,
	chat.ErrResetLinkInvalid:     http.StatusGone,
	chat.ErrWorkspaceArchived:    http.StatusConflict,
	chat.ErrMemberInactive:       http.StatusForbidden,
	chat.ErrSpamSuspected:        http.StatusBadRequest,
	chat.ErrNameInUse:            http.StatusConflict,
	chat.ErrLimitReached:         http.StatusConflict,
	chat.ErrImageInUse:           http.StatusConflict,
	// Integrations (package outbox).
	outbox.ErrEndpointNotFound:  http.StatusNotFound,
	outbox.ErrDeliveryNotFound:  http.StatusNotFound,
	outbox.ErrInvalidURL:        http.StatusBadRequest,
	outbox.ErrPrivateAddress:    http.StatusBadRequest,
	outbox.ErrUnknownEvent:      http.StatusBadRequest,
	outbox.ErrChannelToken:      http.StatusUnauthorized,
	outbox.ErrFetchFailed:       http.StatusUnprocessableEntity,
	outbox.ErrTooManyEndpoints:  http.StatusConflict,
	outbox.ErrSMTPNotConfigured: http.StatusConflict,
	codeUnavailable:             http.StatusServiceUnavailable,
	codeOverloaded:              http.StatusServiceUnavailable,
	chat.ErrTicketSolved:        http.StatusConflict,
	// Personal information (pii.go).
	chat.ErrMessageNotFound: http.StatusNotFound,
	chat.ErrNotMaskable:     http.StatusConflict,
	chat.ErrSpanOutOfRange:  http.StatusBadRequest,
	chat.ErrSpanSplits:      http.StatusBadRequest,
	chat.ErrSpanCrossesMask: http.StatusBadRequest,
	chat.ErrMaskNotFound:    http.StatusNotFound,
	chat.ErrReasonRequired:  http.StatusBadRequest,
	chat.ErrFindingNotFound: http.StatusNotFound,
	chat.ErrPIIKeyMismatch:  http.StatusServiceUnavailable,

	// History and export (§9).
	chat.ErrQueryTooLong:    http.StatusBadRequest,
	chat.ErrQueryNoWords:    http.StatusBadRequest,
	chat.ErrInvalidPeriod:   http.StatusBadRequest,
	chat.ErrInvalidCursor:   http.StatusBadRequest,
	chat.ErrCategoryUnknown: http.StatusUnprocessableEntity,
	chat.ErrTagUnknown:      http.StatusUnprocessableEntity,
	chat.ErrExportNotFound:  http.StatusNotFound,
	chat.ErrExportRunning:   http.StatusConflict,
	chat.ErrExportNotReady:  http.StatusConflict,
	chat.ErrExportExpired:   http.StatusGone,
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

// errorLanguages are the languages a refusal's message is worded in,
// English first: a request without Accept-Language (a script) gets it.
var errorLanguages = language.NewMatcher([]language.Tag{language.English, language.Korean})

// errorLanguage is the language of r's refusals: Korean when its
// Accept-Language prefers Korean to English (a browser set to Korean,
// or the console in Korean), else English.
func errorLanguage(r *http.Request) string {
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil {
		return "en"
	}
	if _, i, _ := errorLanguages.Match(tags...); i == 1 {
		return "ko"
	}
	return "en"
}

// unavailability is implemented by stores that can tell a database that
// is down or restarting from other failures.
type unavailability interface{ Unavailable(error) bool }

func isUnavailable(store any, err error) bool {
	u, ok := store.(unavailability)
	return ok && u.Unavailable(err)
}

// writeError answers with err's code and message. Errors without a domain
// code are logged and shown as "internal error", never with their text —
// except that a database that cannot be reached is a 503 "unavailable":
// the client should retry, and a load balancer may try another node.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var e *chat.Error
	switch {
	case errors.As(err, &e):
	case r.Context().Err() != nil && errors.Is(err, r.Context().Err()):
		// The client went away mid-request: nothing failed on our side.
		s.log.Debug("request abandoned", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		e = &chat.Error{Code: codeInternal, Message: "internal error"}
	case isUnavailable(s.store, err):
		s.log.Warn("database unavailable", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		s.metrics.StoreError("unavailable")
		e = &chat.Error{Code: codeUnavailable, Message: "the database is not reachable; try again shortly"}
	default:
		s.log.Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		s.metrics.StoreError("http")
		e = &chat.Error{Code: codeInternal, Message: "internal error"}
	}
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	var body errorBody
	lang := errorLanguage(r)
	body.Error.Code, body.Error.Message, body.Error.Field = e.Code, e.In(lang), e.Field
	w.Header().Set("Content-Language", lang)
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Debug("write response", slog.Any("err", err))
	}
}

// maxBody bounds every JSON request body.
const maxBody = 64 << 10

// decode reads a JSON body into v, refusing anything but one well-formed
// object of the expected shape.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
			return chat.Errorf(codeMediaType, "send the body as application/json")
		}
	}
	return decodeStrict(http.MaxBytesReader(w, r.Body, maxBody), v)
}

// decodeStrict reads exactly one JSON object of v's shape from rd: not
// null, not an array, nothing after it, valid UTF-8, and no control
// characters in any text (checkText).
func decodeStrict(rd io.Reader, v any) error {
	body, err := io.ReadAll(rd)
	if err == nil {
		if first := bytes.TrimLeft(body, " \t\r\n"); len(first) > 0 && first[0] != '{' {
			return chat.Errorf(codeInvalidJSON, "the body must be a JSON object")
		}
		if !utf8.Valid(body) {
			return chat.Errorf(chat.ErrInvalid, "the body is not valid UTF-8")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err == nil {
			if _, end := dec.Token(); end != io.EOF {
				return chat.Errorf(codeInvalidJSON, "the body has data after its JSON object")
			}
			return checkText(reflect.ValueOf(v), "")
		}
	}
	var tooBig *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooBig):
		return chat.Errorf(codeBodyTooLarge, "the request body is larger than %d bytes", maxBody)
	case errors.As(err, &syntax):
		return chat.Errorf(codeInvalidJSON, "malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		return chat.Errorf(chat.ErrInvalid, "field %q must be %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.EOF):
		return chat.Errorf(codeInvalidJSON, "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return chat.Errorf(codeInvalidJSON, "the JSON body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return chat.Errorf(chat.ErrInvalid, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	default:
		return chat.Errorf(codeInvalidJSON, "the body is not a single JSON object: %v", err)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "float64":
		return "a number"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return fmt.Sprintf("of type %s", goKind)
}

// checkText refuses text a person cannot have meant: NUL and the other
// control characters but tab, line feed and carriage return. One rule for
// both stores (PostgreSQL cannot store NUL in text; SQLite can), applied
// to every JSON field at the boundary.
func checkText(v reflect.Value, field string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return checkText(v.Elem(), field)
		}
	case reflect.String:
		if strings.ContainsFunc(v.String(), badControl) {
			return chat.Errorf(chat.ErrInvalid, "%s must not contain control characters", fieldName(field))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = field
			}
			if err := checkText(v.Field(i), name); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if err := checkText(v.Index(i), field); err != nil {
				return err
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if err := checkText(k, field); err != nil {
				return err
			}
			if err := checkText(v.MapIndex(k), field); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkParam holds a query or path parameter that is text (a search, a
// tag, an action, a site ID), or a multipart form's text field, to the
// rule decode keeps for JSON: valid UTF-8 without control characters
// (checkText). Unchecked, such text is
// a 500 on PostgreSQL and a search on SQLite.
func checkParam(name, v string) error {
	if !utf8.ValidString(v) {
		return chat.Errorf(chat.ErrInvalid, "%s is not valid UTF-8", name)
	}
	return checkText(reflect.ValueOf(v), name)
}

func fieldName(f string) string {
	if f == "" {
		return "the text"
	}
	return f
}

// badControl is a control character no person types into a text field.
func badControl(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0)
}

// cleanHeader makes a header's text storable: valid UTF-8, no control
// characters (it was not typed by a person, so it is cleaned, not refused).
func cleanHeader(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if badControl(r) || r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, s)
}
