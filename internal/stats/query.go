package stats

import (
	"context"
	"math"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// Store is what statistics need from the database: roll-up rows, and the
// recomputation from raw conversations (store/sqldb/stats.go).
type Store interface {
	// StatRows sums the roll-up over sel, per day and group key.
	StatRows(ctx context.Context, workspaceID int64, sel Selection) ([]Row, error)
	// RecomputeStats computes the whole roll-up of a workspace from its raw
	// conversations, without changing anything.
	RecomputeStats(ctx context.Context, workspaceID int64) (map[Key]Measures, error)
	// StoredStats reads the whole roll-up of a workspace as it is kept.
	StoredStats(ctx context.Context, workspaceID int64) (map[Key]Measures, error)
	// StatCategories lists every category of the workspace, deleted ones
	// too (past conversations keep them).
	StatCategories(ctx context.Context, workspaceID int64) ([]chat.Category, error)
	// RebuildStats replaces a workspace's roll-up with the recomputation,
	// in one transaction, and returns how many conversations it counted.
	RebuildStats(ctx context.Context, workspaceID int64) (int, error)
}

// JobRebuild is the durable job that recomputes a workspace's roll-up
// (RefID 0): after its time zone changed, and once for the conversations
// from before statistics existed.
const JobRebuild = "stats_rebuild"

// Groups a query may split its buckets by.
const (
	GroupNone     = "none"
	GroupAgent    = "agent"
	GroupChannel  = "channel"
	GroupCategory = "category"
)

// Selection is what StatRows sums: days From..To (YYYYMMDD, inclusive),
// optionally one agent, channel or set of categories, grouped by one
// dimension or none.
type Selection struct {
	From, To    int
	Group       string
	AgentID     int64
	Channel     string
	CategoryIDs []int64
}

// Row is the roll-up summed over one day and group key ("" for none).
type Row struct {
	Day      int
	GroupKey string
	Measures Measures
}

// Query is a parsed statistics request.
type Query struct {
	From, To   time.Time // local days (their noons: LocalDay), inclusive
	Bucket     string    // day or week
	Group      string
	AgentID    int64
	Channel    string
	CategoryID int64
}

// MaxMonths is the longest range a query may ask for, in calendar months;
// MinMaxDays is how many days it may always span, however short the
// months (the console's "last 90 days"). Earliest says where it starts.
const (
	MaxMonths  = 3
	MinMaxDays = 90
)

// Earliest is the first day a range ending on to may start on: the day
// after the same day MaxMonths months before to (that month's last day
// when it is shorter, so that to on a month's last day admits the whole
// three months before), or MinMaxDays days ending on to when that is
// earlier. Counted as to minus three months plus a day, February
// normalised forward (May 31 − 3 months = "February 31" = March 3) and a
// range ending late in May was refused both March to May and the last
// 90 days.
func Earliest(to time.Time) time.Time {
	y, m, d := to.Date()
	first := LocalDay(y, m-MaxMonths, 1, to.Location())
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	cal := LocalDay(first.Year(), first.Month(), d+1, to.Location())
	if days := to.AddDate(0, 0, 1-MinMaxDays); days.Before(cal) {
		return days
	}
	return cal
}

// ParseQuery reads and checks a statistics request's parameters; today is
// the workspace's current local date (LocalToday). Without from and to it
// asks for the 7 days ending yesterday.
func ParseQuery(v url.Values, today time.Time) (Query, error) {
	today = LocalDay(today.Year(), today.Month(), today.Day(), today.Location())
	for k := range v {
		if !slices.Contains([]string{"from", "to", "bucket", "group", "agent_id", "channel", "category_id"}, k) {
			return Query{}, chat.Errorf(chat.ErrInvalid, "unknown parameter %q", k)
		}
	}
	q := Query{Bucket: "day", Group: GroupNone}
	yesterday := today.AddDate(0, 0, -1)
	var err error
	if q.To, err = date(v, "to", yesterday, today.Location()); err != nil {
		return q, err
	}
	if q.From, err = date(v, "from", q.To.AddDate(0, 0, -6), today.Location()); err != nil {
		return q, err
	}
	switch {
	case q.From.After(q.To):
		return q, chat.Errorf(chat.ErrInvalid, "from must not be after to")
	case !q.To.Before(today):
		return q, chat.Errorf(chat.ErrInvalid, "to must be yesterday or earlier; today's figures are at /stats/today")
	case q.From.Before(Earliest(q.To)):
		return q, chat.Errorf(chat.ErrInvalid, "the range is at most %d months (or %d days): from %s at the earliest", MaxMonths, MinMaxDays, Earliest(q.To).Format(time.DateOnly))
	}
	if b := v.Get("bucket"); b != "" {
		if b != "day" && b != "week" {
			return q, chat.Errorf(chat.ErrInvalid, "bucket must be day or week")
		}
		q.Bucket = b
	}
	err = q.parseFilters(v)
	return q, err
}

// ParseToday reads the parameters of a today-live request: filters and a
// group, no dates.
func ParseToday(v url.Values) (Query, error) {
	for k := range v {
		if !slices.Contains([]string{"group", "agent_id", "channel", "category_id"}, k) {
			return Query{}, chat.Errorf(chat.ErrInvalid, "unknown parameter %q", k)
		}
	}
	q := Query{Bucket: "day", Group: GroupNone}
	return q, q.parseFilters(v)
}

func (q *Query) parseFilters(v url.Values) error {
	if g := v.Get("group"); g != "" {
		if !slices.Contains([]string{GroupNone, GroupAgent, GroupChannel, GroupCategory}, g) {
			return chat.Errorf(chat.ErrInvalid, "group must be none, agent, channel or category")
		}
		q.Group = g
	}
	var err error
	if q.AgentID, err = id(v, "agent_id"); err != nil {
		return err
	}
	if q.CategoryID, err = id(v, "category_id"); err != nil {
		return err
	}
	if c := v.Get("channel"); c != "" {
		if !chat.Channel(c).Valid() {
			return chat.Errorf(chat.ErrInvalid, "unknown channel %q", c)
		}
		q.Channel = c
	}
	return nil
}

func date(v url.Values, name string, def time.Time, loc *time.Location) (time.Time, error) {
	s, ok := v[name]
	if !ok {
		return def, nil
	}
	if len(s) != 1 {
		return time.Time{}, chat.Errorf(chat.ErrInvalid, "give %s once", name)
	}
	t, err := time.Parse(time.DateOnly, s[0])
	if err != nil || t.Format(time.DateOnly) != s[0] {
		return time.Time{}, chat.Errorf(chat.ErrInvalid, "%s must be a date as YYYY-MM-DD", name)
	}
	return LocalDay(t.Year(), t.Month(), t.Day(), loc), nil
}

func id(v url.Values, name string) (int64, error) {
	s := v.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || strconv.FormatInt(n, 10) != s {
		return 0, chat.Errorf(chat.ErrInvalid, "%s must be a positive whole number", name)
	}
	return n, nil
}

// LocalToday is the workspace's current date: LocalDay of now in loc.
func LocalToday(now time.Time, loc *time.Location) time.Time {
	y, m, d := now.In(loc).Date()
	return LocalDay(y, m, d, loc)
}

// LocalDay stands for a day in loc (normalised as time.Date does): its
// noon. Not its midnight: where the clocks go forward at midnight
// (America/Santiago, America/Havana) that day has none, and time.Date
// makes it 23:00 the day before — today became yesterday, and counting
// days from it skipped one. Noon exists every day, and adding days to it
// (AddDate) keeps it a noon.
func LocalDay(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 12, 0, 0, 0, loc)
}

