package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/stats"
	"github.com/sodam-chat/sodam/internal/store/sqldb"
)

// statsStore is a store that keeps the statistics roll-up.
func statsStore(t *testing.T, s chat.Store) stats.Store {
	t.Helper()
	st, ok := s.(stats.Store)
	if !ok {
		t.Fatalf("%T keeps no statistics", s)
	}
	return st
}

// The roll-up kept in every write equals its recomputation from the raw
// conversations, exactly, over random histories: arrivals, takes and
// automatic routing, replies, transfers, holds, customers leaving,
// closes by agents, managers and the inactivity timer, ratings, categories
// changed after the fact, group commits, days crossing midnight, in time
// zones with and without DST and with a 45-minute offset; and after the
// time zone changes, a rebuild. A small model of the history checks the
// daily totals it can count on its own.
func testStatsExact(t *testing.T, s chat.Store) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { statsHistory(t, s, seed) })
	}
}

// statModel is what the test itself knows about each conversation.
type statModel struct {
	created time.Time
	// requested is when the customer asked for an agent: the arrival, or
	// the robot's handover.
	requested  time.Time
	firstReply *time.Time
	closed     *time.Time
	transfers  []time.Time
	replied    bool
	rated      bool
	robot      bool // closed while the robot held it
	// agentRefused: the customer asked the robot for a person when
	// nobody could chat; closed by the robot it is unprocessed.
	agentRefused bool
}

