package chat

import (
	"testing"
	"time"
)

func TestSettingsValidate(t *testing.T) {
	mod := func(f func(*Settings)) Settings { s := DefaultSettings(); f(&s); return s }
	for _, tt := range []struct {
		name string
		s    Settings
		ok   bool
	}{
		{"defaults", DefaultSettings(), true},
		{"auto", mod(func(s *Settings) { s.AssignmentMode = AssignAuto }), true},
		{"no inactivity timeout", mod(func(s *Settings) { s.InactivityTimeoutMinutes = 0 }), true},
		{"zero capacity", mod(func(s *Settings) { s.DefaultCapacity = 0 }), true},
		{"unknown mode", mod(func(s *Settings) { s.AssignmentMode = "random" }), false},
		{"negative capacity", mod(func(s *Settings) { s.DefaultCapacity = -1 }), false},
		{"huge capacity", mod(func(s *Settings) { s.DefaultCapacity = MaxCapacity + 1 }), false},
		{"zero sticky window", mod(func(s *Settings) { s.StickyWindowMinutes = 0 }), false},
		{"negative timeout", mod(func(s *Settings) { s.InactivityTimeoutMinutes = -5 }), false},
		{"zero auto-offline", mod(func(s *Settings) { s.AutoOfflineMinutes = 0 }), false},
		{"bad hours", mod(func(s *Settings) { s.Hours.TimeZone = "Nowhere/Land" }), false},
		{"images only", mod(func(s *Settings) { s.Attachments.Extensions = FileExtensions{Image: []string{"png", "jpg"}} }), true},
		{"largest file", mod(func(s *Settings) { s.Attachments.MaxSizeMB = MaxFileSizeMB }), true},
		{"no files at all", mod(func(s *Settings) { s.Attachments.MaxSizeMB = 0 }), false},
		{"too large files", mod(func(s *Settings) { s.Attachments.MaxSizeMB = MaxFileSizeMB + 1 }), false},
		{"a program", mod(func(s *Settings) {
			s.Attachments.Extensions.Document = append(s.Attachments.Extensions.Document, "exe")
		}), false},
		{"an image as video", mod(func(s *Settings) { s.Attachments.Extensions.Video = []string{"png"} }), false},
		{"upper case", mod(func(s *Settings) { s.Attachments.Extensions.Image = []string{"PNG"} }), false},
		{"twice", mod(func(s *Settings) { s.Attachments.Extensions.Audio = []string{"mp3", "mp3"} }), false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); (err == nil) != tt.ok {
				t.Fatalf("Validate() = %v", err)
			}
		})
	}
}

func TestAvailability(t *testing.T) {
	monday10 := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC) // 10:00 in Seoul
	sunday := time.Date(2026, 11, 22, 1, 0, 0, 0, time.UTC)
	open := DefaultSettings()
	scheduled := DefaultSettings()
	scheduled.Hours.AlwaysOpen = false
	stopped := DefaultSettings()
	stopped.OperationStopped = true
	for _, tt := range []struct {
		name   string
		s      Settings
		now    time.Time
		online int
		want   Availability
	}{
		{"open with someone online", open, sunday, 1, Available},
		{"nobody online", open, monday10, 0, UnavailableNobody},
		{"in hours", scheduled, monday10, 2, Available},
		{"outside hours", scheduled, sunday, 2, UnavailableHours},
		{"stopped beats everything", stopped, monday10, 3, UnavailableStopped},
	} {
		if got := tt.s.AvailabilityAt(tt.now, tt.online); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	capped := 2
	if DefaultSettings().CapacityOf(Member{}) != 5 || DefaultSettings().CapacityOf(Member{Capacity: &capped}) != 2 {
		t.Error("CapacityOf")
	}
}