// DayOf turns a local day (LocalDay) into YYYYMMDD.
func DayOf(t time.Time) int { return t.Year()*10000 + int(t.Month())*100 + t.Day() }

// Bucket is one period's figures, as the API shows them. Ratios and
// averages are null when nothing was measured.
type Bucket struct {
	Start         string   `json:"start"`
	Days          int      `json:"days"`
	Inflow        int64    `json:"inflow"`
	Completed     int64    `json:"completed"`
	SameDayRate   *float64 `json:"same_day_rate"`
	Unprocessed   int64    `json:"unprocessed"`
	RobotResolved int64    `json:"robot_resolved"`
	FRTAvgS       *float64 `json:"frt_avg_s"`
	FRTP90S       *int64   `json:"frt_p90_s"`
	DurationAvgS  *float64 `json:"duration_avg_s"`
	QueueAvgS     *float64 `json:"queue_avg_s"`
	Transfers     int64    `json:"transfers"`
	RatingAvg     *float64 `json:"rating_avg"`
	RatingCounts  [5]int64 `json:"rating_counts"`
	RatingRate    *float64 `json:"rating_rate"`
	GroupKey      *string  `json:"group_key,omitempty"`
}

// Derive turns summed measures into the figures of a bucket.
func Derive(start time.Time, days int, m Measures) Bucket {
	b := Bucket{
		Start: start.Format(time.DateOnly), Days: days,
		Inflow: m.Inflow, Completed: m.Completed, Unprocessed: m.Unprocessed, RobotResolved: m.RobotResolved,
		Transfers: m.Transfers, RatingCounts: m.Ratings,
	}
	b.SameDayRate = ratio(m.SameDay, m.Inflow, 4)
	b.FRTAvgS = ratio(m.FRTMs, m.FRTN*1000, 1)
	b.FRTP90S = P90(m.FRTHist)
	b.DurationAvgS = ratio(m.DurMs, m.DurN*1000, 1)
	b.QueueAvgS = ratio(m.QueueMs, m.QueueN*1000, 1)
	var sum int64
	for i, n := range m.Ratings {
		sum += int64(i+1) * n
	}
	b.RatingAvg = ratio(sum, m.Rated, 2)
	b.RatingRate = ratio(m.Rated, m.RatingEligible, 4)
	return b
}

