package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Real-time event types (API.md "Real time"). Every event Resonant writes
// uses one of these; add new types here, never as literals elsewhere.
const (
	EventEntryCreated        = "entry.created"
	EventEntryUpdated        = "entry.updated"
	EventEntryDeleted        = "entry.deleted"
	EventAnalysisStatus      = "analysis.status"
	EventHealthScoreUpdated  = "healthScore.updated"
	EventInsightCreated      = "insight.created"
	EventInsightUpdated      = "insight.updated"
	EventRelationshipChanged = "relationship.changed"
)

// EventsChannel is the PostgreSQL NOTIFY channel on which every committed
// event is announced, as {"seq":…,"userId":"…"}: ids only, so a listener
// (another instance's real-time hub) reads the event itself from the log.
const EventsChannel = "resonant_events"

// Event is one real-time change for a user's open tabs (API.md "Real
// time"). It is written in the transaction that made the change, so the log
// never announces a write that rolled back, and it is replayed to
// reconnecting tabs by sequence number.
type Event struct {
	// Seq is the event log's sequence number, set by AppendEvent.
	Seq            int64
	UserID         string
	Type           string // one of the Event* constants
	EntityID       string
	RelationshipID string
	Data           any // small JSON-encodable fields; nil means {}
	At             time.Time
}

// AnalysisStatusData is the Data of an EventAnalysisStatus event.
type AnalysisStatusData struct {
	Status         string `json:"status"`
	RetryCount     int    `json:"retryCount"`
	FallbackReason string `json:"fallbackReason,omitempty"`
}

// EventHook receives the events of one committed transaction, in the order
// they were appended (on SQLite, of one group commit: its callers' events in
// commit order). It runs after COMMIT and before InTx returns, on the
// committing goroutine, so it must not block: a real-time hub enqueues.
type EventHook func(events []Event)

// SetEventHook makes hook the one subscriber to committed events,
// replacing any earlier one; nil removes it. Set it before writes start:
// events committed earlier are not replayed to it (they remain in the log).
func (s *Store) SetEventHook(hook EventHook) {
	if hook == nil {
		s.hook.Store(nil)
		return
	}
	s.hook.Store(&hook)
}

// deliver hands committed events to the hook.
func (s *Store) deliver(events []Event) {
	if len(events) == 0 {
		return
	}
	if h := s.hook.Load(); h != nil {
		(*h)(events)
	}
}

const insertEventSQL = `INSERT INTO events (user_id, type, entity_id, relationship_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING seq`

// insertEventNotifySQL also announces the event on EventsChannel; the
// notification is sent only if (and when) the transaction commits.
const insertEventNotifySQL = `WITH e AS (INSERT INTO events (user_id, type, entity_id, relationship_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING seq, user_id)
SELECT seq FROM e, pg_notify('` + EventsChannel + `', json_build_object('seq', e.seq, 'userId', e.user_id)::text)`

// AppendEvent records e in the transaction and returns its sequence
// number. The transaction keeps the event (with Seq set) and hands it to
// the store's EventHook once it has committed; a rollback discards it.
//
// On PostgreSQL the event is inserted just before COMMIT (see writeEvents)
// and AppendEvent returns 0: its sequence is known once InTx returns (the
// hook's events carry it).
func (t *Tx) AppendEvent(ctx context.Context, e Event) (int64, error) {
	data := []byte("{}")
	if e.Data != nil {
		var err error
		if data, err = json.Marshal(e.Data); err != nil {
			return 0, fmt.Errorf("append %s event: encode data: %w", e.Type, err)
		}
	}
	if t.d.engine() == Postgres {
		e.Data = json.RawMessage(data)
		t.events = append(t.events, e)
		t.pending++
		return 0, nil
	}
	if err := t.queryRow(ctx, insertEventSQL, e.UserID, e.Type, e.EntityID, e.RelationshipID, string(data), DBTime(e.At)).Scan(&e.Seq); err != nil {
		return 0, fmt.Errorf("append %s event: %w", e.Type, err)
	}
	t.events = append(t.events, e)
	return e.Seq, nil
}
