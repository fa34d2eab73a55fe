package api_test

import (
	"context"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestGetEntryShowsItsAnalysisOnceStored publishes an entry, works its job
// with the pipeline (offline: no provider configured) and reads the
// analysis back through GET /entries/{id}.
func TestGetEntryShowsItsAnalysisOnceStored(t *testing.T) {
	t.Parallel()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) {
		e := newJournalEnv(t, s)
		user := e.addUser("writer")
		relID := e.newRelationship(user, "Sam")
		entryID := e.newEntry(user, map[string]any{
			"relationshipId": relID, "content": "We laughed all evening <3 and I felt so close to him.", "status": "published",
		})["id"].(string)

		got := e.must(200, user, "GET", "/api/v1/entries/"+entryID, nil)
		if got["analysis"] != nil {
			t.Fatalf("analysis before the job ran: %v", got["analysis"])
		}

		w := pipeline.NewWorker(pipeline.Config{Store: s})
		job := &river.Job[queue.AnalyzeEntryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: queue.AnalyzeEntryArgs{EntryID: entryID, UserID: user}}
		if err := w.Work(context.Background(), job); err != nil {
			t.Fatal(err)
		}

		got = e.must(200, user, "GET", "/api/v1/entries/"+entryID, nil)
		st := got["analysisStatus"].(map[string]any)
		if st["status"] != "fallback" || st["fallbackReason"] != "not_configured" {
			t.Fatalf("analysisStatus = %v", st)
		}
		a, ok := got["analysis"].(map[string]any)
		if !ok {
			t.Fatalf("analysis = %v, want an object", got["analysis"])
		}
		if score := a["sentimentScore"].(float64); score <= 0 || score > 1 {
			t.Errorf("sentimentScore = %v, want positive", score)
		}
		if a["processingSource"] != "fallback_analysis" || a["analysisMethod"] != "rule_based_fallback" || a["entryId"] != entryID {
			t.Errorf("analysis = %v", a)
		}
		p, ok := a["patterns"].(map[string]any)
		if !ok || p["communication_style"] == nil || p["recurring_themes"] == nil {
			t.Errorf("patterns = %v, want the spec's snake_case object", a["patterns"])
		}
		intruder := e.addUser("intruder")
		if code, body := e.do(intruder, "GET", "/api/v1/entries/"+entryID, nil); code != 404 || body["analysis"] != nil {
			t.Errorf("another user got %d %v, want 404 and no analysis", code, body)
		}
	})
}
