package httpapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// offlineDue is when kind's auto-offline job for agentID in workspaceID
// is due, once it is due after after (the zero time: whenever it exists);
// it waits a little for a socket's renewal, which runs beside the socket.
func (e *env) offlineDue(workspaceID, agentID int64, after time.Time) time.Time {
	e.t.Helper()
	db, err := sql.Open("sqlite", "file:"+e.dbPath+"?mode=ro")
	must(e.t, err)
	defer db.Close()
	var due int64
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := db.QueryRow(`SELECT due_at FROM jobs WHERE kind = ? AND workspace_id = ? AND ref_id = ?`, chat.JobOffline, workspaceID, agentID).Scan(&due)
		if err == nil && time.UnixMicro(due).After(after) {
			return time.UnixMicro(due)
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no auto-offline job for agent %d in workspace %d due after %s (%v)", agentID, workspaceID, after, err)
		}
	}
}

func (e *env) statusIn(ws *chat.Workspace, name string) chat.AgentStatus {
	e.t.Helper()
	m, err := e.store.Member(context.Background(), ws.ID, e.agents[name].ID)
	must(e.t, err)
	return m.Status
}

// TestPresenceFollowsConsoles (§3.1): signing in puts an agent online in
// each of their workspaces with the auto-offline timer running in each; a
// console connection keeps it from running out in its own workspace only.
// So the workspace the agent is not looking at goes offline a few minutes
// later — and so does every workspace of a sign-in with no console at all,
// or of an agent who set themselves online over the API.
func TestPresenceFollowsConsoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	kim := e.agents["kim"]
	must(t, e.store.AddMember(t.Context(), chat.Member{WorkspaceID: e.other.ID, AgentID: kim.ID, Role: chat.RoleAgent, Status: chat.StatusOffline}))
	_, err := e.app.SetAgentStatus(t.Context(), e.other.ID, e.agents["olga"].ID, chat.StatusOffline)
	must(t, err)
	e.clock.freeze()
	start := e.clock.Now().Truncate(time.Microsecond)
	c := e.login("kim")
	for _, ws := range []*chat.Workspace{e.shop, e.other} {
		if st := e.statusIn(ws, "kim"); st != chat.StatusOnline {
			t.Fatalf("kim is %s in %s after signing in", st, ws.SiteID)
		}
		if due := e.offlineDue(ws.ID, kim.ID, time.Time{}); due.Sub(start) != 5*time.Minute {
			t.Fatalf("kim goes offline in %s at %s; want five minutes after signing in, %s", ws.SiteID, due, start.Add(5*time.Minute))
		}
	}
	// Kim's console is on the shop. Four minutes on, a new socket there
	// (a reload) renews the shop's timer; the other workspace's is not.
	s := c.mustSocket(e.shopPath() + "/ws")
	s.next("ready")
	e.clock.advance(4 * time.Minute)
	reload := c.mustSocket(e.shopPath() + "/ws")
	reload.next("ready")
	e.offlineDue(e.shop.ID, kim.ID, start.Add(5*time.Minute))
	e.clock.advance(2 * time.Minute)
	e.runJobs()
	if shop, other := e.statusIn(e.shop, "kim"), e.statusIn(e.other, "kim"); shop != chat.StatusOnline || other != chat.StatusOffline {
		t.Fatalf("kim is %s in the shop (her console) and %s in the other workspace; want online and offline", shop, other)
	}
	// The other workspace's widget no longer counts on her (its master,
	// who never signed in, is offline too).
	var cfg struct {
		Availability chat.Availability `json:"availability"`
	}
	e.anonymous().json("GET", "/api/v1/widget/config?site_id=other", "", 200, &cfg)
	if cfg.Availability == chat.Available {
		t.Fatalf("the other workspace's widget says %q with nobody at a console", cfg.Availability)
	}

	// Setting herself online there over the API, with no console, lasts
	// the same few minutes.
	otherPath := fmt.Sprintf("/api/v1/workspaces/%d", e.other.ID)
	c.json("PUT", otherPath+"/me/status", `{"status":"online"}`, 200, nil)
	e.clock.advance(6 * time.Minute)
	e.runJobs()
	if st := e.statusIn(e.other, "kim"); st != chat.StatusOffline {
		t.Fatalf("kim is %s in the other workspace six minutes after setting herself online with no console", st)
	}

	// A sign-in with no console at all goes offline too.
	e.login("lee")
	e.clock.advance(6 * time.Minute)
	e.runJobs()
	if st := e.statusIn(e.shop, "lee"); st != chat.StatusOffline {
		t.Fatalf("lee, signed in over the API only, is %s six minutes later", st)
	}
}

// TestSignOutOnOneDevice (§3.1): signing out on one device leaves the
// agent online while another device of theirs is signed in, until the
// auto-offline timer finds every console gone; signing out of the last
// one takes them offline at once.
func TestSignOutOnOneDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.clock.freeze()
	start := e.clock.Now()
	laptop, phone := e.login("kim"), e.login("kim")
	s := phone.mustSocket(e.shopPath() + "/ws")
	s.next("ready")
	laptop.json("POST", "/api/v1/auth/logout", "", 204, nil)
	if st := e.statusIn(e.shop, "kim"); st != chat.StatusOnline {
		t.Fatalf("kim is %s after signing out on her laptop, her phone's console still open", st)
	}
	// The phone's console goes away too, a minute on: a few minutes
	// later, offline.
	e.clock.advance(time.Minute)
	s.close()
	e.offlineDue(e.shop.ID, e.agents["kim"].ID, start.Add(5*time.Minute)) // the closing socket's renewal
	e.clock.advance(6 * time.Minute)
	e.runJobs()
	if st := e.statusIn(e.shop, "kim"); st != chat.StatusOffline {
		t.Fatalf("kim is %s six minutes after her last console closed", st)
	}
	phone.json("PUT", e.shopPath()+"/me/status", `{"status":"online"}`, 200, nil)
	phone.json("POST", "/api/v1/auth/logout", "", 204, nil)
	if st := e.statusIn(e.shop, "kim"); st != chat.StatusOffline {
		t.Fatalf("kim is %s after signing out on her last device", st)
	}
}
