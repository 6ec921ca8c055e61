package cluster

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestCluster runs the cluster scenarios one after another, each on a
// cluster of its own, beside TestDurableJobsAcrossNodes, which spends most
// of its time waiting for one-minute timers. Two clusters at a time is
// what a small CI machine (two cores) and PostgreSQL's default 100
// connections take comfortably.
func TestCluster(t *testing.T) {
	needCluster(t)
	t.Parallel()
	for _, tc := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"Start", testClusterStart},
		{"ChatAcrossNodes", testChatAcrossNodes},
		{"QueueAcrossNodes", testQueueAcrossNodes},
		{"NoDoubleAssignment", testNoDoubleAssignment},
		{"SigkillMidChat", testSigkillMidChat},
	} {
		t.Run(tc.name, tc.run)
	}
}

// testClusterStart: three nodes start together on an empty schema named by
// search_path in the database URL; they migrate it and bootstrap one
// workspace and one master between them, and a login made on one node is
// good on the others (sessions live in the database).
func testClusterStart(t *testing.T) {
	c := newCluster(t, clusterOptions{fresh: true})

	var tables int
	must(t, c.db.QueryRowContext(c.ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name IN ('workspaces', 'events', 'jobs')`, c.schema).Scan(&tables))
	if tables != 3 {
		t.Fatalf("%d of Sodam's tables in schema %s, want 3", tables, c.schema)
	}
	ms, err := c.store.Members(c.ctx, c.ws.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].Role != chat.RoleMaster || ms[0].Email != adminEmail {
		t.Fatalf("members after bootstrap: %+v", ms)
	}
	master := c.loginMaster(c.nodes[0])
	for _, n := range c.nodes {
		var me struct {
			CSRFToken string `json:"csrf_token"`
		}
		master.json(n, "GET", "/api/v1/me", "", 200, &me)
		if me.CSRFToken != master.csrf {
			t.Fatalf("%s sees another session", n.name)
		}
		var ws struct{ ID int64 }
		master.json(n, "GET", c.wsPath(), "", 200, &ws)
	}
}

// testChatAcrossNodes: a visitor on node 1 and an agent on node 2 chat; the
// conversation, the assignment, every message and typing cross the nodes
// live and exactly once, and node 3 lists the same state.
func testChatAcrossNodes(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	kimID := c.addAgent("kim", chat.RoleAgent)

	kim := c.loginAgent(n2, "kim")
	kimWS := kim.agentSocket(n2, 0)
	kimWS.awaitReady()

	vis := c.visitor(n1, "visitor")
	conv := vis.start(n1)
	if conv.State != chat.StateUnassigned {
		t.Fatalf("started %+v", conv)
	}
	visWS := vis.visitorSocket(n1, conv.ID, 0)
	visWS.awaitReady()
	kimWS.await("conversation.created", func(f frame) bool { return f.isEvent(chat.EventConversationCreated, conv.ID) })

	// Assign through the third node.
	var taken chat.Conversation
	kim.json(n3, "POST", c.convPath(conv.ID)+"/assign", "", 200, &taken)
	if taken.State != chat.StateWaiting || taken.AssigneeID != kimID {
		t.Fatalf("assigned %+v", taken)
	}
	for _, s := range []*socket{kimWS, visWS} {
		f := s.await("conversation.assigned", func(f frame) bool { return f.isEvent(chat.EventConversationAssigned, conv.ID) })
		if f.Event.Conversation.AssigneeName != "kim" {
			t.Fatalf("%s: assigned to %q", s.name, f.Event.Conversation.AssigneeName)
		}
	}

	// Messages both ways, each waited for on both sockets before the next.
	var sent []chat.Message
	for i := 1; i <= 3; i++ {
		sent = append(sent, vis.send(n1, conv.ID, fmt.Sprintf("v-%d", i), fmt.Sprintf("배송이 언제 오나요? %d", i)))
		sent = append(sent, kim.send(n2, conv.ID, fmt.Sprintf("k-%d", i), fmt.Sprintf("내일 도착합니다 %d", i)))
		for _, m := range sent[len(sent)-2:] {
			for _, s := range []*socket{kimWS, visWS} {
				s.await("message "+m.ClientMsgID, func(f frame) bool {
					return f.isEvent(chat.EventMessageCreated, conv.ID) && f.Event.Message.ID == m.ID
				})
			}
		}
	}

	// Typing crosses the nodes both ways.
	visWS.sendFrame(map[string]any{"type": "typing", "typing": true})
	kimWS.await("the visitor typing", func(f frame) bool {
		return f.Type == "typing" && f.ConversationID == conv.ID && f.SenderType == chat.SenderVisitor && f.Typing
	})
	kimWS.sendFrame(map[string]any{"type": "typing", "conversation_id": conv.ID, "typing": true})
	visWS.await("the agent typing", func(f frame) bool {
		return f.Type == "typing" && f.ConversationID == conv.ID && f.SenderType == chat.SenderAgent && f.Typing
	})

	// Node 3 lists what the sockets showed: the agent's list, the
	// master's, the transcript and the visitor's resumed session agree.
	lastEv := kimWS.await("the last reply", func(f frame) bool {
		return f.isEvent(chat.EventMessageCreated, conv.ID) && f.Event.Message.ID == sent[len(sent)-1].ID
	}).Event.Conversation
	master := c.loginMaster(n3)
	for _, lister := range []*client{kim, master} {
		var list []chat.Conversation
		lister.json(n3, "GET", c.wsPath()+"/conversations", "", 200, &list)
		if len(list) != 1 {
			t.Fatalf("%s lists %d conversations on node 3", lister.name, len(list))
		}
		got := list[0]
		if got.ID != conv.ID || got.State != chat.StateActive || got.AssigneeID != kimID || got.LastSeq != lastEv.LastSeq ||
			got.LastMessage != sent[len(sent)-1].Body || got.LastMessage != lastEv.LastMessage || got.State != lastEv.State {
			t.Fatalf("%s lists on node 3 %+v;\nthe socket's last event had %+v", lister.name, got, *lastEv)
		}
	}
	var stored []chat.Message
	kim.json(n3, "GET", c.convPath(conv.ID)+"/messages", "", 200, &stored)
	var sess struct{ Conversation chat.Conversation }
	vis.json(n3, "POST", "/api/v1/widget/sessions", fmt.Sprintf(`{"site_id":%q,"visitor_token":%q}`, c.ws.SiteID, vis.bearer), 200, &sess)
	if sess.Conversation.ID != conv.ID || sess.Conversation.State != chat.StateActive || sess.Conversation.LastSeq != lastEv.LastSeq {
		t.Fatalf("visitor's session on node 3: %+v", sess.Conversation)
	}

	// Every message arrived exactly once on both sockets, in stored order.
	for _, s := range []*socket{kimWS, visWS} {
		s.checkOrder()
		if got, want := ids(s.messages(conv.ID)), ids(stored); !slices.Equal(got, want) {
			t.Errorf("%s: messages %v, stored %v", s.name, got, want)
		}
	}
	var texts []string
	for _, m := range stored {
		if m.Kind == chat.KindText {
			texts = append(texts, m.ClientMsgID)
		}
	}
	if want := []string{"v-1", "k-1", "v-2", "k-2", "v-3", "k-3"}; !slices.Equal(texts, want) {
		t.Errorf("stored texts %v, want %v", texts, want)
	}
}

func ids(ms []chat.Message) []int64 {
	out := []int64{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// testQueueAcrossNodes: auto assignment, capacity 1, one agent online on
// node 3. Three visitors, one per node: the first is assigned, the others
// see their places on their own nodes' sockets, and the places move live
// when a close on node 2 frees the agent.
func testQueueAcrossNodes(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	kimID := c.addAgent("kim", chat.RoleAgent)
	master := c.loginMaster(n1)
	master.json(n1, "PATCH", c.wsPath(), `{"settings":{"assignment_mode":"auto","default_capacity":1}}`, 200, nil)
	master.json(n2, "PUT", c.wsPath()+"/me/status", `{"status":"away"}`, 200, nil)
	kim := c.loginAgent(n3, "kim")
	kimWS := kim.agentSocket(n3, 0)
	kimWS.awaitReady()

	type visitor struct {
		cl   *client
		n    *node
		conv chat.Conversation
		ws   *socket
	}
	vs := make([]*visitor, 3)
	for i, n := range c.nodes {
		v := &visitor{cl: c.visitor(n, fmt.Sprintf("visitor%d", i+1)), n: n}
		v.conv = v.cl.start(n)
		vs[i] = v
	}
	if a := vs[0].conv; a.State != chat.StateWaiting || a.AssigneeName != "kim" {
		t.Fatalf("first %+v", a)
	}
	for i, v := range vs[1:] {
		if v.conv.State != chat.StateUnassigned || v.conv.QueuePosition != i+1 {
			t.Fatalf("visitor %d: %+v, want queued at %d", i+2, v.conv, i+1)
		}
	}
	for _, v := range vs {
		v.ws = v.cl.visitorSocket(v.n, v.conv.ID, 0)
		v.ws.awaitReady()
	}
	queueAt := func(pos int) func(frame) bool {
		return func(f frame) bool { return f.Type == "queue" && f.Position == pos }
	}
	vs[1].ws.await("queue position 1", queueAt(1))
	vs[2].ws.await("queue position 2", queueAt(2))

	// Closing the first (through node 2) gives kim the second; the third moves up.
	marks := []int{vs[1].ws.mark(), vs[2].ws.mark()}
	var closed chat.Conversation
	kim.json(n2, "POST", c.convPath(vs[0].conv.ID)+"/close", "", 200, &closed)
	if closed.State != chat.StateClosed {
		t.Fatalf("closed %+v", closed)
	}
	vs[0].ws.await("conversation.closed", func(f frame) bool { return f.isEvent(chat.EventConversationClosed, vs[0].conv.ID) })
	f := vs[1].ws.awaitAfter(marks[0], "assigned to kim", func(f frame) bool { return f.isEvent(chat.EventConversationAssigned, vs[1].conv.ID) })
	if f.Event.Conversation.AssigneeName != "kim" {
		t.Fatalf("second visitor's conversation went to %q", f.Event.Conversation.AssigneeName)
	}
	vs[1].ws.awaitAfter(marks[0], "queue position 0", queueAt(0))
	vs[2].ws.awaitAfter(marks[1], "queue position 1", queueAt(1))
	kimWS.await("second assigned", func(f frame) bool {
		return f.isEvent(chat.EventConversationAssigned, vs[1].conv.ID) && f.Event.Conversation.AssigneeID == kimID
	})

	// And once more, through node 1.
	mark := vs[2].ws.mark()
	kim.json(n1, "POST", c.convPath(vs[1].conv.ID)+"/close", "", 200, nil)
	vs[2].ws.awaitAfter(mark, "assigned", func(f frame) bool { return f.isEvent(chat.EventConversationAssigned, vs[2].conv.ID) })
	vs[2].ws.awaitAfter(mark, "queue position 0", queueAt(0))

	for i, want := range [][]int{{0}, {1, 0}, {2, 1, 0}} {
		if got := vs[i].ws.queuePositions(); !slices.Equal(got, want) {
			t.Errorf("visitor %d's queue frames: %v, want %v", i+1, got, want)
		}
		vs[i].ws.checkOrder()
	}
	kimWS.checkOrder()
}

// testNoDoubleAssignment: auto assignment, five agents of capacity 3 coming
// online through different nodes while 60 visitors start at once, spread
// over the nodes. Nobody holds more than their capacity, no conversation
// is assigned twice, and the queue is served oldest first: the 15 assigned
// are the 15 oldest, the other 45 still queue.
func testNoDoubleAssignment(t *testing.T) {
	const agents, capacity, visitors = 5, 3, 60
	c := newCluster(t, clusterOptions{})
	master := c.loginMaster(c.nodes[0])
	master.json(c.nodes[0], "PATCH", c.wsPath(), fmt.Sprintf(`{"settings":{"assignment_mode":"auto","default_capacity":%d}}`, capacity), 200, nil)
	master.json(c.nodes[0], "PUT", c.wsPath()+"/me/status", `{"status":"away"}`, 200, nil)

	// Agents log in (which puts them online); all but the first step away
	// until the burst (with nobody online the widget takes no chats).
	var team []*client
	agentIDs := map[int64]bool{}
	for i := range agents {
		name := fmt.Sprintf("agent%d", i)
		id := c.addAgent(name, chat.RoleAgent)
		cl := c.loginAgent(c.nodes[i%3], name)
		status := "away"
		if i == 0 {
			status = "online"
		}
		cl.json(c.nodes[(i+1)%3], "PUT", c.wsPath()+"/me/status", `{"status":"`+status+`"}`, 200, nil)
		team = append(team, cl)
		agentIDs[id] = true
	}
	vis := make([]*client, visitors)
	var wg sync.WaitGroup
	var errs errorsOf
	for i := range vis {
		vis[i] = c.newClient(fmt.Sprintf("visitor%d", i))
		wg.Go(func() {
			status, data, err := vis[i].do(c.nodes[i%3], "POST", "/api/v1/widget/sessions", fmt.Sprintf(`{"site_id":%q}`, c.ws.SiteID))
			var s struct {
				VisitorToken string `json:"visitor_token"`
			}
			if err != nil || status != 200 || json.Unmarshal(data, &s) != nil {
				errs.add("visitor %d session: %d %v %s", i, status, err, data)
				return
			}
			vis[i].bearer = s.VisitorToken
		})
	}
	wg.Wait()
	errs.check(t)

	// The burst: every visitor starts at once, and the other agents come
	// online through other nodes than they logged in on, during it: agent
	// i once 12*i starts have been answered, stepping away and back twice
	// more on the way (each change routes the queue under the same lock
	// as the arrivals). Agent 0 stays online: with nobody online the
	// widget would refuse new chats.
	gate := make(chan struct{})
	answered := make([]chan struct{}, visitors+1)
	for i := range answered {
		answered[i] = make(chan struct{})
	}
	var countMu sync.Mutex
	count := 0
	started := make([]chat.Conversation, visitors)
	for i := range vis {
		wg.Go(func() {
			<-gate
			status, data, err := vis[i].do(c.nodes[i%3], "POST", "/api/v1/widget/conversations", `{"consent":true}`)
			if err != nil || status != 201 || json.Unmarshal(data, &started[i]) != nil {
				errs.add("visitor %d start on %s: %d %v %s", i, c.nodes[i%3].name, status, err, data)
			}
			countMu.Lock()
			count++
			close(answered[count])
			countMu.Unlock()
		})
	}
	close(answered[0])
	for i, cl := range team[1:] {
		i++
		wg.Go(func() {
			<-gate
			<-answered[i*visitors/agents]
			for k, st := range []string{"online", "away", "online", "away", "online"} {
				n := c.nodes[(i+k+2)%3]
				status, data, err := cl.do(n, "PUT", c.wsPath()+"/me/status", `{"status":"`+st+`"}`)
				if err != nil || status != 200 {
					errs.add("%s %s on %s: %d %v %s", cl.name, st, n.name, status, err, data)
				}
			}
		})
	}
	close(gate)
	wg.Wait()
	errs.check(t)

	for i, conv := range started {
		if !(conv.State == chat.StateUnassigned && conv.QueuePosition >= 1) && !(conv.State == chat.StateWaiting && conv.AssigneeName != "") {
			t.Errorf("visitor %d's start answered %+v", i, conv)
		}
	}

	// The API's view, from node 3.
	var all []chat.Conversation
	master.json(c.nodes[2], "GET", c.wsPath()+"/conversations", "", 200, &all)
	if len(all) != visitors {
		t.Fatalf("%d conversations, want %d", len(all), visitors)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	open, waiting := map[int64]int{}, map[int64]int{}
	for i, conv := range all {
		switch conv.State {
		case chat.StateWaiting, chat.StateActive:
			if !agentIDs[conv.AssigneeID] || len(conv.AgentPath) != 1 || conv.AgentPath[0].AgentID != conv.AssigneeID {
				t.Errorf("conversation %d: assignee %d, agent path %+v", conv.ID, conv.AssigneeID, conv.AgentPath)
			}
			open[conv.AssigneeID]++
			if conv.State == chat.StateWaiting {
				waiting[conv.AssigneeID]++
			}
			if i >= agents*capacity {
				t.Errorf("conversation %d (%d. oldest) is assigned while older ones queue", conv.ID, i+1)
			}
		case chat.StateUnassigned:
			if conv.AssigneeID != 0 || len(conv.AgentPath) != 0 {
				t.Errorf("queued conversation %d has assignee %d, path %+v", conv.ID, conv.AssigneeID, conv.AgentPath)
			}
			if i < agents*capacity {
				t.Errorf("conversation %d (%d. oldest) still queues", conv.ID, i+1)
			}
		default:
			t.Errorf("conversation %d is %s", conv.ID, conv.State)
		}
	}
	for id := range agentIDs {
		if open[id] != capacity || waiting[id] > chat.MaxWaiting {
			t.Errorf("agent %d holds %d open (%d waiting), want %d", id, open[id], waiting[id], capacity)
		}
	}
	// Each agent's own list, from yet another node, agrees.
	for i, cl := range team {
		var mine []chat.Conversation
		cl.json(c.nodes[(i+1)%3], "GET", c.wsPath()+"/conversations?scope=mine", "", 200, &mine)
		if len(mine) != open[cl.agentID] {
			t.Errorf("%s lists %d of their own, the master's list says %d", cl.name, len(mine), open[cl.agentID])
		}
	}

	// The event log: no conversation leaves the queue twice, nobody is
	// ever above capacity, and each assignment takes the oldest queued.
	var queue []int64
	assigned := map[int64]int{}
	load := map[int64]int{}
	for _, ev := range c.events() {
		if ev.Conversation == nil {
			continue
		}
		cv := ev.Conversation
		switch {
		case ev.Type == chat.EventConversationCreated:
			queue = append(queue, cv.ID)
		case ev.Type == chat.EventConversationAssigned:
			assigned[cv.ID]++
			if ev.PrevState != chat.StateUnassigned || ev.PrevAssigneeID != 0 {
				t.Errorf("event %d assigns conversation %d that was %s with %d", ev.Seq, cv.ID, ev.PrevState, ev.PrevAssigneeID)
			}
			if len(queue) == 0 || queue[0] != cv.ID {
				t.Errorf("event %d assigns conversation %d; the queue's head was %v", ev.Seq, cv.ID, queue[:min(3, len(queue))])
			}
			queue = slices.DeleteFunc(queue, func(id int64) bool { return id == cv.ID })
			if load[cv.AssigneeID]++; load[cv.AssigneeID] > capacity {
				t.Errorf("event %d gives agent %d a conversation beyond capacity (%d)", ev.Seq, cv.AssigneeID, load[cv.AssigneeID])
			}
		case ev.Type != chat.EventMessageCreated:
			t.Errorf("unexpected event %d %s", ev.Seq, ev.Type)
		}
	}
	for id, n := range assigned {
		if n != 1 {
			t.Errorf("conversation %d assigned %d times", id, n)
		}
	}
	if len(assigned) != agents*capacity || len(queue) != visitors-agents*capacity {
		t.Errorf("event log: %d assigned, %d still queued", len(assigned), len(queue))
	}
}

// TestDurableJobsAcrossNodes: the durable timers, run by every node's job
// runner against one jobs table. The inactivity timer closes each silent
// conversation exactly once, a minute after the agent's reply (the
// shortest timeout the settings allow), and everyone sees it live. The
// auto-offline timer takes an agent offline a minute after their console's
// node died with SIGKILL (no node was left to see the console go), and the
// master, signed in over the API only, a minute after the setting moved
// their running timer to one minute, while the agent whose console stays
// connected stays online.
func TestDurableJobsAcrossNodes(t *testing.T) {
	t.Parallel()
	const conversations = 3
	c := newCluster(t, clusterOptions{timeout: 150 * time.Second})
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	master := c.loginMaster(n1)
	master.json(n1, "PATCH", c.wsPath(), `{"settings":{"inactivity_timeout_minutes":1,"auto_offline_minutes":1}}`, 200, nil)
	kimID, leeID := c.addAgent("kim", chat.RoleAgent), c.addAgent("lee", chat.RoleAgent)
	kim := c.loginAgent(n2, "kim")
	kimWS := kim.agentSocket(n2, 0)
	kimWS.awaitReady()
	lee := c.loginAgent(n3, "lee")
	leeSince := time.Now()
	lee.agentSocket(n3, 0).awaitReady()

	type visitor struct {
		conv  chat.Conversation
		ws    *socket
		reply chat.Message
	}
	vs := make([]*visitor, conversations)
	for i := range vs {
		n := c.nodes[i%3]
		cl := c.visitor(n, fmt.Sprintf("visitor%d", i+1))
		v := &visitor{conv: cl.start(n)}
		v.ws = cl.visitorSocket(c.nodes[i%2], v.conv.ID, 0) // node 3 is going away
		cl.send(n, v.conv.ID, "v-1", "계세요?")
		kim.json(c.nodes[(i+2)%3], "POST", c.convPath(v.conv.ID)+"/assign", "", 200, nil)
		v.reply = kim.send(c.nodes[(i+1)%3], v.conv.ID, "k-1", "무엇을 도와드릴까요?")
		vs[i] = v
	}
	jobCount := func(kind string) int {
		var n int
		must(t, c.db.QueryRowContext(c.ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1`, kind).Scan(&n))
		return n
	}
	// Each sign-in started its agent's timer (the master's, begun before
	// the minute was set, was moved to one by the setting and has no
	// console to renew it).
	if n, m := jobCount(chat.JobInactivity), jobCount(chat.JobOffline); n != conversations || m != 3 {
		t.Fatalf("%d inactivity jobs and %d offline jobs, want %d and 3", n, m, conversations)
	}
	// Long before anything is due, lee's console goes down with its node.
	c.kill(n3)

	for _, v := range vs {
		f := v.ws.await("the inactivity close", func(f frame) bool { return f.isEvent(chat.EventConversationClosed, v.conv.ID) })
		if f.Event.Conversation.CloseReason != chat.CloseByInactivity {
			t.Fatalf("conversation %d closed for %q", v.conv.ID, f.Event.Conversation.CloseReason)
		}
		kimWS.await("the inactivity close", func(f frame) bool { return f.isEvent(chat.EventConversationClosed, v.conv.ID) })
	}
	offline := kimWS.await("lee going offline", func(f frame) bool {
		return f.Type == "event" && f.Event.Type == chat.EventAgentStatus && f.Event.Member != nil && f.Event.Member.AgentID == leeID && f.Event.Member.Status == chat.StatusOffline
	})
	// A job is deleted in the transaction that carries it out, so once it
	// is gone it cannot fire again: count what happened.
	c.eventually("no inactivity jobs left", func() (bool, string) {
		n := jobCount(chat.JobInactivity)
		return n == 0, fmt.Sprint(n, " jobs")
	})
	masterAgent, err := c.store.AgentByEmail(c.ctx, adminEmail)
	must(t, err)
	c.eventually("the master's offline job done", func() (bool, string) {
		var n int
		must(t, c.db.QueryRowContext(c.ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND ref_id = $2`, chat.JobOffline, masterAgent.ID).Scan(&n))
		return n == 0, fmt.Sprint(n, " jobs")
	})
	closes := map[int64]int{}
	offlines := map[int64]int{}
	for _, ev := range c.events() {
		switch {
		case ev.Type == chat.EventConversationClosed:
			closes[ev.Conversation.ID]++
			if ev.Conversation.CloseReason != chat.CloseByInactivity || ev.Message == nil || ev.Message.Body != chat.SystemClosed {
				t.Errorf("close event %d: %+v, message %+v", ev.Seq, ev.Conversation, ev.Message)
			}
		case ev.Type == chat.EventAgentStatus && ev.Member.Status == chat.StatusOffline:
			offlines[ev.Member.AgentID]++
		}
	}
	if offlines[leeID] != 1 || offlines[kimID] != 0 || offlines[masterAgent.ID] != 1 || len(offlines) != 2 {
		t.Errorf("offline events per agent: %v; want lee (%d) and the master (%d) once each", offlines, leeID, masterAgent.ID)
	}
	var members []chat.Member
	master.json(n1, "GET", c.wsPath()+"/agents", "", 200, &members)
	for _, m := range members {
		if (m.AgentID == kimID && m.Status != chat.StatusOnline) || (m.AgentID == leeID && m.Status != chat.StatusOffline) {
			t.Errorf("%s is %s", m.Name, m.Status)
		}
	}
	if offlineAt := offline.Event.CreatedAt; offlineAt.Sub(leeSince) < time.Minute {
		t.Errorf("lee went offline at %v, %v after connecting: sooner than the minute", offlineAt, offlineAt.Sub(leeSince))
	}
	for _, v := range vs {
		if closes[v.conv.ID] != 1 {
			t.Errorf("conversation %d: %d close events", v.conv.ID, closes[v.conv.ID])
		}
		msgs, err := c.store.Messages(c.ctx, c.ws.ID, v.conv.ID, 0, 0)
		must(t, err)
		n := 0
		for _, m := range msgs {
			if m.Kind == chat.KindSystem && m.Body == chat.SystemClosed {
				n++
				if m.Meta["reason"] != chat.CloseByInactivity {
					t.Errorf("conversation %d: closed message %+v", v.conv.ID, m)
				}
			}
		}
		if n != 1 {
			t.Errorf("conversation %d: %d closed system messages", v.conv.ID, n)
		}
		got, err := c.store.Conversation(c.ctx, c.ws.ID, v.conv.ID)
		must(t, err)
		if got.ClosedAt == nil || got.ClosedAt.Sub(v.reply.CreatedAt) < time.Minute {
			t.Errorf("conversation %d closed at %v, the reply was at %v: sooner than the minute", v.conv.ID, got.ClosedAt, v.reply.CreatedAt)
		}
		if n := v.ws.count(func(f frame) bool { return f.isEvent(chat.EventConversationClosed, v.conv.ID) }); n != 1 {
			t.Errorf("visitor socket saw %d closes", n)
		}
		if n := kimWS.count(func(f frame) bool { return f.isEvent(chat.EventConversationClosed, v.conv.ID) }); n != 1 {
			t.Errorf("agent socket saw %d closes of %d", n, v.conv.ID)
		}
		v.ws.checkOrder()
	}
	kimWS.checkOrder()
}

// outcome is what a client learnt of one send.
type outcome struct {
	clientMsgID, body string
	status            int   // 201, 200, other; 0 when err
	err               error // no answer: the client does not know
}

// testSigkillMidChat: a visitor and an agent chat through node 1 while both
// keep sending; node 1 dies with SIGKILL. Both reconnect to node 2 with
// the last sequence they saw; what was sent meanwhile through nodes 2 and
// 3, and afterwards, arrives exactly once and in order, and every message
// whose POST was acknowledged is stored.
func testSigkillMidChat(t *testing.T) {
	c := newCluster(t, clusterOptions{})
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	c.addAgent("kim", chat.RoleAgent)
	kim := c.loginAgent(n1, "kim")
	// The master watches from node 3 throughout, without reconnecting:
	// what node 1 committed but never published must still reach it.
	master := c.loginMaster(n3)
	masterWS := master.agentSocket(n3, 0)
	masterWS.awaitReady()
	vis := c.visitor(n1, "visitor")
	conv := vis.start(n1)
	kim.json(n1, "POST", c.convPath(conv.ID)+"/assign", "", 200, nil)
	kimWS := kim.agentSocket(n1, 0)
	visWS := vis.visitorSocket(n1, conv.ID, 0)
	kimWS.awaitReady()
	visWS.awaitReady()
	hello := []chat.Message{vis.send(n1, conv.ID, "v-hello", "안녕하세요"), kim.send(n1, conv.ID, "k-hello", "네, 말씀하세요")}
	for _, s := range []*socket{kimWS, visWS} {
		s.await("hello", func(f frame) bool {
			return f.Type == "event" && f.Event.Message != nil && f.Event.Message.ID == hello[1].ID
		})
	}

	// Both keep sending through node 1 until it stops answering.
	var mu sync.Mutex
	outcomes := map[*client][]outcome{}
	acked := func(cl *client) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, o := range outcomes[cl] {
			if o.status == 201 {
				n++
			}
		}
		return n
	}
	var wg sync.WaitGroup
	for _, cl := range []*client{vis, kim} {
		wg.Go(func() {
			for i := range 2000 {
				o := outcome{clientMsgID: fmt.Sprintf("%s-burst-%d", cl.name, i), body: fmt.Sprintf("%s burst %d", cl.name, i)}
				path, req := cl.sendRequest(conv.ID, o.clientMsgID, o.body)
				o.status, _, o.err = cl.do(n1, "POST", path, req)
				mu.Lock()
				outcomes[cl] = append(outcomes[cl], o)
				mu.Unlock()
				if o.err != nil || o.status != 201 {
					return
				}
			}
		})
	}
	c.eventually("sends acknowledged by node 1", func() (bool, string) {
		return acked(vis) >= 5 && acked(kim) >= 5, fmt.Sprint(acked(vis), " and ", acked(kim))
	})
	c.kill(n1)
	wg.Wait()
	for _, cl := range []*client{vis, kim} {
		last := outcomes[cl][len(outcomes[cl])-1]
		if last.err == nil {
			t.Fatalf("%s's send %s was answered %d before node 1 died", cl.name, last.clientMsgID, last.status)
		}
	}
	t.Logf("node 1 acknowledged %d and %d sends before it died", acked(vis), acked(kim))
	kimWS.awaitClosed()
	visWS.awaitClosed()
	lastVis, lastKim := visWS.lastSeq(), kimWS.lastSeq()

	// While they are away: new messages through nodes 2 and 3, and the
	// retry, with the same client_msg_id, of the send that got no answer.
	expect := []outcome{{clientMsgID: "v-hello", status: 201}, {clientMsgID: "k-hello", status: 201}}
	record := func(cl *client, n *node, id, body string, ok ...int) {
		t.Helper()
		path, req := cl.sendRequest(conv.ID, id, body)
		status, data, err := cl.do(n, "POST", path, req)
		if err != nil || !slices.Contains(ok, status) {
			t.Fatalf("%s: send %s through %s: %d %v %s", cl.name, id, n.name, status, err, data)
		}
		expect = append(expect, outcome{clientMsgID: id, body: body, status: status})
	}
	for _, cl := range []*client{vis, kim} {
		for _, o := range outcomes[cl] {
			if o.status == 201 {
				expect = append(expect, o)
			}
		}
		last := outcomes[cl][len(outcomes[cl])-1]
		// 200: node 1 stored it before it died; 201: it did not.
		record(cl, n2, last.clientMsgID, last.body, 200, 201)
		t.Logf("%s's unanswered send %s, retried through node 2: %d", cl.name, last.clientMsgID, expect[len(expect)-1].status)
	}
	for i := range 3 {
		record(vis, n2, fmt.Sprintf("v-gap-%d", i), fmt.Sprintf("여보세요 %d", i), 201)
		record(kim, n3, fmt.Sprintf("k-gap-%d", i), fmt.Sprintf("듣고 있습니다 %d", i), 201)
	}

	// Both come back through node 2 and pick up where they were.
	visWS2 := vis.visitorSocket(n2, conv.ID, lastVis)
	kimWS2 := kim.agentSocket(n2, lastKim)
	visWS2.awaitReady()
	kimWS2.awaitReady()
	for i := range 3 {
		record(vis, n3, fmt.Sprintf("v-after-%d", i), fmt.Sprintf("다시 연결됐어요 %d", i), 201)
		record(kim, n2, fmt.Sprintf("k-after-%d", i), fmt.Sprintf("계속할게요 %d", i), 201)
	}

	// Everything acknowledged is stored, once.
	var stored []chat.Message
	kim.json(n3, "GET", c.convPath(conv.ID)+"/messages", "", 200, &stored)
	byID := map[string]int{}
	for _, m := range stored {
		byID[m.ClientMsgID]++
	}
	for _, o := range expect {
		if byID[o.clientMsgID] != 1 {
			t.Errorf("%s (answered %d) stored %d times", o.clientMsgID, o.status, byID[o.clientMsgID])
		}
	}
	for _, m := range stored {
		if m.Kind == chat.KindText && !slices.ContainsFunc(expect, func(o outcome) bool { return o.clientMsgID == m.ClientMsgID }) {
			t.Errorf("stored %s, which nobody was told about", m.ClientMsgID)
		}
	}

	// The old socket and the new one together saw each stored message
	// exactly once, in order; so did the master's, which stayed on node 3.
	lastID := stored[len(stored)-1].ID
	masterWS.await("the last message", func(f frame) bool {
		return f.Type == "event" && f.Event.Message != nil && f.Event.Message.ID == lastID
	})
	masterWS.checkOrder()
	if seen, want := ids(masterWS.messages(conv.ID)), ids(stored); !slices.Equal(seen, want) {
		t.Errorf("%s saw messages\n%v\nstored:\n%v", masterWS.name, seen, want)
	}
	for _, pair := range [][2]*socket{{visWS, visWS2}, {kimWS, kimWS2}} {
		pair[1].await("the last message", func(f frame) bool {
			return f.Type == "event" && f.Event.Message != nil && f.Event.Message.ID == lastID
		})
		pair[0].checkOrder()
		pair[1].checkOrder()
		seen := append(ids(pair[0].messages(conv.ID)), ids(pair[1].messages(conv.ID))...)
		if want := ids(stored); !slices.Equal(seen, want) {
			t.Errorf("%s then %s saw messages\n%v\nstored:\n%v", pair[0].name, pair[1].name, seen, want)
		}
	}
}
