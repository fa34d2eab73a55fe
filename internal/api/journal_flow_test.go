package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestPublishQueuesAnalysisInSameTx(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		out := e.must(http.StatusCreated, u, "POST", "/api/v1/entries", map[string]any{"relationshipId": rel, "content": "A good walk."})
		id := out["entry"].(map[string]any)["id"].(string)
		if st := out["analysisStatus"].(map[string]any)["status"]; st != "queued" {
			t.Fatalf("analysisStatus.status = %v, want queued", st)
		}
		if n := e.count(`SELECT COUNT(*) FROM analysis_status WHERE entry_id = ? AND status = 'queued'`, id); n != 1 {
			t.Fatalf("%d queued status rows, want 1", n)
		}
		if n := e.pendingJobs(id); n != 1 {
			t.Fatalf("%d waiting jobs, want 1", n)
		}
		if n := e.events(u, id, "entry.created", "analysis.status"); n != 2 {
			t.Fatalf("%d events, want entry.created and analysis.status", n)
		}
	})
}

func TestDraftIsAnalysedOnlyOncePublished(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		id := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "dra", "status": "draft"})["id"].(string)
		for _, c := range []string{"draf", "draft", "draft"} { // auto-save, the last one unchanged
			e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+id, map[string]any{"content": c})
		}
		if n := e.pendingJobs(id); n != 0 {
			t.Fatalf("draft has %d jobs, want 0", n)
		}
		if n := e.events(u, id, "entry.updated"); n != 2 {
			t.Fatalf("%d entry.updated events, want 2 (an unchanged auto-save writes nothing)", n)
		}
		out := e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+id, map[string]any{"status": "published"})
		if out["analysisStatus"].(map[string]any)["status"] != "queued" {
			t.Fatalf("publishing answered %v, want a queued analysis", out)
		}
		if n := e.pendingJobs(id); n != 1 {
			t.Fatalf("%d jobs after publishing, want 1", n)
		}
	})
}

func TestEditingPublishedContentLeavesOneWaitingJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		id := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "v1"})["id"].(string)
		if _, err := e.store.WriteDB().ExecContext(context.Background(),
			e.store.Rebind(`UPDATE analysis_status SET status = 'failed', retry_count = 3, error_message = 'boom' WHERE entry_id = ?`), id); err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+id, map[string]any{"tags": []string{"x"}})
		if got := e.must(http.StatusOK, u, "GET", "/api/v1/entries/"+id, nil)["analysisStatus"].(map[string]any)["status"]; got != "failed" {
			t.Fatalf("a tag edit changed the analysis status to %v", got)
		}
		for _, c := range []string{"v2", "v3", "v4"} {
			e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+id, map[string]any{"content": c})
		}
		st := e.must(http.StatusOK, u, "GET", "/api/v1/entries/"+id, nil)["analysisStatus"].(map[string]any)
		if st["status"] != "queued" || st["retryCount"] != float64(0) || st["errorMessage"] != nil {
			t.Fatalf("status after re-publish = %v, want a fresh queued status", st)
		}
		if n := e.pendingJobs(id); n != 1 {
			t.Fatalf("%d waiting jobs after rapid edits, want 1", n)
		}
	})
}

func TestDeletingEntryRemovesStatusAndJob(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		id := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "bye"})["id"].(string)
		e.must(http.StatusNoContent, u, "DELETE", "/api/v1/entries/"+id, nil)
		if n := e.count(`SELECT COUNT(*) FROM analysis_status WHERE entry_id = ?`, id); n != 0 {
			t.Fatalf("%d status rows left", n)
		}
		if n := e.pendingJobs(id); n != 0 {
			t.Fatalf("%d jobs left", n)
		}
		e.must(http.StatusNotFound, u, "GET", "/api/v1/entries/"+id, nil)
		e.must(http.StatusNotFound, u, "PATCH", "/api/v1/entries/"+id, map[string]any{"content": "stale auto-save"})
		e.must(http.StatusNotFound, u, "DELETE", "/api/v1/entries/"+id, nil)
	})
}

