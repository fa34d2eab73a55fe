package web

import (
	"context"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// The dashboard (GET /home) is the signed-in home: a health card per
// relationship, the health and tone charts, active insights with their
// dismiss buttons, conversation starters (when that flag is on) and the
// recent entries with their analysis status. Each of those regions carries
// data-live-src (its fragment URL, served by dashboardFragment),
// data-live-on (the event types that make it stale) so live.js can refresh
// it from the server (INTERFACES.md); without JavaScript the page is
// complete as it is.

// dashData is the dashboard view's data.
type dashData struct {
	// Empty is "relationship" when the user has no relationship yet,
	// "entry" when nothing is published: the page invites the next step
	// instead of showing empty charts.
	Empty    string
	FirstRel store.Relationship
	Health   healthRegion
	Trends   trendsRegion
	Insights insightsRegion
	Recent   recentRegion
}

// dashboardInsights is how many active insights the dashboard lists.
const dashboardInsights = 20

// dashboardRecent is how many recent entries the dashboard shows.
const dashboardRecent = insight.DashboardEntries

// loadDashboard reads everything the dashboard shows.
func (w *Web) loadDashboard(ctx context.Context, p *page) (*dashData, error) {
	d, err := w.insight.Dashboard(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	rels, err := w.allRelationships(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	data := &dashData{}
	switch {
	case len(rels) == 0:
		data.Empty = "relationship"
	case d.TotalEntries == 0 && len(d.RecentEntries) == 0:
		data.Empty = "entry"
		data.FirstRel = rels[0]
	}
	ins, err := w.insight.Insights(ctx, p.User.ID, store.InsightActive, journal.PageRequest{Limit: dashboardInsights})
	if err != nil {
		return nil, err
	}
	hits := make([]journal.Hit, len(d.RecentEntries))
	for i, e := range d.RecentEntries {
		hits[i] = journal.Hit{Entry: e}
	}
	items, err := w.entryItems(ctx, p, hits, rels)
	if err != nil {
		return nil, err
	}
	names := relNames(rels)
	data.Health = healthRegion{Src: "/home/health", Cards: healthCards(rels, d.HealthScores, p)}
	data.Trends = trendsRegion{Src: "/home/trends", ID: "dash", Charts: trendCharts("dash", d.Trends.Trends, p, insight.DefaultTrendDays, "")}
	data.Insights = insightList("/home/insights", "", ins.Items, names, p, "/home")
	data.Recent = recentRegion{Src: "/home/recent", Items: items, More: d.TotalEntries > len(items)}
	return data, nil
}

// home is GET /home: the dashboard.
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Dashboard")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !p.User.OnboardingCompleted {
		http.Redirect(rw, r, "/onboarding", http.StatusSeeOther)
		return
	}
	p.Nav = "home"
	if p.Data, err = w.loadDashboard(r.Context(), p); err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "home", p)
}

// dashboardFragment is GET /home/{region}: one live region of the
// dashboard, alone (live.js swaps it in place).
func (w *Web) dashboardFragment(rw http.ResponseWriter, r *http.Request) {
	tmpl, ok := map[string]string{"health": "health-region", "trends": "trends-region", "insights": "insights-region",
		"recent": "recent-region"}[r.PathValue("region")]
	if !ok {
		w.notFound(rw, r)
		return
	}
	p, err := w.newPage(rw, r, "Dashboard")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	d, err := w.loadDashboard(r.Context(), p)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	var region any
	switch tmpl {
	case "health-region":
		region = d.Health
	case "trends-region":
		region = d.Trends
	case "insights-region":
		region = d.Insights
	default:
		region = d.Recent
	}
	w.renderFragment(rw, r, "home", tmpl, region)
}

// dismissInsight is POST /insights/{id}/dismiss, then back to next (the
// page the button was on). Dismissing a dismissed insight is a no-op;
// another user's (or no) insight is 404, which live.js shows as a refusal.
func (w *Web) dismissInsight(rw http.ResponseWriter, r *http.Request) {
	if _, err := w.insight.SetInsightStatus(r.Context(), w.userID(r.Context()), r.PathValue("id"), store.InsightDismissed); err != nil {
		w.failPage(rw, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/home"
	}
	w.redirect(rw, r, next, "insight-dismissed")
}

func relNames(rels []store.Relationship) map[string]string {
	m := make(map[string]string, len(rels))
	for _, r := range rels {
		m[r.ID] = r.Name
	}
	return m
}

// localDay parses a trend date (a local day of loc).
func localDay(s string, loc *time.Location) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	return t, err == nil
}
