package web

import (
	"context"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

// entryItem is one entry in a list: the entry with what its card shows.
type entryItem struct {
	Entry   store.Entry
	Status  *store.AnalysisStatus
	RelName string
	Snippet []journal.Segment // search hits: the matching passage, highlights marked
	Excerpt string
	Loc     *time.Location
	Now     time.Time
}

const excerptChars = 200

// entryItems builds the cards for hits, with each entry's relationship
// name and analysis status.
func (w *Web) entryItems(ctx context.Context, p *page, hits []journal.Hit, rels []store.Relationship) ([]entryItem, error) {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.Entry.ID
	}
	statuses, err := w.journal.AnalysisStatuses(ctx, p.User.ID, ids)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(rels))
	for _, r := range rels {
		names[r.ID] = r.Name
	}
	items := make([]entryItem, len(hits))
	for i, h := range hits {
		it := entryItem{Entry: h.Entry, Snippet: h.Snippet, RelName: names[h.Entry.RelationshipID], Loc: p.Loc, Now: p.Now}
		if it.RelName == "" {
			it.RelName = "a relationship"
		}
		if st, ok := statuses[h.Entry.ID]; ok {
			it.Status = &st
		}
		if len(h.Snippet) == 0 {
			it.Excerpt = excerpt(h.Entry.Content, excerptChars)
		}
		items[i] = it
	}
	return items, nil
}

// allRelationships lists the user's relationships (up to the page limit,
// which is far more than anyone keeps).
func (w *Web) allRelationships(ctx context.Context, userID string) ([]store.Relationship, error) {
	page, err := w.journal.ListRelationships(ctx, userID, journal.PageRequest{Limit: journal.MaxLimit})
	if err != nil {
		return nil, err
	}
	return page.Items, nil
}

// excerpt is the first n characters of s on one line, cut at a word.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len([]rune(s)) <= n {
		return s
	}
	r := []rune(s)[:n]
	cut := string(r)
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
