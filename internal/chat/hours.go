package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // time zones must resolve on hosts without zoneinfo
)

// DefaultTimeZone is where a workspace's hours are reckoned unless it says
// otherwise (§6).
const DefaultTimeZone = "Asia/Seoul"

// BusinessHours is a workspace's weekly schedule (§6). Days is indexed by
// time.Weekday: Sunday first.
type BusinessHours struct {
	AlwaysOpen bool   `json:"always_open"`
	TimeZone   string `json:"time_zone"`
	// Days holds exactly seven entries, Sunday first.
	Days []DayHours `json:"days"`
	// Holidays are closed all day, as YYYY-MM-DD in the workspace's zone.
	Holidays []string `json:"holidays"`
}

// DayHours is one weekday's opening, as "HH:MM" times. End is exclusive;
// an optional lunch break closes [LunchStart, LunchEnd). An end earlier
// than the start runs into the next day (22:00–02:00, a night desk): the
// hours after midnight are the day's, and its lunch break may fall on
// either side of midnight.
type DayHours struct {
	Open       bool   `json:"open"`
	Start      string `json:"start,omitempty"`
	End        string `json:"end,omitempty"`
	LunchStart string `json:"lunch_start,omitempty"`
	LunchEnd   string `json:"lunch_end,omitempty"`
}

// UnmarshalJSON reads a day whole. Decoded over a day already there — the
// defaults the store decodes saved settings over, or the current settings
// a patch is decoded over — a day would keep what its JSON leaves out: the
// lunch break, which a day without one leaves out (omitempty), came back
// on every read, and {} in a patch kept the day as it was. Unknown fields
// are refused, as in the request around it.
func (d *DayHours) UnmarshalJSON(data []byte) error {
	type plain DayHours
	var day plain
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&day); err != nil {
		return err
	}
	*d = DayHours(day)
	return nil
}

// DefaultBusinessHours is weekdays 09:00–18:00 with lunch 12:00–13:00, in
// Seoul, as Korean support desks usually open.
func DefaultBusinessHours() BusinessHours {
	b := BusinessHours{TimeZone: DefaultTimeZone, Days: make([]DayHours, 7), Holidays: []string{}}
	for d := time.Monday; d <= time.Friday; d++ {
		b.Days[d] = DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "12:00", LunchEnd: "13:00"}
	}
	return b
}

// clock parses "HH:MM", two digits each, into minutes since midnight;
// "24:00" is allowed as an end.
func clock(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	for _, i := range []int{0, 1, 3, 4} {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not HH:MM", s)
		}
	}
	h, m := int(s[0]-'0')*10+int(s[1]-'0'), int(s[3]-'0')*10+int(s[4]-'0')
	if h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("%q is not a time of day", s)
	}
	return h*60 + m, nil
}

// Validate reports the first thing wrong with b as an invalid_input error.
func (b BusinessHours) Validate() error {
	// "Local" loads too, as whatever zone each server runs in: not a place.
	if _, err := time.LoadLocation(b.TimeZone); err != nil || b.TimeZone == "" || b.TimeZone == "Local" {
		return Errorf(ErrInvalid, "unknown time zone %q; use an IANA name such as Asia/Seoul", b.TimeZone)
	}
	if len(b.Days) != 7 {
		return Errorf(ErrInvalid, "days must list the seven weekdays, Sunday first")
	}
	if b.Holidays == nil {
		return Errorf(ErrInvalid, "holidays must be a list (empty for none)")
	}
	for d, day := range b.Days {
		if err := day.validate(); err != nil {
			return Errorf(ErrInvalid, "%s: %s", time.Weekday(d).String(), err)
		}
	}
	if len(b.Holidays) > 366 {
		return Errorf(ErrInvalid, "at most 366 holidays")
	}
	for _, h := range b.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return Errorf(ErrInvalid, "holiday %q must be a date like 2026-01-01", h)
		}
	}
	return nil
}

func (d DayHours) validate() *Error {
	if !d.Open {
		return nil
	}
	start, err1 := clock(d.Start)
	end, err2 := clock(d.End)
	if err1 != nil || err2 != nil {
		return Errorf(ErrInvalid, "opening hours must be HH:MM to HH:MM")
	}
	if start == end || start == 24*60 {
		return Errorf(ErrInvalid, "opening %s and closing %s leave no hours open", d.Start, d.End)
	}
	if d.LunchStart == "" && d.LunchEnd == "" {
		return nil
	}
	ls, err1 := clock(d.LunchStart)
	le, err2 := clock(d.LunchEnd)
	if err1 != nil || err2 != nil {
		return Errorf(ErrInvalid, "the lunch break must be HH:MM to HH:MM")
	}
	s, e := d.shift()
	if l1, l2 := s.after(ls), s.after(le); l1 >= l2 || l2 > e {
		return Errorf(ErrInvalid, "the lunch break %s–%s must lie inside %s–%s", d.LunchStart, d.LunchEnd, d.Start, d.End)
	}
	return nil
}

