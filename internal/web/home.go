package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

type homeData struct {
	Recent        []entryItem
	Relationships []store.Relationship
	MoreEntries   bool
}

// homeRecent is how many recent entries the home page shows.
const homeRecent = 10

// home is GET /home: recent entries and the relationships, or an honest
// first-run state. (Health scores and charts come with the dashboard.)
func (w *Web) home(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Home")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !p.User.OnboardingCompleted {
		http.Redirect(rw, r, "/onboarding", http.StatusSeeOther)
		return
	}
	p.Nav = "home"
	ctx := r.Context()
	rels, err := w.allRelationships(ctx, p.User.ID)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	list, err := w.journal.ListEntries(ctx, p.User.ID, journal.ListQuery{Page: journal.PageRequest{Limit: homeRecent}})
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	items, err := w.entryItems(ctx, p, list.Items, rels)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = homeData{Recent: items, Relationships: rels, MoreEntries: list.NextCursor != ""}
	w.render(rw, r, http.StatusOK, "home", p)
}
