package journal

import (
	"context"
	"fmt"
)

// EventCursor is the event id from which a page's live updates start: read
// before the page reads its data, so every change the page may have missed
// is replayed to it (GET /api/v1/events?lastEventId=). It is the user's
// newest event, or, when the log holds none of theirs, the id just before
// the oldest one kept, so neither answer is stale enough for a reset.
//
// A user's events are logged in their commit order on both engines, while
// sequence numbers across users are not (PostgreSQL hands them out at
// insert), so the user's own newest id is the one that cannot skip a
// change of theirs still committing.
func (s *Service) EventCursor(ctx context.Context, userID string) (int64, error) {
	seq, err := s.store.LastEventSeq(ctx, userID)
	if err != nil {
		return 0, fmt.Errorf("event cursor: %w", err)
	}
	if seq > 0 {
		return seq, nil
	}
	oldest, _, err := s.store.EventBounds(ctx)
	if err != nil {
		return 0, fmt.Errorf("event cursor: %w", err)
	}
	return max(oldest-1, 0), nil
}
