package pipeline_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// localFixture is a user publishing through the in-process queue.
type localFixture struct {
	s       *store.Store
	local   *pipeline.Local
	journal *journal.Service
	userID  string
	relID   string
	batches [][]string // entry ids per OnFinishBatch call
}

func newLocalFixture(t *testing.T, s *store.Store, onFinish func(ctx context.Context, tx *store.Tx, as []store.Analysis) error, now func() time.Time) *localFixture {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	f := &localFixture{s: s, userID: "user-1"}
	f.local = pipeline.NewLocal(pipeline.Config{Store: s, Now: now, OnFinishBatch: func(ctx context.Context, tx *store.Tx, as []store.Analysis) error {
		ids := make([]string, len(as))
		for i, a := range as {
			ids[i] = a.EntryID
		}
		f.batches = append(f.batches, ids)
		if onFinish != nil {
			return onFinish(ctx, tx, as)
		}
		return nil
	}})
	f.journal = journal.New(journal.Config{Store: s, Enqueuer: pipeline.LocalJobs{Local: f.local}})
	storetest.AddUser(t, s, f.userID, `{"aiConsent":true}`)
	name, kind := "Sam", "partner"
	rel, err := f.journal.CreateRelationship(ctx, f.userID, journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		t.Fatal(err)
	}
	f.relID = rel.ID
	return f
}

func (f *localFixture) publish(t *testing.T, content string, private bool) string {
	t.Helper()
	status := "published"
	v, err := f.journal.CreateEntry(context.Background(), f.userID, journal.EntryInput{RelationshipID: &f.relID, Content: &content,
		IsPrivate: &private, Status: &status})
	if err != nil {
		t.Fatal(err)
	}
	return v.Entry.ID
}

// statusEvents returns each entry's analysis.status events' statuses, in
// log order.
func statusEvents(t *testing.T, s *store.Store, userID string) map[string][]string {
	t.Helper()
	events, err := s.EventsAfter(context.Background(), userID, 0, 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range events {
		if e.Type != store.EventAnalysisStatus {
			continue
		}
		var d store.AnalysisStatusData
		if err := json.Unmarshal(e.Data.(json.RawMessage), &d); err != nil {
			t.Fatal(err)
		}
		out[e.EntityID] = append(out[e.EntityID], d.Status+"/"+d.FallbackReason)
	}
	return out
}

// TestLocalQueueWorksEveryEntryOnceInBatches: entries published through the
// in-process queue go queued → processing → fallback with the same events
// as on River, claimed and stored a batch at a time, with no River job.
func TestLocalQueueWorksEveryEntryOnceInBatches(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newLocalFixture(t, s, nil, nil)
		n := pipeline.LocalBatch + 6
		ids := make([]string, n)
		for i := range ids {
			ids[i] = f.publish(t, fmt.Sprintf("Entry %d: we laughed a lot and I felt close to him.", i), i == 3)
		}
		claimed, err := f.local.RunBatch(ctx, false)
		if err != nil || claimed != pipeline.LocalBatch {
			t.Fatalf("first batch claimed %d, %v; want %d", claimed, err, pipeline.LocalBatch)
		}
		if claimed, err = f.local.RunBatch(ctx, false); err != nil || claimed != 6 {
			t.Fatalf("second batch claimed %d, %v; want 6", claimed, err)
		}
		if claimed, err = f.local.RunBatch(ctx, false); err != nil || claimed != 0 {
			t.Fatalf("empty queue: claimed %d, %v", claimed, err)
		}
		if len(f.batches) != 2 || len(f.batches[0]) != pipeline.LocalBatch || len(f.batches[1]) != 6 {
			t.Fatalf("OnFinishBatch calls: %d (%v)", len(f.batches), f.batches)
		}
		events := statusEvents(t, s, f.userID)
		for i, id := range ids {
			reason := pipeline.ReasonNotConfigured
			if i == 3 {
				reason = pipeline.ReasonPrivateEntry
			}
			want := fmt.Sprint([]string{"queued/", "processing/", "fallback/" + reason})
			if got := fmt.Sprint(events[id]); got != want {
				t.Fatalf("entry %d events %s, want %s", i, got, want)
			}
			st, err := s.GetAnalysisStatus(ctx, f.userID, id)
			if err != nil || st.Status != store.AnalysisFallback || st.FallbackReason != reason || st.StartedAt.IsZero() || st.CompletedAt.IsZero() {
				t.Fatalf("entry %d status %+v, %v", i, st, err)
			}
			a, err := s.GetAnalysis(ctx, f.userID, id)
			if err != nil || a.ProcessingSource != "fallback_analysis" || a.AnalysisMethod != "rule_based_fallback" || a.Model != "offline" {
				t.Fatalf("entry %d analysis %+v, %v", i, a, err)
			}
		}
		var jobs int
		if err := s.WriteDB().QueryRowContext(ctx, `SELECT COUNT(*) FROM river_job`).Scan(&jobs); err != nil {
			t.Fatal(err)
		}
		if jobs != 0 {
			t.Fatalf("%d River jobs; the in-process queue inserts none", jobs)
		}
	})
}

