package chat

import (
	"strconv"
	"strings"
)

// Page sizes of the paged lists: a request may ask for up to MaxPage items;
// without a limit it gets DefaultPage.
const (
	DefaultPage = 100
	MaxPage     = 200
)

// Cursor marks where a page of a list ended: the sort key of its last item
// (a time in microseconds, for lists ordered by time) and that item's ID,
// which breaks ties. The next page starts after it. Clients treat its text
// as opaque.
type Cursor struct {
	Key int64
	ID  int64
}

// IsZero reports whether c is the start of a list.
func (c Cursor) IsZero() bool { return c == Cursor{} }

// String is the cursor as the API gives it ("" for none).
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.Key, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCursor reads a cursor String gave; "" is the start of the list.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	key, id, ok := strings.Cut(s, ".")
	c := Cursor{}
	var err1, err2 error
	c.Key, err1 = strconv.ParseInt(key, 10, 64)
	c.ID, err2 = strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || c.ID <= 0 || c.String() != s {
		return Cursor{}, Errorf(ErrInvalid, "cursor is not one this API gave")
	}
	return c, nil
}

// Page asks a list for up to Limit items after a cursor (the zero Cursor:
// from the start). Handlers ask for one more than they show, to know
// whether a next page exists.
type Page struct {
	After Cursor
	Limit int
}
