package chat

import (
	"testing"
	"time"
)

// seoulClock reads "2026-11-23 09:00" as that time in Seoul.
func seoulClock(t *testing.T) (*time.Location, func(string) time.Time) {
	seoul, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	return seoul, func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, seoul)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
}

func TestBusinessHoursIsOpen(t *testing.T) {
	_, at := seoulClock(t)
	b := DefaultBusinessHours()
	b.Holidays = []string{"2026-12-25"}
	// 2026-11-23 is a Monday; 2026-11-22 a Sunday; 2026-12-25 a Friday.
	for _, tt := range []struct {
		when string
		want bool
	}{
		{"2026-11-23 08:59", false},
		{"2026-11-23 09:00", true},
		{"2026-11-23 11:59", true},
		{"2026-11-23 12:00", false}, // lunch
		{"2026-11-23 12:59", false},
		{"2026-11-23 13:00", true},
		{"2026-11-23 17:59", true},
		{"2026-11-23 18:00", false}, // end is exclusive
		{"2026-11-22 10:00", false}, // Sunday
		{"2026-12-25 10:00", false}, // holiday
		{"2026-12-24 10:00", true},
	} {
		if got := b.IsOpen(at(tt.when)); got != tt.want {
			t.Errorf("IsOpen(%s) = %v, want %v", tt.when, got, tt.want)
		}
	}
	// The same instant in UTC is judged in the workspace's zone: Monday
	// 00:30 UTC is 09:30 in Seoul.
	if !b.IsOpen(time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)) {
		t.Error("instant not converted to the workspace's zone")
	}
	b.TimeZone = "America/New_York"
	if b.IsOpen(time.Date(2026, 11, 23, 0, 30, 0, 0, time.UTC)) {
		t.Error("Sunday evening in New York reported open")
	}
	if !(BusinessHours{AlwaysOpen: true, TimeZone: "UTC"}).IsOpen(at("2026-11-22 03:00")) {
		t.Error("always open closed")
	}
	b = DefaultBusinessHours()
	b.Days[time.Saturday] = DayHours{Open: true, Start: "10:00", End: "24:00"}
	if !b.IsOpen(at("2026-11-28 23:59")) {
		t.Error("24:00 end")
	}
}

func TestBusinessHoursValidate(t *testing.T) {
	day := func(d DayHours) BusinessHours {
		b := DefaultBusinessHours()
		b.Days[time.Monday] = d
		return b
	}
	for _, tt := range []struct {
		name string
		b    BusinessHours
		ok   bool
	}{
		{"default", DefaultBusinessHours(), true},
		{"closed day needs no hours", day(DayHours{}), true},
		{"no lunch", day(DayHours{Open: true, Start: "09:00", End: "18:00"}), true},
		{"unknown zone", BusinessHours{TimeZone: "Mars/Olympus"}, false},
		{"the server's zone", BusinessHours{TimeZone: "Local", Days: make([]DayHours, 7), Holidays: []string{}}, false},
		{"empty zone", BusinessHours{}, false},
		// An end before the start runs into the next day (a night desk).
		{"overnight", day(DayHours{Open: true, Start: "18:00", End: "09:00"}), true},
		{"overnight to midnight", day(DayHours{Open: true, Start: "18:00", End: "00:00"}), true},
		{"overnight lunch across midnight", day(DayHours{Open: true, Start: "20:00", End: "04:00", LunchStart: "23:30", LunchEnd: "00:30"}), true},
		{"overnight lunch after midnight", day(DayHours{Open: true, Start: "20:00", End: "04:00", LunchStart: "01:00", LunchEnd: "02:00"}), true},
		{"overnight lunch outside", day(DayHours{Open: true, Start: "20:00", End: "04:00", LunchStart: "03:30", LunchEnd: "04:30"}), false},
		{"overnight lunch in the closed hours", day(DayHours{Open: true, Start: "20:00", End: "04:00", LunchStart: "12:00", LunchEnd: "13:00"}), false},
		{"opening at 24:00", day(DayHours{Open: true, Start: "24:00", End: "02:00"}), false},
		{"start equals end", day(DayHours{Open: true, Start: "09:00", End: "09:00"}), false},
		{"bad time", day(DayHours{Open: true, Start: "9:00", End: "18:00"}), false},
		{"hour 25", day(DayHours{Open: true, Start: "09:00", End: "25:00"}), false},
		// Stored as typed, these would show the console's time field empty.
		{"signed hour", day(DayHours{Open: true, Start: "+9:00", End: "18:00"}), false},
		{"spaced hour", day(DayHours{Open: true, Start: " 9:00", End: "18:00"}), false},
		{"negative zero", day(DayHours{Open: true, Start: "-0:30", End: "18:00"}), false},
		{"signed minute", day(DayHours{Open: true, Start: "09:00", End: "18:+5"}), false},
		{"lunch with a space", day(DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "12: 0", LunchEnd: "13:00"}), false},
		{"midnight to midnight", day(DayHours{Open: true, Start: "00:00", End: "24:00"}), true},
		{"24:30", day(DayHours{Open: true, Start: "09:00", End: "24:30"}), false},
		{"lunch outside hours", day(DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "08:00", LunchEnd: "09:30"}), false},
		{"lunch overlaps close", day(DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "17:30", LunchEnd: "18:30"}), false},
		{"lunch backwards", day(DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "13:00", LunchEnd: "12:00"}), false},
		{"half a lunch", day(DayHours{Open: true, Start: "09:00", End: "18:00", LunchStart: "12:00"}), false},
		{"bad holiday", BusinessHours{TimeZone: "UTC", Days: make([]DayHours, 7), Holidays: []string{"2026-13-01"}}, false},
		{"six days", BusinessHours{TimeZone: "UTC", Days: make([]DayHours, 6), Holidays: []string{}}, false},
		{"holidays null", BusinessHours{TimeZone: "UTC", Days: make([]DayHours, 7)}, false},
		{"all closed", BusinessHours{TimeZone: "UTC", Days: make([]DayHours, 7), Holidays: []string{}}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate()
			if (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v", err)
			}
			if err != nil && ErrorCode(err) != ErrInvalid {
				t.Fatalf("code %q", ErrorCode(err))
			}
		})
	}
}

