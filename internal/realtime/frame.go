package realtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
)

// frame is one event encoded for the wire once, shared by every
// subscription it is offered to.
type frame struct {
	seq int64
	at  time.Time // when the change was made, for the delivery lag
	b   []byte
}

// wireEvent is the fixed part of an event's data (API.md "Real time"); the
// event's own small fields follow it in the same object.
type wireEvent struct {
	Type           string    `json:"type"`
	EntityID       string    `json:"entityId"`
	RelationshipID string    `json:"relationshipId"`
	At             time.Time `json:"at"`
}

// encodeEvent renders e as a Server-Sent Event:
//
//	id: <seq>
//	event: <type>
//	data: {"type":…,"entityId":…,"relationshipId":…,"at":…,…fields}
func encodeEvent(e *store.Event) (*frame, error) {
	base, err := json.Marshal(wireEvent{Type: e.Type, EntityID: e.EntityID, RelationshipID: e.RelationshipID, At: e.At.UTC()})
	if err != nil {
		return nil, err
	}
	extra, err := eventFields(e.Data)
	if err != nil {
		return nil, fmt.Errorf("event %d data: %w", e.Seq, err)
	}
	b := make([]byte, 0, len(base)+len(extra)+len(e.Type)+48)
	b = append(b, "id: "...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, "\nevent: "...)
	b = append(b, e.Type...)
	b = append(b, "\ndata: "...)
	if len(extra) > 0 {
		b = append(b, base[:len(base)-1]...)
		b = append(b, ',')
		b = append(b, extra...)
		b = append(b, '}')
	} else {
		b = append(b, base...)
	}
	b = append(b, "\n\n"...)
	return &frame{seq: e.Seq, at: e.At, b: b}, nil
}

// eventFields returns the members of the event's data object without its
// braces (nil when there are none), compacted onto one line as an SSE data
// field must be.
func eventFields(data any) ([]byte, error) {
	var raw []byte
	switch d := data.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		raw = d
	case []byte:
		raw = d
	default:
		var err error
		if raw, err = json.Marshal(d); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, err
	}
	c := buf.Bytes()
	if len(c) < 2 || c[0] != '{' || c[len(c)-1] != '}' {
		return nil, fmt.Errorf("not a JSON object")
	}
	return c[1 : len(c)-1], nil
}

// resetFrame tells the client its Last-Event-ID is older than the log
// keeps (or unknown): it refetches, and the id moves it to the present.
func resetFrame(seq int64) []byte {
	b := []byte("id: ")
	b = strconv.AppendInt(b, seq, 10)
	return append(b, "\nevent: reset\ndata: {\"type\":\"reset\"}\n\n"...)
}
