package web

import (
	"context"
	"net/http"
	"strings"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// editorData is what the journal editor shows.
type editorData struct {
	Entry         *store.Entry // nil while the entry does not exist yet
	Status        *store.AnalysisStatus
	Relationships []store.Relationship
	Moods         []string
	Autosave      bool // drafts save themselves; a published entry changes only when asked
}

// moods are suggestions; any short text is accepted.
var moods = []string{"happy", "grateful", "calm", "hopeful", "loved", "tired", "anxious", "sad", "frustrated", "angry", "hurt", "confused"}

// entryInput reads the editor's form. publish says which button was used.
func entryInput(r *http.Request, current *store.Entry) (journal.EntryInput, bool) {
	rel, content, mood := r.PostFormValue("relationshipId"), r.PostFormValue("content"), r.PostFormValue("mood")
	tags := splitTags(r.PostFormValue("tags"))
	private := checkbox(r, "isPrivate")
	publish := r.PostFormValue("action") == "publish"
	in := journal.EntryInput{RelationshipID: &rel, Content: &content, Mood: &mood, Tags: &tags, IsPrivate: &private}
	status := store.EntryDraft
	if publish || (current != nil && current.Status == store.EntryPublished) {
		status = store.EntryPublished
	}
	in.Status = &status
	return in, publish
}

// splitTags reads "a, b ,c" as [a b c].
func splitTags(s string) []string {
	tags := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	return tags
}

// fillEntryForm puts an entry's fields into the form.
func fillEntryForm(p *page, e store.Entry) {
	p.Form.Set("id", e.ID)
	p.Form.Set("relationshipId", e.RelationshipID)
	p.Form.Set("content", e.Content)
	p.Form.Set("mood", e.Mood)
	p.Form.Set("tags", strings.Join(e.Tags, ", "))
	if e.IsPrivate {
		p.Form.Set("isPrivate", "on")
	}
}

// editorPage fills in the editor's data.
func (w *Web) editorPage(ctx context.Context, p *page, e *store.Entry, st *store.AnalysisStatus) error {
	rels, err := w.allRelationships(ctx, p.User.ID)
	if err != nil {
		return err
	}
	p.Nav = "write"
	p.Scripts = []string{"editor.js"}
	p.Data = &editorData{Entry: e, Status: st, Relationships: rels, Moods: moods, Autosave: e == nil || e.Status == store.EntryDraft}
	return nil
}
