package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/store"
)

type relationshipsData struct {
	Relationships []store.Relationship
	Kinds         []string
}

// relationships is GET /relationships: the list and the form to add one.
func (w *Web) relationships(rw http.ResponseWriter, r *http.Request) {
	p, err := w.relationshipsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Form.Set("kind", "partner")
	w.render(rw, r, http.StatusOK, "relationships", p)
}

func (w *Web) relationshipsPage(rw http.ResponseWriter, r *http.Request) (*page, error) {
	p, err := w.newPage(rw, r, "Relationships")
	if err != nil {
		return nil, err
	}
	p.Nav = "relationships"
	rels, err := w.allRelationships(r.Context(), p.User.ID)
	if err != nil {
		return nil, err
	}
	p.Data = relationshipsData{Relationships: rels, Kinds: relationshipKinds}
	return p, nil
}

// relationshipCreate is POST /relationships.
func (w *Web) relationshipCreate(rw http.ResponseWriter, r *http.Request) {
	p, err := w.relationshipsPage(rw, r)
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "relationships", p)
		return
	}
	if _, err := w.journal.CreateRelationship(r.Context(), p.User.ID, relationshipInput(r)); err != nil {
		w.fail(rw, r, p, "relationships", err)
		return
	}
	w.redirect(rw, r, "/relationships", "rel-created")
}