// TestLocalQueueResumesAnOrphan: a row left processing (a crash between
// claim and finish) is finished on resume, without a second processing
// event, and is not claimed otherwise.
func TestLocalQueueResumesAnOrphan(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newLocalFixture(t, s, nil, nil)
		queued := f.publish(t, "We talked about the move and it went well.", false)
		orphan := f.publish(t, "A long walk, a good talk.", false)
		// A crash after the claim: the orphan is processing, its event written.
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			st, err := tx.GetAnalysisStatus(ctx, f.userID, orphan)
			if err != nil {
				return err
			}
			c := store.StatusChange{EntryID: orphan, QueuedAt: st.QueuedAt, Status: store.AnalysisProcessing, CircuitBreakerState: "closed", At: time.Now()}
			if ok, err := tx.ChangeAnalysisStatus(ctx, c); err != nil || !ok {
				return errors.Join(err, errors.New("not changed"))
			}
			_, err = tx.AppendEvent(ctx, store.Event{UserID: f.userID, Type: store.EventAnalysisStatus, EntityID: orphan,
				RelationshipID: f.relID, Data: store.AnalysisStatusData{Status: store.AnalysisProcessing}, At: c.At})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if claimed, err := f.local.RunBatch(ctx, false); err != nil || claimed != 1 {
			t.Fatalf("without resume claimed %d, %v; want only the queued entry", claimed, err)
		}
		if claimed, err := f.local.RunBatch(ctx, true); err != nil || claimed != 1 {
			t.Fatalf("resume claimed %d, %v; want the orphan", claimed, err)
		}
		events := statusEvents(t, s, f.userID)
		for _, id := range []string{queued, orphan} {
			if got, want := fmt.Sprint(events[id]), fmt.Sprint([]string{"queued/", "processing/", "fallback/not_configured"}); got != want {
				t.Fatalf("events %s, want %s", got, want)
			}
		}

	})
}

// TestLocalQueueDropsAStaleRound: an entry re-published while its batch was
// being analysed keeps its new round queued; the old result is dropped and
// the new round is worked next.
func TestLocalQueueDropsAStaleRound(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var f *localFixture
		var entry string
		calls := 0
		f = newLocalFixture(t, s, nil, func() time.Time {
			calls++
			if calls == 2 { // the first analysis of the batch, between claim and finish
				content := "We talked about the move, then argued about it."
				if _, err := f.journal.UpdateEntry(ctx, f.userID, entry, journal.EntryInput{Content: &content}); err != nil {
					t.Error(err)
				}
			}
			return time.Now()
		})
		entry = f.publish(t, "We talked about the move and it went well.", false)
		if claimed, err := f.local.RunBatch(ctx, false); err != nil || claimed != 1 {
			t.Fatalf("claimed %d, %v", claimed, err)
		}
		if len(f.batches) != 0 {
			t.Fatalf("the stale round stored analyses: %v", f.batches)
		}
		if st, err := s.GetAnalysisStatus(ctx, f.userID, entry); err != nil || st.Status != store.AnalysisQueued {
			t.Fatalf("status after the stale batch: %+v, %v", st, err)
		}
		if claimed, err := f.local.RunBatch(ctx, false); err != nil || claimed != 1 {
			t.Fatalf("the new round: claimed %d, %v", claimed, err)
		}
		want := fmt.Sprint([]string{"queued/", "processing/", "queued/", "processing/", "fallback/not_configured"})
		if got := fmt.Sprint(statusEvents(t, s, f.userID)[entry]); got != want {
			t.Fatalf("events %s, want %s", got, want)
		}
	})
}

// TestLocalQueueFinishFailureStoresNothing: when OnFinishBatch fails the
// batch's analyses are not stored and the rows stay processing, to be
// resumed; RunBatch reports the error.
func TestLocalQueueFinishFailureStoresNothing(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		errHook := errors.New("follow-up failed")
		failing := true
		f := newLocalFixture(t, s, func(ctx context.Context, tx *store.Tx, as []store.Analysis) error {
			if failing {
				return errHook
			}
			return nil
		}, nil)
		entry := f.publish(t, "We cooked together.", false)
		if _, err := f.local.RunBatch(ctx, false); !errors.Is(err, errHook) {
			t.Fatalf("RunBatch = %v, want the hook's error", err)
		}
		if st, err := s.GetAnalysisStatus(ctx, f.userID, entry); err != nil || st.Status != store.AnalysisProcessing {
			t.Fatalf("status after a failed finish: %+v, %v", st, err)
		}
		if _, err := s.GetAnalysis(ctx, f.userID, entry); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("analysis stored by a failed finish: %v", err)
		}
		failing = false
		if claimed, err := f.local.RunBatch(ctx, true); err != nil || claimed != 1 {
			t.Fatalf("resume: claimed %d, %v", claimed, err)
		}
		want := fmt.Sprint([]string{"queued/", "processing/", "fallback/not_configured"})
		if got := fmt.Sprint(statusEvents(t, s, f.userID)[entry]); got != want {
			t.Fatalf("events %s, want %s", got, want)
		}
	})
}
