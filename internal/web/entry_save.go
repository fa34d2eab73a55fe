package web

import (
	"net/http"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// entrySave is POST /entries (a new entry) and POST /entries/{id}: save a
// draft or publish. The id may also come in the form, when auto-save
// created the draft after the page was loaded.
func (w *Web) entrySave(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Write an entry")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	if !parseForm(rw, r, p) {
		_ = w.editorPage(r.Context(), p, nil, nil)
		w.render(rw, r, http.StatusRequestEntityTooLarge, "editor", p)
		return
	}
	ctx := r.Context()
	id := r.PathValue("id")
	if id == "" {
		id = r.PostFormValue("id")
	}
	var current *store.Entry
	if id != "" {
		v, err := w.journal.GetEntry(ctx, p.User.ID, id)
		if err != nil {
			w.failPage(rw, r, err)
			return
		}
		current = &v.Entry
		p.Title = "Edit entry"
	}
	in, publish := entryInput(r, current)
	var v journal.EntryView
	if current == nil {
		v, err = w.journal.CreateEntry(ctx, p.User.ID, in)
	} else {
		v, err = w.journal.UpdateEntry(ctx, p.User.ID, id, in)
	}
	if err != nil {
		if perr := w.editorPage(ctx, p, current, nil); perr != nil {
			w.failPage(rw, r, perr)
			return
		}
		w.fail(rw, r, p, "editor", err)
		return
	}
	switch {
	case publish && (current == nil || current.Status == store.EntryDraft):
		w.redirect(rw, r, "/entries/"+v.Entry.ID, "published")
	case v.Entry.Status == store.EntryPublished:
		w.redirect(rw, r, "/entries/"+v.Entry.ID, "")
	default:
		w.redirect(rw, r, "/entries/"+v.Entry.ID+"/edit", "draft-saved")
	}
}
