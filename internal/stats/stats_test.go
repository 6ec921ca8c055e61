package stats

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFacts(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := func(s string) *time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04:05", s, seoul)
		if err != nil {
			t.Fatal(err)
		}
		return &v
	}
	// Arrives at 23:58, answered by kim (1) at 00:01 after lee (2) handed
	// it over at 00:00, closed by kim at 00:20, rated 4.
	h := History{Channel: "web", CategoryID: 7, CreatedAt: *at("2026-12-01 23:58:00"),
		FirstAssignedAt: at("2026-12-01 23:59:00"), FirstAgentID: 2,
		Transfers:    []Transfer{{At: *at("2026-12-02 00:00:00"), FromAgentID: 2}},
		FirstReplyAt: at("2026-12-02 00:01:00"), FirstReplyAgentID: 1,
		ClosedAt: at("2026-12-02 00:20:00"), ClosedAgentID: 1, Rating: 4}
	cells := Cells(Facts(h, seoul))
	// The roll-up keeps the levels split by channel: the day's totals are
	// its web row of the channel level.
	total := func(day int) Measures { return cells[Key{day, AllAgents, "web", AllCategories}] }
	d1, d2 := total(20261201), total(20261202)
	if d1.Inflow != 1 || d1.SameDay != 0 || d1.QueueMs != 60000 || d1.FRTN != 1 || d1.FRTMs != 180000 || d1.FRTHist[BucketOf(3*time.Minute)] != 1 {
		t.Fatalf("arrival day %+v", d1)
	}
	if d2.Completed != 1 || d2.Transfers != 1 || d2.DurMs != 19*60000 || d2.Ratings[3] != 1 || d2.RatingEligible != 1 || d2.Unprocessed != 0 {
		t.Fatalf("next day %+v", d2)
	}
	if lee := cells[Key{20261202, 2, "web", AllCategories}]; lee.Transfers != 1 || lee.Completed != 0 {
		t.Fatalf("lee %+v", lee)
	}
	if kim := cells[Key{20261201, 1, "web", AllCategories}]; kim.FRTN != 1 || kim.Inflow != 0 {
		t.Fatalf("kim on the arrival day %+v", kim)
	}
	// In UTC the same history is one day: same-day completion.
	if utc := Cells(Facts(h, time.UTC))[Key{20261201, AllAgents, "web", AllCategories}]; utc.SameDay != 1 || utc.Completed != 1 {
		t.Fatalf("utc %+v", utc)
	}
	// Nobody answered: unprocessed; the robot closed it alone: robot-resolved.
	h2 := History{Channel: "kakao", CreatedAt: *at("2026-12-01 10:00:00"), ClosedAt: at("2026-12-01 10:05:00")}
	if len(Cells(Facts(h2, seoul))) != 2 {
		t.Fatalf("%d rows, want one per kept level without the agent: %v", len(Cells(Facts(h2, seoul))), Cells(Facts(h2, seoul)))
	}
	if _, ok := Cells(Facts(h2, seoul))[Key{20261201, AllAgents, AllChannels, AllCategories}]; ok {
		t.Fatal("a row that sums the channels: not kept")
	}
	if m := Cells(Facts(h2, seoul))[Key{20261201, AllAgents, "kakao", 0}]; m.Unprocessed != 1 || m.RobotResolved != 0 || m.SameDay != 1 {
		t.Fatalf("unprocessed %+v", m)
	}
	h2.Robot = true
	if len(Cells(Facts(h2, seoul))) != 2 {
		t.Fatalf("%d rows, want one per kept level without the agent: %v", len(Cells(Facts(h2, seoul))), Cells(Facts(h2, seoul)))
	}
	if _, ok := Cells(Facts(h2, seoul))[Key{20261201, AllAgents, AllChannels, AllCategories}]; ok {
		t.Fatal("a row that sums the channels: not kept")
	}
	if m := Cells(Facts(h2, seoul))[Key{20261201, AllAgents, "kakao", 0}]; m.Unprocessed != 0 || m.RobotResolved != 1 {
		t.Fatalf("robot %+v", m)
	}
	if d := Delta(Facts(h, seoul), Facts(h, seoul)); len(d) != 0 {
		t.Fatalf("no change, delta %v", d)
	}
}

