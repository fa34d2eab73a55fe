package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// autosaveReply is the answer to the editor's background save.
type autosaveReply struct {
	ID      string            `json:"id,omitempty"`
	SavedAt string            `json:"savedAt,omitempty"` // as the editor's data-updated spells it
	Message string            `json:"message,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// entryAutosave is POST /entries/autosave, the editor's auto-save: the
// same form as the editor, always as a draft, answered with JSON for the
// script. A published entry is never changed by it (its edits re-queue the
// analysis, so they wait for "Save changes").
func (w *Web) entryAutosave(rw http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	userID := w.userID(ctx)
	reply := func(status int, v autosaveReply) {
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Cache-Control", "no-store")
		rw.WriteHeader(status)
		_ = json.NewEncoder(rw).Encode(v)
	}
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	if err := r.ParseMultipartForm(maxFormBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		reply(http.StatusRequestEntityTooLarge, autosaveReply{Message: "This entry is too long to save. Shorten it."})
		return
	}
	id := r.PostFormValue("id")
	var current *store.Entry
	if id != "" {
		v, err := w.journal.GetEntry(ctx, userID, id)
		if errors.Is(err, store.ErrNotFound) {
			reply(http.StatusNotFound, autosaveReply{Message: "This entry no longer exists; it may have been deleted in another tab."})
			return
		}
		if err != nil {
			w.log.ErrorContext(ctx, "autosave", "err", err)
			reply(http.StatusInternalServerError, autosaveReply{Message: "Not saved because of a fault on our side."})
			return
		}
		if v.Entry.Status != store.EntryDraft {
			reply(http.StatusConflict, autosaveReply{ID: id, Message: "Published entries are saved with “Save changes”."})
			return
		}
		current = &v.Entry
	}
	in, _ := entryInput(r, current)
	draft := store.EntryDraft
	in.Status = &draft
	var (
		v   journal.EntryView
		err error
	)
	if current == nil {
		v, err = w.journal.CreateEntry(ctx, userID, in)
	} else {
		v, err = w.journal.UpdateEntry(ctx, userID, id, in)
	}
	var verr validate.Errors
	switch {
	case errors.As(err, &verr):
		reply(http.StatusUnprocessableEntity, autosaveReply{ID: id, Message: "Not saved yet: " + firstFieldMessage(verr), Fields: verr})
	case err != nil:
		w.log.ErrorContext(ctx, "autosave", "err", err)
		reply(http.StatusInternalServerError, autosaveReply{ID: id, Message: "Not saved because of a fault on our side."})
	default:
		reply(http.StatusOK, autosaveReply{ID: v.Entry.ID, SavedAt: v.Entry.UpdatedAt.UTC().Format(time.RFC3339Nano)})
	}
}

// fieldLabels name the editor's fields in messages.
var fieldLabels = map[string]string{"relationshipId": "relationship", "content": "entry", "mood": "mood", "tags": "tags"}

func firstFieldMessage(verr validate.Errors) string {
	for _, f := range []string{"relationshipId", "content", "mood", "tags", "status"} {
		if m, ok := verr[f]; ok {
			label := fieldLabels[f]
			if label == "" {
				label = f
			}
			return "the " + label + " " + m + "."
		}
	}
	return "check the form."
}
