package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// maxEntryBodyBytes leaves room for 10,000 characters of content even when
// a client escapes every one of them as \uXXXX.
const maxEntryBodyBytes = 128 << 10

type entryJSON struct {
	ID             string    `json:"id"`
	RelationshipID string    `json:"relationshipId"`
	Content        string    `json:"content"`
	Mood           *string   `json:"mood"`
	Tags           []string  `json:"tags"`
	IsPrivate      bool      `json:"isPrivate"`
	WordCount      int       `json:"wordCount"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	// Snippet is set on search results only: render the segments in order
	// as text, marking those with highlight (see journal.Segment).
	Snippet []journal.Segment `json:"snippet,omitempty"`
}

func toEntryJSON(e store.Entry) entryJSON {
	return entryJSON{ID: e.ID, RelationshipID: e.RelationshipID, Content: e.Content, Mood: nullString(e.Mood), Tags: e.Tags,
		IsPrivate: e.IsPrivate, WordCount: e.WordCount, Status: e.Status, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

func toHitJSON(h journal.Hit) entryJSON {
	j := toEntryJSON(h.Entry)
	j.Snippet = h.Snippet
	return j
}

type analysisStatusJSON struct {
	EntryID             string     `json:"entryId"`
	Status              string     `json:"status"`
	QueuedAt            time.Time  `json:"queuedAt"`
	StartedAt           *time.Time `json:"startedAt"`
	CompletedAt         *time.Time `json:"completedAt"`
	RetryCount          int        `json:"retryCount"`
	CircuitBreakerState string     `json:"circuitBreakerState"`
	ErrorMessage        *string    `json:"errorMessage"`
	FallbackReason      *string    `json:"fallbackReason"`
}

func toAnalysisStatusJSON(s store.AnalysisStatus) analysisStatusJSON {
	return analysisStatusJSON{EntryID: s.EntryID, Status: s.Status, QueuedAt: s.QueuedAt, StartedAt: nullTime(s.StartedAt),
		CompletedAt: nullTime(s.CompletedAt), RetryCount: s.RetryCount, CircuitBreakerState: s.CircuitBreakerState,
		ErrorMessage: nullString(s.ErrorMessage), FallbackReason: nullString(s.FallbackReason)}
}

func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// entryBody is the POST and PATCH body; absent fields stay as they are.
type entryBody struct {
	RelationshipID *string  `json:"relationshipId"`
	Content        *string  `json:"content"`
	Mood           *string  `json:"mood"`
	Tags           *tagList `json:"tags"`
	IsPrivate      *bool    `json:"isPrivate"`
	Status         *string  `json:"status"`
}

// tagList is the tags of a request body. A null element is refused like
// any other element that is not a string (encoding/json would decode it
// as "", which normalizing then drops, silently wiping the tags).
type tagList []string

func (l *tagList) UnmarshalJSON(b []byte) error {
	var raw []*string
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if raw == nil {
		// null: encoding/json leaves the pointer field nil and never gets
		// here, but be explicit for other callers.
		*l = nil
		return nil
	}
	out := make(tagList, len(raw))
	for i, t := range raw {
		if t == nil {
			return &json.UnmarshalTypeError{Value: "null", Type: reflect.TypeFor[string](), Offset: int64(len(b))}
		}
		out[i] = *t
	}
	*l = out
	return nil
}

func (b entryBody) input() journal.EntryInput {
	return journal.EntryInput{RelationshipID: b.RelationshipID, Content: b.Content, Mood: b.Mood, Tags: (*[]string)(b.Tags),
		IsPrivate: b.IsPrivate, Status: b.Status}
}

// entryView is {entry, analysisStatus}; analysisStatus is null for drafts.
func entryView(v journal.EntryView) map[string]any {
	var st *analysisStatusJSON
	if v.AnalysisStatus != nil {
		j := toAnalysisStatusJSON(*v.AnalysisStatus)
		st = &j
	}
	return map[string]any{"entry": toEntryJSON(v.Entry), "analysisStatus": st}
}

func (a *API) createEntry(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	var body entryBody
	if !decodeJSON(w, r, &body, maxEntryBodyBytes) {
		return
	}
	v, err := a.journal.CreateEntry(r.Context(), userID, body.input())
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, entryView(v))
}

// updateEntry is also the auto-save path.
func (a *API) updateEntry(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	var body entryBody
	if !decodeJSON(w, r, &body, maxEntryBodyBytes) {
		return
	}
	v, err := a.journal.UpdateEntry(r.Context(), userID, r.PathValue("id"), body.input())
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, entryView(v))
}

// analysisJSON is API.md's analysis object; patterns keep the spec's
// snake_case keys.
type analysisJSON struct {
	EntryID           string          `json:"entryId"`
	SentimentScore    float64         `json:"sentimentScore"`
	EmotionalKeywords []string        `json:"emotionalKeywords"`
	ConfidenceLevel   float64         `json:"confidenceLevel"`
	Reasoning         string          `json:"reasoning"`
	Patterns          json.RawMessage `json:"patterns"`
	ProcessingSource  string          `json:"processingSource"`
	AnalysisMethod    string          `json:"analysisMethod"`
	APIResponseTime   int             `json:"apiResponseTime"`
	CompletedAt       time.Time       `json:"completedAt"`
}

func toAnalysisJSON(a store.Analysis) analysisJSON {
	kw := a.EmotionalKeywords
	if kw == nil {
		kw = []string{}
	}
	return analysisJSON{EntryID: a.EntryID, SentimentScore: a.SentimentScore, EmotionalKeywords: kw, ConfidenceLevel: a.ConfidenceLevel,
		Reasoning: a.Reasoning, Patterns: a.Patterns, ProcessingSource: a.ProcessingSource, AnalysisMethod: a.AnalysisMethod,
		APIResponseTime: a.APIResponseTime, CompletedAt: a.CompletedAt}
}

// getEntry answers {entry, analysisStatus, analysis}.
func (a *API) getEntry(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	v, err := a.journal.GetEntry(r.Context(), userID, r.PathValue("id"))
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	body := entryView(v)
	body["analysis"] = nil
	if v.Analysis != nil {
		body["analysis"] = toAnalysisJSON(*v.Analysis)
	}
	writeJSON(w, http.StatusOK, body)
}

func (a *API) deleteEntry(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	if err := a.journal.DeleteEntry(r.Context(), userID, r.PathValue("id")); err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// listEntries serves ?relationshipId=&q=&status=&limit=&cursor=: newest
// first, or with q a ranked full-text search whose items carry a snippet.
func (a *API) listEntries(w http.ResponseWriter, r *http.Request) {
	userID, ok := signedIn(w, r)
	if !ok {
		return
	}
	page, err := pageRequest(r)
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	q := r.URL.Query()
	p, err := a.journal.ListEntries(r.Context(), userID, journal.ListQuery{
		RelationshipID: q.Get("relationshipId"), Status: q.Get("status"), Q: q.Get("q"), Page: page})
	if err != nil {
		a.writeServiceError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newListPage(p, toHitJSON))
}
