package api_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// insightEnv is the API with the journal, the insight service and a running
// job queue (offline analyzer, score recomputation): publishing an entry
// leads to a stored score, as in production.
type insightEnv struct {
	*journalEnv
	insight    *insight.Service
	recomputed chan queue.RecomputeScoreArgs
}

func newInsightEnv(t *testing.T, s *store.Store) *insightEnv {
	t.Helper()
	e := &insightEnv{recomputed: make(chan queue.RecomputeScoreArgs, 100)}
	srv := servertest.Start(t, s, servertest.Options{
		Clock: servertest.NewClock(time.Now().UTC(), time.Microsecond),
		Workers: func(w *river.Workers, srv *servertest.Server) {
			river.AddWorker(w, pipeline.NewWorker(pipeline.Config{Store: s,
				OnFinish: func(ctx context.Context, tx *store.Tx, a store.Analysis) error {
					return srv.Insight.AnalysisLanded(ctx, tx, a.UserID, a.RelationshipID, a.EntryID, a.CompletedAt)
				}}))
			insight.AddWorkers(w, srv.Insight, func(args queue.RecomputeScoreArgs, _ insight.RecomputeResult) { e.recomputed <- args })
		},
	})
	e.insight = srv.Insight
	e.journalEnv = &journalEnv{Server: srv, t: t, store: s, jobs: srv.Jobs}
	return e
}

// waitRecompute waits for a recompute of rel.
func (e *insightEnv) waitRecompute(rel string) {
	e.t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case args := <-e.recomputed:
			if args.RelationshipID == rel {
				return
			}
		case <-deadline:
			e.t.Fatalf("no score recomputation of %s", rel)
		}
	}
}

func forEachInsightEngine(t *testing.T, fn func(t *testing.T, e *insightEnv)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newInsightEnv(t, s)) })
}

func items(t *testing.T, body map[string]any) []map[string]any {
	t.Helper()
	raw, ok := body["items"].([]any)
	if !ok {
		t.Fatalf("no items in %v", body)
	}
	out := make([]map[string]any, len(raw))
	for i, it := range raw {
		out[i] = it.(map[string]any)
	}
	return out
}

