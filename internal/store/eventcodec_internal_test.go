package store

import (
	"testing"
	"time"
)

func TestEventIDsRoundTripExactly(t *testing.T) {
	for _, id := range []string{
		"01a2316a-423b-795d-a19a-c790a43bc141", // a UUID: stored as 16 bytes
		"00000000-0000-0000-0000-000000000000",
		"", "r1", "user_2abcDEF",
		"01A2316A-423B-795D-A19A-C790A43BC141", // uppercase: kept as text
		"01a2316a-423b-795d-a19a-c790a43bc14g", // not hex
		"01a2316a_423b-795d-a19a-c790a43bc141", // not a dash
		"01a2316a-423b-795d-a19a-c790a43bc1411",
	} {
		stored := encodeEventID(id)
		if b, ok := stored.([]byte); ok && len(b) != 16 {
			t.Fatalf("%q stored as %d bytes", id, len(b))
		}
		got, err := decodeEventID(stored)
		if err != nil || got != id {
			t.Fatalf("%q read back as %q, %v", id, got, err)
		}
	}
	if _, ok := encodeEventID("01a2316a-423b-795d-a19a-c790a43bc141").([]byte); !ok {
		t.Fatal("a canonical UUID is not stored as bytes")
	}
}

func TestEventDataRoundTripsExactly(t *testing.T) {
	payloads := []string{`{}`, `{"status":"queued","retryCount":1}`, `{"score":71,"trendDirection":"stable"}`, `{"score":null}`}
	payloads = append(payloads, eventDataCodes[1:]...)
	for _, p := range payloads {
		stored := encodeEventData([]byte(p))
		got, err := decodeEventData(stored)
		if err != nil || got != p {
			t.Fatalf("%s stored as %v, read back as %s, %v", p, stored, got, err)
		}
	}
	if encodeEventData([]byte(`{}`)) != nil {
		t.Fatal("{} is not stored as NULL")
	}
	if _, err := decodeEventData(int64(len(eventDataCodes))); err == nil {
		t.Fatal("an unknown code read back without an error")
	}
}

// TestEventDataCodesNeverChange pins the numbers stored in databases.
func TestEventDataCodesNeverChange(t *testing.T) {
	pinned := map[int64]string{
		1:  `{"status":"published"}`,
		4:  `{"status":"processing","retryCount":0}`,
		6:  `{"status":"fallback","retryCount":0,"fallbackReason":"not_configured"}`,
		11: `{"action":"updated"}`,
	}
	for code, want := range pinned {
		if got, _ := decodeEventData(code); got != want {
			t.Fatalf("code %d reads %s, want %s: the list is append-only", code, got, want)
		}
	}
	seen := map[string]bool{}
	for _, s := range eventDataCodes[1:] {
		if seen[s] {
			t.Fatalf("%s listed twice", s)
		}
		seen[s] = true
	}
}

func TestEventTimesRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 1, 11, 43, 12, 961588000, time.UTC)
	got, err := decodeEventTime(storedTime(SQLite, at))
	if err != nil || !got.Equal(at) {
		t.Fatalf("SQLite event time read back as %v, %v", got, err)
	}
	got, err = decodeEventTime(storedTime(Postgres, at))
	if err != nil || !got.Equal(at) {
		t.Fatalf("PostgreSQL event time read back as %v, %v", got, err)
	}
}
