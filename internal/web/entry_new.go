package web

import "net/http"

// entryNew is GET /entries/new[?relationship=id]: the editor for a new
// entry.
func (w *Web) entryNew(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Write an entry")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if err := w.editorPage(r.Context(), p, nil, nil); err != nil {
		w.failPage(rw, r, err)
		return
	}
	if rel := r.URL.Query().Get("relationship"); rel != "" {
		p.Form.Set("relationshipId", rel)
	}
	w.render(rw, r, http.StatusOK, "editor", p)
}
