package journal

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
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

// Cursors are opaque to clients: base64url of a kind letter and the
// position. "t" positions are (time, id) of the last row of a page; "o"
// positions are offsets into ranked search results.
var cursorEncoding = base64.RawURLEncoding

func errBadCursor() error {
	return validate.Field("cursor", "is not a valid cursor; start again without it")
}

func encodeTimeCursor(t time.Time, id string) string {
	return cursorEncoding.EncodeToString([]byte("t|" + store.DBTime(t) + "|" + id))
}

// decodeTimeCursor returns nil for the first page.
func decodeTimeCursor(s string) (*store.Cursor, error) {
	if s == "" {
		return nil, nil
	}
	b, err := cursorEncoding.DecodeString(s)
	if err != nil {
		return nil, errBadCursor()
	}
	parts := strings.SplitN(string(b), "|", 3)
	if len(parts) != 3 || parts[0] != "t" || parts[2] == "" {
		return nil, errBadCursor()
	}
	t, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return nil, errBadCursor()
	}
	return &store.Cursor{Time: t, ID: parts[2]}, nil
}

func encodeOffsetCursor(offset int) string {
	return cursorEncoding.EncodeToString([]byte("o|" + strconv.Itoa(offset)))
}

// maxSearchOffset keeps deep paging of ranked results bounded.
const maxSearchOffset = 10000

func decodeOffsetCursor(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	b, err := cursorEncoding.DecodeString(s)
	if err != nil {
		return 0, errBadCursor()
	}
	rest, ok := strings.CutPrefix(string(b), "o|")
	if !ok {
		return 0, errBadCursor()
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 0 || n > maxSearchOffset {
		return 0, errBadCursor()
	}
	return n, nil
}

// timePage trims a result fetched with limit+1 rows to limit and sets the
// cursor when there was more.
func timePage[T any](rows []T, limit int, pos func(T) (time.Time, string)) Page[T] {
	p := Page[T]{Items: rows}
	if p.Items == nil {
		p.Items = []T{}
	}
	if len(rows) > limit {
		p.Items = rows[:limit]
		t, id := pos(rows[limit-1])
		p.NextCursor = encodeTimeCursor(t, id)
	}
	return p
}