func ratio(a, b int64, digits int) *float64 {
	if b == 0 {
		return nil
	}
	p := math.Pow10(digits)
	r := math.Round(float64(a)/float64(b)*p) / p
	return &r
}

// P90 is the smallest bucket bound, in seconds, within which at least 90 %
// of the first responses came (nearest rank); nil without any. Past the
// last bound it is the last bound's double: "over a day".
func P90(h [NumBuckets]int64) *int64 {
	var n int64
	for _, c := range h {
		n += c
	}
	if n == 0 {
		return nil
	}
	rank := (n*9 + 9) / 10 // ceil(0.9 n)
	var seen int64
	for i, c := range h {
		seen += c
		if seen >= rank {
			v := 2 * Bounds[len(Bounds)-1]
			if i < len(Bounds) {
				v = Bounds[i]
			}
			return &v
		}
	}
	return nil
}

// Result is the answer to a statistics request.
type Result struct {
	Timezone string   `json:"timezone"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Bucket   string   `json:"bucket,omitempty"`
	Group    string   `json:"group"`
	Buckets  []Bucket `json:"buckets"`
	// Periods, when grouped, is each bucket's period with all groups
	// together, one per start: the figures of the period, not of a group.
	Periods []Bucket `json:"periods,omitempty"`
	// Total is the whole range, all groups together.
	Total *Bucket `json:"total,omitempty"`
	// Previous is the same measures over the period of equal length just
	// before from.
	Previous *Bucket `json:"previous,omitempty"`
}

// Aggregate builds the buckets of q from the roll-up rows of its range
// (rows) and of the period before it (prev, nil for none).
func Aggregate(q Query, tz string, rows, prev []Row) Result {
	r := Result{Timezone: tz, From: q.From.Format(time.DateOnly), To: q.To.Format(time.DateOnly), Bucket: q.Bucket, Group: q.Group}
	step := 1
	if q.Bucket == "week" {
		step = 7
	}
	// Weeks are counted back from to, so that the newest is a whole 7
	// days ending on to and its change against the week before compares
	// like with like; the oldest is shorter when the range is not a
	// multiple of 7.
	var starts []time.Time
	for end := q.To; !end.Before(q.From); end = end.AddDate(0, 0, -step) {
		s := end.AddDate(0, 0, 1-step)
		if s.Before(q.From) {
			s = q.From
		}
		starts = append(starts, s)
	}
	slices.Reverse(starts)
	bucketOf := map[int]int{}
	days := make([]int, len(starts))
	for i, s := range starts {
		for d := s; !d.After(q.To) && (i+1 == len(starts) || d.Before(starts[i+1])); d = d.AddDate(0, 0, 1) {
			bucketOf[DayOf(d)] = i
			days[i]++
		}
	}
	type cell struct {
		bucket int
		key    string
	}
	sums := map[cell]Measures{}
	periods := make([]Measures, len(starts))
	keys := []string{""}
	if q.Group != GroupNone {
		keys = nil
	}
	var total Measures
	for _, row := range rows {
		i, ok := bucketOf[row.Day]
		if !ok {
			continue
		}
		c := cell{i, row.GroupKey}
		m := sums[c]
		m.Add(row.Measures, 1)
		sums[c] = m
		periods[i].Add(row.Measures, 1)
		total.Add(row.Measures, 1)
		if !slices.Contains(keys, row.GroupKey) {
			keys = append(keys, row.GroupKey)
		}
	}
	slices.SortFunc(keys, compareKeys)
	r.Buckets = []Bucket{}
	for i, s := range starts {
		for _, k := range keys {
			b := Derive(s, days[i], sums[cell{i, k}])
			if q.Group != GroupNone {
				b.GroupKey = &k
			}
			r.Buckets = append(r.Buckets, b)
		}
		if q.Group != GroupNone {
			r.Periods = append(r.Periods, Derive(s, days[i], periods[i]))
		}
	}
	n := int(q.To.Sub(q.From).Hours()/24+0.5) + 1
	t := Derive(q.From, n, total)
	r.Total = &t
	if prev != nil {
		var pm Measures
		for _, row := range prev {
			pm.Add(row.Measures, 1)
		}
		p := Derive(q.From.AddDate(0, 0, -n), n, pm)
		r.Previous = &p
	}
	return r
}

// compareKeys orders group keys numerically when both are numbers.
func compareKeys(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Tree gives categories' child IDs by parent ID (0 for the top level).
func Tree(cs []chat.Category) map[int64][]int64 {
	out := map[int64][]int64{}
	for _, c := range cs {
		out[c.ParentID] = append(out[c.ParentID], c.ID)
	}
	return out
}

// Subtree is id and every category below it, or nil when id is not in
// tree (child IDs by parent ID).
func Subtree(tree map[int64][]int64, id int64) []int64 {
	found := false
	for _, kids := range tree {
		if slices.Contains(kids, id) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	out := []int64{id}
	for i := 0; i < len(out); i++ {
		out = append(out, tree[out[i]]...)
	}
	return out
}
