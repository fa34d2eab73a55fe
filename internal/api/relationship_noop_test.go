package api_test

import (
	"net/http"
	"testing"
)

func TestRelationshipPatchThatChangesNothingWritesNothing(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		out := e.must(http.StatusCreated, u, "POST", "/api/v1/relationships", map[string]any{"name": "Sam", "kind": "partner", "notes": "n"})
		rel := out["relationship"].(map[string]any)
		id, updatedAt := rel["id"].(string), rel["updatedAt"]
		events := e.count("SELECT COUNT(*) FROM events")
		for _, body := range []string{`{}`, `null`, `{"name":null}`, `{"name":"Sam"}`, `{"name":" Sam ","kind":"partner","notes":"n"}`} {
			got := e.must(http.StatusOK, u, "PATCH", "/api/v1/relationships/"+id, body)["relationship"].(map[string]any)
			if got["updatedAt"] != updatedAt || got["name"] != "Sam" || got["notes"] != "n" {
				t.Errorf("PATCH %s answered %v; want it unchanged with updatedAt %v", body, got, updatedAt)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM events"); n != events {
			t.Errorf("%d events after no-op updates, want %d", n, events)
		}
		if got := e.must(http.StatusOK, u, "GET", "/api/v1/relationships/"+id, nil)["relationship"].(map[string]any); got["updatedAt"] != updatedAt {
			t.Errorf("stored updatedAt = %v, want %v", got["updatedAt"], updatedAt)
		}
		got := e.must(http.StatusOK, u, "PATCH", "/api/v1/relationships/"+id, `{"name":"Sam B."}`)["relationship"].(map[string]any)
		if got["updatedAt"] == updatedAt || got["name"] != "Sam B." {
			t.Errorf("a real rename answered %v; want a new name and updatedAt", got)
		}
		if n := e.count("SELECT COUNT(*) FROM events"); n != events+1 {
			t.Errorf("%d events after a rename, want %d", n, events+1)
		}
		// Another user's relationship is still 404, even for a no-op.
		e.must(http.StatusNotFound, e.addUser("u2"), "PATCH", "/api/v1/relationships/"+id, `{}`)
	})
}
