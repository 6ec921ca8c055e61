package httpapi

import (
	"bytes"
	"encoding/csv"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/stats"
	"github.com/sodam-chat/sodam/internal/web"
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
		cs, err := st.StatCategories(r.Context(), ws.ID)
		if err != nil {
			return stats.Result{}, nil, err
		}
		sel.CategoryIDs = stats.Subtree(stats.Tree(cs), q.CategoryID)
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

// statsView is a result as the API answers it: by category, with each
// key's name, as the export names it (deleted categories too), so that
// the console need not know categories deleted since.
type statsView struct {
	stats.Result
	GroupNames map[string]string `json:"group_names,omitempty"`
}

func (s *Server) writeStats(w http.ResponseWriter, r *http.Request, res stats.Result, ws *chat.Workspace) error {
	v := statsView{Result: res}
	if res.Group == stats.GroupCategory {
		var err error
		if v.GroupNames, err = s.categoryPaths(r, ws.ID); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

func (s *Server) getStats(w http.ResponseWriter, r *http.Request) error {
	res, ws, err := s.statsResult(r, r.URL.Query(), false)
	if err != nil {
		return err
	}
	return s.writeStats(w, r, res, ws)
}

func (s *Server) getStatsToday(w http.ResponseWriter, r *http.Request) error {
	res, ws, err := s.statsResult(r, r.URL.Query(), true)
	if err != nil {
		return err
	}
	res.Total = nil
	return s.writeStats(w, r, res, ws)
}

// exportStats sends what the Statistics page shows as a table: CSV (UTF-8
// with a byte-order mark, so that Excel reads Korean right) or XLSX. It
// takes the parameters of /stats, or of /stats/today with today=1,
// format=csv|xlsx and lang=ko|en (the headers' and labels' language: else
// the workspace's widget language, else the browser's).
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
	if l := v.Get("lang"); l != "" && l != "ko" && l != "en" {
		return chat.Errorf(chat.ErrInvalid, "lang must be ko or en")
	}
	v.Del("format")
	v.Del("today")
	v.Del("lang")
	res, ws, err := s.statsResult(r, v, today == "1")
	if err != nil {
		return err
	}
	cat, err := web.ConsoleCatalog(helpLang(r, ws))
	if err != nil {
		return err
	}
	names, err := s.statGroupNames(r, ws.ID, res.Group, cat)
	if err != nil {
		return err
	}
	header, rows := statsTable(res, names, cat)
	name := "stats-" + ws.SiteID + "-" + res.From + "-" + res.To
	if today == "1" {
		name = "stats-" + ws.SiteID + "-" + stats.LocalToday(s.now(), ws.Settings.Location()).Format(time.DateOnly)
	}
	if format == "csv" {
		var b bytes.Buffer
		b.WriteString("\ufeff")
		cw := csv.NewWriter(&b)
		cw.Write(header)
		for _, row := range rows {
			text := make([]string, len(row))
			for i, c := range row {
				switch c := c.(type) {
				case string:
					text[i] = csvSafe(c)
				case int64:
					text[i] = strconv.FormatInt(c, 10)
				case float64:
					text[i] = strconv.FormatFloat(c, 'f', -1, 64)
				}
			}
			cw.Write(text)
		}
		cw.Flush()
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", contentDisposition("attachment", name+".csv"))
		_, err := w.Write(b.Bytes())
		return err
	}
	var b bytes.Buffer
	xw := xlsx.NewWriter(&b)
	if err := xw.WriteHeader(header...); err != nil {
		return err
	}
	for _, row := range rows {
		if err := xw.WriteRow(row...); err != nil {
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

// statGroupNames names a grouping's keys as the console does: agents by
// name, channels by their names, categories by path (deleted ones too:
// past conversations keep them), and nobody or none in words.
func (s *Server) statGroupNames(r *http.Request, workspaceID int64, group string, cat map[string]string) (map[string]string, error) {
	names := map[string]string{}
	switch group {
	case stats.GroupAgent:
		names["0"] = cat["stats.no_agent"]
		ms, err := s.store.Members(r.Context(), workspaceID)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			names[strconv.FormatInt(m.AgentID, 10)] = m.Name
		}
	case stats.GroupChannel:
		for _, c := range chat.Channels {
			if n, ok := cat["stats.channel_"+string(c)]; ok {
				names[string(c)] = n
			}
		}
	case stats.GroupCategory:
		var err error
		if names, err = s.categoryPaths(r, workspaceID); err != nil {
			return nil, err
		}
		names["0"] = cat["stats.no_category"]
	}
	return names, nil
}

// categoryPaths names every category of the workspace by its path
// ("배송 > 지연"), deleted ones too: past conversations keep them.
func (s *Server) categoryPaths(r *http.Request, workspaceID int64) (map[string]string, error) {
	st, err := s.statsStore()
	if err != nil {
		return nil, err
	}
	cs, err := st.StatCategories(r.Context(), workspaceID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]chat.Category{}
	for _, c := range cs {
		byID[c.ID] = c
	}
	names := map[string]string{}
	for _, c := range cs {
		path := []string{c.Name}
		for p := byID[c.ParentID]; p.ID != 0; p = byID[p.ParentID] {
			path = append([]string{p.Name}, path...)
		}
		names[strconv.FormatInt(c.ID, 10)] = strings.Join(path, " > ")
	}
	return names, nil
}

// statsTable lays a result out as the console's table, in the language
// of cat: a header, then a row per bucket (and group), the whole range and
// the period before it. Cells are text, or numbers (int64, float64) for
// the days and figures; times in seconds, rates in per cent, an empty
// text where nothing was measured.
func statsTable(res stats.Result, names map[string]string, cat map[string]string) ([]string, [][]any) {
	header := []string{cat["stats.period"], cat["stats.from"], cat["stats.to"], cat["stats.days"]}
	if res.Group != stats.GroupNone {
		header = append(header, cat["stats.group_"+res.Group])
	}
	unit := func(key, label string) string { return strings.ReplaceAll(cat[key], "{m}", label) }
	m := func(k string) string { return cat["stats.m_"+k] }
	header = append(header, m("inflow"), m("completed"), unit("stats.unit_pct", m("same_day_rate")), m("unprocessed"),
		m("robot_resolved"), m("transfers"), unit("stats.unit_s", m("frt_avg_s")), unit("stats.unit_s", m("frt_p90_s")),
		unit("stats.unit_s", m("duration_avg_s")), unit("stats.unit_s", m("queue_avg_s")), m("rating_avg"), unit("stats.unit_pct", m("rating_rate")))
	for n := 5; n >= 1; n-- {
		header = append(header, strings.ReplaceAll(cat["stats.rating_n"], "{n}", strconv.Itoa(n)))
	}
	num := func(p *float64) any {
		if p == nil {
			return ""
		}
		return *p
	}
	pct := func(p *float64) any {
		if p == nil {
			return ""
		}
		return math.Round(*p*10000) / 100
	}
	row := func(label string, b stats.Bucket) []any {
		start, _ := time.Parse(time.DateOnly, b.Start)
		end := start.AddDate(0, 0, b.Days-1).Format(time.DateOnly)
		if label == "" {
			label = b.Start
			if b.Days > 1 || res.Bucket == "week" {
				label += " – " + end
			}
		}
		r := []any{label, b.Start, end, int64(b.Days)}
		if res.Group != stats.GroupNone {
			group := ""
			if b.GroupKey != nil {
				group = *b.GroupKey
				if n, ok := names[group]; ok {
					group = n
				} else {
					group = "#" + group
				}
			}
			r = append(r, group)
		}
		var p90 any = ""
		switch {
		case b.FRTP90S != nil && *b.FRTP90S > stats.Bounds[len(stats.Bounds)-1]:
			// Past the last bound: "over a day", as the console writes it,
			// not its stand-in 172800 (48 hours, which nobody measured).
			p90 = cat["stats.over_day"]
		case b.FRTP90S != nil:
			p90 = *b.FRTP90S
		}
		r = append(r, b.Inflow, b.Completed, pct(b.SameDayRate), b.Unprocessed, b.RobotResolved, b.Transfers,
			num(b.FRTAvgS), p90, num(b.DurationAvgS), num(b.QueueAvgS), num(b.RatingAvg), pct(b.RatingRate))
		for n := 4; n >= 0; n-- {
			r = append(r, b.RatingCounts[n])
		}
		return r
	}
	var rows [][]any
	for _, b := range res.Buckets {
		rows = append(rows, row("", b))
	}
	if res.Total != nil {
		rows = append(rows, row(cat["stats.total"], *res.Total))
	}
	if res.Previous != nil {
		rows = append(rows, row(cat["stats.previous"], *res.Previous))
	}
	return header, rows
}