// A day starts at its midnight, or where that day has none (the clocks go
// forward at midnight), when the clocks move; ParseDay's end is the next
// day's start.
func TestDayStart(t *testing.T) {
	seoul, _ := time.LoadLocation("Asia/Seoul")
	santiago, _ := time.LoadLocation("America/Santiago")
	for _, tt := range []struct {
		day  string
		loc  *time.Location
		end  bool
		want time.Time
	}{
		{"2026-12-03", seoul, false, time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)},
		{"2026-12-03", seoul, true, time.Date(2026, 12, 3, 15, 0, 0, 0, time.UTC)},
		{"2027-09-05", santiago, false, time.Date(2027, 9, 5, 4, 0, 0, 0, time.UTC)}, // 01:00 -03
		{"2027-09-04", santiago, true, time.Date(2027, 9, 5, 4, 0, 0, 0, time.UTC)},
		{"2027-09-06", santiago, false, time.Date(2027, 9, 6, 3, 0, 0, 0, time.UTC)},
	} {
		got, err := ParseDay(tt.day, tt.loc, tt.end)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseDay(%s, %s, %v) = %v, %v; want %v", tt.day, tt.loc, tt.end, got, err, tt.want)
		}
	}
	if _, err := ParseDay("2026-13-01", seoul, false); err == nil {
		t.Fatal("a 13th month accepted")
	}
}

