package web

import (
	"errors"
	"net/http"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

type relationshipDeleteData struct {
	Relationship store.Relationship
	HasEntries   bool
}

// relationshipDeleteConfirm is GET /relationships/{id}/delete: what will
// go, and a confirmation. Deleting a relationship with entries deletes
// its entries too, so the page says so and asks for a tick.
func (w *Web) relationshipDeleteConfirm(rw http.ResponseWriter, r *http.Request) {
	p, err := w.relationshipDeletePage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "relationship_delete", p)
}

func (w *Web) relationshipDeletePage(rw http.ResponseWriter, r *http.Request) (*page, error) {
	p, err := w.newPage(rw, r, "Delete relationship")
	if err != nil {
		return nil, err
	}
	p.Nav = "relationships"
	ctx := r.Context()
	rel, err := w.journal.GetRelationship(ctx, p.User.ID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	list, err := w.journal.ListEntries(ctx, p.User.ID, journal.ListQuery{RelationshipID: rel.ID, Page: journal.PageRequest{Limit: 1}})
	if err != nil {
		return nil, err
	}
	p.Data = relationshipDeleteData{Relationship: rel, HasEntries: len(list.Items) > 0}
	return p, nil
}

// relationshipDelete is POST /relationships/{id}/delete[cascade=on].
func (w *Web) relationshipDelete(rw http.ResponseWriter, r *http.Request) {
	p, err := w.relationshipDeletePage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "relationship_delete", p)
		return
	}
	d := p.Data.(relationshipDeleteData)
	err = w.journal.DeleteRelationship(r.Context(), p.User.ID, d.Relationship.ID, checkbox(r, "cascade"))
	if errors.Is(err, store.ErrConflict) {
		p.Data = relationshipDeleteData{Relationship: d.Relationship, HasEntries: true}
		p.Errors["cascade"] = "must be ticked: this relationship has entries, and they are deleted with it"
		w.render(rw, r, http.StatusConflict, "relationship_delete", p)
		return
	}
	if err != nil {
		w.fail(rw, r, p, "relationship_delete", err)
		return
	}
	w.redirect(rw, r, "/relationships", "rel-deleted")
}
