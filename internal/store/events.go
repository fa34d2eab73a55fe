package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// insertEventNotifySQL also announces the event on EventsChannel; the
// notification is sent only if (and when) the transaction commits.
const insertEventNotifySQL = `WITH e AS (INSERT INTO events (user_id, type, entity_id, relationship_id, data, created_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING seq, user_id)
SELECT seq FROM e, pg_notify('` + EventsChannel + `', json_build_object('seq', e.seq, 'userId', e.user_id)::text)`

// AppendEvent records e in the transaction. The transaction keeps the
// event and hands it to the store's EventHook once it has committed, with
// its sequence number set; a rollback discards it. It returns 0: the
// event is inserted into the log when the transaction ends, and its
// sequence is known once InTx returns (the hook's events carry it).
//
// On PostgreSQL the events are inserted just before COMMIT, under a per-user
// lock (see writeEvents); on SQLite the group commit inserts every caller's
// events in a few statements after the batch's savepoints, numbered in
// commit order (see insertBatchEvents).
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
	t.events = append(t.events, e)
	t.eventData = append(t.eventData, data)
	return 0, nil
}

// eventChunks are the row counts of the multi-row event inserts, largest
// first: a batch's events go in as a few statements of these sizes, each
// text prepared once (insertEventsSQL).
var eventChunks = []int{32, 16, 8, 4, 2, 1}

// insertEventsSQL holds, for each size in eventChunks, the statement that
// inserts that many events with the sequence numbers given. An event of a
// user deleted later in the same batch is skipped, as the deletion would
// have removed it (column8 is the user's id as text; column2 its stored
// form, eventcodec.go).
var insertEventsSQL = func() map[int]string {
	texts := make(map[int]string, len(eventChunks))
	for _, n := range eventChunks {
		var b strings.Builder
		b.WriteString(`INSERT INTO events (seq, user_id, type, entity_id, relationship_id, data, created_at)
SELECT column1, column2, column3, column4, column5, column6, column7 FROM (VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		}
		b.WriteString(`) WHERE column8 IN (SELECT id FROM users)`)
		texts[n] = b.String()
	}
	return texts
}()

// insertBatchEvents inserts the events of a group commit's surviving
// callers (SQLite), in commit order, numbering them after the log's last
// sequence, and sets Seq on each. It runs after every savepoint of the
// batch, just before COMMIT: a few statements per batch instead of one per
// event (and the AUTOINCREMENT counter written once per statement).
func (t *Tx) insertBatchEvents(ctx context.Context, callers []*Tx) error {
	type pending struct {
		e    *Event
		data []byte
	}
	var all []pending
	for _, c := range callers {
		for i := range c.events {
			all = append(all, pending{&c.events[i], c.eventData[i]})
		}
	}
	if len(all) == 0 {
		return nil
	}
	var last int64
	err := t.queryRow(ctx, `SELECT seq FROM sqlite_sequence WHERE name = 'events'`).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("append events: %w", err)
	}
	args := make([]any, 0, 8*eventChunks[0])
	for start := 0; start < len(all); {
		size := 1
		for _, c := range eventChunks {
			if c <= len(all)-start {
				size = c
				break
			}
		}
		args = args[:0]
		for _, p := range all[start : start+size] {
			last++
			p.e.Seq = last
			args = append(args, p.e.Seq, encodeEventID(p.e.UserID), p.e.Type, encodeEventID(p.e.EntityID), encodeEventID(p.e.RelationshipID),
				encodeEventData(p.data), p.e.At.UnixMicro(), p.e.UserID) // the compact row of migrations 0008 and 0010 (eventcodec.go)
		}
		if _, err := t.exec(ctx, insertEventsSQL[size], args...); err != nil {
			return fmt.Errorf("append events: %w", err)
		}
		start += size
	}
	return nil
}
