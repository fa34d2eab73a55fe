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

// dashboardInsights is how many active insights the dashboard reads.
const dashboardInsights = 20

// dashboardRecent is how many recent entries the dashboard shows.
const dashboardRecent = insight.DashboardEntries

// The dashboard's regions, each read on its own, so a fragment reads only
// what it shows (a health card refresh never computes trends).

func (w *Web) dashHealth(ctx context.Context, p *page, rels []store.Relationship) (healthRegion, error) {
	scores, err := w.insight.CurrentScores(ctx, p.User.ID)
	if err != nil {
		return healthRegion{}, err
	}
	return healthRegion{Src: "/home/health", Cards: healthCards(rels, scores, p)}, nil
}

func (w *Web) dashTrends(ctx context.Context, p *page) (trendsRegion, error) {
	tv, err := w.insight.Trends(ctx, p.User.ID, insight.TrendQuery{Days: insight.DefaultTrendDays})
	if err != nil {
		return trendsRegion{}, err
	}
	return trendsRegion{Src: "/home/trends", ID: "dash", Charts: trendCharts("dash", tv.Trends, p, insight.DefaultTrendDays, "")}, nil
}

func (w *Web) dashInsights(ctx context.Context, p *page, rels []store.Relationship) (insightsRegion, error) {
	ins, err := w.insight.Insights(ctx, p.User.ID, store.InsightActive, journal.PageRequest{Limit: dashboardInsights})
	if err != nil {
		return insightsRegion{}, err
	}
	return insightList("/home/insights", "", ins.Items, relNames(rels), p, "/home"), nil
}

func (w *Web) dashRecent(ctx context.Context, p *page, rels []store.Relationship) (recentRegion, error) {
	list, err := w.journal.ListEntries(ctx, p.User.ID, journal.ListQuery{Page: journal.PageRequest{Limit: dashboardRecent}})
	if err != nil {
		return recentRegion{}, err
	}
	items, err := w.entryItems(ctx, p, list.Items, rels)
	if err != nil {
		return recentRegion{}, err
	}
	return recentRegion{Src: "/home/recent", Items: items, More: list.NextCursor != "", MoreURL: "/entries"}, nil
}

// loadDashboard reads everything the dashboard shows; an empty journal
// reads no further than it needs to say so.
func (w *Web) loadDashboard(ctx context.Context, p *page) (*dashData, error) {
	rels, err := w.allRelationships(ctx, p.User.ID)
	if err != nil {
		return nil, err
	}
	data := &dashData{}
	if len(rels) == 0 {
		data.Empty = "relationship"
		return data, nil
	}
	if data.Recent, err = w.dashRecent(ctx, p, rels); err != nil {
		return nil, err
	}
	if len(data.Recent.Items) == 0 {
		data.Empty, data.FirstRel = "entry", rels[0]
		return data, nil
	}
	if data.Health, err = w.dashHealth(ctx, p, rels); err != nil {
		return nil, err
	}
	if data.Trends, err = w.dashTrends(ctx, p); err != nil {
		return nil, err
	}
	if data.Insights, err = w.dashInsights(ctx, p, rels); err != nil {
		return nil, err
	}
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
		"recent": "recent-region", "body": "dash-body"}[r.PathValue("region")]
	if !ok {
		w.notFound(rw, r)
		return
	}
	p, err := w.newPage(rw, r, "Dashboard")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	ctx := r.Context()
	if tmpl == "dash-body" { // the whole dashboard: an empty one turns into it once there is an entry
		d, err := w.loadDashboard(ctx, p)
		if err != nil {
			w.failPage(rw, r, err)
			return
		}
		w.renderFragment(rw, r, "home", tmpl, d)
		return
	}
	var rels []store.Relationship
	if tmpl != "trends-region" {
		if rels, err = w.allRelationships(ctx, p.User.ID); err != nil {
			w.failPage(rw, r, err)
			return
		}
	}
	var region any
	switch tmpl {
	case "health-region":
		region, err = w.dashHealth(ctx, p, rels)
	case "trends-region":
		region, err = w.dashTrends(ctx, p)
	case "insights-region":
		region, err = w.dashInsights(ctx, p, rels)
	default:
		region, err = w.dashRecent(ctx, p, rels)
	}
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.renderFragment(rw, r, "home", tmpl, region)
}

// dismissInsight is POST /insights/{id}/dismiss, then back to next (the
// page the button was on). Dismissing a dismissed insight is a no-op;
// another user's (or no) insight is 404, which live.js shows as a refusal.
func (w *Web) dismissInsight(rw http.ResponseWriter, r *http.Request) {
	if _, err := w.insight.SetInsightStatus(r.Context(), w.userID(r.Context()), r.PathValue("id"), store.InsightDismissed); err != nil {
		w.actionFailed(rw, r, err)
		return
	}
	next := safeNext(r.PostFormValue("next"))
	if next == "" {
		next = "/home"
	}
	w.done(rw, r, next, "insight-dismissed")
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
