package journal

import (
	"context"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// ListQuery selects entries: all of the user's, or those of one
// relationship or status; with Q set, a ranked full-text search.
type ListQuery struct {
	RelationshipID string
	Status         string
	Q              string
	Page           PageRequest
}

// Hit is a listed entry; Snippet is set for search results only.
type Hit struct {
	Entry   store.Entry
	Snippet []Segment
}

// Segment is a piece of a search snippet. Clients render the pieces in
// order as text, marking those with Highlight; no markup is ever embedded,
// so what a person wrote ("<3") shows exactly as written.
type Segment struct {
	Text      string `json:"text"`
	Highlight bool   `json:"highlight"`
}

// ListEntries returns a page of entries, newest first, or, with a search
// query, best match first. A relationship filter naming a relationship that
// is not the user's is ErrNotFound.
func (s *Service) ListEntries(ctx context.Context, userID string, lq ListQuery) (Page[Hit], error) {
	if lq.Status != "" && lq.Status != store.EntryDraft && lq.Status != store.EntryPublished {
		return Page[Hit]{}, validate.Field("status", "must be draft or published")
	}
	if lq.RelationshipID != "" {
		if _, err := s.store.GetRelationship(ctx, userID, lq.RelationshipID); err != nil {
			return Page[Hit]{}, err
		}
	}
	if strings.TrimSpace(lq.Q) != "" {
		return s.search(ctx, userID, lq)
	}
	after, err := s.cursors.ParseTime(ctx, lq.Page.Cursor)
	if err != nil {
		return Page[Hit]{}, err
	}
	limit := lq.Page.limit()
	rows, err := s.store.ListEntries(ctx, store.EntryFilter{UserID: userID, RelationshipID: lq.RelationshipID, Status: lq.Status,
		After: after, Limit: limit + 1})
	if err != nil {
		return Page[Hit]{}, err
	}
	hits := make([]Hit, len(rows))
	for i, e := range rows {
		hits[i] = Hit{Entry: e}
	}
	return timePage(ctx, s, hits, limit, func(h Hit) (time.Time, string) { return h.Entry.CreatedAt, h.Entry.ID })
}

// search pages by offset: ranked results have no stable position to
// resume from, and ranks shift as entries are written.
func (s *Service) search(ctx context.Context, userID string, lq ListQuery) (Page[Hit], error) {
	q, err := ParseQuery(lq.Q)
	if err != nil {
		return Page[Hit]{}, err
	}
	offset, err := s.cursors.ParseOffset(ctx, lq.Page.Cursor, maxSearchOffset)
	if err != nil {
		return Page[Hit]{}, err
	}
	limit := lq.Page.limit()
	page := Page[Hit]{Items: []Hit{}}
	if len(q.Terms) == 0 {
		return page, nil
	}
	rows, err := s.store.SearchEntries(ctx, store.SearchParams{UserID: userID, RelationshipID: lq.RelationshipID, Status: lq.Status,
		Terms: q.Terms, PrefixLast: q.PrefixLast, Offset: offset, Limit: limit + 1})
	if err != nil {
		return Page[Hit]{}, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
		if offset+limit <= maxSearchOffset {
			if page.NextCursor, err = s.cursors.Offset(ctx, offset+limit); err != nil {
				return Page[Hit]{}, err
			}
		}
	}
	for _, r := range rows {
		page.Items = append(page.Items, Hit{Entry: r.Entry, Snippet: segments(r.Snippet, r.Entry.Content)})
	}
	return page, nil
}

// segments splits a snippet marked with store.HighlightStart/End. When the
// entry itself contains a marker character the marks cannot be told apart,
// so the snippet is the start of the entry, unhighlighted and unaltered.
func segments(snippet, content string) []Segment {
	if strings.Contains(content, store.HighlightStart) || strings.Contains(content, store.HighlightEnd) {
		return []Segment{{Text: leadingRunes(content, plainSnippetChars)}}
	}
	var out []Segment
	for snippet != "" {
		before, rest, found := strings.Cut(snippet, store.HighlightStart)
		if before != "" {
			out = append(out, Segment{Text: before})
		}
		if !found {
			break
		}
		mark, after, _ := strings.Cut(rest, store.HighlightEnd)
		if mark != "" {
			out = append(out, Segment{Text: mark, Highlight: true})
		}
		snippet = after
	}
	if out == nil {
		out = []Segment{}
	}
	return out
}

// plainSnippetChars is the length of an unhighlighted snippet.
const plainSnippetChars = 160

func leadingRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
