package httpapi

import (
	"net/http"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Paged lists. Every list that can grow without bound answers a page at a
// time: ?limit= (1–chat.MaxPage, chat.DefaultPage when absent) and
// ?cursor=, the opaque mark the previous page gave. Lists that answer with
// an object carry the next page's cursor as next_cursor; lists that have
// answered with a bare array since v1 keep that shape and give the next
// page in a Link header (RFC 8288, rel="next"). No next cursor, no Link:
// this is the last page.

// pageOf reads a list request's ?limit= and ?cursor=.
func pageOf(r *http.Request) (chat.Page, error) {
	p := chat.Page{}
	var err error
	if p.Limit, err = limitOf(r); err != nil {
		return p, err
	}
	p.After, err = chat.ParseCursor(r.URL.Query().Get("cursor"))
	return p, err
}

// limitOf reads a list request's ?limit=: 1 to chat.MaxPage,
// chat.DefaultPage when absent.
func limitOf(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return chat.DefaultPage, nil
	}
	n, err := parseID(v, "limit")
	if err != nil || n > chat.MaxPage {
		return 0, chat.Errorf(chat.ErrInvalid, "limit must be a whole number from 1 to %d", chat.MaxPage)
	}
	return int(n), nil
}

// probe is the page to ask the store for: one item more than is shown,
// which tells whether a next page exists.
func probe(p chat.Page) chat.Page {
	p.Limit++
	return p
}

// nextPage trims what the store gave for probe(p) to p's size, and gives
// the next page's cursor ("" on the last page).
func nextPage[T any](items []T, p chat.Page, cursor func(T) chat.Cursor) ([]T, string) {
	if len(items) <= p.Limit {
		return nonNil(items), ""
	}
	items = items[:p.Limit]
	return items, cursor(items[len(items)-1]).String()
}

// linkNext points a Link header at the next page, if there is one.
func linkNext(w http.ResponseWriter, r *http.Request, next string) {
	if next == "" {
		return
	}
	u := *r.URL
	q := u.Query()
	q.Set("cursor", next)
	u.RawQuery = q.Encode()
	w.Header().Set("Link", "<"+u.RequestURI()+`>; rel="next"`)
}

// byID is the cursor of a list ordered by ID alone.
func byID(id int64) chat.Cursor { return chat.Cursor{ID: id} }
