package api_test

import (
	"net/http"
	"testing"
)

// TestConflictAnswersSayWhatToDo: the black-box probe saw "delete
// relationship: the relationship has journal entries; …", a Go call chain
// in a message meant for people.
func TestConflictAnswersSayWhatToDo(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		entry := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "x"})["id"].(string)
		draft := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "y", "status": "draft"})["id"].(string)
		for _, tc := range []struct{ method, path, want string }{
			{"DELETE", "/api/v1/relationships/" + rel, "this relationship has journal entries; to delete them with it, add ?cascade=true"},
			{"POST", "/api/v1/entries/" + entry + "/analysis/retry", "this entry's analysis is already queued or running; wait for it to finish before retrying"},
			{"POST", "/api/v1/entries/" + draft + "/analysis/retry", "this entry is a draft; publish it and it will be analysed"},
		} {
			out := e.must(http.StatusConflict, u, tc.method, tc.path, nil)
			errObj := out["error"].(map[string]any)
			if errObj["code"] != "conflict" || errObj["message"] != tc.want {
				t.Errorf("%s %s answered %v, want conflict %q", tc.method, tc.path, errObj, tc.want)
			}
		}
	})
}

func TestDuplicateSignUpSaysWhatToDo(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c := e.client()
		body := map[string]any{"email": "ann@example.com", "password": "correct horse battery", "name": "Ann"}
		c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", body)
		r := c.must(http.StatusConflict, "POST", "/api/v1/auth/signup", body)
		if want := "an account with this email already exists; sign in, or reset your password if you have forgotten it"; r.field("error", "message") != want {
			t.Errorf("duplicate sign-up = %s, want message %q", r.raw, want)
		}
	})
}
