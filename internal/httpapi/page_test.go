package httpapi_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestListPaging follows a list's Link header page by page, as a script
// would, and checks that every item comes once, in order, with no
// truncation; and that bad paging parameters are refused.
func TestListPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var want []int64
	for range 5 {
		want = append(want, e.visitor("shop", "").start().ID)
	}
	master := e.login("master")
	next := regexp.MustCompile(`^<([^>]+)>; rel="next"$`)
	var got []int64
	path := e.shopPath() + "/conversations?state=unassigned&limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("the Link header never ends")
		}
		req, err := http.NewRequest("GET", e.srv.URL+path, nil)
		must(t, err)
		resp, err := master.hc.Do(req)
		must(t, err)
		var cs []chat.Conversation
		must(t, json.NewDecoder(resp.Body).Decode(&cs))
		resp.Body.Close()
		if resp.StatusCode != 200 || len(cs) > 2 {
			t.Fatalf("GET %s: %d with %d items", path, resp.StatusCode, len(cs))
		}
		for _, c := range cs {
			got = append(got, c.ID)
		}
		path = ""
		if m := next.FindStringSubmatch(resp.Header.Get("Link")); m != nil {
			path = m[1]
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages gave %v, want the queue %v", got, want)
	}

	for _, bad := range []string{"limit=0", "limit=201", "limit=%2B2", "limit=abc", "cursor=x", "cursor=1.0", "cursor=1.2.3"} {
		status, body := master.do("GET", e.shopPath()+"/conversations?"+bad, "")
		if code, _ := errorBodyOf(t, body); status != 400 || code != chat.ErrInvalid {
			t.Errorf("?%s: %d %s, want 400 invalid_input", bad, status, body)
		}
	}
	// Object lists carry next_cursor.
	var invs struct {
		Invitations []json.RawMessage `json:"invitations"`
		NextCursor  *string           `json:"next_cursor"`
	}
	master.json("GET", e.shopPath()+"/invitations?limit=1", "", 200, &invs)
	if invs.NextCursor == nil || *invs.NextCursor != "" {
		t.Fatalf("invitations without a next page: next_cursor %v, want \"\"", invs.NextCursor)
	}
	if status, body := master.do("GET", e.shopPath()+"/invitations?status=pending", ""); status != 400 {
		t.Errorf("?status=pending: %d %s, want 400", status, body)
	}
}
