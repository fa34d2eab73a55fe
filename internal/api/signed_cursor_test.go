package api_test

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// TestEditedCursorsAnswer400 re-encodes a real cursor with another id in
// it, as the black-box probe did: the edited cursor must be refused, not
// followed.
func TestEditedCursorsAnswer400(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		var ids []string
		for range 3 {
			ids = append(ids, e.newEntry(u, map[string]any{"relationshipId": rel, "content": "x"})["id"].(string))
		}
		for _, list := range []string{"/api/v1/entries?limit=1", "/api/v1/relationships?limit=1", "/api/v1/analysis-status?limit=1",
			"/api/v1/entries?limit=1&q=x"} {
			if list == "/api/v1/relationships?limit=1" {
				e.newRelationship(u, "Ann")
			}
			next, _ := e.must(http.StatusOK, u, "GET", list, nil)["nextCursor"].(string)
			if next == "" {
				t.Fatalf("%s gave no nextCursor", list)
			}
			// The cursor works as handed out.
			e.must(http.StatusOK, u, "GET", list+"&cursor="+url.QueryEscape(next), nil)
			raw, err := base64.RawURLEncoding.DecodeString(next)
			if err != nil {
				t.Fatalf("cursor %q is not base64url: %v", next, err)
			}
			for name, edited := range map[string][]byte{
				"id changed":     bytes.Replace(raw, []byte(ids[2]), []byte(ids[0]), 1),
				"offset changed": bytes.Replace(raw, []byte("o|1"), []byte("o|2"), 1),
				"time changed":   bytes.Replace(raw, []byte("|2026-"), []byte("|2027-"), 1),
				"unsigned":       raw[:len(raw)-16],
			} {
				if bytes.Equal(edited, raw) {
					continue // this list's cursor has no such part
				}
				c := base64.RawURLEncoding.EncodeToString(edited)
				status, out := e.do(u, "GET", list+"&cursor="+url.QueryEscape(c), nil)
				if status != http.StatusBadRequest || !reflect.DeepEqual(errorFields(out), map[string]any{"cursor": "is not a valid cursor; start again without it"}) {
					t.Errorf("%s: %s with an edited cursor (%s) = %d %v, want 400 naming cursor", list, name, edited, status, out)
				}
			}
		}
	})
}
