package web

import (
	"net/http"
	"strings"
	"testing"
)

func TestRelationshipPageShowsItsScoreHistoryInsightsAndEntries(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("rel@example.com")
	sam, alex := e.relationship(u.ID, "Sam"), e.relationship(u.ID, "Alex")
	ids := e.publish(u.ID, sam.ID, samTexts...)
	alexIDs := e.publish(u.ID, alex.ID, "Alex and I argued about the bills and Alex walked out.")
	r := e.get(c, "/relationships/"+sam.ID)
	if r.status != http.StatusOK {
		t.Fatalf("GET: %d", r.status)
	}
	mustContain(t, r, "<h1>Sam</h1>", "Health score", "how disagreements go and get repaired", "/100",
		`role="img" aria-labelledby="rel-health-title rel-health-desc"`, "Health score, Sam, since ",
		`data-entry-id="`+ids[0]+`"`, `href="/entries/new?relationship=`+sam.ID+`"`, `name="next" value="/relationships/`+sam.ID+`"`)
	if strings.Contains(r.body, alexIDs[0]) {
		t.Error("the page lists another relationship's entry")
	}
	regions := liveRegion.FindAllStringSubmatch(r.body, -1)
	want := map[string]string{"rel-score": "/score", "rel-trends": "/trends", "rel-insights": "/insights", "rel-entries": "/entries"}
	if len(regions) != len(want) {
		t.Fatalf("live regions %v, want %v", regions, want)
	}
	for _, m := range regions {
		if "/relationships/"+sam.ID+want[m[1]] != m[2] {
			t.Errorf("region %s fetches %s", m[1], m[2])
		}
		f := e.get(c, m[2])
		frag := strings.TrimSpace(f.body)
		if f.status != http.StatusOK || !strings.HasPrefix(frag, `<section id="`+m[1]+`"`) || !strings.Contains(r.body, frag) {
			t.Errorf("GET %s: %d, not the page's region", m[2], f.status)
		}
		if !strings.Contains(frag, `data-live-rel="`+sam.ID+`"`) {
			t.Errorf("GET %s: no data-live-rel", m[2])
		}
	}
	// The relationships list and the dashboard link to the page.
	mustContain(t, e.get(c, "/relationships"), `href="/relationships/`+sam.ID+`"`)
	// Another user's relationship, or none: not found, page and fragments.
	other, _ := e.signedIn("other@example.com")
	for _, path := range []string{"/relationships/" + sam.ID, "/relationships/" + sam.ID + "/score", "/relationships/nope/trends", "/relationships/" + sam.ID + "/bogus"} {
		if f := e.get(other, path); f.status != http.StatusNotFound {
			t.Errorf("GET %s as another user: %d", path, f.status)
		}
	}
	// A relationship with nothing analysed yet.
	empty := e.relationship(u.ID, "Kim")
	mustContain(t, e.get(c, "/relationships/"+empty.ID), "No score yet", "The charts appear once", "No entries yet")
}
