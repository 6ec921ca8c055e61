// Package stats computes the statistics a support manager runs the team on
// (§12; docs/statistics.md): what each conversation contributes to the
// daily roll-up (Facts), and how roll-up rows become the buckets the API
// answers with (Aggregate). It is pure: the store keeps the roll-up in the
// transaction of every change (store/sqldb/stats.go) and recomputes it from
// the raw conversations with the same Facts.
package stats

import (
	"time"
)

// NumBuckets is how many first-response-time buckets the roll-up keeps.
const NumBuckets = 25

// Bounds are the upper bounds, in seconds, of the first-response-time
// buckets: a time t falls in the first bucket whose bound is >= t; the last
// bucket (no bound) holds everything over a day.
var Bounds = [NumBuckets - 1]int64{5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900,
	1200, 1800, 2700, 3600, 5400, 7200, 14400, 28800, 86400}

// BucketOf is the histogram bucket of a first response time.
func BucketOf(d time.Duration) int {
	ms := d.Milliseconds()
	for i, b := range Bounds {
		if ms <= b*1000 {
			return i
		}
	}
	return NumBuckets - 1
}

// Measures are the additive counts and sums of one roll-up cell. Every
// figure the API shows is derived from them (Derive).
type Measures struct {
	Inflow        int64 `json:"i,omitempty"`
	Completed     int64 `json:"c,omitempty"`
	SameDay       int64 `json:"sd,omitempty"`
	Unprocessed   int64 `json:"u,omitempty"`
	RobotResolved int64 `json:"rr,omitempty"`
	FRTN          int64 `json:"fn,omitempty"`
	FRTMs         int64 `json:"fm,omitempty"`
	DurN          int64 `json:"dn,omitempty"`
	DurMs         int64 `json:"dm,omitempty"`
	QueueN        int64 `json:"qn,omitempty"`
	QueueMs       int64 `json:"qm,omitempty"`
	Transfers     int64 `json:"t,omitempty"`
	Rated         int64 `json:"rt,omitempty"`
	// Ratings counts scores 1 to 5.
	Ratings [5]int64 `json:"r,omitzero"`
	// RatingEligible counts completed conversations an agent replied in:
	// the ones the customer could rate.
	RatingEligible int64 `json:"re,omitempty"`
	// FRTHist counts first response times per bucket of Bounds.
	FRTHist [NumBuckets]int64 `json:"h,omitzero"`
}

// NumCounts is how many of Columns come before the histogram's.
const NumCounts = 19

// Columns are the roll-up's measure columns, in the order of Fields: the
// NumCounts counts and sums, then the NumBuckets histogram counts.
var Columns = func() []string {
	c := []string{"inflow", "completed", "same_day", "unprocessed", "robot_resolved", "frt_n", "frt_ms", "dur_n", "dur_ms",
		"queue_n", "queue_ms", "transfers", "rated", "r1", "r2", "r3", "r4", "r5", "rating_eligible"}
	for i := range NumBuckets {
		c = append(c, "h"+string(rune('0'+i/10))+string(rune('0'+i%10)))
	}
	return c
}()

// Fields points at m's measures in the order of Columns, for scanning and
// for arithmetic over all of them.
func (m *Measures) Fields() []*int64 {
	f := make([]*int64, 0, 19+NumBuckets)
	f = append(f, &m.Inflow, &m.Completed, &m.SameDay, &m.Unprocessed, &m.RobotResolved, &m.FRTN, &m.FRTMs, &m.DurN, &m.DurMs,
		&m.QueueN, &m.QueueMs, &m.Transfers, &m.Rated)
	for i := range m.Ratings {
		f = append(f, &m.Ratings[i])
	}
	f = append(f, &m.RatingEligible)
	for i := range m.FRTHist {
		f = append(f, &m.FRTHist[i])
	}
	return f
}

// Add adds o to m; sign -1 subtracts it.
func (m *Measures) Add(o Measures, sign int64) {
	m.Inflow += sign * o.Inflow
	m.Completed += sign * o.Completed
	m.SameDay += sign * o.SameDay
	m.Unprocessed += sign * o.Unprocessed
	m.RobotResolved += sign * o.RobotResolved
	m.FRTN += sign * o.FRTN
	m.FRTMs += sign * o.FRTMs
	m.DurN += sign * o.DurN
	m.DurMs += sign * o.DurMs
	m.QueueN += sign * o.QueueN
	m.QueueMs += sign * o.QueueMs
	m.Transfers += sign * o.Transfers
	m.Rated += sign * o.Rated
	for i := range m.Ratings {
		m.Ratings[i] += sign * o.Ratings[i]
	}
	m.RatingEligible += sign * o.RatingEligible
	for i := range m.FRTHist {
		m.FRTHist[i] += sign * o.FRTHist[i]
	}
}