func statsHistory(t *testing.T, s chat.Store, seed uint64) {
	st := statsStore(t, s)
	rng := rand.New(rand.NewPCG(seed, 16))
	f := setup(t, s, fmt.Sprint("stats", seed))
	clk := withClock(t, s)
	zones := []string{"Asia/Seoul", "America/New_York", "Asia/Kathmandu", "UTC"}
	zone := zones[seed%uint64(len(zones))]
	settings(t, s, f.ws, func(x *chat.Settings) {
		x.Hours.TimeZone = zone
		x.AssignmentMode = chat.AssignHybrid
		x.InactivityTimeoutMinutes = 45
	})
	agents := []chat.Actor{f.a1, f.a2, newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOnline)}
	top, err := s.CreateCategory(ctx, f.ws.ID, 0, "배송", chat.Who{})
	must(t, err)
	mid, err := s.CreateCategory(ctx, f.ws.ID, top.ID, "배송 지연", chat.Who{})
	must(t, err)
	leaf, err := s.CreateCategory(ctx, f.ws.ID, mid.ID, "택배사 확인", chat.Who{})
	must(t, err)
	other, err := s.CreateCategory(ctx, f.ws.ID, 0, "환불", chat.Who{})
	must(t, err)
	cats := []int64{0, top.ID, mid.ID, leaf.ID, other.ID}

	model := map[int64]*statModel{}
	var ids []int64
	refused := func(err error) {
		t.Helper()
		if err != nil && chat.ErrorCode(err) == "" {
			t.Fatal(err)
		}
	}
	check := func(when string) {
		t.Helper()
		kept, err := st.StoredStats(ctx, f.ws.ID)
		must(t, err)
		again, err := st.RecomputeStats(ctx, f.ws.ID)
		must(t, err)
		if !reflect.DeepEqual(kept, again) {
			for k, m := range again {
				if kept[k] != m {
					t.Errorf("%s: row %+v kept %+v, recomputed %+v", when, k, kept[k], m)
				}
			}
			for k, m := range kept {
				if _, ok := again[k]; !ok {
					t.Errorf("%s: row %+v kept %+v, recomputed nothing", when, k, m)
				}
			}
			t.FailNow()
		}
		statRowsMatch(t, when, st, f.ws.ID, kept, agents[0].AgentID, []int64{top.ID, mid.ID, leaf.ID})
		// The model's own daily counts at the total level.
		loc, _ := time.LoadLocation(zone)
		want := map[int]stats.Measures{}
		for _, m := range model {
			d := stats.Day(m.created, loc)
			w := want[d]
			w.Inflow++
			if m.closed != nil && stats.Day(*m.closed, loc) == d {
				w.SameDay++
			}
			if m.firstReply != nil {
				// From the request: the robot's handover when it had one.
				w.FRTN++
				w.FRTMs += m.firstReply.Sub(m.requested).Milliseconds()
			}
			want[d] = w
			if m.closed != nil {
				d := stats.Day(*m.closed, loc)
				w := want[d]
				w.Completed++
				switch {
				case m.robot && !m.agentRefused:
					w.RobotResolved++
				case !m.replied:
					w.Unprocessed++
				}
				if m.rated {
					w.Rated++
				}
				want[d] = w
			}
			for _, at := range m.transfers {
				d := stats.Day(at, loc)
				w := want[d]
				w.Transfers++
				want[d] = w
			}
		}
		// The day's totals: its rows of the level split by channel alone.
		totals := map[int]stats.Measures{}
		for k, m := range kept {
			if k.Level() == stats.ReadLevel(0) {
				sum := totals[k.Day]
				sum.Add(m, 1)
				totals[k.Day] = sum
			}
		}
		for d, w := range want {
			got := totals[d]
			if got.Inflow != w.Inflow || got.SameDay != w.SameDay || got.Completed != w.Completed ||
				got.Unprocessed != w.Unprocessed || got.RobotResolved != w.RobotResolved || got.Rated != w.Rated ||
				got.Transfers != w.Transfers || got.FRTN != w.FRTN || got.FRTMs != w.FRTMs {
				t.Fatalf("%s: day %d: roll-up %+v, the model counts %+v", when, d, got, w)
			}
		}
	}

	pick := func() (int64, chat.Conversation, bool) {
		if len(ids) == 0 {
			return 0, chat.Conversation{}, false
		}
		id := ids[rng.IntN(len(ids))]
		c := conv(t, s, f.ws.ID, id)
		return id, c, c.State != chat.StateClosed
	}
	actorOf := func(id int64) chat.Actor {
		for _, a := range agents {
			if a.AgentID == id {
				return a
			}
		}
		return f.manager
	}
	closed := func(id int64) {
		c := conv(t, s, f.ws.ID, id)
		if c.State == chat.StateClosed && model[id].closed == nil {
			at := *c.ClosedAt
			model[id].closed = &at
			model[id].robot = c.CloseReason == chat.CloseByRobot
		}
	}
	replied := func(id int64) {
		if m := model[id]; !m.replied {
			at := clk.Now()
			m.replied, m.firstReply = true, &at
		}
	}
	arrived := func(c chat.Conversation) {
		if _, ok := model[c.ID]; !ok {
			model[c.ID] = &statModel{created: c.CreatedAt, requested: c.CreatedAt}
			ids = append(ids, c.ID)
		}
	}
	// robotTurn is a customer's message to the robot and its answer, as
	// the robot's node writes them (app/robot.go).
	// With noAgent the customer asks for a person when nobody can chat:
	// the robot says so and keeps the conversation, marked refused.
	robotTurn := func(c chat.Conversation, key string, noAgent bool) {
		body, outcome := "환불 언제 돼요?", chat.RobotNoAnswer
		if noAgent {
			body, outcome = "상담원 연결해 주세요", chat.RobotNoAgent
		}
		m, _, _, err := s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: key, Body: body})
		refused(err)
		if err != nil {
			return
		}
		_, err = s.Write(ctx, func(tx chat.Tx) error {
			if _, err := tx.RobotReply(ctx, c, m.ID, map[string]string{"robot": chat.RobotName(f.ws.SiteID), "outcome": outcome}); err != nil || !noAgent {
				return err
			}
			return tx.AgentRefused(ctx, c)
		})
		must(t, err)
		if noAgent {
			model[c.ID].agentRefused = true
		}
	}
	customers := 0
	steps := 260
	for step := range steps {
		// Mostly minutes, sometimes hours: histories cross midnight.
		if rng.IntN(12) == 0 {
			clk.advance(time.Duration(1+rng.IntN(9)) * time.Hour)
		} else {
			clk.advance(time.Duration(rng.IntN(1800)) * time.Second)
		}
		switch op := rng.IntN(16); {
		case op < 3: // a customer arrives
			customers++
			cu := newCustomer(t, s, f.ws, fmt.Sprintf("s%d-c%d", seed, customers))
			c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
			refused(err)
			if err == nil {
				arrived(c)
				closed(c.ID)
			}
		case op == 3: // an agent takes one from the queue
			if id, c, open := pick(); open && c.State == chat.StateUnassigned {
				_, _, err := s.Take(ctx, f.ws.ID, id, agents[rng.IntN(len(agents))])
				refused(err)
			}
		case op < 7: // the agent replies, the customer writes
			if id, c, open := pick(); open && c.AssigneeID != 0 {
				a := actorOf(c.AssigneeID)
				_, _, _, err := s.AppendMessage(ctx, f.ws.ID, id, a, chat.NewMessage{ClientMsgID: fmt.Sprint("a", step), Body: "확인해 드리겠습니다."})
				refused(err)
				if err == nil {
					replied(id)
				}
				_, _, _, err = s.AppendMessage(ctx, f.ws.ID, id, chat.VisitorActor, chat.NewMessage{ClientMsgID: fmt.Sprint("v", step), Body: "네 감사합니다"})
				refused(err)
			}
		case op == 7: // a transfer
			if id, c, open := pick(); open && c.AssigneeID != 0 {
				to := agents[rng.IntN(len(agents))]
				_, _, err := s.Transfer(ctx, f.ws.ID, id, actorOf(c.AssigneeID), to.AgentID, "담당 변경")
				refused(err)
				if err == nil {
					model[id].transfers = append(model[id].transfers, clk.Now())
				}
			}
		case op == 8: // hold, release
			if id, c, open := pick(); open && c.AssigneeID != 0 {
				_, _, err := s.SetHold(ctx, f.ws.ID, id, actorOf(c.AssigneeID), !c.OnHold)
				refused(err)
			}
		case op == 9: // the customer leaves or ends a queued chat
			if id, _, open := pick(); open {
				_, _, err := s.CloseConversation(ctx, f.ws.ID, id, chat.VisitorActor)
				refused(err)
				closed(id)
			}
		case op == 10: // the agent or a manager closes
			if id, c, open := pick(); open {
				a := f.manager
				if c.AssigneeID != 0 && rng.IntN(3) > 0 {
					a = actorOf(c.AssigneeID)
				}
				_, _, err := s.CloseConversation(ctx, f.ws.ID, id, a)
				refused(err)
				closed(id)
			}
		case op == 11: // a rating, during or after the chat
			if id, c, _ := pick(); c.FirstReplyAt != nil && c.Rating == nil {
				_, _, err := s.Rate(ctx, f.ws.ID, id, 1+rng.IntN(5), "친절했어요")
				refused(err)
				if err == nil {
					model[id].rated = true
				}
			}
		case op == 12: // a customer arrives to the robot, which welcomes them
			customers++
			cu := newCustomer(t, s, f.ws, fmt.Sprintf("s%d-c%d", seed, customers))
			var c chat.Conversation
			_, err := s.Write(ctx, func(tx chat.Tx) error {
				var err error
				if c, _, err = tx.StartBotConversation(ctx, f.ws.ID, cu.ID, chat.ChannelWeb); err != nil {
					return err
				}
				_, err = tx.RobotReply(ctx, c, 0, map[string]string{"robot": chat.RobotName(f.ws.SiteID), "outcome": chat.RobotWelcome})
				return err
			})
			must(t, err)
			arrived(c)
		case op == 13: // the customer asks the robot, or asks it for a person
			var bots []chat.Conversation
			for _, id := range ids[max(0, len(ids)-8):] {
				if c := conv(t, s, f.ws.ID, id); c.State == chat.StateBot {
					bots = append(bots, c)
				}
			}
			if len(bots) > 0 {
				c := bots[rng.IntN(len(bots))]
				id := c.ID
				if rng.IntN(3) == 0 {
					robotTurn(c, fmt.Sprint("r", step), rng.IntN(2) == 0)
					break
				}
				var err error
				switch rng.IntN(3) {
				case 0:
					var pub captured
					c, err = app.New(s, &pub, nil).Handover(ctx, f.ws.ID, id)
				case 1:
					// An agent takes it over from the robot: the handover
					// and the first assignment at once.
					c, _, err = s.Take(ctx, f.ws.ID, id, agents[rng.IntN(len(agents))])
				default:
					// A manager hands it to an agent: the same, and no
					// transfer (nobody held it).
					c, _, err = s.Transfer(ctx, f.ws.ID, id, f.manager, agents[rng.IntN(len(agents))].AgentID, "")
				}
				refused(err)
				if err != nil {
					break
				}
				model[id].requested = clk.Now()
				if rng.IntN(2) == 0 {
					break
				}
				// Taken (unless routing gave it to someone) and answered a
				// little later.
				clk.advance(time.Duration(rng.IntN(600)) * time.Second)
				a := agents[rng.IntN(len(agents))]
				if c.AssigneeID == 0 {
					if _, _, err := s.Take(ctx, f.ws.ID, id, a); err != nil {
						refused(err)
						break
					}
				} else {
					a = actorOf(c.AssigneeID)
				}
				clk.advance(time.Duration(rng.IntN(300)) * time.Second)
				_, _, _, err = s.AppendMessage(ctx, f.ws.ID, id, a, chat.NewMessage{ClientMsgID: fmt.Sprint("h", step), Body: "상담원입니다."})
				refused(err)
				if err == nil {
					replied(id)
				}
			}
		case op == 14: // the customer goes back to the bot: this part ends (reason bot), a new one starts
			if id, c, open := pick(); open && c.State != chat.StateBot && c.CustomerLeftAt == nil {
				var next chat.Conversation
				_, err := s.Write(ctx, func(tx chat.Tx) error {
					old, err := tx.LockConversation(ctx, f.ws.ID, id)
					if err != nil {
						return err
					}
					if err := tx.CloseConversation(ctx, old, chat.CloseByBot); err != nil {
						return err
					}
					next, _, err = tx.StartBotConversation(ctx, f.ws.ID, old.CustomerID, old.Channel)
					return err
				})
				refused(err)
				if err == nil {
					closed(id)
					arrived(next)
				}
			}
		default: // the wrap-up note moves the conversation to another category
			if id, _, _ := pick(); id != 0 {
				_, _, err := s.SetNote(ctx, f.ws.ID, id, chat.Note{CategoryID: cats[rng.IntN(len(cats))], Memo: "배송 문의"})
				refused(err)
			}
		}
		// Inactivity closes that came due.
		jobsRun, err := s.ClaimJobs(ctx, "n1", clk.Now(), time.Minute, 10)
		must(t, err)
		for _, j := range jobsRun {
			_, err := runJob(s, j, "n1")
			must(t, err)
			if _, ours := model[j.RefID]; ours && j.WorkspaceID == f.ws.ID {
				closed(j.RefID) // not a job of another kind (a transfer's alert)
			}
		}
		if step%20 == 0 {
			// Two changes in one group commit: an agent's reply (perhaps the
			// first) and a customer's message, on open conversations.
			var open []chat.Conversation
			for _, id := range ids {
				if c := conv(t, s, f.ws.ID, id); c.State != chat.StateClosed && c.CustomerLeftAt == nil {
					open = append(open, c)
				}
			}
			if len(open) >= 2 {
				var wg sync.WaitGroup
				errs := make([]error, 2)
				groupNext(s, 2)
				for i, c := range open[len(open)-2:] {
					a := chat.VisitorActor
					if c.AssigneeID != 0 {
						a = actorOf(c.AssigneeID)
					}
					wg.Add(1)
					go func() {
						defer wg.Done()
						_, _, _, errs[i] = s.AppendMessage(ctx, f.ws.ID, c.ID, a, chat.NewMessage{ClientMsgID: fmt.Sprintf("g%d-%d", step, i), Body: "잠시만요"})
					}()
				}
				wg.Wait()
				groupNext(s, 0) // in case neither reached the writer
				for i, c := range open[len(open)-2:] {
					refused(errs[i])
					if errs[i] == nil && c.AssigneeID != 0 {
						replied(c.ID)
					}
				}
			}
		}
		if step%65 == 64 {
			check(fmt.Sprint("step ", step))
		}
		switch step {
		case 100:
			// Conversations counted before trails were kept (migration
			// 0017) go on being counted exactly.
			if old, ok := st.(interface {
				ForgetStatTrails(context.Context, int64) error
			}); ok {
				must(t, old.ForgetStatTrails(ctx, f.ws.ID))
			}
		case 170:
			// So do those a rebuild counted.
			_, err := st.RebuildStats(ctx, f.ws.ID)
			must(t, err)
		}
	}
	check("end")

	// A new time zone moves every day boundary: the change schedules the
	// job that recounts, and the rebuild gives the same rows again.
	zone = "America/New_York"
	if zone == zones[seed%uint64(len(zones))] {
		zone = "Asia/Kathmandu"
	}
	settings(t, s, f.ws, func(x *chat.Settings) { x.Hours.TimeZone = zone })
	due, err := s.ClaimJobs(ctx, "n1", clk.Now(), time.Minute, 50)
	must(t, err)
	rebuilt := false
	for _, j := range due {
		if j.Kind == stats.JobRebuild && j.WorkspaceID == f.ws.ID {
			_, err := runJob(s, j, "n1")
			must(t, err)
			rebuilt = true
		}
	}
	if !rebuilt {
		t.Fatalf("changing the time zone scheduled no %s job: %+v", stats.JobRebuild, due)
	}
	check("after the time zone changed and the job ran")
	n, err := st.RebuildStats(ctx, f.ws.ID)
	must(t, err)
	if n != len(ids) {
		t.Fatalf("rebuild counted %d conversations, want %d", n, len(ids))
	}
	check("after sodam admin stats-rebuild")
}

