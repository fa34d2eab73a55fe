package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestChangeAnalysisStatusesAndSaveAnalyses moves many rounds at once, as
// the in-process queue does: more rows than one statement takes, a stale
// round (re-queued since), a finished one and a missing entry are left
// alone and reported as not applied; the analyses stored read back exactly.
func TestChangeAnalysisStatusesAndSaveAnalyses(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		storetest.AddUser(t, s, "u1", "")
		queued := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
		const n = 43 // 32 + 8 + 2 + 1 rows
		ids := make([]string, n)
		err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.CreateRelationship(ctx, store.Relationship{ID: "r1", UserID: "u1", Name: "Sam", Kind: "partner",
				CreatedAt: queued, UpdatedAt: queued}); err != nil {
				return err
			}
			for i := range ids {
				ids[i] = fmt.Sprintf("e%02d", i)
				if err := tx.InsertEntry(ctx, store.Entry{ID: ids[i], UserID: "u1", RelationshipID: "r1", Content: "words",
					Status: store.EntryPublished, PublishedAt: queued, CreatedAt: queued, UpdatedAt: queued}); err != nil {
					return err
				}
			}
			return tx.QueueAnalyses(ctx, "u1", ids, queued)
		})
		if err != nil {
			t.Fatal(err)
		}
		at := queued.Add(time.Second)
		changes := make([]store.StatusChange, n)
		for i, id := range ids {
			changes[i] = store.StatusChange{EntryID: id, QueuedAt: queued, Status: store.AnalysisProcessing,
				CircuitBreakerState: store.BreakerClosed, At: at}
		}
		changes[5].QueuedAt = queued.Add(-time.Hour) // another round
		changes = append(changes, store.StatusChange{EntryID: "gone", QueuedAt: queued, Status: store.AnalysisProcessing,
			CircuitBreakerState: store.BreakerClosed, At: at}) // no such entry
		var applied []bool
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) (err error) {
			applied, err = tx.ChangeAnalysisStatuses(ctx, changes)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for i, ok := range applied {
			if want := i != 5 && i != n; ok != want {
				t.Errorf("change %d applied = %v, want %v", i, ok, want)
			}
		}
		st, err := s.GetAnalysisStatus(ctx, "u1", ids[7])
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != store.AnalysisProcessing || !st.StartedAt.Equal(at) || !st.CompletedAt.IsZero() || !st.UpdatedAt.Equal(at) {
			t.Errorf("status after processing = %+v", st)
		}
		if st, _ := s.GetAnalysisStatus(ctx, "u1", ids[5]); st.Status != store.AnalysisQueued {
			t.Errorf("stale round's status = %q, want queued", st.Status)
		}

		// Finish all but the first; the first is finished already below,
		// so a second finish of it does not apply.
		done := queued.Add(2 * time.Second)
		finish := make([]store.StatusChange, 0, n)
		analyses := make([]store.Analysis, 0, n)
		for i, id := range ids {
			if i == 5 {
				continue
			}
			finish = append(finish, store.StatusChange{EntryID: id, QueuedAt: queued, Status: store.AnalysisFallback,
				CircuitBreakerState: store.BreakerClosed, FallbackReason: "no_consent", At: done})
			analyses = append(analyses, store.Analysis{EntryID: id, UserID: "u1", RelationshipID: "r1", SentimentScore: 0.1 * float64(i%10) / 3,
				EmotionalKeywords: []string{"calm", id}, ConfidenceLevel: 0.7, Reasoning: "because " + id, Patterns: json.RawMessage(`{"k":1}`),
				ProcessingSource: "fallback_analysis", AnalysisMethod: "rule_based_fallback", APIResponseTime: i, CompletedAt: done})
		}
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			ok, err := tx.ChangeAnalysisStatuses(ctx, finish[:1])
			if err != nil || !ok[0] {
				return fmt.Errorf("first finish: %v, %w", ok, err)
			}
			if applied, err = tx.ChangeAnalysisStatuses(ctx, finish); err != nil {
				return err
			}
			return tx.SaveAnalyses(ctx, analyses)
		}); err != nil {
			t.Fatal(err)
		}
		for i, ok := range applied {
			if want := i != 0; ok != want {
				t.Errorf("finish %d applied = %v, want %v", i, ok, want)
			}
		}
		st, err = s.GetAnalysisStatus(ctx, "u1", ids[7])
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != store.AnalysisFallback || !st.StartedAt.Equal(at) || !st.CompletedAt.Equal(done) || st.FallbackReason != "no_consent" {
			t.Errorf("status after finishing = %+v", st)
		}
		for _, want := range analyses {
			got, err := s.GetAnalysis(ctx, "u1", want.EntryID)
			if err != nil {
				t.Fatal(err)
			}
			if got.SentimentScore != want.SentimentScore || got.Reasoning != want.Reasoning || got.APIResponseTime != want.APIResponseTime ||
				len(got.EmotionalKeywords) != 2 || got.EmotionalKeywords[1] != want.EntryID || !got.CompletedAt.Equal(done) {
				t.Fatalf("analysis of %s = %+v, want %+v", want.EntryID, got, want)
			}
		}
		// Storing again replaces; one row stored by SaveAnalysis is stored
		// in the same form as the batch's.
		analyses[3].Reasoning = "replaced"
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			if err := tx.SaveAnalysis(ctx, analyses[4]); err != nil {
				return err
			}
			return tx.SaveAnalyses(ctx, analyses[3:4])
		}); err != nil {
			t.Fatal(err)
		}
		var forms int
		if err := s.WriteDB().QueryRowContext(ctx, s.Rebind(`SELECT COUNT(*) FROM (SELECT DISTINCT `+typeOf(s)+`(completed_at), `+typeOf(s)+`(patterns),
			`+typeOf(s)+`(processing_source) FROM analyses) f`)).Scan(&forms); err != nil {
			t.Fatal(err)
		}
		if forms != 1 {
			t.Errorf("analyses are stored in %d forms, want 1", forms)
		}
		if got, err := s.GetAnalysis(ctx, "u1", analyses[3].EntryID); err != nil || got.Reasoning != "replaced" {
			t.Fatalf("replaced analysis = %+v, %v", got, err)
		}
	})
}

// typeOf is the SQL function naming a value's stored type.
func typeOf(s *store.Store) string {
	if s.Engine() == store.SQLite {
		return "typeof"
	}
	return "pg_typeof"
}
