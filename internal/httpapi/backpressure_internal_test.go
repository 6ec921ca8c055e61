package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Past its bound of sends in flight a node refuses the next one at once
// with 503 "overloaded" and Retry-After, and admits again as soon as one
// is answered.
func TestSendAdmission(t *testing.T) {
	a := &admission{max: 2}
	var releases []func()
	for range 2 {
		release, err := a.admit(httptest.NewRecorder())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	w := httptest.NewRecorder()
	_, err := a.admit(w)
	if err == nil {
		t.Fatal("a third send was admitted")
	}
	(&Server{}).writeError(w, httptest.NewRequest("POST", "/api/v1/widget/conversations/1/messages", nil), err)
	var body errorBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || body.Error.Code != codeOverloaded || body.Error.Message == "" {
		t.Fatalf("refusal: %d %q %+v", w.Code, w.Header().Get("Retry-After"), body)
	}
	releases[0]()
	if _, err := a.admit(httptest.NewRecorder()); err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if n := a.inFlight.Load(); n != 2 {
		t.Fatalf("%d in flight, want 2", n)
	}
	// No bound: every send is admitted.
	for range 1000 {
		if _, err := (&admission{}).admit(httptest.NewRecorder()); err != nil {
			t.Fatal(err)
		}
	}
}

// Both message sends, and only they, take a place among the sends in
// flight.
func TestSendRoutesAreAdmitted(t *testing.T) {
	want := map[string]bool{
		"POST /api/v1/widget/conversations/{cid}/messages":           true,
		"POST /api/v1/workspaces/{wid}/conversations/{cid}/messages": true,
	}
	for _, rt := range (&Server{}).routes() {
		if rt.send != want[rt.pattern] {
			t.Errorf("%s: send %v", rt.pattern, rt.send)
		}
		delete(want, rt.pattern)
	}
	if len(want) != 0 {
		t.Fatalf("routes missing: %v", want)
	}
}