// StatsSeveralNodes runs whole conversations through two stores on one
// database (two nodes of a cluster) at once — arrivals, takes, first
// replies, transfers, closes and ratings, 24 conversations from 8
// goroutines — and requires the roll-up both kept to equal the
// recomputation: no change counted twice or lost.
func StatsSeveralNodes(t *testing.T, nodes ...chat.Store) {
	s := nodes[0]
	f := setup(t, s, "statsnodes")
	agents := []chat.Actor{f.a1, f.a2, newMember(t, s, f.ws, "park", chat.RoleAgent, chat.StatusOnline)}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	var created sync.Map
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 {
				node := nodes[(g+i)%len(nodes)]
				other := nodes[(g+i+1)%len(nodes)]
				ok := func(err error) bool {
					if err != nil && chat.ErrorCode(err) == "" {
						errs <- err
					}
					return err == nil
				}
				cu := &chat.Customer{WorkspaceID: f.ws.ID, ExternalID: fmt.Sprintf("node-%d-%d", g, i)}
				if !ok(node.UpsertCustomer(ctx, cu)) {
					return
				}
				c, _, err := openConversation(node, f.ws.ID, cu.ID, chat.ChannelWeb)
				if !ok(err) {
					return
				}
				created.Store(c.ID, true)
				agent := agents[(g+i)%len(agents)]
				if _, _, err := other.Take(ctx, f.ws.ID, c.ID, agent); !ok(err) {
					continue
				}
				if _, _, _, err := node.AppendMessage(ctx, f.ws.ID, c.ID, agent, chat.NewMessage{ClientMsgID: "a1", Body: "안녕하세요"}); !ok(err) {
					continue
				}
				if g%3 == 0 {
					to := agents[(g+i+1)%len(agents)]
					if _, _, err := other.Transfer(ctx, f.ws.ID, c.ID, agent, to.AgentID, "교대"); ok(err) {
						agent = to
					}
				}
				ok(func() error { _, _, err := other.Rate(ctx, f.ws.ID, c.ID, 1+g%5, ""); return err }())
				ok(func() error { _, _, err := node.CloseConversation(ctx, f.ws.ID, c.ID, agent); return err }())
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := statsStore(t, s)
	kept, err := st.StoredStats(ctx, f.ws.ID)
	must(t, err)
	again, err := st.RecomputeStats(ctx, f.ws.ID)
	must(t, err)
	if !reflect.DeepEqual(kept, again) {
		t.Fatalf("two nodes' roll-up differs from the recomputation:\nkept %v\nrecomputed %v", kept, again)
	}
	n := 0
	created.Range(func(any, any) bool { n++; return true })
	var inflow int64
	for k, m := range kept {
		if k.Level() == stats.ReadLevel(0) {
			inflow += m.Inflow
		}
	}
	if inflow != int64(n) || n != 24 {
		t.Fatalf("inflow %d, conversations %d (want 24)", inflow, n)
	}
}

// statRowsMatch requires what StatRows answers — for every group, with and
// without an agent, a channel or a category subtree, over a range that
// leaves the first day out — to equal the sums of the kept roll-up rows of
// the level the selection reads, per day and group key, in day order.
func statRowsMatch(t *testing.T, when string, st stats.Store, workspaceID int64, kept map[stats.Key]stats.Measures, agentID int64, subtree []int64) {
	t.Helper()
	from, to := 0, 0
	for k := range kept {
		if from == 0 || k.Day < from {
			from = k.Day
		}
		to = max(to, k.Day)
	}
	if from == 0 {
		return
	}
	from++ // not a real day when it is a month's last, which is fine: a bound
	filters := []stats.Selection{{}, {AgentID: agentID}, {Channel: string(chat.ChannelWeb)}, {CategoryIDs: subtree}, {AgentID: agentID, CategoryIDs: subtree}}
	for _, group := range []string{stats.GroupNone, stats.GroupAgent, stats.GroupChannel, stats.GroupCategory} {
		for _, f := range filters {
			sel := f
			sel.From, sel.To, sel.Group = from, to, group
			level := 0
			if group == stats.GroupAgent || sel.AgentID != 0 {
				level |= stats.LevelAgent
			}
			if group == stats.GroupChannel || sel.Channel != "" {
				level |= stats.LevelChannel
			}
			if group == stats.GroupCategory || len(sel.CategoryIDs) > 0 {
				level |= stats.LevelCategory
			}
			type cell struct {
				day int
				key string
			}
			want := map[cell]stats.Measures{}
			for k, m := range kept {
				if k.Level() != stats.ReadLevel(level) || k.Day < from || k.Day > to ||
					(sel.AgentID != 0 && k.AgentID != sel.AgentID) || (sel.Channel != "" && k.Channel != sel.Channel) ||
					(len(sel.CategoryIDs) > 0 && !slices.Contains(sel.CategoryIDs, k.CategoryID)) {
					continue
				}
				c := cell{day: k.Day}
				switch group {
				case stats.GroupAgent:
					c.key = fmt.Sprint(k.AgentID)
				case stats.GroupChannel:
					c.key = k.Channel
				case stats.GroupCategory:
					c.key = fmt.Sprint(k.CategoryID)
				}
				w := want[c]
				w.Add(m, 1)
				want[c] = w
			}
			if group == stats.GroupAgent && sel.AgentID == 0 {
				// "No agent" has no rows of its own (stats.Levels): the
				// level without the agent, minus the agents.
				for k, m := range kept {
					if k.Level() != stats.ReadLevel(level&^stats.LevelAgent) || k.Day < from || k.Day > to ||
						(sel.Channel != "" && k.Channel != sel.Channel) ||
						(len(sel.CategoryIDs) > 0 && !slices.Contains(sel.CategoryIDs, k.CategoryID)) {
						continue
					}
					w := want[cell{k.Day, "0"}]
					w.Add(m, 1)
					want[cell{k.Day, "0"}] = w
				}
				for c, m := range want {
					if c.key != "0" {
						w := want[cell{c.day, "0"}]
						w.Add(m, -1)
						want[cell{c.day, "0"}] = w
					}
				}
			}
			for c, m := range want {
				if m.Zero() {
					delete(want, c)
				}
			}
			rows, err := st.StatRows(ctx, workspaceID, sel)
			must(t, err)
			got := map[cell]stats.Measures{}
			for i, r := range rows {
				if i > 0 && r.Day < rows[i-1].Day {
					t.Fatalf("%s: StatRows(%+v) not in day order: %d after %d", when, sel, r.Day, rows[i-1].Day)
				}
				c := cell{r.Day, r.GroupKey}
				if _, dup := got[c]; dup {
					t.Fatalf("%s: StatRows(%+v) gives day %d, key %q twice", when, sel, r.Day, r.GroupKey)
				}
				got[c] = r.Measures
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: StatRows(%+v)\ngot  %v\nwant %v", when, sel, got, want)
			}
		}
	}
}

// Undo0020 turns a database migrated to 0020_stat_on_conversations back
// into what the migration found — each conversation's statistics parts
// and trail in stat_conversations, and the levels split by agent with
// their "no agent" rows (the level without the agent minus the agents) —
// and forgets that the migration ran. The same SQL on both stores;
// StatsAcrossUpgrade uses it.
var Undo0020 = func() string {
	noAgent := func(level, without int, channel, category string) string {
		sums := make([]string, len(stats.Columns))
		for i, c := range stats.Columns {
			sums[i] = fmt.Sprintf(`SUM(CASE WHEN level = %d THEN %s ELSE -%s END)`, without, c, c)
		}
		group := `workspace_id, day`
		if channel == `channel` {
			group += `, channel`
		}
		if category == `category_id` {
			group += `, category_id`
		}
		return fmt.Sprintf(`INSERT INTO stat_days (workspace_id, level, day, agent_id, channel, category_id, %s)
    SELECT workspace_id, %d, day, 0, %s, %s, %s FROM stat_days WHERE level IN (%d, %d) GROUP BY %s;
`, strings.Join(stats.Columns, `, `), level, channel, category, strings.Join(sums, `, `), level, without, group)
	}
	return `CREATE TABLE stat_conversations (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations (id),
    workspace_id    BIGINT NOT NULL REFERENCES workspaces (id),
    parts           TEXT   NOT NULL,
    trail           TEXT
);
CREATE INDEX stat_conversations_workspace ON stat_conversations (workspace_id);
INSERT INTO stat_conversations (conversation_id, workspace_id, parts, trail)
    SELECT id, workspace_id, stat_parts, stat_trail FROM conversations WHERE stat_parts IS NOT NULL;
ALTER TABLE conversations DROP COLUMN stat_parts;
ALTER TABLE conversations DROP COLUMN stat_trail;
` + noAgent(1, 2, `''`, `-1`) + noAgent(3, 2, `channel`, `-1`) + noAgent(7, 6, `channel`, `category_id`) +
		`DELETE FROM schema_migrations WHERE version = '0020_stat_on_conversations.sql';`
}()

// StatsAcrossUpgrade: migration 0020 moves what each conversation last
// contributed to the roll-up (its parts and trail) onto its row, exactly,
// and drops the "no agent" rows of the levels split by agent.
// Conversations in every state — waiting, held and answered, transferred,
// closed and rated — are counted; downgrade closes s, runs Undo0020 on
// its database and opens it again, which migrates it; the roll-up still
// equals its recomputation, and again after every conversation changes
// once more (parts lost in the move would count twice then).
func StatsAcrossUpgrade(t *testing.T, s chat.Store, downgrade func() chat.Store) {
	f := setup(t, s, "upgrade0020")
	var ids []int64
	for i := range 6 {
		cu := newCustomer(t, s, f.ws, fmt.Sprint("up-", i))
		c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		ids = append(ids, c.ID)
		_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v1", Body: "주문한 상품이 아직 안 왔어요"})
		must(t, err)
		if i == 0 {
			continue // waiting
		}
		_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
		must(t, err)
		if i == 1 {
			continue // held, not yet answered
		}
		_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "확인해 보겠습니다"})
		must(t, err)
		if i == 3 {
			_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "배송 담당에게")
			must(t, err)
		}
		if i >= 4 {
			_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, f.a1)
			must(t, err)
		}
		if i == 5 {
			_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 5, "빨리 답해 주셔서 감사해요")
			must(t, err)
		}
	}
	exact := func(s chat.Store, when string) {
		t.Helper()
		st := statsStore(t, s)
		kept, err := st.StoredStats(ctx, f.ws.ID)
		must(t, err)
		again, err := st.RecomputeStats(ctx, f.ws.ID)
		must(t, err)
		if len(kept) == 0 || !reflect.DeepEqual(kept, again) {
			t.Fatalf("%s: kept %v\nrecomputed %v", when, kept, again)
		}
	}
	exact(s, "before the upgrade")
	s = downgrade()
	// Left over, the "no agent" rows Undo0020 put back (the waiting
	// conversation's arrival, the unanswered ones) would be kept rows the
	// recomputation does not have.
	exact(s, "after the upgrade")
	holder := func(id int64) chat.Actor {
		c, err := s.Conversation(ctx, f.ws.ID, id)
		must(t, err)
		if c.AssigneeID == f.a2.AgentID {
			return f.a2
		}
		return f.a1
	}
	for i, id := range ids {
		switch i {
		case 0:
			_, _, err := s.Take(ctx, f.ws.ID, id, f.a2)
			must(t, err)
		case 1, 2, 3:
			_, _, _, err := s.AppendMessage(ctx, f.ws.ID, id, holder(id), chat.NewMessage{ClientMsgID: "a2", Body: "내일 도착 예정입니다"})
			must(t, err)
			_, _, err = s.CloseConversation(ctx, f.ws.ID, id, holder(id))
			must(t, err)
		case 4:
			_, _, err := s.Rate(ctx, f.ws.ID, id, 4, "")
			must(t, err)
		case 5: // the wrap-up moves it to a category, on every day it counts
			cat, err := s.CreateCategory(ctx, f.ws.ID, 0, "교환 문의", chat.Who{})
			must(t, err)
			_, _, err = s.SetNote(ctx, f.ws.ID, id, chat.Note{CategoryID: cat.ID, Memo: "교환 요청"})
			must(t, err)
		}
		exact(s, fmt.Sprint("after changing conversation ", i))
	}
}

