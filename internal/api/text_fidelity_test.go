package api_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

// badTextBodies are the JSON bodies a careless or hostile client sends with
// text encoding/json would silently repair into U+FFFD: %s is where the
// bad string goes.
var badTextBodies = []struct{ name, value, wantMsg string }{
	{"invalid UTF-8", "\"bad \xff\xfe bytes\"", "must be valid UTF-8 text"},
	{"lone surrogate", `"bad \ud800 escape"`, `must not contain an unpaired surrogate escape such as \ud800`},
}

func TestJournalRefusesBadTextNamingTheFieldAndKeepsStoredData(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		entry := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "as written", "mood": "calm", "tags": []string{"walk"}})["id"].(string)
		_, entryBefore := e.do(u, "GET", "/api/v1/entries/"+entry, nil)
		_, relBefore := e.do(u, "GET", "/api/v1/relationships/"+rel, nil)
		nEntries := e.count("SELECT COUNT(*) FROM journal_entries")
		nRels := e.count("SELECT COUNT(*) FROM relationships")
		for _, bad := range badTextBodies {
			for _, tc := range []struct{ method, path, body, field string }{
				{"POST", "/api/v1/entries", `{"relationshipId":"` + rel + `","content":%s}`, "content"},
				{"POST", "/api/v1/entries", `{"relationshipId":"` + rel + `","content":"fine","mood":%s}`, "mood"},
				{"POST", "/api/v1/entries", `{"relationshipId":"` + rel + `","content":"fine","tags":["ok",%s]}`, "tags"},
				{"PATCH", "/api/v1/entries/" + entry, `{"content":%s}`, "content"},
				{"PATCH", "/api/v1/entries/" + entry, `{"tags":[%s]}`, "tags"},
				{"POST", "/api/v1/relationships", `{"name":%s,"kind":"friend"}`, "name"},
				{"POST", "/api/v1/relationships", `{"name":"Ann","kind":"friend","notes":%s}`, "notes"},
				{"PATCH", "/api/v1/relationships/" + rel, `{"name":%s}`, "name"},
			} {
				body := strings.Replace(tc.body, "%s", bad.value, 1)
				status, out := e.do(u, tc.method, tc.path, body)
				if status != http.StatusBadRequest {
					t.Fatalf("%s: %s %s %q = %d %v, want 400", bad.name, tc.method, tc.path, body, status, out)
				}
				if got := errorFields(out); !reflect.DeepEqual(got, map[string]any{tc.field: bad.wantMsg}) {
					t.Errorf("%s: %s %s %q named %v, want {%s: %s}", bad.name, tc.method, tc.path, body, got, tc.field, bad.wantMsg)
				}
			}
		}
		if _, after := e.do(u, "GET", "/api/v1/entries/"+entry, nil); !reflect.DeepEqual(after, entryBefore) {
			t.Errorf("entry changed by refused requests:\n%v\nwas\n%v", after, entryBefore)
		}
		if _, after := e.do(u, "GET", "/api/v1/relationships/"+rel, nil); !reflect.DeepEqual(after, relBefore) {
			t.Errorf("relationship changed by refused requests:\n%v\nwas\n%v", after, relBefore)
		}
		if n := e.count("SELECT COUNT(*) FROM journal_entries"); n != nEntries {
			t.Errorf("%d entries, want %d", n, nEntries)
		}
		if n := e.count("SELECT COUNT(*) FROM relationships"); n != nRels {
			t.Errorf("%d relationships, want %d", n, nRels)
		}

		// A real U+FFFD, or a correctly paired surrogate escape, is text like any other.
		got := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "kept \ufffd and \U0001F600"})
		if got["content"] != "kept \ufffd and \U0001F600" {
			t.Errorf("content = %q", got["content"])
		}
		status, out := e.do(u, "POST", "/api/v1/entries", `{"relationshipId":"`+rel+`","content":"pair \ud83d\ude00"}`)
		if status != http.StatusCreated || out["entry"].(map[string]any)["content"] != "pair \U0001F600" {
			t.Errorf("paired surrogate escape = %d %v, want 201 with the emoji", status, out)
		}
	})
}

