package web

import (
	"encoding/json"
	"net/http"

	"github.com/resonant-journal/resonant/internal/store"
)

// patterns is the spec's patterns object as the page shows it.
type patterns struct {
	RecurringThemes      []string `json:"recurring_themes"`
	EmotionalTriggers    []string `json:"emotional_triggers"`
	CommunicationStyle   string   `json:"communication_style"`
	RelationshipDynamics []string `json:"relationship_dynamics"`
}

type entryData struct {
	Entry          store.Entry
	Status         *store.AnalysisStatus
	Analysis       *store.Analysis
	Patterns       patterns
	Relationship   string
	FallbackReason string
	Waiting        bool // queued or processing: the result is still to come
}

// fallbackReasons explain, in plain words, why the built-in analyzer ran.
var fallbackReasons = map[string]string{
	"api_timeout":    "the AI provider did not answer in time",
	"api_error":      "the AI provider answered with an error",
	"rate_limit":     "the AI provider is limiting how many requests it takes",
	"circuit_open":   "the AI provider has been failing, so it is paused for a while",
	"not_configured": "no AI provider is configured on this server",
	"no_consent":     "you have not consented to AI analysis (Settings → Privacy)",
	"private_entry":  "the entry is private",
}

// entryShow is GET /entries/{id}: the entry with its analysis and status.
func (w *Web) entryShow(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Entry")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	ctx := r.Context()
	v, err := w.journal.GetEntry(ctx, p.User.ID, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	d := entryData{Entry: v.Entry, Status: v.AnalysisStatus, Analysis: v.Analysis}
	if rel, err := w.journal.GetRelationship(ctx, p.User.ID, v.Entry.RelationshipID); err == nil {
		d.Relationship = rel.Name
	}
	if v.Analysis != nil && len(v.Analysis.Patterns) > 0 {
		_ = json.Unmarshal(v.Analysis.Patterns, &d.Patterns) // a shape we do not know shows no patterns
	}
	if st := v.AnalysisStatus; st != nil {
		d.Waiting = st.Status == store.AnalysisQueued || st.Status == store.AnalysisProcessing
		if st.FallbackReason != "" {
			d.FallbackReason = fallbackReasons[st.FallbackReason]
			if d.FallbackReason == "" {
				d.FallbackReason = humanizeReason(st.FallbackReason)
			}
		}
	}
	p.Title = "Entry of " + v.Entry.CreatedAt.In(p.Loc).Format("2 Jan 2006")
	p.Nav = "entries"
	p.Data = d
	w.renderLive(rw, r, http.StatusOK, "entry", "entry-live", p)
}

func humanizeReason(s string) string {
	out := []rune(s)
	for i, c := range out {
		if c == '_' {
			out[i] = ' '
		}
	}
	return string(out)
}
