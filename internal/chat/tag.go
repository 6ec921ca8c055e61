package chat

import (
	"strings"
	"unicode/utf8"
)

// TagKind says what a tag labels.
type TagKind string

// Tag kinds (§4.3).
const (
	TagCustomer     TagKind = "customer"
	TagConversation TagKind = "conversation"
)

// Valid reports whether k is a known tag kind.
func (k TagKind) Valid() bool { return k == TagCustomer || k == TagConversation }

// Tag labels a customer identifier or a conversation.
type Tag struct {
	ID   int64   `json:"id"`
	Kind TagKind `json:"kind"`
	Name string  `json:"name"`
}

// CleanTagName trims a tag name and checks it.
func CleanTagName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > MaxTagName || strings.ContainsFunc(name, IsControlOrBidi) {
		return "", Errorf(ErrInvalid, "a tag name must be 1 to %d characters on one line", MaxTagName)
	}
	return name, nil
}

// CheckTagIDs checks a list of tags to set on one customer or conversation.
func CheckTagIDs(ids []int64) error {
	if len(ids) > MaxTagsPerSubject {
		return Errorf(ErrInvalid, "at most %d tags", MaxTagsPerSubject)
	}
	return nil
}