// Zero reports whether every measure is zero.
func (m Measures) Zero() bool { return m == Measures{} }

// Key names a roll-up cell: a local day and who, where and what. AgentID 0
// is "no agent" (a conversation nobody was assigned); CategoryID 0 is "no
// category".
type Key struct {
	Day        int    `json:"d"` // YYYYMMDD in the workspace's time zone
	AgentID    int64  `json:"a"`
	Channel    string `json:"ch"`
	CategoryID int64  `json:"k"`
}

// Level sentinels: a roll-up row with AgentID AllAgents, Channel
// AllChannels or CategoryID AllCategories sums over that dimension.
const (
	AllAgents     int64  = -1
	AllChannels   string = ""
	AllCategories int64  = -1
)

// Levels are the roll-up rows a cell is counted in (KeptLevels): its
// agent's row, and every combination of its agent and category with "all"
// split by its channel. A query reads the kept level of the dimensions it
// filters or groups by (ReadLevel) and sums the (three to five) channels
// when it does not ask for one. Eight levels, one for each combination of
// the three dimensions, made every change write eight rows; these five
// keep what the widest query reads (a split by agent) as it was
// (docs/benchmarks.md).
//
// A cell with no agent (AgentID 0) is counted in the levels without the
// agent only: "no agent" on a level split by agent is the same level
// without the agent minus the sum of the agents' rows (NoAgent), since
// every part has exactly one agent, "no agent" included. So the take,
// which moves a conversation's arrival from "no agent" to its agent,
// writes one row per agent level instead of two, and an arrival none
// (docs/benchmarks.md, branch rollup3).
func Levels(k Key) []Key {
	out := make([]Key, 0, len(KeptLevels))
	for _, mask := range KeptLevels {
		l := Key{Day: k.Day, AgentID: AllAgents, Channel: AllChannels, CategoryID: AllCategories}
		if mask&LevelAgent != 0 {
			if k.AgentID == 0 {
				continue
			}
			l.AgentID = k.AgentID
		}
		if mask&LevelChannel != 0 {
			l.Channel = k.Channel
		}
		if mask&LevelCategory != 0 {
			l.CategoryID = k.CategoryID
		}
		out = append(out, l)
	}
	return out
}

// NoAgent is the "no agent" figure of a selection split by agent: all
// minus agents, where all is the selection's sum at the level without the
// agent and agents its sum over the agents' rows. Levels keeps no rows
// for it.
func NoAgent(all, agents Measures) Measures {
	all.Add(agents, -1)
	return all
}

// KeptLevels are the levels the roll-up keeps: the agents' (a split by
// agent would read three times the rows from its level split by channel)
// and the four split by channel.
var KeptLevels = [5]int{LevelAgent, LevelChannel, LevelChannel | LevelAgent, LevelChannel | LevelCategory,
	LevelChannel | LevelAgent | LevelCategory}

// ReadLevel is the kept level a query of the given level (the bits of the
// dimensions it filters or groups by) reads: itself when kept, else the
// same split by channel.
func ReadLevel(level int) int {
	if level == LevelAgent {
		return level
	}
	return level | LevelChannel
}

// The dimensions of a level, as bits of its number.
const (
	LevelAgent    = 1
	LevelChannel  = 2
	LevelCategory = 4
)

// Level is the level of a roll-up row: the bits of the dimensions it is
// split by.
func (k Key) Level() int {
	l := 0
	if k.AgentID != AllAgents {
		l |= LevelAgent
	}
	if k.Channel != AllChannels {
		l |= LevelChannel
	}
	if k.CategoryID != AllCategories {
		l |= LevelCategory
	}
	return l
}

// Part is one conversation's contribution to one cell.
type Part struct {
	Key      Key      `json:"k"`
	Measures Measures `json:"m"`
}

// Transfer is one hand-over of a conversation.
type Transfer struct {
	At          time.Time
	FromAgentID int64
}