func TestBusinessHoursNextOpen(t *testing.T) {
	seoul, at := seoulClock(t)
	b := DefaultBusinessHours()
	// 2026-12-25 (Friday) and 2026-12-28 (Monday) are holidays.
	b.Holidays = []string{"2026-12-25", "2026-12-28"}
	for _, tt := range []struct{ when, want string }{
		{"2026-11-23 08:59", "2026-11-23 09:00"}, // before Monday opens
		{"2026-11-23 09:00", ""},                 // open
		{"2026-11-23 12:30", "2026-11-23 13:00"}, // lunch
		{"2026-11-23 18:00", "2026-11-24 09:00"}, // after the end
		{"2026-11-27 19:30", "2026-11-30 09:00"}, // Friday night: Monday
		{"2026-11-22 10:00", "2026-11-23 09:00"}, // Sunday
		{"2026-12-24 18:30", "2026-12-29 09:00"}, // Christmas, the weekend, a Monday off
		{"2026-12-31 23:59", "2027-01-01 09:00"}, // across the year
	} {
		got, ok := b.NextOpen(at(tt.when))
		if tt.want == "" {
			if ok {
				t.Errorf("NextOpen(%s) = %v while open", tt.when, got)
			}
			continue
		}
		if !ok || !got.Equal(at(tt.want)) {
			t.Errorf("NextOpen(%s) = %v, %v; want %s", tt.when, got.In(seoul), ok, tt.want)
		}
	}
	// Judged in the workspace's zone whatever t's: Sunday 23:00 UTC is
	// Monday 08:00 in Seoul.
	if got, _ := b.NextOpen(time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)); !got.Equal(at("2026-11-23 09:00")) {
		t.Errorf("from UTC: %v", got)
	}
	// Never: always open, or no day open.
	always := b
	always.AlwaysOpen = true
	if _, ok := always.NextOpen(at("2026-11-22 10:00")); ok {
		t.Error("always open has a next opening")
	}
	closed := DefaultBusinessHours()
	closed.Days = make([]DayHours, 7)
	if _, ok := closed.NextOpen(at("2026-11-22 10:00")); ok {
		t.Error("a week with no open day has a next opening")
	}
}

// A night desk: a day whose end is before its start runs past midnight,
// its hours after midnight being that day's — with a lunch break on
// either side of midnight, holidays closing their date whole, and the
// next opening found from both days.
func TestBusinessHoursOvernight(t *testing.T) {
	seoul, at := seoulClock(t)
	b := BusinessHours{TimeZone: "Asia/Seoul", Days: make([]DayHours, 7), Holidays: []string{"2026-12-25"}}
	// Thursday and Friday nights 22:00–03:00 with a break 00:30–01:00;
	// Saturday 10:00–14:00. 2026-11-26 is a Thursday, 2026-12-25 a Friday.
	for _, d := range []time.Weekday{time.Thursday, time.Friday} {
		b.Days[d] = DayHours{Open: true, Start: "22:00", End: "03:00", LunchStart: "00:30", LunchEnd: "01:00"}
	}
	b.Days[time.Saturday] = DayHours{Open: true, Start: "10:00", End: "14:00"}
	if err := b.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		when string
		want bool
	}{
		{"2026-11-26 21:59", false},
		{"2026-11-26 22:00", true},
		{"2026-11-26 23:59", true},
		{"2026-11-27 00:00", true},  // Thursday's night, on Friday's date
		{"2026-11-27 00:30", false}, // the break
		{"2026-11-27 00:59", false},
		{"2026-11-27 01:00", true},
		{"2026-11-27 02:59", true},
		{"2026-11-27 03:00", false}, // end is exclusive
		{"2026-11-27 12:00", false}, // Friday's day: closed
		{"2026-11-27 22:30", true},  // Friday night
		{"2026-11-28 02:00", true},  // into Saturday
		{"2026-11-28 03:00", false},
		{"2026-11-28 10:00", true},
		{"2026-11-29 01:00", false}, // Saturday does not run past midnight
		{"2026-11-26 01:00", false}, // nor Wednesday
		// 2026-12-25 is a holiday: Thursday's night stops at its midnight,
		// and Friday's night does not open, after midnight neither.
		{"2026-12-24 23:00", true},
		{"2026-12-25 01:00", false},
		{"2026-12-25 22:30", false},
		{"2026-12-26 01:00", false},
		{"2026-12-26 10:00", true},
	} {
		if got := b.IsOpen(at(tt.when)); got != tt.want {
			t.Errorf("IsOpen(%s) = %v, want %v", tt.when, got, tt.want)
		}
	}
	for _, tt := range []struct{ when, want string }{
		{"2026-11-26 12:00", "2026-11-26 22:00"},
		{"2026-11-27 00:40", "2026-11-27 01:00"}, // the break's end, after midnight
		{"2026-11-27 03:00", "2026-11-27 22:00"},
		{"2026-11-28 03:30", "2026-11-28 10:00"},
		{"2026-11-28 14:00", "2026-12-03 22:00"},
		{"2026-12-25 00:10", "2026-12-26 10:00"}, // past the holiday
	} {
		got, ok := b.NextOpen(at(tt.when))
		if !ok || !got.Equal(at(tt.want)) {
			t.Errorf("NextOpen(%s) = %v, %v; want %s", tt.when, got.In(seoul), ok, tt.want)
		}
	}
}
