package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// Past its bound of sends in flight a node lets the next send wait for a
// place, so that a burst that drains is absorbed; a send that finds no
// place within the wait is refused with 503 "overloaded", Retry-After and
// the sub-second Retry-After-Ms hint.
func TestSendAdmission(t *testing.T) {
	a := newAdmission(2, time.Hour)
	var releases []func()
	for range 2 {
		release, err := a.admit(t.Context(), httptest.NewRecorder())
		if err != nil {
			t.Fatal(err)
		}
		releases = append(releases, release)
	}
	// A third send waits, and takes the place the first one leaves.
	admitted := make(chan error)
	go func() {
		_, err := a.admit(t.Context(), httptest.NewRecorder())
		admitted <- err
	}()
	for a.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	select {
	case err := <-admitted:
		t.Fatalf("admitted while the bound was full: %v", err)
	default:
	}
	releases[0]()
	if err := <-admitted; err != nil {
		t.Fatalf("after a release: %v", err)
	}
	if n, w := len(a.places), a.waiting.Load(); n != 2 || w != 0 {
		t.Fatalf("%d in flight and %d waiting, want 2 and 0", n, w)
	}

	// A waiting send whose client goes away leaves the queue.
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := a.admit(ctx, httptest.NewRecorder()); err != context.Canceled {
		t.Fatalf("cancelled while waiting: %v", err)
	}

	// A bound that stays full sheds.
	a.wait = time.Millisecond
	w := httptest.NewRecorder()
	_, err := a.admit(t.Context(), w)
	if err == nil {
		t.Fatal("admitted past a full bound")
	}
	(&Server{}).writeError(w, httptest.NewRequest("POST", "/api/v1/widget/conversations/1/messages", nil), err)
	var body errorBody
	json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" || w.Header().Get("Retry-After-Ms") != "150" ||
		body.Error.Code != codeOverloaded || body.Error.Message == "" {
		t.Fatalf("refusal: %d %v %+v", w.Code, w.Header(), body)
	}
	if n, w := len(a.places), a.waiting.Load(); n != 2 || w != 0 {
		t.Fatalf("after a refusal: %d in flight and %d waiting, want 2 and 0", n, w)
	}

	// No bound: every send is admitted.
	free := newAdmission(-1, 0)
	for range 1000 {
		if _, err := free.admit(t.Context(), httptest.NewRecorder()); err != nil {
			t.Fatal(err)
		}
	}
}

// The queue of waiting sends is bounded like the sends in flight: past
// it a send is refused at once, without waiting.
func TestSendAdmissionQueueBound(t *testing.T) {
	a := newAdmission(1, time.Hour)
	if _, err := a.admit(t.Context(), httptest.NewRecorder()); err != nil {
		t.Fatal(err)
	}
	go a.admit(t.Context(), httptest.NewRecorder()) // waits for an hour, or until the test ends
	for a.waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := a.admit(t.Context(), httptest.NewRecorder()); err == nil {
		t.Fatal("admitted past a full bound and a full queue")
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