// History is what the statistics of one conversation depend on, read from
// the conversation's row, its assignment and transfer events and its first
// agent message.
type History struct {
	Channel    string
	CategoryID int64
	CreatedAt  time.Time
	// HandedOverAt is when the robot handed the conversation to routing
	// (the customer asked for a person); nil for one that never was with
	// the robot. The request for an agent is then, not the arrival: first
	// response time and queue wait run from it.
	HandedOverAt *time.Time
	// FirstAssignedAt is when an agent first received the conversation
	// (routed or taken), FirstAgentID who; nil while it never was.
	FirstAssignedAt *time.Time
	FirstAgentID    int64
	// FirstReplyAt is the first agent message's time, FirstReplyAgentID its
	// sender.
	FirstReplyAt      *time.Time
	FirstReplyAgentID int64
	Transfers         []Transfer
	// ClosedAt is set for a closed conversation; ClosedAgentID is who held
	// it then (0: nobody).
	ClosedAt      *time.Time
	ClosedAgentID int64
	// Robot: closed while the robot held it (close reason robot): the
	// robot resolved it, no person ever did — unless AgentRefused.
	Robot bool
	// AgentRefused: its customer asked the robot for a person when nobody
	// could chat, and the robot kept it. Closed by the robot, it is
	// unprocessed (a person was wanted and none answered), not
	// robot-resolved.
	AgentRefused bool
	// Rating is the customer's score, 0 for none.
	Rating int
}

// Day is t's day in loc as YYYYMMDD.
func Day(t time.Time, loc *time.Location) int {
	y, m, d := t.In(loc).Date()
	return y*10000 + int(m)*100 + d
}

// Facts is everything one conversation contributes to the roll-up, merged
// by cell (docs/statistics.md defines each measure):
//
//   - on its arrival day, with the first agent who received it: inflow,
//     same-day completion, queue wait;
//   - on its arrival day, with the agent who sent it: first response time;
//   - both durations from the request for an agent: the arrival, or the
//     robot's handover for a conversation that started with the robot (the
//     robot's answers are not replies);
//   - on each transfer's day, with the agent who handed it over: transfers;
//   - on its completion day, with the agent who held it: completed,
//     unprocessed, robot-resolved, conversation time, rating.
func Facts(h History, loc *time.Location) []Part {
	var parts []Part
	add := func(day int, agentID int64, f func(*Measures)) {
		k := Key{Day: day, AgentID: agentID, Channel: h.Channel, CategoryID: h.CategoryID}
		for i := range parts {
			if parts[i].Key == k {
				f(&parts[i].Measures)
				return
			}
		}
		var m Measures
		f(&m)
		parts = append(parts, Part{Key: k, Measures: m})
	}
	arrival := Day(h.CreatedAt, loc)
	requested := h.CreatedAt
	if h.HandedOverAt != nil {
		requested = *h.HandedOverAt
	}
	add(arrival, h.FirstAgentID, func(m *Measures) {
		m.Inflow = 1
		if h.ClosedAt != nil && Day(*h.ClosedAt, loc) == arrival {
			m.SameDay = 1
		}
		if h.FirstAssignedAt != nil {
			m.QueueN = 1
			m.QueueMs = nonNegative(h.FirstAssignedAt.Sub(requested))
		}
	})
	if h.FirstReplyAt != nil {
		add(arrival, h.FirstReplyAgentID, func(m *Measures) {
			d := h.FirstReplyAt.Sub(requested)
			m.FRTN++
			m.FRTMs += nonNegative(d)
			m.FRTHist[BucketOf(d)]++
		})
	}
	for _, t := range h.Transfers {
		add(Day(t.At, loc), t.FromAgentID, func(m *Measures) { m.Transfers++ })
	}
	if h.ClosedAt != nil {
		add(Day(*h.ClosedAt, loc), h.ClosedAgentID, func(m *Measures) {
			m.Completed++
			switch {
			case h.Robot && !h.AgentRefused:
				m.RobotResolved++
			case h.Robot:
				m.Unprocessed++
			case h.FirstReplyAt == nil:
				m.Unprocessed++
			default:
				m.DurN++
				m.DurMs += nonNegative(h.ClosedAt.Sub(*h.FirstReplyAt))
				m.RatingEligible++
				if h.Rating >= 1 && h.Rating <= 5 {
					m.Rated++
					m.Ratings[h.Rating-1]++
				}
			}
		})
	}
	return parts
}

func nonNegative(d time.Duration) int64 {
	if d < 0 {
		return 0
	}
	return d.Milliseconds()
}

// Cells expands parts into the roll-up rows they count in (every level),
// merged by row.
func Cells(parts []Part) map[Key]Measures {
	out := map[Key]Measures{}
	for _, p := range parts {
		for _, k := range Levels(p.Key) {
			m := out[k]
			m.Add(p.Measures, 1)
			out[k] = m
		}
	}
	return out
}

// Delta is what changes in the roll-up when a conversation's parts go from
// before to after: per row, after minus before, zero rows left out.
func Delta(before, after []Part) map[Key]Measures {
	out := Cells(after)
	for k, m := range Cells(before) {
		d := out[k]
		d.Add(m, -1)
		out[k] = d
	}
	for k, m := range out {
		if m.Zero() {
			delete(out, k)
		}
	}
	return out
}
