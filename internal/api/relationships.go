package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

type relationshipJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      string    `json:"kind"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func toRelationshipJSON(r store.Relationship) relationshipJSON {
	return relationshipJSON{ID: r.ID, Name: r.Name, Kind: r.Kind, Notes: r.Notes, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

// relationshipBody is the POST and PATCH body; absent fields stay as they are.
type relationshipBody struct {
	Name  *string `json:"name"`
	Kind  *string `json:"kind"`
	Notes *string `json:"notes"`
}

func (b relationshipBody) input() journal.RelationshipInput {
	return journal.RelationshipInput{Name: b.Name, Kind: b.Kind, Notes: b.Notes}
}

// listPage is the API's list response (API.md "Lists").
type listPage[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"nextCursor"`
}

func newListPage[T, U any](p journal.Page[T], conv func(T) U) listPage[U] {
	out := listPage[U]{Items: make([]U, len(p.Items))}
	for i, it := range p.Items {
		out.Items[i] = conv(it)
	}
	if p.NextCursor != "" {
		out.NextCursor = &p.NextCursor
	}
	return out
}

// pageRequest reads ?limit= and ?cursor=.
func pageRequest(r *http.Request) (journal.PageRequest, error) {
	p := journal.PageRequest{Cursor: r.URL.Query().Get("cursor")}
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > journal.MaxLimit {
			return p, validate.Field("limit", "must be a whole number from 1 to 100")
		}
		p.Limit = n
	}
	return p, nil
}

// signedIn returns the authenticated user, answering 401 when there is none.
func signedIn(w http.ResponseWriter, r *http.Request) (string, bool) {
	id := frontdoor.UserID(r.Context())
	if id == "" {
		writeError(w, http.StatusUnauthorized, "unauthenticated", "sign in first", nil)
		return "", false
	}
	return id, true
}

func (a *API) listRelationships(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	page, err := pageRequest(r)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	p, err := a.journal.ListRelationships(r.Context(), userID, page)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newListPage(p, toRelationshipJSON))
}

func (a *API) createRelationship(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	var body relationshipBody
	if !decodeJSON(w, r, &body, 0) {
		return
	}
	rel, err := a.journal.CreateRelationship(r.Context(), userID, body.input())
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"relationship": toRelationshipJSON(rel)})
}

func (a *API) getRelationship(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	rel, err := a.journal.GetRelationship(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"relationship": toRelationshipJSON(rel)})
}

func (a *API) updateRelationship(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	var body relationshipBody
	if !decodeJSON(w, r, &body, 0) {
		return
	}
	rel, err := a.journal.UpdateRelationship(r.Context(), userID, r.PathValue("id"), body.input())
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"relationship": toRelationshipJSON(rel)})
}

// deleteRelationship needs ?cascade=true when the relationship has entries (else 409).
func (a *API) deleteRelationship(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	cascade := false
	if s := r.URL.Query().Get("cascade"); s != "" {
		var err error
		if cascade, err = strconv.ParseBool(s); err != nil {
			a.writeServiceError(w, r, validate.Field("cascade", "must be true or false"))
			return
		}
	}
	if err := a.journal.DeleteRelationship(r.Context(), userID, r.PathValue("id"), cascade); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
