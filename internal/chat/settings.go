package chat

import (
	"time"
	"unicode/utf8"
)

// AssignmentMode says how conversations reach agents (§3.2).
type AssignmentMode string

// Assignment modes.
const (
	// AssignManual: conversations queue; agents take them ("Assign to me").
	AssignManual AssignmentMode = "manual"
	// AssignAuto: Sodam assigns at once; agents cannot take from the queue.
	AssignAuto AssignmentMode = "auto"
	// AssignHybrid: Sodam assigns, and agents may also take from the queue.
	AssignHybrid AssignmentMode = "hybrid"
)

// Settings are a workspace's conversation and routing rules (§2, §3, §6).
type Settings struct {
	AssignmentMode AssignmentMode `json:"assignment_mode"`
	// DefaultCapacity is how many open conversations an agent holds at once
	// unless their membership overrides it.
	DefaultCapacity int `json:"default_capacity"`
	// Sticky gives a returning customer to the agent who last served them
	// within StickyWindowMinutes.
	Sticky              bool `json:"sticky"`
	StickyWindowMinutes int  `json:"sticky_window_minutes"`
	// InactivityTimeoutMinutes closes a conversation whose customer has not
	// answered the agent's last message for this long; 0 never does.
	InactivityTimeoutMinutes int `json:"inactivity_timeout_minutes"`
	// AutoOfflineMinutes takes an agent offline once all their console
	// connections have been gone this long.
	AutoOfflineMinutes int `json:"auto_offline_minutes"`
	// OperationStopped stops all agent sending and turns the widget to
	// leave-a-message (§6).
	OperationStopped bool          `json:"operation_stopped"`
	Hours            BusinessHours `json:"business_hours"`
	// Greeting is sent as a system message when a chat starts; "" sends none.
	Greeting string `json:"greeting"`
	// RatingRequest is the rating request's wording; "" uses the catalog's.
	RatingRequest string `json:"rating_request"`
	// Attachments say which files visitors and agents may send (§3.4).
	Attachments AttachmentSettings `json:"attachments"`
	// Widget is the widget's look: launcher side and offset, language,
	// and wording per language.
	Widget WidgetLook `json:"widget"`
	// PII is what Sodam does with personal information in messages (§11).
	PII PIISettings `json:"pii"`
	// Robot, when enabled, answers new conversations first (§8.2).
	Robot RobotSettings `json:"robot"`
}

// Limits of the settings.
const (
	MaxCapacity          = 100
	MaxStickyWindow      = 30 * 24 * 60
	MaxInactivityTimeout = 7 * 24 * 60
	MaxAutoOffline       = 24 * 60
)

// DefaultSettings are a new workspace's settings: manual assignment, five
// conversations per agent, always open (the weekday schedule is prepared for
// when the desk switches it on).
func DefaultSettings() Settings {
	h := DefaultBusinessHours()
	h.AlwaysOpen = true
	return Settings{
		AssignmentMode:           AssignManual,
		DefaultCapacity:          5,
		StickyWindowMinutes:      24 * 60,
		InactivityTimeoutMinutes: 30,
		AutoOfflineMinutes:       5,
		Hours:                    h,
		Attachments:              DefaultAttachmentSettings(),
		Widget:                   DefaultWidgetLook(),
		PII:                      DefaultPIISettings(),
	}
}

// Validate reports the first thing wrong with s as an invalid_input error.
func (s Settings) Validate() error {
	switch s.AssignmentMode {
	case AssignManual, AssignAuto, AssignHybrid:
	default:
		return Errorf(ErrInvalid, "assignment_mode must be manual, auto or hybrid")
	}
	if err := CheckCapacity(s.DefaultCapacity); err != nil {
		return err
	}
	if s.StickyWindowMinutes < 1 || s.StickyWindowMinutes > MaxStickyWindow {
		return Errorf(ErrInvalid, "sticky_window_minutes must be 1 to %d", MaxStickyWindow)
	}
	if s.InactivityTimeoutMinutes < 0 || s.InactivityTimeoutMinutes > MaxInactivityTimeout {
		return Errorf(ErrInvalid, "inactivity_timeout_minutes must be 0 (never) to %d", MaxInactivityTimeout)
	}
	if s.AutoOfflineMinutes < 1 || s.AutoOfflineMinutes > MaxAutoOffline {
		return Errorf(ErrInvalid, "auto_offline_minutes must be 1 to %d", MaxAutoOffline)
	}
	if utf8.RuneCountInString(s.Greeting) > MaxGreeting || utf8.RuneCountInString(s.RatingRequest) > MaxGreeting {
		return Errorf(ErrInvalid, "greeting and rating_request must be at most %d characters", MaxGreeting)
	}
	if err := s.Hours.Validate(); err != nil {
		return err
	}
	if err := s.Widget.Validate(); err != nil {
		return err
	}
	if err := s.PII.Validate(); err != nil {
		return err
	}
	return s.Attachments.Validate()
}

// CheckCapacity validates a capacity: a default or a member's override.
func CheckCapacity(n int) error {
	if n < 0 || n > MaxCapacity {
		return Errorf(ErrInvalid, "capacity must be 0 to %d", MaxCapacity)
	}
	return nil
}

// CapacityOf is a member's capacity under s.
func (s Settings) CapacityOf(m Member) int {
	if m.Capacity != nil {
		return *m.Capacity
	}
	return s.DefaultCapacity
}

// Routes reports whether Sodam assigns conversations itself.
func (s Settings) Routes() bool { return s.AssignmentMode != AssignManual }

// AgentsTake reports whether agents may take conversations from the queue.
func (s Settings) AgentsTake() bool { return s.AssignmentMode != AssignAuto }

// Availability says whether a visitor can chat now, or why not.
type Availability string

// Availabilities, as the widget shows them.
const (
	Available          Availability = "available"
	UnavailableStopped Availability = "operation_stopped"
	UnavailableHours   Availability = "outside_hours"
	UnavailableNobody  Availability = "nobody_online"
)

// AvailabilityAt decides whether chats are taken at now given how many
// agents are online: otherwise the widget offers leave-a-message (§1.1, §7).
func (s Settings) AvailabilityAt(now time.Time, online int) Availability {
	switch {
	case s.OperationStopped:
		return UnavailableStopped
	case !s.Hours.IsOpen(now):
		return UnavailableHours
	case online == 0:
		return UnavailableNobody
	}
	return Available
}

// Location is the workspace's time zone (§15), in which days, hours and
// every time shown are reckoned; Asia/Seoul when unset or unknown.
func (s Settings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.Hours.TimeZone); err == nil && s.Hours.TimeZone != "" {
		return loc
	}
	loc, err := time.LoadLocation(DefaultTimeZone)
	if err != nil {
		return time.FixedZone("KST", 9*3600) // no zone database: Seoul has no daylight saving
	}
	return loc
}
