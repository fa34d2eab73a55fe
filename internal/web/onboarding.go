package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// The onboarding wizard's steps, in order. Each step's form saves what it
// collected and moves on, so leaving halfway loses nothing.
var onboardingSteps = []struct{ Key, Title string }{
	{"about", "About you"},
	{"relationship", "First relationship"},
	{"privacy", "Privacy and AI"},
	{"reminder", "Reminder"},
}

type onboardingData struct {
	Step          string
	Number        int
	Steps         []struct{ Key, Title string }
	Relationships []store.Relationship
	Kinds         []string
	Provider      string
}

var relationshipKinds = []string{"partner", "family", "friend", "colleague", "other"}

// onboarding is GET /onboarding[?step=…].
func (w *Web) onboarding(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Getting started")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	step := r.URL.Query().Get("step")
	if err := w.onboardingPage(r, p, step); err != nil {
		w.failPage(rw, r, err)
		return
	}
	u := p.User
	switch step {
	case "", "about":
		p.Scripts = []string{"timezone.js"}
		p.Form.Set("name", u.Name)
		p.Form.Set("timezone", u.Preferences.Timezone)
	case "reminder":
		p.Form.Set("reminderTime", u.Preferences.ReminderTime)
		p.Form.Set("theme", u.Preferences.Theme)
		if u.FeatureFlags.SmartReminders {
			p.Form.Set("reminders", "on")
		}
	case "privacy":
		if u.Preferences.AIConsent {
			p.Form.Set("aiConsent", "on")
		}
	}
	w.render(rw, r, http.StatusOK, "onboarding", p)
}

// onboardingPage fills in the wizard's data for step.
func (w *Web) onboardingPage(r *http.Request, p *page, step string) error {
	d := &onboardingData{Step: "about", Steps: onboardingSteps, Kinds: relationshipKinds, Provider: w.provider}
	for i, s := range onboardingSteps {
		if s.Key == step {
			d.Step, d.Number = step, i
		}
	}
	d.Number++
	if d.Step == "relationship" {
		rels, err := w.allRelationships(r.Context(), p.User.ID)
		if err != nil {
			return err
		}
		d.Relationships = rels
	}
	p.Title = "Getting started: " + onboardingSteps[d.Number-1].Title
	p.Data = d
	return nil
}

// onboardingSubmit runs one step's save; on success it goes to next.
func (w *Web) onboardingSubmit(rw http.ResponseWriter, r *http.Request, step, next string, save func(p *page) error) {
	p, err := w.newPage(rw, r, "Getting started")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if err := w.onboardingPage(r, p, step); err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "onboarding", p)
		return
	}
	if err := save(p); err != nil {
		w.fail(rw, r, p, "onboarding", err)
		return
	}
	if next == "" {
		w.redirect(rw, r, "/entries/new", "welcome")
		return
	}
	http.Redirect(rw, r, "/onboarding?step="+next, http.StatusSeeOther)
}

// onboardingAbout is POST /onboarding/about: name and time zone.
func (w *Web) onboardingAbout(rw http.ResponseWriter, r *http.Request) {
	w.onboardingSubmit(rw, r, "about", "relationship", func(p *page) error {
		name, tz := r.PostFormValue("name"), r.PostFormValue("timezone")
		_, err := w.acc.UpdateProfile(r.Context(), p.User.ID, accounts.ProfilePatch{Name: &name,
			Preferences: &accounts.PreferencesPatch{Timezone: &tz}})
		return unprefix(err, "preferences.")
	})
}

// onboardingRelationship is POST /onboarding/relationship: the first
// relationship (or, with skip, keep the ones already added).
func (w *Web) onboardingRelationship(rw http.ResponseWriter, r *http.Request) {
	w.onboardingSubmit(rw, r, "relationship", "privacy", func(p *page) error {
		if r.PostFormValue("skip") != "" && len(p.Data.(*onboardingData).Relationships) > 0 {
			return nil
		}
		_, err := w.journal.CreateRelationship(r.Context(), p.User.ID, relationshipInput(r))
		return err
	})
}

// onboardingPrivacy is POST /onboarding/privacy: consent to an external AI.
func (w *Web) onboardingPrivacy(rw http.ResponseWriter, r *http.Request) {
	w.onboardingSubmit(rw, r, "privacy", "reminder", func(p *page) error {
		consent := checkbox(r, "aiConsent")
		_, err := w.acc.UpdateProfile(r.Context(), p.User.ID, accounts.ProfilePatch{Preferences: &accounts.PreferencesPatch{AIConsent: &consent}})
		return unprefix(err, "preferences.")
	})
}

// onboardingReminder is POST /onboarding/reminder: reminder time and
// theme; completes onboarding and opens the first entry.
func (w *Web) onboardingReminder(rw http.ResponseWriter, r *http.Request) {
	w.onboardingSubmit(rw, r, "reminder", "", func(p *page) error {
		at, theme := r.PostFormValue("reminderTime"), r.PostFormValue("theme")
		if err := w.setReminders(r, p, checkbox(r, "reminders")); err != nil {
			return err
		}
		_, err := w.acc.CompleteOnboarding(r.Context(), p.User.ID, &accounts.PreferencesPatch{ReminderTime: &at, Theme: &theme})
		return unprefix(err, "preferences.")
	})
}

// relationshipInput reads the relationship form.
func relationshipInput(r *http.Request) journal.RelationshipInput {
	name, kind, notes := r.PostFormValue("name"), r.PostFormValue("kind"), r.PostFormValue("notes")
	return journal.RelationshipInput{Name: &name, Kind: &kind, Notes: &notes}
}
