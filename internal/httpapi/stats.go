package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/stats"
	"github.com/sodam-chat/sodam/internal/xlsx"
)

// Statistics (§12; docs/statistics.md): a range of days ending yesterday,
// today live, and an export of either. Managers and masters see everyone's
// figures; an agent sees their own.

func (s *Server) statsRoutes() []route {
	return []route{
		{pattern: "GET /api/v1/workspaces/{wid}/stats", access: member, minRole: chat.RoleAgent, h: s.getStats, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/stats/today", access: member, minRole: chat.RoleAgent, h: s.getStatsToday, api: true},
		{pattern: "GET /api/v1/workspaces/{wid}/stats/export", access: member, minRole: chat.RoleAgent, h: s.exportStats, api: true},
	}
}

// statsStore is the store's statistics side.
func (s *Server) statsStore() (stats.Store, error) {
	st, ok := s.store.(stats.Store)
	if !ok {
		return nil, chat.Errorf(chat.ErrUnavailable, "this store keeps no statistics")
	}
	return st, nil
}

// statsResult answers a statistics request: today live when today is set,
// else a range of days with the period before it.
func (s *Server) statsResult(r *http.Request, v url.Values, today bool) (stats.Result, *chat.Workspace, error) {
	st, err := s.statsStore()
	if err != nil {
		return stats.Result{}, nil, err
	}
	ws, err := s.workspace(r)
	if err != nil {
		return stats.Result{}, nil, err
	}
	loc := ws.Settings.Location()
	now := stats.LocalToday(s.now(), loc)
	var q stats.Query
	if today {
		q, err = stats.ParseToday(v)
		q.From, q.To = now, now
	} else {
		q, err = stats.ParseQuery(v, now)
	}
	if err != nil {
		return stats.Result{}, nil, err
	}
	m := memberOf(r)
	if !m.Role.SeesAll() {
		if q.AgentID != 0 && q.AgentID != m.AgentID {
			return stats.Result{}, nil, chat.Errorf(chat.ErrForbidden, "agents see their own figures only")
		}
		q.AgentID = m.AgentID
	}
	if q.AgentID != 0 && q.AgentID != m.AgentID {
		if _, err := s.store.Member(r.Context(), ws.ID, q.AgentID); err != nil {
			if chat.ErrorCode(err) != "" {
				return stats.Result{}, nil, chat.Errorf(chat.ErrAgentNotFound, "agent %d is not a member of this workspace", q.AgentID)
			}
			return stats.Result{}, nil, err
		}
	}
	sel := stats.Selection{From: stats.DayOf(q.From), To: stats.DayOf(q.To), Group: q.Group, AgentID: q.AgentID, Channel: q.Channel}
	if q.CategoryID != 0 {
		tree, err := st.StatCategories(r.Context(), ws.ID)
		if err != nil {
			return stats.Result{}, nil, err
		}
		sel.CategoryIDs = stats.Subtree(tree, q.CategoryID)
		if sel.CategoryIDs == nil {
			return stats.Result{}, nil, chat.Errorf(chat.ErrNotFound, "category %d is not in this workspace", q.CategoryID)
		}
	}
	rows, err := st.StatRows(r.Context(), ws.ID, sel)
	if err != nil {
		return stats.Result{}, nil, err
	}
	var prev []stats.Row
	if !today {
		n := int(q.To.Sub(q.From).Hours()/24+0.5) + 1
		p := sel
		p.From, p.To, p.Group = stats.DayOf(q.From.AddDate(0, 0, -n)), stats.DayOf(q.From.AddDate(0, 0, -1)), stats.GroupNone
		if prev, err = st.StatRows(r.Context(), ws.ID, p); err != nil {
			return stats.Result{}, nil, err
		}
		if prev == nil {
			prev = []stats.Row{}
		}
	}
	res := stats.Aggregate(q, loc.String(), rows, prev)
	if today {
		res.From, res.To, res.Bucket = "", "", ""
	}
	return res, ws, nil
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) error {
	res, _, err := s.statsResult(r, r.URL.Query(), false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) getStatsToday(w http.ResponseWriter, r *http.Request) error {
	res, _, err := s.statsResult(r, r.URL.Query(), true)
	if err != nil {
		return err
	}
	res.Total = nil
	writeJSON(w, http.StatusOK, res)
	return nil
}

// exportStats sends what the Statistics page shows as a table: CSV (UTF-8
// with a byte-order mark, so that Excel reads Korean right) or XLSX. It
// takes the parameters of /stats, or of /stats/today with today=1, and
// format=csv|xlsx.
func (s *Server) exportStats(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	format := v.Get("format")
	if format != "csv" && format != "xlsx" {
		return chat.Errorf(chat.ErrInvalid, "format must be csv or xlsx")
	}
	today := v.Get("today")
	if today != "" && today != "1" {
		return chat.Errorf(chat.ErrInvalid, "today must be 1 or absent")
	}
	v.Del("format")
	v.Del("today")
	res, ws, err := s.statsResult(r, v, today == "1")
	if err != nil {
		return err
	}
	names, err := s.statGroupNames(r, ws.ID, res.Group)
	if err != nil {
		return err
	}
	table := statsTable(res, names)
	name := "stats-" + ws.SiteID + "-" + res.From + "-" + res.To
	if today == "1" {
		name = "stats-" + ws.SiteID + "-" + stats.LocalToday(s.now(), ws.Settings.Location()).Format(time.DateOnly)
	}
	if format == "csv" {
		var b bytes.Buffer
		b.WriteString("\ufeff")
		cw := csv.NewWriter(&b)
		for _, row := range table {
			for i := range row {
				row[i] = csvSafe(row[i])
			}
			cw.Write(row)
		}
		cw.Flush()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", contentDisposition("attachment", name+".csv"))
		_, err := w.Write(b.Bytes())
		return err
	}
	var b bytes.Buffer
	xw := xlsx.NewWriter(&b)
	if err := xw.WriteHeader(table[0]...); err != nil {
		return err
	}
	for _, row := range table[1:] {
		cells := make([]any, len(row))
		for j, c := range row {
			cells[j] = c
			if j > 2 { // the figures
				if n, err := strconv.ParseFloat(c, 64); err == nil {
					cells[j] = n
				}
			}
		}
		if err := xw.WriteRow(cells...); err != nil {
			return err
		}
	}
	if err := xw.Close(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", contentDisposition("attachment", name+".xlsx"))
	_, err = w.Write(b.Bytes())
	return err
}

// statGroupNames names a grouping's keys: agents by name, categories by
// path, channels as they are.
func (s *Server) statGroupNames(r *http.Request, workspaceID int64, group string) (map[string]string, error) {
	names := map[string]string{"0": "-"}
	switch group {
	case stats.GroupAgent:
		ms, err := s.store.Members(r.Context(), workspaceID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			names[strconv.FormatInt(m.AgentID, 10)] = m.Name
		}
	case stats.GroupCategory:
		cs, err := s.store.Categories(r.Context(), workspaceID)
		if err != nil {
			return nil, err
		}
		byID := map[int64]chat.Category{}
		for _, c := range cs {
			byID[c.ID] = c
		}
		for _, c := range cs {
			path := []string{c.Name}
			for p := byID[c.ParentID]; p.ID != 0; p = byID[p.ParentID] {
				path = append([]string{p.Name}, path...)
			}
			names[strconv.FormatInt(c.ID, 10)] = strings.Join(path, " > ")
		}
	}
	return names, nil
}

// statsTable lays a result out as rows of text: a header, the buckets,
// then the whole range and the period before it.
func statsTable(res stats.Result, names map[string]string) [][]string {
	out := [][]string{{"start", "days", "group", "inflow", "completed", "same_day_rate", "unprocessed", "robot_resolved",
		"frt_avg_s", "frt_p90_s", "duration_avg_s", "queue_avg_s", "transfers", "rating_avg",
		"rating_1", "rating_2", "rating_3", "rating_4", "rating_5", "rating_rate"}}
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	row := func(label string, b stats.Bucket) []string {
		group := ""
		if b.GroupKey != nil {
			group = *b.GroupKey
			if n, ok := names[group]; ok {
				group = n
			}
		}
		p90 := ""
		if b.FRTP90S != nil {
			p90 = strconv.FormatInt(*b.FRTP90S, 10)
		}
		r := []string{label, strconv.Itoa(b.Days), group, strconv.FormatInt(b.Inflow, 10), strconv.FormatInt(b.Completed, 10),
			f(b.SameDayRate), strconv.FormatInt(b.Unprocessed, 10), strconv.FormatInt(b.RobotResolved, 10),
			f(b.FRTAvgS), p90, f(b.DurationAvgS), f(b.QueueAvgS), strconv.FormatInt(b.Transfers, 10), f(b.RatingAvg)}
		for _, n := range b.RatingCounts {
			r = append(r, strconv.FormatInt(n, 10))
		}
		return append(r, f(b.RatingRate))
	}
	for _, b := range res.Buckets {
		out = append(out, row(b.Start, b))
	}
	if res.Total != nil {
		out = append(out, row("total "+res.From+".."+res.To, *res.Total))
	}
	if res.Previous != nil {
		out = append(out, row("previous "+res.Previous.Start, *res.Previous))
	}
	return out
}
