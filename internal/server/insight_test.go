package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestServerScoresPublishedEntries runs the whole server over entries
// published before it started: their analyses run, each queues a score
// recomputation in its finish transaction, and scores appear; the reminder
// sweep runs at start. This is the wiring the insight tests stub out.
func TestServerScoresPublishedEntries(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			opts := storetest.Options(t, e)
			seedPublished(t, opts, 3)
			srv := startServer(t, opts, "10s")
			cancel, done := srv.cancel, srv.done
			t.Cleanup(func() {
				cancel()
				if err := <-done; err != nil {
					t.Errorf("server stopped with %v", err)
				}
			})
			db := openSide(t, e, opts)
			count := func(query string) int {
				var n int
				if err := db.QueryRow(query).Scan(&n); err != nil {
					return -1
				}
				return n
			}
			waitUntil(t, 60*time.Second, func() bool {
				return count(`SELECT COUNT(*) FROM health_scores`) >= 1 && count(`SELECT COUNT(*) FROM analysis_status WHERE status = 'fallback'`) == 3
			})
			// One recompute per finish transaction and relationship: on
			// PostgreSQL each analysis is a River job of its own; on SQLite
			// the in-process queue finishes the three in one batch.
			recomputes := 3
			if e == store.SQLite {
				recomputes = 1
			}
			waitUntil(t, 60*time.Second, func() bool {
				return count(`SELECT COUNT(*) FROM river_job WHERE kind = 'reminders'`) >= 1 &&
					count(`SELECT COUNT(*) FROM river_job WHERE kind = 'recompute_score'`) == recomputes
			})
			if n := count(`SELECT COUNT(*) FROM events WHERE type = 'healthScore.updated'`); n < 1 {
				t.Fatalf("%d healthScore.updated events", n)
			}
		})
	}
}

// seedPublished writes a user with n published entries (their analysis
// jobs queued) before any server runs.
func seedPublished(t *testing.T, opts store.Options, n int) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	client, err := queue.New(s, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	j := journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(client)})
	storetest.AddUser(t, s, "u1", "")
	name, kind, status := "Sam", "partner", "published"
	rel, err := j.CreateRelationship(ctx, "u1", journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		content := fmt.Sprintf("Entry %d: we talked it through and I felt heard.", i)
		if _, err := j.CreateEntry(ctx, "u1", journal.EntryInput{RelationshipID: &rel.ID, Content: &content, Status: &status}); err != nil {
			t.Fatal(err)
		}
	}
}

// openSide opens a second, read-only connection beside the running server.
func openSide(t *testing.T, e store.Engine, opts store.Options) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if e == store.SQLite {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(opts.DataDir, store.SQLiteFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	} else {
		db, err = sql.Open("pgx", opts.DatabaseURL)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// waitUntil polls cond: a bounded wait for background jobs of a running
// server, not a sleep standing in for synchronisation.
func waitUntil(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
