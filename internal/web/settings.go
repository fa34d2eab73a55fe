package web

import (
	"net/http"
	"strconv"

	"github.com/resonant-journal/resonant/internal/accounts"
)

type settingsData struct {
	Tokens   []accounts.AccessToken
	NewToken *accounts.AccessToken // just created: shown this once
	Provider string
}

// settings is GET /settings.
func (w *Web) settings(rw http.ResponseWriter, r *http.Request) {
	p, err := w.settingsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "settings", p)
}

// settingsPage loads the settings page with the forms filled from the
// user's current values; a submitted form's input then replaces them.
func (w *Web) settingsPage(rw http.ResponseWriter, r *http.Request) (*page, error) {
	p, err := w.newPage(rw, r, "Settings")
	if err != nil {
		return nil, err
	}
	p.Nav = "settings"
	tokens, err := w.acc.AccessTokens(r.Context(), p.User.ID)
	if err != nil {
		return nil, err
	}
	p.Data = &settingsData{Tokens: tokens, Provider: w.provider}
	u, f := p.User, p.Form
	f.Set("name", u.Name)
	f.Set("timezone", u.Preferences.Timezone)
	f.Set("reminderTime", u.Preferences.ReminderTime)
	f.Set("theme", u.Preferences.Theme)
	f.Set("retentionDays", strconv.Itoa(u.Preferences.RetentionDays))
	if u.Preferences.AIConsent {
		f.Set("aiConsent", "on")
	}
	if u.FeatureFlags.SmartReminders {
		f.Set("reminders", "on")
	}
	return p, nil
}

// settingsSubmit parses a settings form into the page and runs save.
func (w *Web) settingsSubmit(rw http.ResponseWriter, r *http.Request, section, flash string, save func(p *page) error) {
	p, err := w.settingsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	// An unticked box is absent from the form: drop the current value.
	switch section {
	case "privacy":
		p.Form.Del("aiConsent")
	case "preferences":
		p.Form.Del("reminders")
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "settings", p)
		return
	}
	p.Form.Del("password")
	if err := save(p); err != nil {
		w.fail(rw, r, p, "settings", err)
		return
	}
	w.redirect(rw, r, "/settings#"+section, flash)
}

// settingsProfile is POST /settings/profile.
func (w *Web) settingsProfile(rw http.ResponseWriter, r *http.Request) {
	w.settingsSubmit(rw, r, "profile", "profile-saved", func(p *page) error {
		name := r.PostFormValue("name")
		_, err := w.acc.UpdateProfile(r.Context(), p.User.ID, accounts.ProfilePatch{Name: &name})
		return err
	})
}

// settingsPreferences is POST /settings/preferences.
func (w *Web) settingsPreferences(rw http.ResponseWriter, r *http.Request) {
	w.settingsSubmit(rw, r, "preferences", "prefs-saved", func(p *page) error {
		tz, at, theme := r.PostFormValue("timezone"), r.PostFormValue("reminderTime"), r.PostFormValue("theme")
		_, err := w.acc.UpdateProfile(r.Context(), p.User.ID, accounts.ProfilePatch{Preferences: &accounts.PreferencesPatch{
			Timezone: &tz, ReminderTime: &at, Theme: &theme}})
		if err != nil {
			return unprefix(err, "preferences.")
		}
		return w.setReminders(r, p, checkbox(r, "reminders"))
	})
}

// setReminders switches the user's email reminders (the smartReminders
// flag) when the form changed it.
func (w *Web) setReminders(r *http.Request, p *page, on bool) error {
	if p.User.FeatureFlags.SmartReminders == on {
		return nil
	}
	_, err := w.acc.SetFlag(r.Context(), p.User.Email, "smartReminders", on)
	return err
}

// settingsPrivacy is POST /settings/privacy: AI consent and retention.
func (w *Web) settingsPrivacy(rw http.ResponseWriter, r *http.Request) {
	w.settingsSubmit(rw, r, "privacy", "privacy-saved", func(p *page) error {
		consent := checkbox(r, "aiConsent")
		patch := &accounts.PreferencesPatch{AIConsent: &consent}
		days, err := strconv.Atoi(r.PostFormValue("retentionDays"))
		if err != nil {
			return validateField("retentionDays", "must be a whole number of days (0 keeps entries forever)")
		}
		patch.RetentionDays = &days
		_, err = w.acc.UpdateProfile(r.Context(), p.User.ID, accounts.ProfilePatch{Preferences: patch})
		return unprefix(err, "preferences.")
	})
}
