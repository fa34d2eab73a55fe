package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// testUserHeader carries the signed-in user in these tests only; the real
// authentication middleware is the accounts package's.
const testUserHeader = "X-Test-User"

func withTestUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get(testUserHeader); id != "" {
			r = r.WithContext(frontdoor.WithUserID(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}

// testClock is a settable clock that advances a microsecond per reading,
// so rows written one after another have distinct, ordered times.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Microsecond)
	return c.t
}

// journalEnv is a running API over a fresh store on one engine.
type journalEnv struct {
	t     *testing.T
	store *store.Store
	srv   *httptest.Server
	jobs  *queue.Client
}

func newJournalEnv(t *testing.T, s *store.Store) *journalEnv {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	jobs, err := queue.New(s, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	svc := journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(jobs), Now: clock.Now})
	srv := httptest.NewServer(withTestUser(routeTable(s, nil, nil, svc, frontdoor.SessionConfig{})))
	t.Cleanup(srv.Close)
	return &journalEnv{t: t, store: s, srv: srv, jobs: jobs}
}

// addUser inserts a user row directly (accounts are another package's concern).
func (e *journalEnv) addUser(id string) string {
	e.t.Helper()
	storetest.AddUser(e.t, e.store, id, "")
	return id
}

// do sends a request as user (none when "") and returns the status and decoded body.
func (e *journalEnv) do(user, method, path string, body any) (int, map[string]any) {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set(testUserHeader, user)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &out); err != nil {
			e.t.Fatalf("%s %s: body is not JSON: %s", method, path, raw)
		}
	}
	return resp.StatusCode, out
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
	var n int
	if err := e.store.WriteDB().QueryRowContext(context.Background(), e.store.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatal(err)
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