func TestPublishToScoreOverTheAPI(t *testing.T) {
	forEachInsightEngine(t, func(t *testing.T, e *insightEnv) {
		u := e.addUser("ann")
		rel := e.newRelationship(u, "Sam")
		for _, text := range []string{
			"You never listen to me and you always interrupt. I'm so tired of your criticism.",
			"You never listen, you always make it about you. Whatever.",
			"Again you criticised everything I did. You never help and you always complain.",
			"We talked it through tonight and I said sorry for snapping; Sam hugged me and we laughed about it.",
		} {
			e.newEntry(u, map[string]any{"relationshipId": rel, "content": text})
			e.waitRecompute(rel)
		}
		scores := items(t, e.must(http.StatusOK, u, "GET", "/api/v1/health-scores?relationshipId="+rel, nil))
		if len(scores) == 0 {
			t.Fatal("no health score after publishing")
		}
		cur := scores[0]
		if cur["relationshipId"] != rel || cur["factorBreakdown"] == nil || cur["calculationMethod"] != insight.MethodFallback {
			t.Fatalf("current score: %v", cur)
		}
		if f := cur["factorBreakdown"].(map[string]any); len(f) != 5 || f["conflict_resolution"] == nil {
			t.Fatalf("factors: %v", f)
		}
		d := e.must(http.StatusOK, u, "GET", "/api/v1/dashboard", nil)
		sum := d["summary"].(map[string]any)
		if sum["totalEntries"].(float64) != 4 || sum["averageHealthScore"] == nil || len(d["recentEntries"].([]any)) != 4 || len(d["healthScores"].([]any)) != 1 {
			t.Fatalf("dashboard: %v", d)
		}
		td := d["trendData"].(map[string]any)
		if len(td["sentiment"].([]any)) != 1 || len(td["health"].([]any)) == 0 {
			t.Fatalf("dashboard trends: %v", td)
		}
		tr := e.must(http.StatusOK, u, "GET", "/api/v1/trends?relationshipId="+rel+"&days=7", nil)
		if len(tr["sentiment"].([]any)) != 1 {
			t.Fatalf("trends: %v", tr)
		}
		ins := items(t, e.must(http.StatusOK, u, "GET", "/api/v1/insights?status=active", nil))
		if len(ins) == 0 {
			t.Fatal("no insights after three critical entries")
		}
		id := ins[0]["id"].(string)
		if ev := ins[0]["evidenceEntryIds"].([]any); len(ev) == 0 {
			t.Fatalf("insight without evidence: %v", ins[0])
		}
		got := e.must(http.StatusOK, u, "PATCH", "/api/v1/insights/"+id, map[string]any{"status": "dismissed"})
		if got["insight"].(map[string]any)["status"] != "dismissed" {
			t.Fatalf("dismiss: %v", got)
		}
		for _, in := range items(t, e.must(http.StatusOK, u, "GET", "/api/v1/insights?status=active", nil)) {
			if in["id"] == id {
				t.Fatal("a dismissed insight is still listed as active")
			}
		}
		if n := len(items(t, e.must(http.StatusOK, u, "GET", "/api/v1/insights?status=dismissed", nil))); n != 1 {
			t.Fatalf("%d dismissed insights, want 1", n)
		}
		// Deleting entries recomputes the score from what is left.
		entries := items(t, e.must(http.StatusOK, u, "GET", "/api/v1/entries", nil))
		e.must(http.StatusNoContent, u, "DELETE", "/api/v1/entries/"+entries[0]["id"].(string), nil)
		e.waitRecompute(rel)
		after := items(t, e.must(http.StatusOK, u, "GET", "/api/v1/health-scores?relationshipId="+rel+"&limit=1", nil))
		if after[0]["entryCount"].(float64) != 3 {
			t.Fatalf("after deleting an entry the score rests on %v entries, want 3", after[0]["entryCount"])
		}
	})
}

func TestInsightEndpointsValidateInput(t *testing.T) {
	forEachInsightEngine(t, func(t *testing.T, e *insightEnv) {
		u := e.addUser("ann")
		cases := []struct {
			method, path string
			body         any
			field        string
		}{
			{"GET", "/api/v1/trends?days=0", nil, "days"},
			{"GET", "/api/v1/trends?days=366", nil, "days"},
			{"GET", "/api/v1/trends?days=ten", nil, "days"},
			{"GET", "/api/v1/insights?status=expired", nil, "status"},
			{"GET", "/api/v1/insights?limit=0", nil, "limit"},
			{"GET", "/api/v1/health-scores?limit=101", nil, "limit"},
			{"GET", "/api/v1/health-scores?cursor=bogus", nil, "cursor"},
			// Well-formed positions that the server did not sign.
			{"GET", "/api/v1/health-scores?cursor=" + unsignedTimeCursor, nil, "cursor"},
			{"GET", "/api/v1/insights?cursor=" + unsignedTimeCursor, nil, "cursor"},
			{"PATCH", "/api/v1/insights/x", map[string]any{"status": "archived"}, "status"},
			{"PATCH", "/api/v1/insights/x", map[string]any{}, "status"},
			{"PATCH", "/api/v1/insights/x", map[string]any{"status": "dismissed", "title": "x"}, "title"},
			{"PATCH", "/api/v1/insights/x", map[string]any{"status": 5}, "status"},
		}
		for _, c := range cases {
			got, body := e.do(u, c.method, c.path, c.body)
			fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
			if got != http.StatusBadRequest || fields[c.field] == nil {
				t.Errorf("%s %s %v = %d %v, want 400 naming %s", c.method, c.path, c.body, got, body, c.field)
			}
		}
		for _, path := range []string{"/api/v1/dashboard", "/api/v1/trends", "/api/v1/insights", "/api/v1/health-scores"} {
			if got, _ := e.do("", "GET", path, nil); got != http.StatusUnauthorized {
				t.Errorf("GET %s signed out = %d, want 401", path, got)
			}
		}
	})
}