// folder is a store that folds its roll-up in a step of its own.
type folder interface {
	FoldStats(context.Context) error
}

// statChanges runs n conversations of f's workspace through arrivals,
// takes, first replies, transfers, closes and ratings on s.
func statChanges(t *testing.T, s chat.Store, f fixture, prefix string, n int) {
	t.Helper()
	for i := range n {
		cu := newCustomer(t, s, f.ws, fmt.Sprint(prefix, i))
		c, _, err := openConversation(s, f.ws.ID, cu.ID, chat.ChannelWeb)
		must(t, err)
		if i%4 == 0 {
			continue // waiting
		}
		_, _, err = s.Take(ctx, f.ws.ID, c.ID, f.a1)
		must(t, err)
		_, _, _, err = s.AppendMessage(ctx, f.ws.ID, c.ID, f.a1, chat.NewMessage{ClientMsgID: "a1", Body: "확인해 보겠습니다"})
		must(t, err)
		holder := f.a1
		if i%4 == 1 {
			_, _, err = s.Transfer(ctx, f.ws.ID, c.ID, f.a1, f.a2.AgentID, "배송 담당에게")
			must(t, err)
			holder = f.a2
		}
		if i%4 == 2 {
			continue // held and answered
		}
		_, _, err = s.CloseConversation(ctx, f.ws.ID, c.ID, holder)
		must(t, err)
		_, _, err = s.Rate(ctx, f.ws.ID, c.ID, 1+i%5, "")
		must(t, err)
	}
}

