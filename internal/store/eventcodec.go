package store

import (
	"encoding/hex"
	"fmt"
	"time"
)

// How an event row is stored on SQLite (migration 0008), and read back on
// either engine: the reader takes every form, so rows written before the
// migration (and PostgreSQL's text columns) read as they always did.

// eventDataCodes are the event payloads stored on SQLite as their number
// (the index here): the few most events carry. A payload is stored as a
// number only when its bytes are exactly one of these, and read back as
// exactly those bytes, so the wire format never changes. The numbers are
// in databases: append only, never reorder or edit.
var eventDataCodes = []string{
	0:  "", // unused: NULL stands for {}
	1:  `{"status":"published"}`,
	2:  `{"status":"draft"}`,
	3:  `{"status":"queued","retryCount":0}`,
	4:  `{"status":"processing","retryCount":0}`,
	5:  `{"status":"completed","retryCount":0}`,
	6:  `{"status":"fallback","retryCount":0,"fallbackReason":"not_configured"}`,
	7:  `{"status":"fallback","retryCount":0,"fallbackReason":"no_consent"}`,
	8:  `{"status":"fallback","retryCount":0,"fallbackReason":"private_entry"}`,
	9:  `{"status":"fallback","retryCount":0,"fallbackReason":"circuit_open"}`,
	10: `{"action":"created"}`,
	11: `{"action":"updated"}`,
}

// eventDataCode maps a payload to its number; built once from eventDataCodes.
var eventDataCode = func() map[string]int64 {
	m := make(map[string]int64, len(eventDataCodes))
	for i, s := range eventDataCodes {
		if i > 0 {
			m[s] = int64(i)
		}
	}
	return m
}()

// encodeEventData is the stored form of an event's JSON data on SQLite:
// NULL for {}, a number for a payload in eventDataCodes, else the text.
func encodeEventData(data []byte) any {
	if string(data) == "{}" {
		return nil
	}
	if n, ok := eventDataCode[string(data)]; ok {
		return n
	}
	return string(data)
}

// decodeEventData reads a stored event payload of either engine.
func decodeEventData(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "{}", nil
	case int64:
		if v <= 0 || v >= int64(len(eventDataCodes)) {
			return "", fmt.Errorf("unknown event data code %d", v)
		}
		return eventDataCodes[v], nil
	case string:
		return v, nil
	case []byte:
		return string(v), nil
	}
	return "", fmt.Errorf("event data of type %T", v)
}

// encodeEventID is the stored form of an id on SQLite: a UUID in its
// canonical form (36 characters, lowercase hex) as its 16 bytes, so that it
// reads back as exactly the same string; any other id as text.
func encodeEventID(id string) any {
	if len(id) != 36 {
		return id
	}
	var b [16]byte
	j := 0
	for i := 0; i < 36; i++ {
		c := id[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return id
			}
			continue
		}
		var n byte
		switch {
		case '0' <= c && c <= '9':
			n = c - '0'
		case 'a' <= c && c <= 'f':
			n = c - 'a' + 10
		default:
			return id // uppercase or not hex: kept as written
		}
		if j%2 == 0 {
			b[j/2] = n << 4
		} else {
			b[j/2] |= n
		}
		j++
	}
	return b[:]
}

// DecodeEventID reads an id column of the event log as stored by either
// engine (a UUID's 16 bytes on SQLite, text otherwise), for tests and tools
// that read its rows directly rather than through EventsAfter.
func DecodeEventID(v any) (string, error) { return decodeEventID(v) }

// decodeEventID reads a stored id of either engine.
func decodeEventID(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case []byte:
		if len(v) != 16 {
			return "", fmt.Errorf("event id of %d bytes", len(v))
		}
		var s [36]byte
		hex.Encode(s[0:8], v[0:4])
		s[8] = '-'
		hex.Encode(s[9:13], v[4:6])
		s[13] = '-'
		hex.Encode(s[14:18], v[6:8])
		s[18] = '-'
		hex.Encode(s[19:23], v[8:10])
		s[23] = '-'
		hex.Encode(s[24:36], v[10:16])
		return string(s[:]), nil
	}
	return "", fmt.Errorf("event id of type %T", v)
}

// storedTime is the stored form of a time in the columns kept compact on
// SQLite (events.created_at, migration 0008; analysis_status's times, 0009):
// microseconds since 1970 there, the usual timestamp on PostgreSQL. ScanTime
// reads either.
func storedTime(e Engine, t time.Time) any {
	if e == Postgres {
		return DBTime(t)
	}
	return t.UnixMicro()
}

// decodeEventTime reads a stored event time of either engine.
func decodeEventTime(v any) (time.Time, error) {
	var t time.Time
	err := ScanTime(&t).Scan(v)
	return t, err
}