func TestDeletingRelationshipWithCascadeTakesEntriesAndJobs(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		keep := e.newRelationship(u, "Ann")
		var ids []string
		for i := range 3 {
			ids = append(ids, e.newEntry(u, map[string]any{"relationshipId": rel, "content": fmt.Sprint("e", i)})["id"].(string))
		}
		kept := e.newEntry(u, map[string]any{"relationshipId": keep, "content": "stay"})["id"].(string)
		e.must(http.StatusConflict, u, "DELETE", "/api/v1/relationships/"+rel, nil)
		e.must(http.StatusNoContent, u, "DELETE", "/api/v1/relationships/"+rel+"?cascade=true", nil)
		for _, id := range ids {
			if n := e.pendingJobs(id); n != 0 {
				t.Fatalf("entry %s of the deleted relationship still has %d jobs", id, n)
			}
		}
		if n := e.count(`SELECT COUNT(*) FROM journal_entries WHERE relationship_id = ?`, rel); n != 0 {
			t.Fatalf("%d entries left", n)
		}
		if n := e.pendingJobs(kept); n != 1 {
			t.Fatalf("the other relationship's entry has %d jobs, want 1", n)
		}
		empty := e.newRelationship(u, "Empty")
		e.must(http.StatusNoContent, u, "DELETE", "/api/v1/relationships/"+empty, nil)
	})
}

func TestRetryAnalysisOnlyWhenNotQueuedOrRunning(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		id := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "x"})["id"].(string)
		e.must(http.StatusConflict, u, "POST", "/api/v1/entries/"+id+"/analysis/retry", nil)
		if _, err := e.store.WriteDB().ExecContext(context.Background(),
			e.store.Rebind(`UPDATE analysis_status SET status = 'failed' WHERE entry_id = ?`), id); err != nil {
			t.Fatal(err)
		}
		// The failed attempt's job is gone from the waiting states.
		if _, err := e.store.WriteDB().ExecContext(context.Background(), `DELETE FROM river_job`); err != nil {
			t.Fatal(err)
		}
		out := e.must(http.StatusAccepted, u, "POST", "/api/v1/entries/"+id+"/analysis/retry", nil)
		if out["analysisStatus"].(map[string]any)["status"] != "queued" || e.pendingJobs(id) != 1 {
			t.Fatalf("retry answered %v with %d jobs, want queued with one job", out, e.pendingJobs(id))
		}
		list := e.must(http.StatusOK, u, "GET", "/api/v1/analysis-status?status=queued", nil)
		if items := list["items"].([]any); len(items) != 1 || items[0].(map[string]any)["entryId"] != id {
			t.Fatalf("analysis-status list = %v", list)
		}
		e.must(http.StatusBadRequest, u, "GET", "/api/v1/analysis-status?status=done", nil)
	})
}

// TestPagesNeitherRepeatNorSkipUnderInserts walks the list while new
// entries keep arriving between pages.
func TestPagesNeitherRepeatNorSkipUnderInserts(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		want := map[string]bool{}
		for i := range 25 {
			want[e.newEntry(u, map[string]any{"relationshipId": rel, "content": fmt.Sprint("entry ", i)})["id"].(string)] = true
		}
		seen := map[string]bool{}
		cursor := ""
		for page := 0; ; page++ {
			path := "/api/v1/entries?limit=7"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			out := e.must(http.StatusOK, u, "GET", path, nil)
			for _, it := range out["items"].([]any) {
				id := it.(map[string]any)["id"].(string)
				if seen[id] {
					t.Fatalf("entry %s on two pages", id)
				}
				seen[id] = true
			}
			e.newEntry(u, map[string]any{"relationshipId": rel, "content": fmt.Sprint("written while paging ", page)})
			next, _ := out["nextCursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		for id := range want {
			if !seen[id] {
				t.Fatalf("entry %s was skipped", id)
			}
		}
	})
}

