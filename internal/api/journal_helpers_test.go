package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// journalEnv is the harness's server as the journal tests use it:
// requests are made as a user id (servertest.UserHeader), without signing in.
type journalEnv struct {
	*servertest.Server
	t     *testing.T
	store *store.Store
	jobs  *queue.Client
}

func newJournalEnv(t *testing.T, s *store.Store) *journalEnv {
	t.Helper()
	srv := servertest.Start(t, s, servertest.Options{Clock: servertest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), time.Microsecond)})
	return &journalEnv{Server: srv, t: t, store: s, jobs: srv.Jobs}
}

// addUser inserts a user row directly (accounts are another package's concern).
func (e *journalEnv) addUser(id string) string {
	e.t.Helper()
	return e.AddUser(id)
}

// do sends a request as user (none when "") and returns the status and decoded body.
func (e *journalEnv) do(user, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	r := e.As(user).Do(method, path, body)
	return r.Status, r.Body
}

// must is do that fails the test unless the status is want.
func (e *journalEnv) must(want int, user, method, path string, body any) map[string]any {
	e.t.Helper()
	got, out := e.do(user, method, path, body)
	if got != want {
		e.t.Fatalf("%s %s = %d %v, want %d", method, path, got, out, want)
	}
	return out
}

func (e *journalEnv) newRelationship(user, name string) string {
	e.t.Helper()
	out := e.must(http.StatusCreated, user, "POST", "/api/v1/relationships", map[string]any{"name": name, "kind": "partner"})
	return out["relationship"].(map[string]any)["id"].(string)
}

func (e *journalEnv) newEntry(user string, body map[string]any) map[string]any {
	e.t.Helper()
	return e.must(http.StatusCreated, user, "POST", "/api/v1/entries", body)["entry"].(map[string]any)
}

// count runs a COUNT(*) query.
func (e *journalEnv) count(query string, args ...any) int {
	e.t.Helper()
	return e.Count(query, args...)
}

// events counts userID's events about entityID of the given types, read
// as a reconnecting stream replays them (the log's rows are stored
// compactly on SQLite, see store/eventcodec.go).
func (e *journalEnv) events(userID, entityID string, types ...string) int {
	e.t.Helper()
	events, err := e.store.EventsAfter(context.Background(), userID, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, ev := range events {
		if ev.EntityID == entityID && slices.Contains(types, ev.Type) {
			n++
		}
	}
	return n
}

// pendingJobs counts waiting analyze_entry jobs for entryID.
func (e *journalEnv) pendingJobs(entryID string) int {
	e.t.Helper()
	jobs, err := e.jobs.JobList(context.Background(), riverListAnalyze(entryID))
	if err != nil {
		e.t.Fatal(err)
	}
	return len(jobs.Jobs)
}

func forEachEngine(t *testing.T, fn func(t *testing.T, e *journalEnv)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newJournalEnv(t, s)) })
}

func riverListAnalyze(entryID string) *river.JobListParams {
	return river.NewJobListParams().Kinds(queue.AnalyzeEntryArgs{}.Kind()).
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending).
		Where("args ->> 'entryId' = @entry_id", river.NamedArgs{"entry_id": entryID})
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
