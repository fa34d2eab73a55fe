package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/store"
)

// healthScoreJSON is API.md's health score. factorBreakdown is null for a
// past score when advancedAnalytics (per-factor history) is off.
type healthScoreJSON struct {
	ID                string         `json:"id"`
	RelationshipID    string         `json:"relationshipId"`
	Score             int            `json:"score"`
	FactorBreakdown   map[string]int `json:"factorBreakdown"`
	TrendDirection    string         `json:"trendDirection"`
	Confidence        float64        `json:"confidence"`
	CalculationMethod string         `json:"calculationMethod"`
	EntryCount        int            `json:"entryCount"`
	AsOf              *time.Time     `json:"asOf"`
	CalculatedAt      time.Time      `json:"calculatedAt"`
}

func toHealthScoreJSON(h store.HealthScore, factors bool) healthScoreJSON {
	j := healthScoreJSON{ID: h.ID, RelationshipID: h.RelationshipID, Score: h.Score, TrendDirection: h.TrendDirection,
		Confidence: h.Confidence, CalculationMethod: h.CalculationMethod, EntryCount: h.EntryCount, CalculatedAt: h.CalculatedAt}
	if factors {
		j.FactorBreakdown = h.FactorBreakdown
	}
	if !h.AsOf.IsZero() {
		j.AsOf = &h.AsOf
	}
	return j
}

type insightJSON struct {
	ID               string    `json:"id"`
	RelationshipID   *string   `json:"relationshipId"`
	Kind             string    `json:"kind"`
	Title            string    `json:"title"`
	Body             string    `json:"body"`
	EvidenceEntryIDs []string  `json:"evidenceEntryIds"`
	Status           string    `json:"status"`
	CreatedAt        time.Time `json:"createdAt"`
	UpdatedAt        time.Time `json:"updatedAt"`
	ExpiresAt        time.Time `json:"expiresAt"`
}

func toInsightJSON(in store.Insight) insightJSON {
	j := insightJSON{ID: in.ID, Kind: in.Kind, Title: in.Title, Body: in.Body, EvidenceEntryIDs: in.EvidenceEntryIDs,
		Status: in.Status, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt, ExpiresAt: in.ExpiresAt}
	if in.RelationshipID != "" {
		j.RelationshipID = &in.RelationshipID
	}
	if j.EvidenceEntryIDs == nil {
		j.EvidenceEntryIDs = []string{}
	}
	return j
}

// listHealthScores serves ?relationshipId=&limit=&cursor=, newest first.
func (a *API) listHealthScores(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	page, err := pageRequest(r)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	p, err := a.insight.HealthScores(r.Context(), userID, r.URL.Query().Get("relationshipId"), page)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newListPage(p, func(v insight.ScoreView) healthScoreJSON { return toHealthScoreJSON(v.HealthScore, v.ShowFactors) }))
}

// listInsights serves ?status=active|dismissed&limit=&cursor=, newest first.
func (a *API) listInsights(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	page, err := pageRequest(r)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	p, err := a.insight.Insights(r.Context(), userID, r.URL.Query().Get("status"), page)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newListPage(p, toInsightJSON))
}

// patchInsight takes {status: "dismissed"|"active"}.
func (a *API) patchInsight(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	var body struct {
		Status *string `json:"status"`
	}
	if !decodeJSON(w, r, &body, 0) {
		return
	}
	if body.Status == nil {
		writeError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid", map[string]string{"status": "is required (dismissed or active)"})
		return
	}
	in, err := a.insight.SetInsightStatus(r.Context(), userID, r.PathValue("id"), *body.Status)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"insight": toInsightJSON(in)})
}

// getTrends serves ?relationshipId=&days= (1–365, default 90).
func (a *API) getTrends(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	days, err := insight.ParseDays(r.URL.Query().Get("days"))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	tv, err := a.insight.Trends(r.Context(), userID, insight.TrendQuery{RelationshipID: r.URL.Query().Get("relationshipId"), Days: days})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tv)
}

// getDashboard serves everything the dashboard shows.
func (a *API) getDashboard(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	d, err := a.insight.Dashboard(r.Context(), userID)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	entries := make([]entryJSON, len(d.RecentEntries))
	for i, e := range d.RecentEntries {
		entries[i] = toEntryJSON(e)
	}
	scores := make([]healthScoreJSON, len(d.HealthScores))
	for i, h := range d.HealthScores {
		scores[i] = toHealthScoreJSON(h, true)
	}
	ins := make([]insightJSON, len(d.Insights))
	for i, in := range d.Insights {
		ins[i] = toInsightJSON(in)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"recentEntries": entries,
		"healthScores":  scores,
		"insights":      ins,
		"trendData":     d.Trends,
		"summary": map[string]any{
			"totalEntries":       d.TotalEntries,
			"averageHealthScore": d.AverageHealthScore,
			"activeInsights":     d.ActiveInsights,
		},
	})
}

// unsubscribeReminders turns reminders off for the user an emailed link was
// signed for, with no sign-in: GET from the link in the mail, POST from a
// mail client's one-click button (RFC 8058).
func (a *API) unsubscribeReminders(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	err := a.insight.Unsubscribe(r.Context(), token)
	if errors.Is(err, insight.ErrBadToken) {
		writeError(w, http.StatusBadRequest, "invalid_token", "this unsubscribe link is not valid; turn reminders off in your settings instead",
			map[string]string{"token": "is not a valid unsubscribe token"})
		return
	}
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	if r.Method == http.MethodPost {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("Reminders are off. You will get no more reminder emails from Resonant.\n" +
		"You can turn them back on in your settings at any time.\n"))
}
