package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHoursPatchReadsDaysWhole (§6): a patch that names the weekdays gives
// each day as it says, not merged into the day it replaces. A Monday sent
// without a lunch break has none, so the widget takes chats at 12:30; a
// day sent as {} is closed. On both stores.
func TestHoursPatchReadsDaysWhole(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) { hoursPatchReadsDaysWhole(t, newEnvOn(t, kind, nil)) })
	}
}

func hoursPatchReadsDaysWhole(t *testing.T, e *env) {
	manager := e.login("manager")
	shop := e.shopPath()
	week := func(monday, tuesday string) string {
		return `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":[],"days":[{},` + monday + `,` + tuesday + `,{},{},{},{}]}}}`
	}
	manager.json("PATCH", shop, week(`{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"}`,
		`{"open":true,"start":"09:00","end":"18:00"}`), 200, nil)
	// The lunch break is left out of Monday, as the workspace's own JSON
	// leaves out one it does not have; Tuesday is {}.
	var ws chat.Workspace
	manager.json("PATCH", shop, week(`{"open":true,"start":"09:00","end":"18:00"}`, `{}`), 200, &ws)
	got, _ := json.Marshal(ws.Settings.Hours.Days[1:3])
	if want := `[{"open":true,"start":"09:00","end":"18:00"},{"open":false}]`; string(got) != want {
		t.Fatalf("Monday and Tuesday %s, want %s", got, want)
	}
	// As saved: read back, Monday has no lunch break and Tuesday is closed
	// with no hours left over.
	var read chat.Workspace
	manager.json("GET", shop, "", 200, &read)
	if again, _ := json.Marshal(read.Settings.Hours.Days[1:3]); string(again) != string(got) {
		t.Fatalf("Monday and Tuesday read back as %s, saved as %s", again, got)
	}
	// A day of the wrong shape is refused, naming what is wrong, and
	// changes nothing.
	state := func() string { return manager.state(shop) }
	e.refuse(state, []scenario{
		{name: "open of the wrong type", as: manager, method: "PATCH", path: shop, body: week(`{"open":"yes"}`, `{}`), status: 400, code: chat.ErrInvalid},
		{name: "a day's unknown field", as: manager, method: "PATCH", path: shop, body: week(`{"open":true,"start":"09:00","end":"18:00","break":"12:00"}`, `{}`), status: 400, code: chat.ErrInvalid},
		{name: "a day that is not an object", as: manager, method: "PATCH", path: shop, body: week(`"09:00-18:00"`, `{}`), status: 400, code: chat.ErrInvalid},
	})
	// Monday 2026-12-07 12:30 in Seoul: open, since there is no lunch break.
	seoul, _ := time.LoadLocation("Asia/Seoul")
	e.clock.mu.Lock()
	e.clock.frozen = time.Date(2026, 12, 7, 12, 30, 0, 0, seoul)
	e.clock.mu.Unlock()
	var cfg struct{ Availability chat.Availability }
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
	if cfg.Availability != chat.Available {
		t.Fatalf("Monday 12:30 without a lunch break: %q", cfg.Availability)
	}
	// A patch that does not name the days keeps them.
	manager.json("PATCH", shop, `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":["2026-12-25"]}}}`, 200, &ws)
	if again, _ := json.Marshal(ws.Settings.Hours.Days[1:3]); string(again) != string(got) || !strings.Contains(strings.Join(ws.Settings.Hours.Holidays, ","), "2026-12-25") {
		t.Fatalf("days %s after a patch of the holidays", again)
	}
}

// TestWidgetReopensAt (§6): outside its hours the widget's config says
// when the desk opens again — past the weekend and a holiday, after the
// lunch break — and says nothing of it while open or always open.
func TestWidgetReopensAt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager := e.login("manager")
	// 2026-12-24 is a Thursday; the 25th a holiday, then the weekend.
	manager.json("PATCH", e.shopPath(), `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":["2026-12-25"],
		"days":[{},{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"},{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"},
		{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"},{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"},
		{"open":true,"start":"09:00","end":"18:00","lunch_start":"12:00","lunch_end":"13:00"},{}]}}}`, 200, nil)
	seoul, _ := time.LoadLocation("Asia/Seoul")
	for _, c := range []struct {
		now, availability, reopens string
	}{
		{"2026-12-24 18:30", "outside_hours", "2026-12-28T09:00:00+09:00"},
		{"2026-12-28 12:10", "outside_hours", "2026-12-28T13:00:00+09:00"},
		{"2026-12-28 10:00", "available", ""},
	} {
		at, _ := time.ParseInLocation("2006-01-02 15:04", c.now, seoul)
		e.clock.mu.Lock()
		e.clock.frozen = at
		e.clock.mu.Unlock()
		var cfg struct {
			Availability string `json:"availability"`
			ReopensAt    string `json:"reopens_at"`
		}
		e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
		if cfg.Availability != c.availability || cfg.ReopensAt != c.reopens {
			t.Errorf("at %s: %s, reopens %q; want %s, %q", c.now, cfg.Availability, cfg.ReopensAt, c.availability, c.reopens)
		}
	}
	e.clock.mu.Lock()
	e.clock.frozen = time.Time{} // the manager's session is reckoned from now
	e.clock.mu.Unlock()
	manager.json("PATCH", e.shopPath(), `{"settings":{"business_hours":{"always_open":true}}}`, 200, nil)
	var raw map[string]any
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &raw)
	if _, ok := raw["reopens_at"]; ok || raw["availability"] != "available" {
		t.Errorf("always open: %v", raw)
	}
}

// TestWidgetNightDesk (§6): a day whose closing is before its opening runs
// past midnight — saved as given, and the widget takes chats after
// midnight in the workspace's zone, whatever the server's (here Friday
// 16:00 UTC is Saturday 01:00 in Seoul), and says when it opens again.
func TestWidgetNightDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	manager := e.login("manager")
	var ws chat.Workspace
	manager.json("PATCH", e.shopPath(), `{"settings":{"business_hours":{"always_open":false,"time_zone":"Asia/Seoul","holidays":[],
		"days":[{},{},{},{},{},{"open":true,"start":"22:00","end":"02:00","lunch_start":"23:30","lunch_end":"00:10"},{}]}}}`, 200, &ws)
	if d := ws.Settings.Hours.Days[time.Friday]; d.Start != "22:00" || d.End != "02:00" || d.LunchEnd != "00:10" {
		t.Fatalf("Friday saved as %+v", d)
	}
	for _, c := range []struct {
		now          time.Time
		availability string
		reopens      string
	}{
		{time.Date(2026, 12, 11, 16, 0, 0, 0, time.UTC), "available", ""},                              // Sat 01:00 Seoul
		{time.Date(2026, 12, 11, 15, 0, 0, 0, time.UTC), "outside_hours", "2026-12-12T00:10:00+09:00"}, // the break, across midnight
		{time.Date(2026, 12, 11, 17, 30, 0, 0, time.UTC), "outside_hours", "2026-12-18T22:00:00+09:00"},
	} {
		e.clock.mu.Lock()
		e.clock.frozen = c.now
		e.clock.mu.Unlock()
		var cfg struct {
			Availability string `json:"availability"`
			ReopensAt    string `json:"reopens_at"`
		}
		e.anonymous().json("GET", "/api/v1/widget/config?site_id=shop", "", 200, &cfg)
		if cfg.Availability != c.availability || cfg.ReopensAt != c.reopens {
			t.Errorf("at %s: %s, reopens %q; want %s, %q", c.now, cfg.Availability, cfg.ReopensAt, c.availability, c.reopens)
		}
	}
}