// StatsAfterCrash: the roll-up step's marks commit with the changes they
// stand for, so a node that stops — crashes — after its writes commit
// and before its step has folded them leaves them marked, and the next
// start counts them: by the step a statistics read runs (StoredStats),
// and by the node's timer run at start (RunStatsRollup), which leaves no
// mark. reopen closes s without folding anything and opens its database
// again — what a crash leaves is what the writes committed; marks
// counts what is marked.
func StatsAfterCrash(t *testing.T, s chat.Store, reopen func() chat.Store, marks func() int) {
	f := setup(t, s, "crash")
	statChanges(t, s, f, "crash-", 8)
	if n := marks(); n != 8 {
		t.Fatalf("%d conversations marked before the step, want 8", n)
	}
	s = reopen()
	type runner interface {
		RunStatsRollup(ctx context.Context, every time.Duration, log func(error))
	}
	r, ok := s.(runner)
	if !ok {
		t.Fatalf("%T has no roll-up step to run", s)
	}
	stop, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.RunStatsRollup(stop, time.Hour, func(err error) { t.Error(err) })
	}()
	for deadline := time.Now().Add(10 * time.Second); marks() > 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d conversations still marked after start", marks())
		}
	}
	cancel()
	<-done
	st := statsStore(t, s)
	kept, err := st.StoredStats(ctx, f.ws.ID)
	must(t, err)
	again, err := st.RecomputeStats(ctx, f.ws.ID)
	must(t, err)
	if len(kept) == 0 || !reflect.DeepEqual(kept, again) {
		t.Fatalf("after the restart: kept %v\nrecomputed %v", kept, again)
	}
	// Marked again by more changes, the step a read runs counts them.
	statChanges(t, s, f, "crash-again-", 8)
	s = reopen()
	st = statsStore(t, s)
	kept, err = st.StoredStats(ctx, f.ws.ID)
	must(t, err)
	again, err = st.RecomputeStats(ctx, f.ws.ID)
	must(t, err)
	if !reflect.DeepEqual(kept, again) {
		t.Fatalf("after the second restart: kept %v\nrecomputed %v", kept, again)
	}
	if n := marks(); n != 0 {
		t.Fatalf("%d conversations still marked after a read", n)
	}
}