// minute is a time in minutes from the midnight that starts a day's
// opening: past 24*60 it is on the next day.
type minute int

// after is clock time m (minutes since midnight) as the first minute from
// s on: on the next day when it is earlier than s.
func (s minute) after(m int) minute {
	if minute(m) < s {
		return minute(m) + 24*60
	}
	return minute(m)
}

// shift is a valid open day's opening [start, end), end past midnight
// when the day runs into the next.
func (d DayHours) shift() (start, end minute) {
	st, _ := clock(d.Start)
	en, _ := clock(d.End)
	start = minute(st)
	end = minute(en)
	if end <= start {
		end += 24 * 60
	}
	return start, end
}

// openAt reports whether the day's opening, lunch break apart, holds
// minute m of it (past 24*60 for the next day's early hours).
func (d DayHours) openAt(m minute) bool {
	if !d.Open {
		return false
	}
	start, end := d.shift()
	if m < start || m >= end {
		return false
	}
	if d.LunchStart != "" {
		ls, _ := clock(d.LunchStart)
		le, _ := clock(d.LunchEnd)
		if m >= start.after(ls) && m < start.after(le) {
			return false
		}
	}
	return true
}

// IsOpen reports whether the desk is open at t. It assumes b is valid.
func (b BusinessHours) IsOpen(t time.Time) bool {
	if b.AlwaysOpen {
		return true
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return false
	}
	t = t.In(loc)
	if len(b.Days) != 7 {
		return false
	}
	holiday := func(t time.Time) bool { return slices.Contains(b.Holidays, t.Format(time.DateOnly)) }
	// A holiday is closed all day: its own hours, and those the day
	// before runs into it.
	if holiday(t) {
		return false
	}
	now := minute(t.Hour()*60 + t.Minute())
	if b.Days[t.Weekday()].openAt(now) {
		return true
	}
	// The day before may run past midnight into today; a holiday's hours
	// do not open, those after its midnight neither.
	y, m, d := t.Date()
	before := time.Date(y, m, d-1, 12, 0, 0, 0, loc)
	return !holiday(before) && b.Days[before.Weekday()].openAt(now+24*60)
}

// NextOpen is the next instant from t at which the desk opens: a day's
// start or the end of its lunch break, past holidays and closed days. It
// is false when the desk is open at t, always open, or never opens (no
// day open, or a year of holidays ahead). It assumes b is valid.
func (b BusinessHours) NextOpen(t time.Time) (time.Time, bool) {
	if b.AlwaysOpen || len(b.Days) != 7 || b.IsOpen(t) {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation(b.TimeZone)
	if err != nil {
		return time.Time{}, false
	}
	t = t.In(loc)
	holiday := make(map[string]bool, len(b.Holidays))
	for _, h := range b.Holidays {
		holiday[h] = true
	}
	// Holidays are at most 366 dates (Validate), so a year and a week is
	// enough to pass them all and reach an open weekday. The day before
	// comes first: its night may reopen after today's midnight.
	for i := -1; i < 366+7; i++ {
		day := time.Date(t.Year(), t.Month(), t.Day()+i, 12, 0, 0, 0, loc)
		d := b.Days[day.Weekday()]
		if !d.Open || holiday[day.Format(time.DateOnly)] {
			continue
		}
		start, _ := d.shift()
		opens := []minute{start}
		if d.LunchStart != "" {
			le, _ := clock(d.LunchEnd)
			opens = append(opens, start.after(le)) // the next day's, after midnight
		}
		for _, m := range opens {
			at := time.Date(day.Year(), day.Month(), day.Day(), int(m)/60, int(m)%60, 0, 0, loc)
			if at.After(t) && b.IsOpen(at) {
				return at, true
			}
		}
	}
	return time.Time{}, false
}

// DayStart is the first instant of local day y-m-d in loc: its midnight,
// or, where the clocks go forward at midnight (America/Santiago,
// America/Havana), the moment they do, since that day has no 00:00
// (time.Date may then answer 23:00 of the day before).
func DayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	if t := time.Date(y, m, d, 0, 0, 0, 0, loc); t.Day() == d {
		return t
	}
	start, _ := time.Date(y, m, d, 12, 0, 0, 0, loc).ZoneBounds()
	return start
}

// ParseDay reads a date (2026-11-30) as the first instant of that day in
// loc, or, with end, of the day after: a period's bounds, the last day
// included.
func ParseDay(s string, loc *time.Location, end bool) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, err
	}
	if end {
		d = d.AddDate(0, 0, 1)
	}
	return DayStart(d.Year(), d.Month(), d.Day(), loc), nil
}
