package journal

import (
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// TimeCursor encodes the position after the row (t, id) of a list ordered
// by (time, id), for other services' lists (health scores, insights) to
// page exactly like entries do.
func TimeCursor(t time.Time, id string) string { return encodeTimeCursor(t, id) }

// ParseTimeCursor decodes a TimeCursor; "" is the first page (nil), and
// anything else invalid is a validation error naming the cursor field.
func ParseTimeCursor(s string) (*store.Cursor, error) { return decodeTimeCursor(s) }

// Size is the page size p asks for, defaulted and capped.
func (p PageRequest) Size() int { return p.limit() }