// StatsConcurrentSteps: roll-up steps of several nodes sharing one
// database, run at the same moments and while the nodes write, never count
// a change twice or lose one.
func StatsConcurrentSteps(t *testing.T, nodes ...chat.Store) {
	s := nodes[0]
	f := setup(t, s, "steps")
	var wg sync.WaitGroup
	errs := make(chan error, 1024)
	writing := make(chan struct{})
	for _, n := range nodes {
		fo, ok := n.(folder)
		if !ok {
			t.Fatalf("%T has no roll-up step", n)
		}
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					if err := fo.FoldStats(ctx); err != nil {
						errs <- err
					}
					select {
					case <-writing:
						return
					default:
					}
				}
			}()
		}
	}
	var writers sync.WaitGroup
	for i, n := range nodes {
		writers.Add(1)
		go func() {
			defer writers.Done()
			statChanges(t, n, f, fmt.Sprint("steps-", i, "-"), 12)
		}()
	}
	writers.Wait()
	close(writing)
	wg.Wait()
	// Both nodes' steps at once over what is left, started together.
	statChanges(t, s, f, "steps-last-", 8)
	start := make(chan struct{})
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if err := n.(folder).FoldStats(ctx); err != nil {
				errs <- err
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	st := statsStore(t, s)
	kept, err := st.StoredStats(ctx, f.ws.ID)
	must(t, err)
	again, err := st.RecomputeStats(ctx, f.ws.ID)
	must(t, err)
	if len(kept) == 0 || !reflect.DeepEqual(kept, again) {
		t.Fatalf("concurrent steps: kept %v\nrecomputed %v", kept, again)
	}
}

