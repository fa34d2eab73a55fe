package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Event is one real-time change for a user's open tabs (API.md "Real
// time"). It is written in the transaction that made the change, so the log
// never announces a write that rolled back, and it is replayed to
// reconnecting tabs by sequence number.
type Event struct {
	UserID         string
	Type           string // entry.created, entry.updated, analysis.status, …
	EntityID       string
	RelationshipID string
	Data           any // small JSON-encodable fields; nil means {}
	At             time.Time
}

const insertEventSQL = `INSERT INTO events (user_id, type, entity_id, relationship_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`

// AppendEvent records e in the transaction and returns its sequence number,
// which the real-time hub publishes once the transaction has committed.
func (t *Tx) AppendEvent(ctx context.Context, e Event) (int64, error) {
	data := []byte("{}")
	if e.Data != nil {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return 0, fmt.Errorf("append %s event: encode data: %w", e.Type, err)
		}
	}
	var seq int64
	if err := t.queryRow(ctx, insertEventSQL, e.UserID, e.Type, e.EntityID, e.RelationshipID, string(data), DBTime(e.At)).Scan(&seq); err != nil {
		return 0, fmt.Errorf("append %s event: %w", e.Type, err)
	}
	return seq, nil
}

// Event types written by the health-score and insight services.
const (
	EventHealthScoreUpdated = "healthScore.updated"
	EventInsightCreated     = "insight.created"
	EventInsightUpdated     = "insight.updated"
)
