package api_test

import (
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
)

// TestEntryInputScenarios plays the entry and relationship contract as
// harness scenarios: status, body fragments, the fields an error names and
// the events each request wrote.
func TestEntryInputScenarios(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		entry := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "first", "status": "draft"})["id"].(string)
		toPublish := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "second", "status": "draft"})["id"].(string)
		published := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "third"})["id"].(string)
		long := strings.Repeat("é", 10001)
		tags11 := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
		created := []string{store.EventEntryCreated, store.EventAnalysisStatus}
		e.Run(t, []servertest.Scenario{
			{Name: "published entry answers 201 with queued analysis", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "We talked <3 and it helped."}, WantStatus: 201,
				WantBody: []string{`"status":"queued"`, `"content":"We talked <3 and it helped."`, `"wordCount":6`}, WantEvents: created},
			{Name: "draft answers 201 with null analysis", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "draft", "status": "draft"}, WantStatus: 201,
				WantBody: []string{`"analysisStatus":null`, `"status":"draft"`}, WantEvents: []string{store.EventEntryCreated}},
			{Name: "tags trimmed and de-duplicated case-insensitively", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "tags": []string{" Walk ", "walk", "WALK", "talk", " "}}, WantStatus: 201,
				WantBody: []string{`"tags":["Walk","talk"]`}, WantEvents: created},
			{Name: "10,000 characters of two-byte text is fine", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": long[:len(long)-2]}, WantStatus: 201, WantEvents: created},
			{Name: "content over 10,000 characters", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": long}, WantStatus: 400, WantFields: []string{"content"}},
			{Name: "content only white space", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": " \n\t "}, WantStatus: 400, WantFields: []string{"content"}},
			{Name: "missing relationship and content", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{}, WantStatus: 400, WantFields: []string{"relationshipId", "content"}},
			{Name: "unknown relationship", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": "nope", "content": "x"}, WantStatus: 400, WantFields: []string{"relationshipId"}},
			{Name: "mood over 50", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "mood": strings.Repeat("m", 51)}, WantStatus: 400, WantFields: []string{"mood"}},
			{Name: "eleven tags", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "tags": tags11}, WantStatus: 400, WantFields: []string{"tags"}},
			{Name: "tag over 50", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "tags": []string{strings.Repeat("t", 51)}}, WantStatus: 400, WantFields: []string{"tags"}},
			{Name: "bad status", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "status": "final"}, WantStatus: 400, WantFields: []string{"status"}},
			{Name: "NUL is refused, not stripped", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "a\x00b"}, WantStatus: 400, WantFields: []string{"content"}},
			{Name: "unknown field", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": "x", "userId": "u2"}, WantStatus: 400, WantFields: []string{"userId"}},
			{Name: "wrong type", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: `{"relationshipId":"` + rel + `","content":"x","isPrivate":"yes"}`, WantStatus: 400, WantFields: []string{"isPrivate"}},
			{Name: "body over the limit", Method: "POST", Path: "/api/v1/entries", As: u,
				Body: map[string]any{"relationshipId": rel, "content": strings.Repeat("x", 200<<10)}, WantStatus: 413},
			{Name: "auto-save partial update", Method: "PATCH", Path: "/api/v1/entries/" + entry, As: u,
				Body: map[string]any{"content": "first draft, longer"}, WantStatus: 200, WantBody: []string{`"wordCount":3`, `"status":"draft"`},
				WantEvents: []string{store.EventEntryUpdated}},
			{Name: "publishing a draft queues its analysis", Method: "PATCH", Path: "/api/v1/entries/" + toPublish, As: u,
				Body: map[string]any{"status": "published"}, WantStatus: 200, WantBody: []string{`"status":"queued"`},
				WantEvents: []string{store.EventEntryUpdated, store.EventAnalysisStatus}},
			{Name: "published cannot go back to draft", Method: "PATCH", Path: "/api/v1/entries/" + published, As: u,
				Body: map[string]any{"status": "draft"}, WantStatus: 400, WantFields: []string{"status"}},
			{Name: "update of a missing entry", Method: "PATCH", Path: "/api/v1/entries/missing", As: u,
				Body: map[string]any{"content": "x"}, WantStatus: 404},
			{Name: "limit too large", Method: "GET", Path: "/api/v1/entries?limit=101", As: u, WantStatus: 400, WantFields: []string{"limit"}},
			{Name: "limit not a number", Method: "GET", Path: "/api/v1/entries?limit=ten", As: u, WantStatus: 400, WantFields: []string{"limit"}},
			{Name: "tampered cursor", Method: "GET", Path: "/api/v1/entries?cursor=Zm9vYmFy", As: u, WantStatus: 400, WantFields: []string{"cursor"}},
			{Name: "bad status filter", Method: "GET", Path: "/api/v1/entries?status=x", As: u, WantStatus: 400, WantFields: []string{"status"}},
			{Name: "query too long", Method: "GET", Path: "/api/v1/entries?q=" + strings.Repeat("a", 201), As: u, WantStatus: 400, WantFields: []string{"q"}},
			{Name: "relationship name too long", Method: "POST", Path: "/api/v1/relationships", As: u,
				Body: map[string]any{"name": strings.Repeat("n", 101), "kind": "friend"}, WantStatus: 400, WantFields: []string{"name"}},
			{Name: "relationship kind unknown", Method: "POST", Path: "/api/v1/relationships", As: u,
				Body: map[string]any{"name": "Ann", "kind": "enemy"}, WantStatus: 400, WantFields: []string{"kind"}},
			{Name: "relationship rename", Method: "PATCH", Path: "/api/v1/relationships/" + rel, As: u,
				Body: map[string]any{"name": "  Sam P.  "}, WantStatus: 200, WantBody: []string{`"name":"Sam P."`, `"kind":"partner"`},
				WantEvents: []string{store.EventRelationshipChanged}},
			{Name: "relationship with entries needs cascade", Method: "DELETE", Path: "/api/v1/relationships/" + rel, As: u, WantStatus: 409,
				WantBody: []string{"cascade=true"}},
			{Name: "bad cascade value", Method: "DELETE", Path: "/api/v1/relationships/" + rel + "?cascade=maybe", As: u, WantStatus: 400, WantFields: []string{"cascade"}},
			{Name: "no user is 401", Method: "GET", Path: "/api/v1/entries", WantStatus: 401, WantBody: []string{`"code":"unauthenticated"`}},
		})
	})
}
