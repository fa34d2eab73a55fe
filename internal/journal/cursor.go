package journal

import (
	"context"
	"time"
)

// Page sizes (API.md "Lists").
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// PageRequest asks for one page of a list.
type PageRequest struct {
	Limit  int    // 0 means DefaultLimit; more than MaxLimit is capped
	Cursor string // "" for the first page
}

func (p PageRequest) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultLimit
	case p.Limit > MaxLimit:
		return MaxLimit
	}
	return p.Limit
}

// Page is one page of a list; NextCursor is "" on the last page.
type Page[T any] struct {
	Items      []T
	NextCursor string
}

// Cursors are opaque to clients and signed (package cursor), so that an
// edited cursor answers 400 instead of being followed.

// maxSearchOffset keeps deep paging of ranked results bounded.
const maxSearchOffset = 10000

// timePage trims a result fetched with limit+1 rows to limit and sets the
// cursor when there was more.
func timePage[T any](ctx context.Context, s *Service, rows []T, limit int, pos func(T) (time.Time, string)) (Page[T], error) {
	p := Page[T]{Items: rows}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(rows) > limit {
		p.Items = rows[:limit]
		t, id := pos(rows[limit-1])
		c, err := s.cursors.Time(ctx, t, id)
		if err != nil {
			return Page[T]{}, err
		}
		p.NextCursor = c
	}
	return p, nil
}