// "No agent" keeps no rows on the levels split by agent: it is the level
// without the agent minus the agents' rows, exactly.
func TestNoAgent(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	at := func(hm string) *time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", "2026-12-01 "+hm, seoul)
		return &v
	}
	answered := History{Channel: "web", CategoryID: 3, CreatedAt: *at("10:00"), FirstAssignedAt: at("10:02"), FirstAgentID: 1,
		FirstReplyAt: at("10:03"), FirstReplyAgentID: 1, ClosedAt: at("10:30"), ClosedAgentID: 1, Rating: 5}
	left := History{Channel: "web", CategoryID: 3, CreatedAt: *at("11:00"), ClosedAt: at("11:20")} // nobody took it
	waiting := History{Channel: "web", CategoryID: 3, CreatedAt: *at("12:00")}
	var parts []Part
	for _, h := range []History{answered, left, waiting} {
		parts = append(parts, Facts(h, seoul)...)
	}
	cells := Cells(parts)
	for k := range cells {
		if k.AgentID == 0 {
			t.Fatalf("a no-agent row %+v", k)
		}
	}
	var want Measures
	for _, p := range append(Facts(left, seoul), Facts(waiting, seoul)...) {
		want.Add(p.Measures, 1)
	}
	for _, l := range []struct{ agents, all Key }{
		{Key{20261201, 1, AllChannels, AllCategories}, Key{20261201, AllAgents, "web", AllCategories}},
		{Key{20261201, 1, "web", AllCategories}, Key{20261201, AllAgents, "web", AllCategories}},
		{Key{20261201, 1, "web", 3}, Key{20261201, AllAgents, "web", 3}},
	} {
		if got := NoAgent(cells[l.all], cells[l.agents]); got != want || want.Inflow != 2 || want.Unprocessed != 1 {
			t.Fatalf("no agent from %+v: %+v, want %+v", l.agents, got, want)
		}
	}
}

func TestP90(t *testing.T) {
	var h [NumBuckets]int64
	if P90(h) != nil {
		t.Fatal("p90 of nothing")
	}
	for i := range 9 {
		h[BucketOf(time.Duration(i+1)*time.Second)]++ // 1..9 s: buckets 5 and 10
	}
	h[BucketOf(10*time.Minute)]++
	if p := *P90(h); p != 10 {
		t.Fatalf("p90 = %d, want 10", p)
	}
	h[BucketOf(48*time.Hour)] += 5
	if p := *P90(h); p != 172800 {
		t.Fatalf("p90 = %d, want over a day", p)
	}
}

