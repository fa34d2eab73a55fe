package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

type entriesData struct {
	Items         []entryItem
	Relationships []store.Relationship
	Q             string
	Relationship  string
	Status        string
	Next          string // the URL of the next page, "" on the last
	FirstURL      string // the first page with the same filters, "" on it
	Filtered      bool
	LiveSrc       string // this page's URL, from which its list refreshes itself
}

// entries is GET /entries?q=&relationship=&status=&cursor=: newest first,
// or the best matches of a full-text search with the matching passage.
func (w *Web) entries(rw http.ResponseWriter, r *http.Request) {
	p, err := w.newPage(rw, r, "Entries")
	if err != nil {
		w.failPage(rw, r, err)
		return
	}
	p.Nav = "entries"
	ctx := r.Context()
	q := r.URL.Query()
	d := &entriesData{Q: q.Get("q"), Relationship: q.Get("relationship"), Status: q.Get("status"), LiveSrc: r.URL.RequestURI()}
	d.Filtered = d.Q != "" || d.Relationship != "" || d.Status != ""
	p.Data = d
	for _, k := range []string{"q", "relationship", "status"} {
		p.Form.Set(k, q.Get(k))
	}
	if d.Relationships, err = w.allRelationships(ctx, p.User.ID); err != nil {
		w.failPage(rw, r, err)
		return
	}
	if d.Q != "" {
		p.Title = "Search: " + d.Q
	}
	list, err := w.journal.ListEntries(ctx, p.User.ID, journal.ListQuery{RelationshipID: d.Relationship, Status: d.Status, Q: d.Q,
		Page: journal.PageRequest{Cursor: q.Get("cursor")}})
	var verr validate.Errors
	switch {
	case errors.As(err, &verr):
		p.Errors = renameFields(verr)
		p.Error = "Some filters are not valid: see the messages beside them."
		if _, bad := verr["cursor"]; bad {
			p.Error = "That page link is no longer valid. Start again from the first page."
		}
		w.renderLive(rw, r, http.StatusUnprocessableEntity, "entries", "entries-live", p)
		return
	case errors.Is(err, store.ErrNotFound): // the relationship filter names none of the user's
		p.Errors = validate.Errors{"relationship": "is not one of your relationships"}
		w.renderLive(rw, r, http.StatusNotFound, "entries", "entries-live", p)
		return
	case err != nil:
		w.fail(rw, r, p, "entries", err)
		return
	}
	if d.Items, err = w.entryItems(ctx, p, list.Items, d.Relationships); err != nil {
		w.fail(rw, r, p, "entries", err)
		return
	}
	filters := url.Values{}
	for _, k := range []string{"q", "relationship", "status"} {
		if v := q.Get(k); v != "" {
			filters.Set(k, v)
		}
	}
	if q.Get("cursor") != "" {
		d.FirstURL = "/entries"
		if len(filters) > 0 {
			d.FirstURL += "?" + filters.Encode()
		}
	}
	if list.NextCursor != "" {
		filters.Set("cursor", list.NextCursor)
		d.Next = "/entries?" + filters.Encode()
	}
	w.renderLive(rw, r, http.StatusOK, "entries", "entries-live", p)
}

// renameFields maps the service's names to the filter form's.
func renameFields(verr validate.Errors) validate.Errors {
	out := validate.Errors{}
	for k, v := range verr {
		switch k {
		case "relationshipId":
			k = "relationship"
		case "cursor":
			continue
		}
		out[k] = v
	}
	return out
}
