package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http/httptest"

	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/fakegemini"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

// TestKillMidAnalysisLosesNothing publishes entries, kills the server with
// SIGKILL while their analyses are in flight at the (fake) Gemini API,
// restarts it, and checks that every entry ends completed or fallback with
// exactly one analysis.
func TestKillMidAnalysisLosesNothing(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	const entries = 12

	seedEntries(t, dir, entries)

	fake := fakegemini.New(fakegemini.Options{APIKey: "k", Delay: time.Hour})
	fake.SetFault(fakegemini.Slow) // every call hangs: analyses stay in flight
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.Close() })

	serve := func() (*execCmd, func(string)) {
		cmd, sc := startServeWith(t, bin, dir, freeAddr(t), "--gemini-api-key", "k", "--gemini-base-url", srv.URL, "--analysis-timeout", "2m")
		return cmd, func(msg string) { waitForLog(t, sc, msg) }
	}

	first, wait := serve()
	wait("listening")
	waitFor(t, 60*time.Second, func() bool { return fake.Calls().Total >= 1 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	inFlight := fake.Calls().Total

	fake.SetFault(fakegemini.None)
	second, wait2 := serve()
	wait2("listening")
	db := openReadOnly(t, dir)
	waitFor(t, 90*time.Second, func() bool {
		var unfinished int
		if err := db.QueryRow(`SELECT COUNT(*) FROM analysis_status WHERE status NOT IN ('completed', 'fallback')`).Scan(&unfinished); err != nil {
			t.Fatal(err)
		}
		return unfinished == 0
	})
	var statuses, analyses, finished int
	if err := db.QueryRow(`SELECT COUNT(*) FROM analysis_status`).Scan(&statuses); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM analyses`).Scan(&analyses); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM analysis_status WHERE status IN ('completed', 'fallback')`).Scan(&finished); err != nil {
		t.Fatal(err)
	}
	if statuses != entries || analyses != entries || finished != entries {
		t.Fatalf("after the crash: %d statuses, %d analyses, %d finished; want %d of each", statuses, analyses, finished, entries)
	}
	total := fake.Calls().Total
	if total > inFlight+entries {
		t.Fatalf("%d API calls for %d entries (%d were in flight at the crash): something was analysed twice", total, entries, inFlight)
	}
	t.Logf("%d calls in flight at the kill; %d calls in all for %d entries", inFlight, total, entries)
	_ = second.Process.Signal(syscall.SIGTERM)
	wait2("stopped")
	_ = second.Wait()
}

// seedEntries creates a consenting user with published entries (and their
// queued jobs) directly in the data directory, before any server runs.
func seedEntries(t *testing.T, dir string, n int) {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: dir})
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
	at := store.DBTime(time.Now())
	if _, err := s.WriteDB().ExecContext(ctx, `INSERT INTO users (id, email, email_normalized, preferences, created_at, updated_at)
		VALUES ('u1', 'a@example.com', 'a@example.com', '{"aiConsent":true}', ?, ?)`, at, at); err != nil {
		t.Fatal(err)
	}
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

func openReadOnly(t *testing.T, dir string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.SQLiteFile)+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// waitFor polls cond (a bounded wait for another process, not a sleep
// standing in for synchronisation).
func waitFor(t *testing.T, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