func TestParseQuery(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	today := time.Date(2026, 3, 10, 0, 0, 0, 0, ny) // two days after DST began
	parse := func(s string) (Query, error) {
		v, _ := url.ParseQuery(s)
		return ParseQuery(v, today)
	}
	q, err := parse("")
	if err != nil || q.From.Format(time.DateOnly) != "2026-03-03" || q.To.Format(time.DateOnly) != "2026-03-09" {
		t.Fatalf("default %v %v", q, err)
	}
	for _, ok := range []string{"from=2025-12-10&to=2026-03-09", "from=2026-03-09&to=2026-03-09&bucket=week&group=category&category_id=3"} {
		if _, err := parse(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"from=2025-12-09&to=2026-03-09", "to=2026-03-10", "from=2026-03-09&to=2026-03-08",
		"from=20260301", "group=day", "bucket=month", "agent_id=-1", "agent_id=1.5", "channel=fax", "x=1", "from=a&from=b"} {
		if _, err := parse(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	// Weekly buckets over the DST change: whole local days, counted back
	// from to, so the newest week is whole and the oldest is short.
	q, _ = parse("from=2026-03-01&to=2026-03-09&bucket=week")
	r := Aggregate(q, "America/New_York", []Row{{Day: 20260302, Measures: Measures{Inflow: 2}}, {Day: 20260303, Measures: Measures{Inflow: 1}},
		{Day: 20260308, Measures: Measures{Inflow: 4}}}, []Row{})
	if len(r.Buckets) != 2 || r.Buckets[0].Start != "2026-03-01" || r.Buckets[0].Days != 2 || r.Buckets[0].Inflow != 2 ||
		r.Buckets[1].Start != "2026-03-03" || r.Buckets[1].Days != 7 || r.Buckets[1].Inflow != 5 ||
		r.Total.Days != 9 || r.Previous.Start != "2026-02-20" {
		t.Fatalf("weeks %+v total %+v previous %+v", r.Buckets, r.Total, r.Previous)
	}
}

// The range's cap admits the console's "last 90 days" and any three whole
// calendar months, whatever month to falls in: counted as to minus three
// months plus a day, a to late in May (February is short) had refused
// both (the console's preset failed for most of May).
func TestParseQueryThreeMonths(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	ny, _ := time.LoadLocation("America/New_York")
	for _, tt := range []struct {
		today    time.Time
		from, to string
		ok       bool
	}{
		{time.Date(2026, 6, 1, 0, 0, 0, 0, seoul), "2026-03-03", "2026-05-31", true}, // the last 90 days
		{time.Date(2026, 6, 1, 0, 0, 0, 0, seoul), "2026-03-01", "2026-05-31", true}, // March to May
		{time.Date(2026, 6, 1, 0, 0, 0, 0, seoul), "2026-02-28", "2026-05-31", false},
		{time.Date(2026, 5, 28, 0, 0, 0, 0, seoul), "2026-02-27", "2026-05-27", true}, // the last 90 days
		{time.Date(2026, 5, 28, 0, 0, 0, 0, seoul), "2026-02-26", "2026-05-27", false},
		{time.Date(2026, 5, 1, 0, 0, 0, 0, ny), "2026-02-01", "2026-04-30", true}, // February to April, over the DST change
		{time.Date(2026, 5, 1, 0, 0, 0, 0, ny), "2026-01-31", "2026-04-30", true}, // 90 days
		{time.Date(2026, 5, 1, 0, 0, 0, 0, ny), "2026-01-30", "2026-04-30", false},
		{time.Date(2028, 6, 1, 0, 0, 0, 0, seoul), "2028-03-01", "2028-05-31", true},
		{time.Date(2026, 12, 3, 0, 0, 0, 0, seoul), "2026-09-03", "2026-12-02", true}, // docs/statistics.md's example
		{time.Date(2026, 12, 3, 0, 0, 0, 0, seoul), "2026-09-02", "2026-12-02", false},
		{time.Date(2026, 9, 1, 0, 0, 0, 0, seoul), "2026-06-01", "2026-08-31", true}, // 92 days: June to August
		{time.Date(2026, 9, 1, 0, 0, 0, 0, seoul), "2026-05-31", "2026-08-31", false},
	} {
		_, err := ParseQuery(url.Values{"from": {tt.from}, "to": {tt.to}}, tt.today)
		if (err == nil) != tt.ok {
			t.Errorf("%s to %s: %v, want ok %v", tt.from, tt.to, err, tt.ok)
		}
	}
}

// In a zone whose clocks go forward at midnight (America/Santiago on
// 2026-09-06, America/Havana on 2026-03-08) that day has no midnight: a
// day taken as its local midnight became 23:00 the day before. Today was
// then yesterday all day (/stats/today showed the wrong day), the date
// was refused as "not a date", and a range over it counted the day
// before twice and dropped its last day.
func TestDaysWithoutMidnight(t *testing.T) {
	santiago, _ := time.LoadLocation("America/Santiago")
	now := time.Date(2026, 9, 6, 15, 0, 0, 0, santiago)
	if got := DayOf(LocalToday(now, santiago)); got != 20260906 {
		t.Fatalf("today is %d, want 20260906", got)
	}
	today := LocalToday(now.AddDate(0, 0, 5), santiago) // 2026-09-11
	q, err := ParseQuery(url.Values{"from": {"2026-09-01"}, "to": {"2026-09-10"}}, today)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for d := 20260901; d <= 20260910; d++ {
		rows = append(rows, Row{Day: d, Measures: Measures{Inflow: 1}})
	}
	r := Aggregate(q, "America/Santiago", rows, []Row{})
	var starts []string
	for _, b := range r.Buckets {
		if b.Inflow != 1 || b.Days != 1 {
			t.Errorf("bucket %+v", b)
		}
		starts = append(starts, b.Start)
	}
	if len(r.Buckets) != 10 || starts[5] != "2026-09-06" || starts[9] != "2026-09-10" || r.Total.Inflow != 10 || r.Total.Days != 10 {
		t.Fatalf("buckets %v, total %+v", starts, r.Total)
	}
	if q, err = ParseQuery(url.Values{"from": {"2026-09-06"}, "to": {"2026-09-06"}, "bucket": {"week"}}, today); err != nil || DayOf(q.From) != 20260906 {
		t.Fatalf("%+v %v", q, err)
	}
	havana, _ := time.LoadLocation("America/Havana")
	if _, err := ParseQuery(url.Values{"from": {"2026-03-08"}, "to": {"2026-03-08"}}, LocalToday(time.Date(2026, 3, 9, 9, 0, 0, 0, havana), havana)); err != nil {
		t.Fatal(err)
	}
}

// The last 90 days by week: twelve whole weeks ending on to and a 6-day
// week first, every day in exactly one.
func TestAggregateWeeksEndOnTo(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	today := time.Date(2026, 12, 5, 0, 0, 0, 0, seoul)
	to := today.AddDate(0, 0, -1)
	from := to.AddDate(0, 0, -89)
	v := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}, "bucket": {"week"}}
	q, err := ParseQuery(v, today)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		rows = append(rows, Row{Day: DayOf(d), Measures: Measures{Inflow: 1}})
	}
	r := Aggregate(q, "Asia/Seoul", rows, nil)
	if len(r.Buckets) != 13 {
		t.Fatalf("%d buckets", len(r.Buckets))
	}
	if b := r.Buckets[0]; b.Start != from.Format(time.DateOnly) || b.Days != 6 || b.Inflow != 6 {
		t.Errorf("oldest %+v", b)
	}
	for i, b := range r.Buckets[1:] {
		want := to.AddDate(0, 0, -7*(11-i)-6).Format(time.DateOnly)
		if b.Start != want || b.Days != 7 || b.Inflow != 7 {
			t.Errorf("week %d: %+v, want start %s, 7 days", i+1, b, want)
		}
	}
}

