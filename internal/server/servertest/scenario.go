package servertest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/store"
)

// Scenario is one request and what must come of it.
type Scenario struct {
	Name   string
	Method string
	Path   string
	// Body is sent as is when a string, JSON-encoded otherwise.
	Body any
	// Header holds extra request headers.
	Header map[string]string
	// As makes the request as this user id (UserHeader); Client, when set,
	// sends it through that client instead (its cookies, its bearer token).
	As     string
	Client *Client

	WantStatus int
	// WantBody are fragments of the body (JSON re-encoded as Normalized
	// says); NotWantBody must not appear.
	WantBody    []string
	NotWantBody []string
	// WantFields are exactly the fields a validation error names (nil: not
	// checked).
	WantFields []string
	// WantEvents are the types of the events the request wrote to the
	// events table, in order; nil means it must write none. A request made
	// As a user may write events for that user only.
	WantEvents []string
	// Check, when set, looks further at the answer.
	Check func(t *testing.T, r Response)
}

// Run plays the scenarios in order, each under t.Run with its name, so
// one can be run alone (-run 'Test/engine/name').
func (e *Server) Run(t *testing.T, scenarios []Scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.Name, func(t *testing.T) { e.play(t, sc) })
	}
}

func (e *Server) play(t *testing.T, sc Scenario) {
	c := sc.Client
	if c == nil {
		c = e.As(sc.As)
	}
	c = c.In(t)
	var header []string
	for k, v := range sc.Header {
		header = append(header, k, v)
	}
	before := e.lastSeq(t)
	r := c.Do(sc.Method, sc.Path, sc.Body, header...)
	if r.Status != sc.WantStatus {
		t.Fatalf("%s %s = %d %s, want %d", sc.Method, sc.Path, r.Status, r.Raw, sc.WantStatus)
	}
	body := r.Normalized()
	for _, frag := range sc.WantBody {
		if !strings.Contains(body, frag) {
			t.Errorf("body %s lacks %s", body, frag)
		}
	}
	for _, frag := range sc.NotWantBody {
		if strings.Contains(body, frag) {
			t.Errorf("body %s has %s", body, frag)
		}
	}
	if sc.WantFields != nil {
		want := slices.Sorted(slices.Values(sc.WantFields))
		if got := r.ErrorFields(); !slices.Equal(got, want) {
			t.Errorf("error fields %v, want %v (%s)", got, want, body)
		}
	}
	types, users := e.eventsSince(t, before)
	if !slices.Equal(types, sc.WantEvents) {
		t.Errorf("events written %v, want %v", types, sc.WantEvents)
	}
	for i, u := range users {
		if sc.As != "" && sc.Client == nil && u != sc.As {
			t.Errorf("event %s was written for user %q, not the caller %q", types[i], u, sc.As)
		}
	}
	if sc.Check != nil {
		sc.Check(t, r)
	}
}

func (e *Server) lastSeq(t *testing.T) int64 {
	t.Helper()
	var seq int64
	if err := e.Store.WriteDB().QueryRowContext(context.Background(), `SELECT COALESCE(MAX(seq), 0) FROM events`).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

// eventsSince lists the types and users of the events after seq, in order.
func (e *Server) eventsSince(t *testing.T, seq int64) (types, users []string) {
	t.Helper()
	rows, err := e.Store.WriteDB().QueryContext(context.Background(), e.Store.Rebind(`SELECT type, user_id FROM events WHERE seq > ? ORDER BY seq`), seq)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			typ    string
			stored any
		)
		if err := rows.Scan(&typ, &stored); err != nil {
			t.Fatal(err)
		}
		user, err := store.DecodeEventID(stored) // 16 bytes on SQLite
		if err != nil {
			t.Fatal(err)
		}
		types, users = append(types, typ), append(users, user)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return types, users
}