func TestTagsRefuseNullElements(t *testing.T) {
	forEachEngine(t, func(t *testing.T, e *journalEnv) {
		u := e.addUser("u1")
		rel := e.newRelationship(u, "Sam")
		entry := e.newEntry(u, map[string]any{"relationshipId": rel, "content": "x", "tags": []string{"walk", "talk"}})["id"].(string)
		for _, body := range []string{`{"tags":[null]}`, `{"tags":["walk",null]}`, `{"tags":[5]}`} {
			status, out := e.do(u, "PATCH", "/api/v1/entries/"+entry, body)
			if status != http.StatusBadRequest || !reflect.DeepEqual(errorFields(out), map[string]any{"tags": "must be a string"}) {
				t.Errorf("PATCH %s = %d %v, want 400 naming tags", body, status, out)
			}
		}
		status, out := e.do(u, "POST", "/api/v1/entries", `{"relationshipId":"`+rel+`","content":"y","tags":[null]}`)
		if status != http.StatusBadRequest || errorFields(out)["tags"] == nil {
			t.Errorf("POST with tags [null] = %d %v, want 400 naming tags", status, out)
		}
		_, got := e.do(u, "GET", "/api/v1/entries/"+entry, nil)
		if tags := got["entry"].(map[string]any)["tags"]; !reflect.DeepEqual(tags, []any{"walk", "talk"}) {
			t.Errorf("tags after refused requests = %v, want [walk talk]", tags)
		}
		// null for the whole list still means "leave the tags alone", and [] clears them.
		e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+entry, `{"tags":null}`)
		_, got = e.do(u, "GET", "/api/v1/entries/"+entry, nil)
		if tags := got["entry"].(map[string]any)["tags"]; !reflect.DeepEqual(tags, []any{"walk", "talk"}) {
			t.Errorf("tags after {tags:null} = %v, want them unchanged", tags)
		}
		out = e.must(http.StatusOK, u, "PATCH", "/api/v1/entries/"+entry, `{"tags":[]}`)
		if tags := out["entry"].(map[string]any)["tags"]; !reflect.DeepEqual(tags, []any{}) {
			t.Errorf("tags after {tags:[]} = %v, want []", tags)
		}
	})
}

// errorFields returns the error's fields object (nil when there is none).
func errorFields(out map[string]any) map[string]any {
	errObj, _ := out["error"].(map[string]any)
	fields, _ := errObj["fields"].(map[string]any)
	return fields
}

func TestAccountsRefuseBadTextNamingTheField(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, _ := e.signedIn("ann@example.com", "correct horse battery")
		users, mails := e.count("SELECT COUNT(*) FROM users"), e.mailCount()
		for _, bad := range badTextBodies {
			for _, tc := range []struct{ method, path, body, field string }{
				{"POST", "/api/v1/auth/signup", `{"email":%s,"password":"correct horse battery","name":"Bo"}`, "email"},
				{"POST", "/api/v1/auth/signup", `{"email":"bo@example.com","password":"correct horse battery","name":%s}`, "name"},
				{"PATCH", "/api/v1/me", `{"name":%s}`, "name"},
				{"PATCH", "/api/v1/me", `{"preferences":{"timezone":%s}}`, "preferences.timezone"},
				{"POST", "/api/v1/me/tokens", `{"name":%s}`, "name"},
			} {
				body := strings.Replace(tc.body, "%s", bad.value, 1)
				r := c.do(tc.method, tc.path, body)
				if r.status != http.StatusBadRequest {
					t.Fatalf("%s: %s %s %q = %d %s, want 400", bad.name, tc.method, tc.path, body, r.status, r.raw)
				}
				if got := errorFields(r.body); !reflect.DeepEqual(got, map[string]any{tc.field: bad.wantMsg}) {
					t.Errorf("%s: %s %s %q named %v, want {%s: %s}", bad.name, tc.method, tc.path, body, got, tc.field, bad.wantMsg)
				}
			}
		}
		if n := e.count("SELECT COUNT(*) FROM users"); n != users {
			t.Errorf("%d users after refused sign-ups, want %d", n, users)
		}
		if n := e.mailCount(); n != mails {
			t.Errorf("%d mails after refused sign-ups, want %d", n, mails)
		}
		if name := c.must(http.StatusOK, "GET", "/api/v1/me", nil).field("user", "name"); name != "Test User" {
			t.Errorf("name after refused PATCH = %q", name)
		}
		if n := e.count("SELECT COUNT(*) FROM access_tokens"); n != 0 {
			t.Errorf("%d tokens after refused creations, want 0", n)
		}
	})
}

func TestAccessTokenNamesAreOneLineOfText(t *testing.T) {
	forEachAcctEngine(t, func(t *testing.T, e *acctEnv) {
		c, _ := e.signedIn("ann@example.com", "correct horse battery")
		for _, name := range []string{"lap\x00top", "lap\ntop", "   ", strings.Repeat("n", 101)} {
			r := c.do("POST", "/api/v1/me/tokens", map[string]any{"name": name})
			if r.status != http.StatusBadRequest || errorFields(r.body)["name"] == nil {
				t.Errorf("token name %q = %d %s, want 400 naming name", name, r.status, r.raw)
			}
		}
		if n := e.count("SELECT COUNT(*) FROM access_tokens"); n != 0 {
			t.Errorf("%d tokens stored, want 0", n)
		}
		// The answer to the creation and the list agree to the digit.
		e.clock.Advance(123456789 * time.Nanosecond)
		created := c.must(http.StatusCreated, "POST", "/api/v1/me/tokens", map[string]any{"name": " laptop "})
		listed := c.must(http.StatusOK, "GET", "/api/v1/me/tokens", nil).body["items"].([]any)[0].(map[string]any)
		if created.field("name") != "laptop" || created.field("createdAt") != listed["createdAt"] {
			t.Errorf("created %v, listed %v: want name laptop and one createdAt", created.body, listed)
		}
	})
}
