package accounts

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	_ "time/tzdata" // IANA names must validate on hosts without a zoneinfo database

	"github.com/resonant-journal/resonant/internal/validate"
)

// Preferences are what the onboarding wizard collects.
type Preferences struct {
	Timezone      string `json:"timezone"`      // IANA name
	ReminderTime  string `json:"reminderTime"`  // HH:MM, 24-hour, in Timezone
	AIConsent     bool   `json:"aiConsent"`     // consent to send entries to an external AI provider
	RetentionDays int    `json:"retentionDays"` // 0 = keep forever
	Theme         string `json:"theme"`         // system|light|dark
}

// DefaultPreferences are a new user's preferences: no AI consent until the
// user gives it explicitly.
func DefaultPreferences() Preferences {
	return Preferences{Timezone: "UTC", ReminderTime: "20:00", AIConsent: false, RetentionDays: 0, Theme: "system"}
}

// PreferencesPatch changes the preferences it names.
type PreferencesPatch struct {
	Timezone      *string `json:"timezone,omitempty"`
	ReminderTime  *string `json:"reminderTime,omitempty"`
	AIConsent     *bool   `json:"aiConsent,omitempty"`
	RetentionDays *int    `json:"retentionDays,omitempty"`
	Theme         *string `json:"theme,omitempty"`
}

// MaxRetentionDays is ten years.
const MaxRetentionDays = 3650

var reminderPattern = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// apply validates the patch and returns p with it applied; errors name
// fields as prefix + the JSON name.
func (pp *PreferencesPatch) apply(p Preferences, prefix string, errs validate.Errors) Preferences {
	if pp == nil {
		return p
	}
	if pp.Timezone != nil {
		tz := strings.TrimSpace(*pp.Timezone)
		if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" || len(tz) > 64 {
			errs.Add(prefix+"timezone", "must be an IANA time zone such as Europe/Paris")
		} else {
			p.Timezone = tz
		}
	}
	if pp.ReminderTime != nil {
		if !reminderPattern.MatchString(*pp.ReminderTime) {
			errs.Add(prefix+"reminderTime", "must be a time of day as HH:MM (00:00 to 23:59)")
		} else {
			p.ReminderTime = *pp.ReminderTime
		}
	}
	if pp.AIConsent != nil {
		p.AIConsent = *pp.AIConsent
	}
	if pp.RetentionDays != nil {
		if *pp.RetentionDays < 0 || *pp.RetentionDays > MaxRetentionDays {
			errs.Add(prefix+"retentionDays", fmt.Sprintf("must be 0 (keep forever) to %d", MaxRetentionDays))
		} else {
			p.RetentionDays = *pp.RetentionDays
		}
	}
	if pp.Theme != nil {
		switch *pp.Theme {
		case "system", "light", "dark":
			p.Theme = *pp.Theme
		default:
			errs.Add(prefix+"theme", "must be system, light or dark")
		}
	}
	return p
}

// decodePreferences reads stored preferences over the defaults, so a
// preference added later has its default for older users.
func decodePreferences(s string) Preferences {
	p := DefaultPreferences()
	_ = json.Unmarshal([]byte(s), &p)
	return p
}

// FeatureFlags are the per-user feature switches (DESIGN.md §1).
type FeatureFlags struct {
	AdvancedAnalytics    bool `json:"advancedAnalytics"`
	VoiceJournaling      bool `json:"voiceJournaling"`
	SmartReminders       bool `json:"smartReminders"`
	ConversationStarters bool `json:"conversationStarters"`
	RelationshipGoals    bool `json:"relationshipGoals"`
	BetaFeatures         bool `json:"betaFeatures"`
}

// DefaultFeatureFlags are a new user's flags.
func DefaultFeatureFlags() FeatureFlags { return FeatureFlags{SmartReminders: true} }

// FlagNames lists every feature flag by its JSON name.
var FlagNames = []string{"advancedAnalytics", "voiceJournaling", "smartReminders", "conversationStarters", "relationshipGoals", "betaFeatures"}

// Set sets the flag called name; unknown names are an error.
func (f *FeatureFlags) Set(name string, v bool) error {
	switch name {
	case "advancedAnalytics":
		f.AdvancedAnalytics = v
	case "voiceJournaling":
		f.VoiceJournaling = v
	case "smartReminders":
		f.SmartReminders = v
	case "conversationStarters":
		f.ConversationStarters = v
	case "relationshipGoals":
		f.RelationshipGoals = v
	case "betaFeatures":
		f.BetaFeatures = v
	default:
		return validate.Field("flag", "must be one of "+strings.Join(FlagNames, ", "))
	}
	return nil
}

func decodeFlags(s string) FeatureFlags {
	f := DefaultFeatureFlags()
	_ = json.Unmarshal([]byte(s), &f)
	return f
}

// Tiers.
const (
	TierFree    = "free"
	TierPremium = "premium"
)

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // plain structs of strings, bools and ints always marshal
	}
	return string(b)
}
