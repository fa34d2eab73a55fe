package web

import "net/http"

// relationshipEdit is GET /relationships/{id}/edit.
func (w *Web) relationshipEdit(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Edit relationship")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	rel, err := w.journal.GetRelationship(r.Context(), p.User.ID, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "relationships"
	p.Data = rel
	p.Form.Set("name", rel.Name)
	p.Form.Set("kind", rel.Kind)
	p.Form.Set("notes", rel.Notes)
	w.render(rw, r, http.StatusOK, "relationship_edit", p)
}

// relationshipUpdate is POST /relationships/{id}.
func (w *Web) relationshipUpdate(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Edit relationship")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "relationships"
	ctx := r.Context()
	rel, err := w.journal.GetRelationship(ctx, p.User.ID, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Data = rel
	if !parseForm(rw, r, p) {
		w.render(rw, r, http.StatusRequestEntityTooLarge, "relationship_edit", p)
		return
	}
	if _, err := w.journal.UpdateRelationship(ctx, p.User.ID, rel.ID, relationshipInput(r)); err != nil {
		w.fail(rw, r, p, "relationship_edit", err)
		return
	}
	w.redirect(rw, r, "/relationships", "rel-updated")
}