// StatsFoldPastHeld: a roll-up step folds every marked conversation,
// however many are marked — past the first 1,024 that one transaction of
// the step takes — and one that another transaction holds once it is let
// go: the step does not return while a mark made before it began is
// left, or a statistics read after it could miss that conversation (a
// step of another node folding it then). Its first transaction is
// stalled past the step's patience with held marks (2 s): the patience
// counts only the waiting for held marks, so a slow first transaction of
// a large backlog (a loaded machine) does not end the step with marks
// nobody holds. bulk loads closed conversations into s, markAll marks
// every conversation stale, hold locks the lowest-numbered one in a
// transaction of its own until release, stall keeps the roll-up's writes
// waiting until its release, and marks counts what is marked.
func StatsFoldPastHeld(t *testing.T, s chat.Store, bulk func(ws int64, convs []sqldb.BulkConversation) error,
	markAll func(), hold, stall func() (release func()), marks func() int) {
	f := setup(t, s, "held")
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	var convs []sqldb.BulkConversation
	for i := range 1100 {
		convs = append(convs, sqldb.BulkConversation{CustomerKey: fmt.Sprintf("held-%04d", i), Name: "고객", AgentID: f.a1.AgentID,
			AgentName: "kim", Start: start.Add(time.Duration(i) * time.Minute), Messages: []string{"배송이 언제 오나요?", "내일 도착 예정입니다."}})
	}
	must(t, bulk(f.ws.ID, convs))
	markAll()
	release := hold()
	unstall := stall()
	stalled := time.AfterFunc(2500*time.Millisecond, unstall)
	defer func() {
		if stalled.Stop() {
			unstall()
		}
	}()
	done := make(chan error, 1)
	go func() { done <- s.(folder).FoldStats(ctx) }()
	for n := marks(); n > 1; n = marks() {
		select {
		case err := <-done:
			release()
			t.Fatalf("the step returned (%v) with %d conversations marked, one of them held", err, marks())
		case <-time.After(10 * time.Millisecond):
		}
	}
	select {
	case err := <-done:
		release()
		t.Fatalf("the step returned (%v) with the held conversation marked", err)
	case <-time.After(100 * time.Millisecond):
	}
	release()
	must(t, <-done)
	if n := marks(); n != 0 {
		t.Fatalf("%d conversations still marked after the step, want 0", n)
	}
}
