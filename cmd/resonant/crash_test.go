package main

import (
	"context"
	"database/sql"
	"encoding/json"
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
	"github.com/resonant-journal/resonant/internal/store/storetest"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx" for counting on PostgreSQL
)

// TestKillMidAnalysisLosesNothing publishes entries, kills the server with
// SIGKILL while their analyses are in flight at the (fake) Gemini API,
// restarts it, and checks that every entry ends completed or fallback with
// exactly one analysis. On SQLite the restart resumes the orphaned jobs at
// once; on PostgreSQL River's rescuer takes them once they are older than
// the job timeout plus its margin (a short --analysis-timeout keeps that
// to seconds here).
func TestKillMidAnalysisLosesNothing(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			killMidAnalysis(t, bin, e)
		})
	}
}

func killMidAnalysis(t *testing.T, bin string, engine store.Engine) {
	const entries = 12
	opts := storetest.Options(t, engine)
	seedEntries(t, opts, entries)

	// Two fakes: the first hangs every call, so analyses are in flight when
	// the server dies; the restarted server talks to the second, healthy
	// one. Keeping them apart means a request the dead process sent just
	// before it died can never be mistaken for a second analysis.
	newFake := func(f fakegemini.Fault) (*fakegemini.Server, string) {
		fake := fakegemini.New(fakegemini.Options{APIKey: "k", Delay: time.Hour})
		fake.SetFault(f)
		srv := httptest.NewServer(fake)
		t.Cleanup(func() { fake.Close(); srv.Close() })
		return fake, srv.URL
	}
	hanging, hangingURL := newFake(fakegemini.Slow)
	healthy, healthyURL := newFake(fakegemini.None)

	serve := func(geminiURL string) (*execCmd, func(string)) {
		cmd, sc := startServeWith(t, bin, opts.DataDir, freeAddr(t), "--database-url", opts.DatabaseURL,
			"--gemini-api-key", "k", "--gemini-base-url", geminiURL, "--analysis-timeout", "3s")
		return cmd, func(msg string) { waitForLog(t, sc, msg) }
	}

	first, wait := serve(hangingURL)
	wait("listening")
	waitFor(t, 60*time.Second, func() bool { return hanging.Calls().Total >= 1 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()

	second, wait2 := serve(healthyURL)
	wait2("listening")
	count := counter(t, engine, opts)
	waitFor(t, 120*time.Second, func() bool {
		return count(`SELECT COUNT(*) FROM analysis_status WHERE status NOT IN ('completed', 'fallback')`) == 0
	})
	statuses := count(`SELECT COUNT(*) FROM analysis_status`)
	analyses := count(`SELECT COUNT(*) FROM analyses`)
	finished := count(`SELECT COUNT(*) FROM analysis_status WHERE status IN ('completed', 'fallback')`)
	if statuses != entries || analyses != entries || finished != entries {
		t.Fatalf("after the crash: %d statuses, %d analyses, %d finished; want %d of each", statuses, analyses, finished, entries)
	}
	// No call to the hanging fake ever finished, so after the restart every
	// entry needs exactly one call: more would be an entry analysed twice.
	if calls := healthy.Calls().Total; calls != entries {
		t.Fatalf("%d calls after the restart for %d entries, want exactly one each", calls, entries)
	}
	t.Logf("%s: %d calls were in flight at the kill; %d after the restart for %d entries", engine, hanging.Calls().Total, healthy.Calls().Total, entries)
	_ = second.Process.Signal(syscall.SIGTERM)
	wait2("stopped")
	_ = second.Wait()
}

// counter runs COUNT queries against the database while a server owns it:
// read-only on the SQLite file (its lock is the server's), a pool on
// PostgreSQL.
func counter(t *testing.T, engine store.Engine, opts store.Options) func(query string) int {
	t.Helper()
	var db *sql.DB
	if engine == store.SQLite {
		db = openReadOnly(t, opts.DataDir)
	} else {
		var err error
		db, err = sql.Open("pgx", opts.DatabaseURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() })
	}
	return func(query string) int {
		var n int
		if err := db.QueryRow(query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// seedEntries creates a consenting user with published entries (and their
// queued jobs) directly in the data directory, before any server runs.
func seedEntries(t *testing.T, opts store.Options, n int) {
	t.Helper()
	withJournal(t, opts, `{"aiConsent":true}`, func(ctx context.Context, j *journal.Service, relID string) {
		status := "published"
		for i := range n {
			content := fmt.Sprintf("Entry %d: we talked it through and I felt heard.", i)
			if _, err := j.CreateEntry(ctx, "u1", journal.EntryInput{RelationshipID: &relID, Content: &content, Status: &status}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// withJournal opens the data directory's store, migrates it, adds user u1
// (with the given preferences) and a relationship, and hands fn a journal
// that queues River jobs. The store is closed when fn returns, so a server
// can take the directory afterwards.
func withJournal(t *testing.T, opts store.Options, prefs string, fn func(ctx context.Context, j *journal.Service, relID string)) {
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
	storetest.AddUser(t, s, "u1", prefs)
	name, kind := "Sam", "partner"
	rel, err := j.CreateRelationship(ctx, "u1", journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	fn(ctx, j, rel.ID)
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

// TestKillMidLocalDrainLosesNothing kills the server with SIGKILL while the
// in-process analysis queue (SQLite, no external analyzer) is draining a
// backlog, restarts it, and checks that every entry ends fallback with one
// analysis and exactly one processing and one fallback event: rows the dead
// process had claimed are resumed, never worked twice. The backlog was
// queued with River jobs, as by a server with an LLM analyzer, so the first
// start also hands them over to the in-process queue. (SQLite only: on
// PostgreSQL analyses always run on River, which TestKillMidAnalysisLosesNothing
// covers.)
func TestKillMidLocalDrainLosesNothing(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	const entries = 1500
	opts := storetest.Options(t, store.SQLite)
	importEntries(t, opts, entries)

	first, sc := startServeWith(t, bin, opts.DataDir, freeAddr(t))
	waitForLog(t, sc, "listening")
	count := counter(t, store.SQLite, opts)
	waitFor(t, 60*time.Second, func() bool { return count(`SELECT COUNT(*) FROM analyses`) > 0 })
	if err := first.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = first.Wait()
	atKill := count(`SELECT COUNT(*) FROM analyses`)

	second, sc2 := startServeWith(t, bin, opts.DataDir, freeAddr(t))
	waitForLog(t, sc2, "listening")
	waitFor(t, 120*time.Second, func() bool {
		return count(`SELECT COUNT(*) FROM analysis_status WHERE status <> 'fallback'`) == 0
	})
	if n := count(`SELECT COUNT(*) FROM analyses`); n != entries {
		t.Fatalf("%d analyses for %d entries", n, entries)
	}
	// The status events, read as a reconnecting stream replays them (the
	// log's rows are stored compactly, see store/eventcodec.go).
	perEntry := analysisStatusEvents(t, opts, "u1", 4*entries)
	p, f, total := 0, 0, 0
	for _, byStatus := range perEntry {
		if byStatus[store.AnalysisProcessing] == 1 {
			p++
		}
		if byStatus[store.AnalysisFallback] == 1 {
			f++
		}
		for _, n := range byStatus {
			total += n
		}
	}
	if p != entries || f != entries {
		t.Fatalf("%d entries with one processing event, %d with one fallback event; want %d of each", p, f, entries)
	}
	if total != 2*entries {
		t.Fatalf("%d analysis.status events, want %d", total, 2*entries)
	}
	if n := count(`SELECT COUNT(*) FROM river_job WHERE kind = 'analyze_entry'`); n != 0 {
		t.Fatalf("%d analyze_entry jobs left; the in-process queue took them over", n)
	}
	t.Logf("%d of %d entries were analysed when the server was killed", atKill, entries)
	_ = second.Process.Signal(syscall.SIGTERM)
	waitForLog(t, sc2, "stopped")
	_ = second.Wait()
}

// analysisStatusEvents counts userID's analysis.status events by entry and
// status, read through a store opened beside the running server.
func analysisStatusEvents(t *testing.T, opts store.Options, userID string, limit int) map[string]map[string]int {
	t.Helper()
	ctx := context.Background()
	opts.Shared = true
	s, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	events, err := s.EventsAfter(ctx, userID, 0, limit)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]int{}
	for _, e := range events {
		if e.Type != store.EventAnalysisStatus {
			continue
		}
		var d store.AnalysisStatusData
		if err := json.Unmarshal(e.Data.(json.RawMessage), &d); err != nil {
			t.Fatalf("event %d: %v", e.Seq, err)
		}
		if out[e.EntityID] == nil {
			out[e.EntityID] = map[string]int{}
		}
		out[e.EntityID][d.Status]++
	}
	return out
}

// importEntries imports n published entries for one user directly in the
// data directory, before any server runs, queued with River jobs.
func importEntries(t *testing.T, opts store.Options, n int) {
	t.Helper()
	withJournal(t, opts, `{}`, func(ctx context.Context, j *journal.Service, relID string) {
		items := make([]journal.ImportItem, n)
		for i := range items {
			content := fmt.Sprintf("Entry %d: we talked it through and I felt heard, though work stress crept in.", i)
			items[i] = journal.ImportItem{Input: journal.EntryInput{RelationshipID: &relID, Content: &content}}
		}
		if _, err := j.ImportEntries(ctx, "u1", items); err != nil {
			t.Fatal(err)
		}
	})
}