func TestSearchStemsRanksAndHighlights(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		sam := e.newRelationship(u, "Sam")
		ann := e.newRelationship(u, "Ann")
		walk := e.newEntry(u, map[string]any{"relationshipId": sam, "content": "We walked by the river <3 and talked about moving."})["id"].(string)
		e.newEntry(u, map[string]any{"relationshipId": ann, "content": "Ann and I went walking; lovely."})
		e.newEntry(u, map[string]any{"relationshipId": sam, "content": "Dinner, nothing else."})

		out := e.must(http.StatusOK, u, "GET", "/api/v1/entries?q=walks", nil)
		if n := len(out["items"].([]any)); n != 2 {
			t.Fatalf("q=walks found %d entries, want 2 (stemming)", n)
		}
		out = e.must(http.StatusOK, u, "GET", "/api/v1/entries?q=walk&relationshipId="+sam, nil)
		items := out["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["id"] != walk {
			t.Fatalf("relationship filter gave %v", items)
		}
		snippet := jsonString(t, items[0].(map[string]any)["snippet"])
		if !strings.Contains(snippet, `{"highlight":true,"text":"walked"}`) || !strings.Contains(snippet, "<3") {
			t.Fatalf("snippet %s does not highlight the match or lost the text as written", snippet)
		}
		for _, q := range []string{`"unbalanced`, `walk AND OR NOT`, `walk*`, `(walk`, `-walk`, `wa'lk`, `NEAR(walk talk)`, `col:walk`, `\'`, `!!!`, `:*`, `a & b | !c`} {
			e.must(http.StatusOK, u, "GET", "/api/v1/entries?q="+url.QueryEscape(q), nil)
		}
		out = e.must(http.StatusOK, u, "GET", "/api/v1/entries?q=riv", nil)
		if n := len(out["items"].([]any)); n != 1 {
			t.Fatalf("q=riv (still typing) found %d, want 1 by prefix", n)
		}
		out = e.must(http.StatusOK, u, "GET", "/api/v1/entries?q=walk+talk", nil)
		if n := len(out["items"].([]any)); n != 1 {
			t.Fatalf("q=walk talk found %d, want 1 (every word must appear)", n)
		}
	})
}

// TestAnalysisStatusesListInTheEntriesOrder pages through the statuses two
// at a time: every entry's status comes once, in the order of the entry
// list (newest first), whatever was re-queued since.
func TestAnalysisStatusesListInTheEntriesOrder(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		for i := range 5 {
			e.newEntry(u, map[string]any{"relationshipId": rel, "content": fmt.Sprintf("Entry %d.", i)})
		}
		ids := func(path, key string) []string {
			var out []string
			cursor := ""
			for page := 0; page < 10; page++ {
				p := path
				if cursor != "" {
					p += "&cursor=" + url.QueryEscape(cursor)
				}
				list := e.must(http.StatusOK, u, "GET", p, nil)
				for _, it := range list["items"].([]any) {
					out = append(out, it.(map[string]any)[key].(string))
				}
				next, _ := list["nextCursor"].(string)
				if next == "" {
					return out
				}
				cursor = next
			}
			t.Fatalf("%s: more than 10 pages", path)
			return nil
		}
		entries := ids("/api/v1/entries?limit=2", "id")
		// Re-queue the oldest by editing it: it keeps its place.
		e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+entries[len(entries)-1], map[string]any{"content": "Entry 0, edited."})
		statuses := ids("/api/v1/analysis-status?limit=2", "entryId")
		if len(entries) != 5 || strings.Join(statuses, ",") != strings.Join(entries, ",") {
			t.Fatalf("statuses in order %v, entries %v", statuses, entries)
		}
	})
}