// Grouped, each period also comes with all groups together: the times of
// the period, not of its first group.
func TestAggregatePeriods(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	v, _ := url.ParseQuery("from=2026-03-08&to=2026-03-09&group=agent")
	q, err := ParseQuery(v, time.Date(2026, 3, 10, 0, 0, 0, 0, seoul))
	if err != nil {
		t.Fatal(err)
	}
	r := Aggregate(q, "Asia/Seoul", []Row{
		{Day: 20260308, GroupKey: "1", Measures: Measures{Inflow: 1, FRTN: 1, FRTMs: 60000}},
		{Day: 20260308, GroupKey: "2", Measures: Measures{Inflow: 2, FRTN: 1, FRTMs: 180000}},
	}, []Row{})
	if len(r.Buckets) != 4 || len(r.Periods) != 2 || r.Periods[0].Start != "2026-03-08" || r.Periods[0].Inflow != 3 ||
		*r.Periods[0].FRTAvgS != 120 || r.Periods[0].GroupKey != nil || r.Periods[1].Inflow != 0 || r.Periods[1].FRTAvgS != nil {
		t.Fatalf("buckets %+v periods %+v", r.Buckets, r.Periods)
	}
	q.Group = GroupNone
	if r := Aggregate(q, "Asia/Seoul", nil, nil); r.Periods != nil {
		t.Fatalf("ungrouped periods %+v", r.Periods)
	}
}

// Add must cover every field Fields lists (the columns).
func TestAddCoversFields(t *testing.T) {
	var m Measures
	for i, p := range m.Fields() {
		*p = int64(i + 1)
	}
	var sum Measures
	sum.Add(m, 1)
	sum.Add(m, 1)
	if len(m.Fields()) != len(Columns) {
		t.Fatalf("%d fields, %d columns", len(m.Fields()), len(Columns))
	}
	for i, p := range sum.Fields() {
		if *p != 2*int64(i+1) {
			t.Fatalf("field %d (%s): %d", i, Columns[i], *p)
		}
	}
	sum.Add(m, -2)
	if !sum.Zero() {
		t.Fatalf("not zero: %+v", sum)
	}
}

// The counts come first in Columns and Fields, the histogram after them:
// the store writes only the counts when no histogram bucket changes.
func TestColumnsCountsFirst(t *testing.T) {
	if len(Columns) != NumCounts+NumBuckets || Columns[NumCounts-1] != "rating_eligible" || Columns[NumCounts] != "h00" {
		t.Fatalf("columns %v", Columns)
	}
	var m Measures
	f := m.Fields()
	*f[NumCounts-1] = 7
	*f[NumCounts] = 9
	if m.RatingEligible != 7 || m.FRTHist[0] != 9 || len(f) != len(Columns) {
		t.Fatalf("fields do not follow the columns: %+v", m)
	}
}

// Stored parts (stat_conversations) leave out empty rating and histogram
// counts, and parts stored with them, as before, still read the same.
func TestPartsJSON(t *testing.T) {
	p := []Part{{Key: Key{Day: 20261202, AgentID: 3, Channel: "web"}, Measures: Measures{Inflow: 1}}}
	b, err := json.Marshal(p)
	if err != nil || strings.Contains(string(b), `"h"`) || strings.Contains(string(b), `"r"`) {
		t.Fatalf("%s, %v", b, err)
	}
	old := `[{"k":{"d":20261202,"a":3,"ch":"web","k":0},"m":{"fn":1,"fm":4000,"r":[0,0,0,1,0],"h":[1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]}}]`
	var got []Part
	if err := json.Unmarshal([]byte(old), &got); err != nil || len(got) != 1 || got[0].Measures.FRTHist[0] != 1 || got[0].Measures.Ratings[3] != 1 {
		t.Fatalf("%+v, %v", got, err)
	}
	again, _ := json.Marshal(got)
	var back []Part
	if err := json.Unmarshal(again, &back); err != nil || back[0] != got[0] {
		t.Fatalf("round trip %s: %+v, %v", again, back, err)
	}
}
