package api_test

import (
	"fmt"
	"strings"
	"testing"
)

// scenario is one request and what the contract says about its answer.
type scenario struct {
	name       string
	method     string
	path       string // may contain {rel} and {entry}
	body       any
	wantStatus int
	wantFields []string // validation fields named in the error
	wantBody   []string // fragments of the raw JSON answer
}

func TestEntryInputScenarios(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		entry := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "first", "status": "draft"})["id"].(string)
		long := strings.Repeat("é", 10001)
		tags11 := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
		scenarios := []scenario{
			{name: "published entry answers 201 with queued analysis", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "We talked <3 and it helped."}, wantStatus: 201,
				wantBody: []string{`"status":"queued"`, `"content":"We talked <3 and it helped."`, `"wordCount":6`}},
			{name: "draft answers 201 with null analysis", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "draft", "status": "draft"}, wantStatus: 201,
				wantBody: []string{`"analysisStatus":null`, `"status":"draft"`}},
			{name: "tags trimmed and de-duplicated case-insensitively", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "tags": []string{" Walk ", "walk", "WALK", "talk", " "}}, wantStatus: 201,
				wantBody: []string{`"tags":["Walk","talk"]`}},
			{name: "10,000 characters of two-byte text is fine", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": long[:len(long)-2]}, wantStatus: 201},
			{name: "content over 10,000 characters", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": long}, wantStatus: 400, wantFields: []string{"content"}},
			{name: "content only white space", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": " \n\t "}, wantStatus: 400, wantFields: []string{"content"}},
			{name: "missing relationship and content", method: "POST", path: "/api/v1/entries",
				body: map[string]any{}, wantStatus: 400, wantFields: []string{"relationshipId", "content"}},
			{name: "unknown relationship", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": "nope", "content": "x"}, wantStatus: 400, wantFields: []string{"relationshipId"}},
			{name: "mood over 50", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "mood": strings.Repeat("m", 51)}, wantStatus: 400, wantFields: []string{"mood"}},
			{name: "eleven tags", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "tags": tags11}, wantStatus: 400, wantFields: []string{"tags"}},
			{name: "tag over 50", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "tags": []string{strings.Repeat("t", 51)}}, wantStatus: 400, wantFields: []string{"tags"}},
			{name: "bad status", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "status": "final"}, wantStatus: 400, wantFields: []string{"status"}},
			{name: "NUL is refused, not stripped", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "a\x00b"}, wantStatus: 400, wantFields: []string{"content"}},
			{name: "unknown field", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": "x", "userId": "u2"}, wantStatus: 400, wantFields: []string{"userId"}},
			{name: "wrong type", method: "POST", path: "/api/v1/entries",
				body: `{"relationshipId":"` + rel + `","content":"x","isPrivate":"yes"}`, wantStatus: 400, wantFields: []string{"isPrivate"}},
			{name: "body over the limit", method: "POST", path: "/api/v1/entries",
				body: map[string]any{"relationshipId": rel, "content": strings.Repeat("x", 200<<10)}, wantStatus: 413},
			{name: "auto-save partial update", method: "PATCH", path: "/api/v1/entries/{entry}",
				body: map[string]any{"content": "first draft, longer"}, wantStatus: 200, wantBody: []string{`"wordCount":3`, `"status":"draft"`}},
			{name: "published cannot go back to draft", method: "PATCH", path: "/api/v1/entries/{entry}",
				body: map[string]any{"status": "published"}, wantStatus: 200, wantBody: []string{`"status":"queued"`}},
			{name: "then back to draft is refused", method: "PATCH", path: "/api/v1/entries/{entry}",
				body: map[string]any{"status": "draft"}, wantStatus: 400, wantFields: []string{"status"}},
			{name: "update of a missing entry", method: "PATCH", path: "/api/v1/entries/missing",
				body: map[string]any{"content": "x"}, wantStatus: 404},
			{name: "limit too large", method: "GET", path: "/api/v1/entries?limit=101", wantStatus: 400, wantFields: []string{"limit"}},
			{name: "limit not a number", method: "GET", path: "/api/v1/entries?limit=ten", wantStatus: 400, wantFields: []string{"limit"}},
			{name: "tampered cursor", method: "GET", path: "/api/v1/entries?cursor=Zm9vYmFy", wantStatus: 400, wantFields: []string{"cursor"}},
			{name: "bad status filter", method: "GET", path: "/api/v1/entries?status=x", wantStatus: 400, wantFields: []string{"status"}},
			{name: "query too long", method: "GET", path: "/api/v1/entries?q=" + strings.Repeat("a", 201), wantStatus: 400, wantFields: []string{"q"}},
			{name: "relationship name too long", method: "POST", path: "/api/v1/relationships",
				body: map[string]any{"name": strings.Repeat("n", 101), "kind": "friend"}, wantStatus: 400, wantFields: []string{"name"}},
			{name: "relationship kind unknown", method: "POST", path: "/api/v1/relationships",
				body: map[string]any{"name": "Ann", "kind": "enemy"}, wantStatus: 400, wantFields: []string{"kind"}},
			{name: "relationship rename", method: "PATCH", path: "/api/v1/relationships/{rel}",
				body: map[string]any{"name": "  Sam P.  "}, wantStatus: 200, wantBody: []string{`"name":"Sam P."`, `"kind":"partner"`}},
			{name: "relationship with entries needs cascade", method: "DELETE", path: "/api/v1/relationships/{rel}", wantStatus: 409,
				wantBody: []string{"cascade=true"}},
			{name: "bad cascade value", method: "DELETE", path: "/api/v1/relationships/{rel}?cascade=maybe", wantStatus: 400, wantFields: []string{"cascade"}},
			{name: "no user is 401", method: "GET", path: "/api/v1/entries", wantStatus: 401},
		}
		for _, sc := range scenarios {
			path := strings.NewReplacer("{rel}", rel, "{entry}", entry).Replace(sc.path)
			user := u
			if sc.wantStatus == 401 {
				user = ""
			}
			status, body := e.do(user, sc.method, path, sc.body)
			raw := fmt.Sprint(body)
			if status != sc.wantStatus {
				t.Errorf("%s: %s %s = %d %s, want %d", sc.name, sc.method, sc.path, status, raw, sc.wantStatus)
				continue
			}
			if len(sc.wantFields) > 0 {
				fields, _ := body["error"].(map[string]any)["fields"].(map[string]any)
				for _, f := range sc.wantFields {
					if _, ok := fields[f]; !ok {
						t.Errorf("%s: error fields %v do not name %q", sc.name, fields, f)
					}
				}
			}
			if len(sc.wantBody) > 0 {
				js := jsonString(t, body)
				for _, frag := range sc.wantBody {
					if !strings.Contains(js, frag) {
						t.Errorf("%s: body %s lacks %s", sc.name, js, frag)
					}
				}
			}
		}
	})
}
