package web

import "net/http"

// entryEdit is GET /entries/{id}/edit.
func (w *Web) entryEdit(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Edit entry")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	v, err := w.journal.GetEntry(r.Context(), p.User.ID, r.PathValue("id"))
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if err := w.editorPage(r.Context(), p, &v.Entry, v.AnalysisStatus); err != nil {
		w.failPage(rw, r, err)
		return
	}
	fillEntryForm(p, v.Entry)
	w.render(rw, r, http.StatusOK, "editor", p)
}
