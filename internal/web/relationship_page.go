package web

import (
	"context"
	"net/http"

	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// The relationship page (GET /relationships/{id}): its score with the
// factor breakdown spelled out, its score history and tone charts, its
// insights and its entries, each a live region filtered to the
// relationship (data-live-rel) with its fragment URL
// (GET /relationships/{id}/{score,trends,insights,entries}).

// relationshipDays is how far back the relationship page's charts go.
const relationshipDays = 180

// relationshipEntries is how many entries the relationship page lists.
const relationshipEntries = 10

type relationshipData struct {
	Rel      store.Relationship
	Score    healthRegion
	Trends   trendsRegion
	Insights insightsRegion
	Entries  recentRegion
}

// The relationship page's regions, each read on its own (a fragment reads
// only what it shows).

func relBase(rel store.Relationship) string { return "/relationships/" + rel.ID }

func (w *Web) relScore(ctx context.Context, p *page, rel store.Relationship) (healthRegion, error) {
	scores, err := w.insight.HealthScores(ctx, p.User.ID, rel.ID, journal.PageRequest{Limit: 1})
	if err != nil {
		return healthRegion{}, err
	}
	var current *store.HealthScore
	if len(scores.Items) > 0 {
		current = &scores.Items[0].HealthScore
	}
	return healthRegion{Src: relBase(rel) + "/score", Rel: rel.ID, Single: true, Cards: []healthCard{cardOf(rel, current, p)}}, nil
}

func (w *Web) relTrends(ctx context.Context, p *page, rel store.Relationship) (trendsRegion, error) {
	tv, err := w.insight.Trends(ctx, p.User.ID, insight.TrendQuery{RelationshipID: rel.ID, Days: relationshipDays})
	if err != nil {
		return trendsRegion{}, err
	}
	return trendsRegion{Src: relBase(rel) + "/trends", Rel: rel.ID, ID: "rel", Charts: trendCharts("rel", tv.Trends, p, relationshipDays, rel.Name)}, nil
}

func (w *Web) relInsights(ctx context.Context, p *page, rel store.Relationship) (insightsRegion, error) {
	ins, err := w.insight.Insights(ctx, p.User.ID, store.InsightActive, journal.PageRequest{Limit: journal.MaxLimit})
	if err != nil {
		return insightsRegion{}, err
	}
	return insightList(relBase(rel)+"/insights", rel.ID, ins.Items, map[string]string{}, p, relBase(rel)), nil
}

func (w *Web) relEntries(ctx context.Context, p *page, rel store.Relationship) (recentRegion, error) {
	list, err := w.journal.ListEntries(ctx, p.User.ID, journal.ListQuery{RelationshipID: rel.ID, Page: journal.PageRequest{Limit: relationshipEntries}})
	if err != nil {
		return recentRegion{}, err
	}
	items, err := w.entryItems(ctx, p, list.Items, []store.Relationship{rel})
	if err != nil {
		return recentRegion{}, err
	}
	return recentRegion{Src: relBase(rel) + "/entries", Rel: rel.ID, Items: items, More: list.NextCursor != "",
		MoreURL: "/entries?relationship=" + rel.ID}, nil
}

func (w *Web) loadRelationship(ctx context.Context, p *page, id string) (*relationshipData, error) {
	rel, err := w.journal.GetRelationship(ctx, p.User.ID, id)
	if err != nil {
		return nil, err
	}
	d := &relationshipData{Rel: rel}
	if d.Score, err = w.relScore(ctx, p, rel); err != nil {
		return nil, err
	}
	if d.Trends, err = w.relTrends(ctx, p, rel); err != nil {
		return nil, err
	}
	if d.Insights, err = w.relInsights(ctx, p, rel); err != nil {
		return nil, err
	}
	if d.Entries, err = w.relEntries(ctx, p, rel); err != nil {
		return nil, err
	}
	return d, nil
}

// relationshipShow is GET /relationships/{id}.
func (w *Web) relationshipShow(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Relationship")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "relationships"
	d, err := w.loadRelationship(r.Context(), p, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Title, p.Data = d.Rel.Name, d
	w.render(rw, r, http.StatusOK, "relationship", p)
}

// relationshipFragment is GET /relationships/{id}/{region}: one live
// region of the relationship page, alone.
func (w *Web) relationshipFragment(rw http.ResponseWriter, r *http.Request) {
	region := r.PathValue("region")
	if region != "score" && region != "trends" && region != "insights" && region != "entries" {
		w.notFound(rw, r)
		return
	}
	p, err := w.newPage(rw, r, "Relationship")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	ctx := r.Context()
	rel, err := w.journal.GetRelationship(ctx, p.User.ID, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	var (
		tmpl string
		data any
	)
	switch region {
	case "score":
		tmpl = "health-region"
		data, err = w.relScore(ctx, p, rel)
	case "trends":
		tmpl = "trends-region"
		data, err = w.relTrends(ctx, p, rel)
	case "insights":
		tmpl = "insights-region"
		data, err = w.relInsights(ctx, p, rel)
	default:
		tmpl = "recent-region"
		data, err = w.relEntries(ctx, p, rel)
	}
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.renderFragment(rw, r, "relationship", tmpl, data)
}
