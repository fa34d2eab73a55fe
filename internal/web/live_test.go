package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/journal"
)

// fetchLike sends what live.js sends: a region's refresh
// (X-Resonant-Fragment: 1) or an optimistic form (Accept: application/json).
func (e *testEnv) fetchLike(c *http.Client, method, path string, form url.Values, header ...string) resp {
	e.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return readResp(e.t, res)
}

func TestLiveRegionsRenderAsFragments(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("live@example.com")
	rel := e.relationship(u.ID, "Sam")
	content := "We planned the garden together."
	v, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}

	// The whole page names where its live updates start and loads live.js.
	page := e.get(c, "/entries?relationship="+rel.ID)
	mustContain(t, page, `<meta name="resonant-last-event-id" content="`, "/static/live.", `data-live-indicator`, `role="status"`, `data-live-alert`,
		`data-live-src="/entries?relationship=`+rel.ID+`"`)
	if strings.Contains(page.body, `name="resonant-last-event-id" content="0"`) {
		t.Error("the page's event cursor is 0 although the user has events")
	}

	for _, tc := range []struct{ path, region, entity string }{
		{"/entries?relationship=" + rel.ID, `<div class="entries-live" data-live-src="/entries?relationship=` + rel.ID + `"`, ""},
		{"/entries/" + v.Entry.ID, `<div class="entry-live" data-live-src="/entries/` + v.Entry.ID + `"`, `data-live-entity="` + v.Entry.ID + `"`},
	} {
		r := e.fetchLike(c, http.MethodGet, tc.path, nil, FragmentHeader, "1", "Accept", "text/html")
		if r.status != http.StatusOK {
			t.Fatalf("fragment %s: %d", tc.path, r.status)
		}
		body := strings.TrimSpace(r.body)
		if !strings.HasPrefix(body, tc.region) || !strings.HasSuffix(body, "</div>") {
			t.Errorf("fragment %s is not just its region:\n%.300s", tc.path, body)
		}
		for _, not := range []string{"<html", "<header", "resonant-last-event-id", "Delete this entry"} {
			if strings.Contains(body, not) {
				t.Errorf("fragment %s carries %q", tc.path, not)
			}
		}
		mustContain(t, r, "We planned the garden", `data-entry-id="`+v.Entry.ID+`"`, tc.entity)
	}
}

func TestQuickActionsAnswerScriptsAndBrowsers(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("quick@example.com")
	other, _ := e.signedIn("other-quick@example.com")
	rel := e.relationship(u.ID, "Sam")
	content := "A long talk on the balcony."
	ctx := context.Background()
	v, err := e.journal.CreateEntry(ctx, u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}
	id := v.Entry.ID
	js := []string{"Accept", "application/json"}

	// A script gets 204 and the change is made.
	if r := e.fetchLike(c, http.MethodPost, "/entries/"+id+"/private", url.Values{"isPrivate": {"on"}}, js...); r.status != http.StatusNoContent {
		t.Fatalf("private on by script: %d %s", r.status, r.body)
	}
	if got, _ := e.journal.GetEntry(ctx, u.ID, id); !got.Entry.IsPrivate {
		t.Fatal("the entry is not private after the toggle")
	}
	if r := e.fetchLike(c, http.MethodPost, "/entries/"+id+"/retry", nil, js...); r.status != http.StatusNoContent {
		t.Fatalf("retry by script: %d %s", r.status, r.body)
	}
	// A browser without script is redirected with a message.
	r := e.post(c, "/entries/"+id+"/private", url.Values{"isPrivate": {"off"}})
	mustContain(t, r, "The entry is no longer private.", "Make private")
	if got, _ := e.journal.GetEntry(ctx, u.ID, id); got.Entry.IsPrivate {
		t.Fatal("the entry is still private")
	}
	// Refusals: a bad value, another user's entry, an entry deleted elsewhere.
	if r := e.fetchLike(c, http.MethodPost, "/entries/"+id+"/private", url.Values{"isPrivate": {"maybe"}}, js...); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(r.body, `"code":"validation_failed"`) {
		t.Errorf("a bad isPrivate: %d %s", r.status, r.body)
	}
	for _, path := range []string{"/entries/" + id + "/private", "/entries/" + id + "/retry"} {
		if r := e.fetchLike(other, http.MethodPost, path, url.Values{"isPrivate": {"on"}}, js...); r.status != http.StatusNotFound ||
			!strings.Contains(r.body, `"code":"not_found"`) {
			t.Errorf("%s as another user: %d %s", path, r.status, r.body)
		}
		if r := e.post(other, path, url.Values{"isPrivate": {"on"}}); r.status != http.StatusNotFound {
			t.Errorf("%s as another user without script: %d", path, r.status)
		}
	}
	if err := e.journal.DeleteEntry(ctx, u.ID, id); err != nil {
		t.Fatal(err)
	}
	if r := e.fetchLike(c, http.MethodPost, "/entries/"+id+"/retry", nil, js...); r.status != http.StatusNotFound || !strings.Contains(r.body, "deleted") {
		t.Errorf("retry of a deleted entry: %d %s", r.status, r.body)
	}
}
