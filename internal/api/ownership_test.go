package api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestAnotherUsersIdsAreNotFoundEverywhere walks every relationships and
// entries endpoint as a second user against the first user's ids: each
// answers 404 (or, for a relationshipId in a body, the same 400 as an id
// that does not exist), nothing changes, and lists and search show none of
// the first user's rows.
func TestAnotherUsersIdsAreNotFoundEverywhere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		owner, other := e.addUser("owner"), e.addUser("other")
		rel := e.newRelationship(owner, "Secret person")
		entry := e.newEntry(owner, map[string]any{"relationshipId": rel, "content": "a secret about pineapples"})["id"].(string)
		otherRel := e.newRelationship(other, "Mine")
		e.newEntry(other, map[string]any{"relationshipId": otherRel, "content": "my own pineapples"})

		notFound := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/relationships/" + rel, nil},
			{"PATCH", "/api/v1/relationships/" + rel, map[string]any{"name": "taken"}},
			{"DELETE", "/api/v1/relationships/" + rel, nil},
			{"DELETE", "/api/v1/relationships/" + rel + "?cascade=true", nil},
			{"GET", "/api/v1/entries/" + entry, nil},
			{"PATCH", "/api/v1/entries/" + entry, map[string]any{"content": "overwritten"}},
			{"PATCH", "/api/v1/entries/" + entry, map[string]any{"status": "published"}},
			{"DELETE", "/api/v1/entries/" + entry, nil},
			{"POST", "/api/v1/entries/" + entry + "/analysis/retry", nil},
			{"GET", "/api/v1/entries?relationshipId=" + rel, nil},
			{"GET", "/api/v1/entries?q=pineapples&relationshipId=" + rel, nil},
		}
		for _, c := range notFound {
			if got, body := e.do(other, c.method, c.path, c.body); got != http.StatusNotFound {
				t.Errorf("%s %s as another user = %d %v, want 404", c.method, c.path, got, body)
			}
		}
		// A body naming someone else's relationship reads exactly like a missing one.
		_, theirs := e.do(other, "POST", "/api/v1/entries", map[string]any{"relationshipId": rel, "content": "x"})
		_, missing := e.do(other, "POST", "/api/v1/entries", map[string]any{"relationshipId": "no-such-id", "content": "x"})
		if jsonString(t, theirs) != jsonString(t, missing) {
			t.Errorf("another user's relationship %v differs from a missing one %v", theirs, missing)
		}
		_, moved := e.do(other, "PATCH", "/api/v1/entries/"+e.firstEntry(other), map[string]any{"relationshipId": rel})
		if jsonString(t, moved) != jsonString(t, missing) {
			t.Errorf("moving an entry to another user's relationship answered %v", moved)
		}

		for _, path := range []string{"/api/v1/relationships", "/api/v1/entries", "/api/v1/entries?q=pineapples", "/api/v1/entries?q=secret",
			"/api/v1/entries?status=published", "/api/v1/analysis-status"} {
			js := jsonString(t, e.must(http.StatusOK, other, "GET", path, nil))
			for _, leak := range []string{rel, entry, "secret", "Secret"} {
				if strings.Contains(js, leak) {
					t.Errorf("GET %s as another user leaks %q: %s", path, leak, js)
				}
			}
		}
		// The owner's rows are untouched.
		got := e.must(http.StatusOK, owner, "GET", "/api/v1/entries/"+entry, nil)
		if got["entry"].(map[string]any)["content"] != "a secret about pineapples" {
			t.Fatalf("owner's entry changed: %v", got)
		}
		e.must(http.StatusOK, owner, "GET", "/api/v1/relationships/"+rel, nil)
		if n := e.pendingJobs(entry); n != 1 {
			t.Fatalf("owner's entry has %d jobs, want 1", n)
		}
	})
}

func (e *journalEnv) firstEntry(user string) string {
	e.t.Helper()
	items := e.must(http.StatusOK, user, "GET", "/api/v1/entries?limit=1", nil)["items"].([]any)
	return items[0].(map[string]any)["id"].(string)
}