// Another user's ids answer 404 on every new endpoint, and nothing leaks.
func TestInsightEndpointsOwnership(t *testing.T) {
	forEachInsightEngine(t, func(t *testing.T, e *insightEnv) {
		owner, other := e.addUser("owner"), e.addUser("other")
		rel := e.newRelationship(owner, "Secret person")
		for range 3 {
			e.newEntry(owner, map[string]any{"relationshipId": rel, "content": "You never listen and you always criticise me, it is exhausting."})
			e.waitRecompute(rel)
		}
		ins := items(t, e.must(http.StatusOK, owner, "GET", "/api/v1/insights", nil))
		if len(ins) == 0 {
			t.Fatal("the owner has no insight to steal")
		}
		id := ins[0]["id"].(string)
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/health-scores?relationshipId=" + rel, nil},
			{"GET", "/api/v1/trends?relationshipId=" + rel, nil},
			{"PATCH", "/api/v1/insights/" + id, map[string]any{"status": "dismissed"}},
			{"PATCH", "/api/v1/insights/no-such-id", map[string]any{"status": "dismissed"}},
		} {
			if got, body := e.do(other, c.method, c.path, c.body); got != http.StatusNotFound {
				t.Errorf("%s %s as another user = %d %v, want 404", c.method, c.path, got, body)
			}
		}
		for _, path := range []string{"/api/v1/dashboard", "/api/v1/insights", "/api/v1/insights?status=active", "/api/v1/health-scores", "/api/v1/trends"} {
			js := jsonString(t, e.must(http.StatusOK, other, "GET", path, nil))
			for _, leak := range []string{rel, id, "Secret", "criticis"} {
				if strings.Contains(js, leak) {
					t.Errorf("GET %s as another user leaks %q: %s", path, leak, js)
				}
			}
		}
		if got := items(t, e.must(http.StatusOK, owner, "GET", "/api/v1/insights?status=active", nil)); got[0]["status"] != "active" {
			t.Fatalf("the owner's insight changed: %v", got[0])
		}
	})
}

func TestUnsubscribeLinkNeedsNoSignIn(t *testing.T) {
	forEachInsightEngine(t, func(t *testing.T, e *insightEnv) {
		u := e.addUser("ann")
		e.exec(`INSERT INTO feature_flags (user_id, flags, updated_at) VALUES (?, '{"smartReminders":true}', ?)`, u, store.DBTime(time.Now()))
		token, err := e.insight.UnsubscribeToken(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(e.URL + "/api/v1/reminders/unsubscribe?token=" + token)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Reminders are off") {
			t.Fatalf("GET unsubscribe = %d %s", resp.StatusCode, body)
		}
		var flags string
		if err := e.store.WriteDB().QueryRowContext(context.Background(), e.store.Rebind(`SELECT flags FROM feature_flags WHERE user_id = ?`), u).Scan(&flags); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(flags, `"smartReminders":false`) {
			t.Fatalf("flags after unsubscribe: %s", flags)
		}
		// RFC 8058 one-click POST from a mail client.
		resp, err = http.Post(e.URL+"/api/v1/reminders/unsubscribe?token="+token, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNoContent {
			t.Fatalf("POST unsubscribe = %d", resp.StatusCode)
		}
		if got, body := e.do("", "GET", "/api/v1/reminders/unsubscribe?token="+token+"x", nil); got != http.StatusBadRequest {
			t.Fatalf("tampered token = %d %v", got, body)
		}
	})
}

func (e *insightEnv) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.store.WriteDB().ExecContext(context.Background(), e.store.Rebind(query), args...); err != nil {
		e.t.Fatal(err)
	}
}

// unsignedTimeCursor is a position as cursors held one before they were
// signed: base64url of "t|<time>|<id>".
var unsignedTimeCursor = base64.RawURLEncoding.EncodeToString([]byte("t|2026-03-01T09:00:00.000000Z|x"))
