package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// openUnmigrated opens a fresh, empty database on engine e.
func openUnmigrated(t *testing.T, e store.Engine) *store.Store {
	t.Helper()
	opts := store.Options{DataDir: t.TempDir()}
	if e == store.Postgres {
		opts.DatabaseURL = storetest.NewEmptyPostgresDatabase(t)
	}
	s, err := store.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// beforeMigration opens a database migrated up to version (not beyond),
// with users u1 and u2 and u1's relationship r1 created at the returned
// time, and an exec that fails the test on error: the start every
// migration-keeps-data test shares.
func beforeMigration(t *testing.T, engine store.Engine, version int) (*store.Store, func(q string, args ...any), time.Time) {
	t.Helper()
	ctx := context.Background()
	s := openUnmigrated(t, engine)
	if err := store.MigrateTo(ctx, s, version); err != nil {
		t.Fatal(err)
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := s.WriteDB().ExecContext(ctx, s.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
	ts := store.DBTime(at)
	storetest.AddUser(t, s, "u1", "")
	storetest.AddUser(t, s, "u2", "")
	exec(`INSERT INTO relationships (id, user_id, name, kind, created_at, updated_at) VALUES ('r1', 'u1', 'Sam', 'partner', ?, ?)`, ts, ts)
	return s, exec, at
}

// TestCompactAnalysesMigrationKeepsEveryAnalysis writes analyses in the
// schema before migration 0007 (keyed by entry id, with the user's and
// relationship's ids and the source and method as words) and reads them
// back after it, unchanged, still scoped to their owner.
func TestCompactAnalysesMigrationKeepsEveryAnalysis(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, exec, at := beforeMigration(t, engine, 6)
			ts := store.DBTime(at)
			want := map[string]store.Analysis{}
			for i, id := range []string{"e1", "e2", "e3"} {
				exec(`INSERT INTO journal_entries (id, user_id, relationship_id, content, status, published_at, created_at, updated_at)
					VALUES (?, 'u1', 'r1', 'we talked', 'published', ?, ?, ?)`, id, ts, ts, ts)
				if id == "e3" {
					continue // not analysed
				}
				a := store.Analysis{EntryID: id, UserID: "u1", RelationshipID: "r1", SentimentScore: 0.25 * float64(i+1),
					EmotionalKeywords: []string{"calm", "heard"}, ConfidenceLevel: 0.5, Reasoning: "It reads as calm.",
					Patterns: []byte(`{"recurring_themes":["chores"],"behaviours":[]}`), ProcessingSource: "external_api",
					AnalysisMethod: "ai_powered", Model: "gemini", APIResponseTime: 812, CompletedAt: at.Add(time.Duration(i) * time.Second)}
				if i == 1 {
					a.ProcessingSource, a.AnalysisMethod, a.Model, a.APIResponseTime = "fallback_analysis", "rule_based_fallback", "offline", 0
				}
				exec(`INSERT INTO analyses (entry_id, user_id, relationship_id, sentiment_score, emotional_keywords, confidence_level,
						reasoning, patterns, processing_source, analysis_method, model, api_response_time, completed_at)
					VALUES (?, 'u1', 'r1', ?, '["calm","heard"]', ?, ?, ?, ?, ?, ?, ?, ?)`,
					id, a.SentimentScore, a.ConfidenceLevel, a.Reasoning, string(a.Patterns), a.ProcessingSource, a.AnalysisMethod,
					a.Model, a.APIResponseTime, store.DBTime(a.CompletedAt))
				want[id] = a
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			for id, w := range want {
				got, err := s.GetAnalysis(ctx, "u1", id)
				if err != nil {
					t.Fatalf("analysis of %s after the migration: %v", id, err)
				}
				got.CompletedAt, w.CompletedAt = got.CompletedAt.UTC(), w.CompletedAt.UTC()
				if !reflect.DeepEqual(got, w) {
					t.Fatalf("analysis of %s after the migration:\n got %+v\nwant %+v", id, got, w)
				}
				if _, err := s.GetAnalysis(ctx, "u2", id); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("another user's read of %s's analysis = %v, want ErrNotFound", id, err)
				}
			}
			if _, err := s.GetAnalysis(ctx, "u1", "e3"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("analysis of an unanalysed entry = %v, want ErrNotFound", err)
			}
			// A new analysis replaces the old one; deleting the entry removes it.
			err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				a := want["e1"]
				a.Reasoning, a.ProcessingSource, a.AnalysisMethod = "Again.", "fallback_analysis", "rule_based_fallback"
				return tx.SaveAnalysis(ctx, a)
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.GetAnalysis(ctx, "u1", "e1"); err != nil || got.Reasoning != "Again." || got.AnalysisMethod != "rule_based_fallback" {
				t.Fatalf("replaced analysis = %+v, %v", got, err)
			}
			if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteEntry(ctx, "u1", "e1") }); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM analyses`).Scan(&n); err != nil || n != 1 {
				t.Fatalf("%d analyses left after deleting one of two entries (%v), want 1", n, err)
			}
			err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				return tx.SaveAnalysis(ctx, store.Analysis{EntryID: "e1", ProcessingSource: "external_api", AnalysisMethod: "ai_powered", CompletedAt: at})
			})
			if !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("saving the analysis of a deleted entry = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestCompactEventsMigrationReplaysTheSameEvents writes events in the log's
// form before migration 0008 (text throughout) and replays them after it:
// the same events, and the next one numbered after every number handed out
// before (a pruned or deleted event's number is never reused).
func TestCompactEventsMigrationReplaysTheSameEvents(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s := openUnmigrated(t, engine)
			if err := store.MigrateTo(ctx, s, 7); err != nil {
				t.Fatal(err)
			}
			storetest.AddUser(t, s, "u1", "")
			at := time.Date(2026, 3, 4, 5, 6, 7, 891011000, time.UTC)
			entity := "01a2316a-423b-795d-a19a-c790a43bc141"
			want := []store.Event{
				{UserID: "u1", Type: store.EventEntryCreated, EntityID: entity, RelationshipID: "r1", Data: `{"status":"published"}`, At: at},
				{UserID: "u1", Type: store.EventAnalysisStatus, EntityID: entity, RelationshipID: "r1", Data: `{"status":"queued","retryCount":0}`, At: at},
				{UserID: "u1", Type: store.EventHealthScoreUpdated, RelationshipID: "r1", Data: `{}`, At: at.Add(time.Second)},
				{UserID: "u1", Type: store.EventAnalysisStatus, EntityID: entity, RelationshipID: "r1", Data: `{"status":"failed","retryCount":3}`, At: at.Add(2 * time.Second)},
			}
			for _, e := range append(want, store.Event{UserID: "u1", Type: store.EventEntryDeleted, EntityID: entity, Data: `{}`, At: at}) {
				if _, err := s.WriteDB().ExecContext(ctx, s.Rebind(`INSERT INTO events (user_id, type, entity_id, relationship_id, data, created_at)
					VALUES (?, ?, ?, ?, ?, ?)`), e.UserID, e.Type, e.EntityID, e.RelationshipID, e.Data, store.DBTime(e.At)); err != nil {
					t.Fatal(err)
				}
			}
			// The newest event goes: its number must not be handed out again.
			if _, err := s.WriteDB().ExecContext(ctx, `DELETE FROM events WHERE seq = 5`); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			next := store.Event{UserID: "u1", Type: store.EventAnalysisStatus, EntityID: entity, RelationshipID: "01a2316a-4230-7612-a5be-c3f640fcc994",
				Data: store.AnalysisStatusData{Status: store.AnalysisProcessing}, At: at.Add(3 * time.Second)}
			if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.AppendEvent(ctx, next)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if engine == store.SQLite {
				var forms string
				if err := s.WriteDB().QueryRowContext(ctx, `SELECT typeof(entity_id) || ' ' || typeof(relationship_id) || ' ' || typeof(data) || ' ' ||
					typeof(created_at) FROM events WHERE seq = 6`).Scan(&forms); err != nil {
					t.Fatal(err)
				}
				if forms != "blob blob integer integer" {
					t.Fatalf("a new event is stored as %s, want the compact blob blob integer integer", forms)
				}
			}
			next.Data = `{"status":"processing","retryCount":0}`
			want = append(want, next)
			got, err := s.EventsAfter(ctx, "u1", 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d events replayed after the migration, want %d: %+v", len(got), len(want), got)
			}
			for i, g := range got {
				w := want[i]
				wantSeq := int64(i + 1)
				if i == len(want)-1 {
					wantSeq = 6
				}
				if g.Seq != wantSeq || g.UserID != w.UserID || g.Type != w.Type || g.EntityID != w.EntityID ||
					g.RelationshipID != w.RelationshipID || string(g.Data.(json.RawMessage)) != w.Data.(string) || !g.At.Equal(w.At) {
					t.Fatalf("event %d after the migration:\n got %+v (data %s)\nwant seq %d %+v", i, g, g.Data, wantSeq, w)
				}
			}
			if engine == store.SQLite {
				var forms string
				if err := s.WriteDB().QueryRowContext(ctx, `SELECT typeof(user_id) || ' ' || typeof(entity_id) FROM events WHERE seq = 1`).Scan(&forms); err != nil {
					t.Fatal(err)
				}
				if forms != "text blob" { // "u1" is not a UUID; the entity's text id was converted by 0010
					t.Fatalf("an event written before the migrations is stored as %s, want text blob", forms)
				}
			}
			// Deleting the user deletes their events (no foreign key on SQLite since 0010).
			if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error { return tx.DeleteUser(ctx, "u1") }); err != nil {
				t.Fatal(err)
			}
			var left int
			if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&left); err != nil || left != 0 {
				t.Fatalf("%d events left after deleting their user (%v)", left, err)
			}
		})
	}
}

// TestCompactAnalysisStatusMigrationKeepsEveryStatus writes statuses in the
// schema before migration 0009 (with the user's id, times as text on
// SQLite) and reads them back after it: unchanged, listed and scoped to
// their owner, and still moved on by a status change naming their round.
func TestCompactAnalysisStatusMigrationKeepsEveryStatus(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(string(engine), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			s, exec, at := beforeMigration(t, engine, 8)
			ts := store.DBTime(at)
			want := []store.AnalysisStatus{
				{EntryID: "e2", UserID: "u1", Status: store.AnalysisQueued, QueuedAt: at.Add(time.Second), RetryCount: 0,
					CircuitBreakerState: "closed", UpdatedAt: at.Add(time.Second)},
				{EntryID: "e1", UserID: "u1", Status: store.AnalysisFallback, QueuedAt: at, StartedAt: at.Add(time.Millisecond),
					CompletedAt: at.Add(2 * time.Millisecond), RetryCount: 1, CircuitBreakerState: "open", ErrorMessage: "boom",
					FallbackReason: "circuit_open", UpdatedAt: at.Add(2 * time.Millisecond)},
			}
			for _, w := range want {
				exec(`INSERT INTO journal_entries (id, user_id, relationship_id, content, status, published_at, created_at, updated_at)
					VALUES (?, 'u1', 'r1', 'we talked', 'published', ?, ?, ?)`, w.EntryID, ts, ts, ts)
				exec(`INSERT INTO analysis_status (entry_id, user_id, status, queued_at, started_at, completed_at, retry_count,
						circuit_breaker_state, error_message, fallback_reason, updated_at) VALUES (?, 'u1', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
					w.EntryID, w.Status, store.DBTime(w.QueuedAt), store.NullDBTime(w.StartedAt), store.NullDBTime(w.CompletedAt),
					w.RetryCount, w.CircuitBreakerState, w.ErrorMessage, w.FallbackReason, store.DBTime(w.UpdatedAt))
			}
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			same := func(got, w store.AnalysisStatus) bool {
				return got.EntryID == w.EntryID && got.UserID == w.UserID && got.Status == w.Status && got.QueuedAt.Equal(w.QueuedAt) &&
					got.StartedAt.Equal(w.StartedAt) && got.CompletedAt.Equal(w.CompletedAt) && got.RetryCount == w.RetryCount &&
					got.CircuitBreakerState == w.CircuitBreakerState && got.ErrorMessage == w.ErrorMessage &&
					got.FallbackReason == w.FallbackReason && got.UpdatedAt.Equal(w.UpdatedAt)
			}
			list, err := s.ListAnalysisStatuses(ctx, "u1", "", nil, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != len(want) {
				t.Fatalf("%d statuses listed after the migration, want %d", len(list), len(want))
			}
			for i := range want {
				if !same(list[i], want[i]) {
					t.Fatalf("status %d after the migration:\n got %+v\nwant %+v", i, list[i], want[i])
				}
				got, err := s.GetAnalysisStatus(ctx, "u1", want[i].EntryID)
				if err != nil || !same(got, want[i]) {
					t.Fatalf("status of %s after the migration: %+v, %v", want[i].EntryID, got, err)
				}
				if _, err := s.GetAnalysisStatus(ctx, "u2", want[i].EntryID); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("another user's read of %s's status = %v, want ErrNotFound", want[i].EntryID, err)
				}
			}
			if l, err := s.ListAnalysisStatuses(ctx, "u2", "", nil, 10); err != nil || len(l) != 0 {
				t.Fatalf("another user lists %d statuses (%v), want none", len(l), err)
			}
			after := &store.Cursor{Time: list[0].QueuedAt, ID: list[0].EntryID}
			if l, err := s.ListAnalysisStatuses(ctx, "u1", store.AnalysisFallback, after, 10); err != nil || len(l) != 1 || l[0].EntryID != "e1" {
				t.Fatalf("the page after %s, fallback only: %+v, %v", list[0].EntryID, l, err)
			}
			// The queued round (identified by its queued time, as read) moves on.
			var applied bool
			err = s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
				var err error
				applied, err = tx.ChangeAnalysisStatus(ctx, store.StatusChange{EntryID: "e2", QueuedAt: list[0].QueuedAt,
					Status: store.AnalysisProcessing, CircuitBreakerState: "closed", At: at.Add(time.Minute)})
				return err
			})
			if err != nil || !applied {
				t.Fatalf("status change after the migration applied=%v, %v", applied, err)
			}
			if got, err := s.GetAnalysisStatus(ctx, "u1", "e2"); err != nil || got.Status != store.AnalysisProcessing || !got.StartedAt.Equal(at.Add(time.Minute)) {
				t.Fatalf("status after the change: %+v, %v", got, err)
			}
		})
	}
}
