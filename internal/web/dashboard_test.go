package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/resonant-journal/resonant/internal/analysis/pipeline"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
)

// publish writes and publishes an entry about rel and analyses it with
// the offline analyzer (the pipeline's worker, run directly), then
// recomputes the relationship's score as the queued job would.
func (e *testEnv) publish(userID, relID string, texts ...string) []string {
	e.t.Helper()
	ctx := context.Background()
	w := pipeline.NewWorker(pipeline.Config{Store: e.store})
	var ids []string
	for _, text := range texts {
		v, err := e.journal.CreateEntry(ctx, userID, journal.EntryInput{RelationshipID: &relID, Content: &text})
		if err != nil {
			e.t.Fatal(err)
		}
		job := &river.Job[queue.AnalyzeEntryArgs]{JobRow: &rivertype.JobRow{Attempt: 1}, Args: queue.AnalyzeEntryArgs{EntryID: v.Entry.ID, UserID: userID}}
		if err := w.Work(ctx, job); err != nil {
			e.t.Fatal(err)
		}
		ids = append(ids, v.Entry.ID)
	}
	if _, err := e.insight.Recompute(ctx, userID, relID); err != nil {
		e.t.Fatal(err)
	}
	return ids
}

var samTexts = []string{
	"We cooked dinner together and laughed about the week. I felt close to Sam. Thank you for the lovely evening.",
	"I apologised for snapping this morning and we hugged it out. I said sorry first and Sam said sorry too.",
	"Sam made me tea when work was stressful and asked how I was doing. I really appreciated it.",
	"We argued about chores. I admit I was defensive; I apologised later and we made up.",
	"A long walk by the river. We planned our trip for next summer together and I'm excited.",
}

func TestDashboardInvitesTheFirstStepInsteadOfEmptyCharts(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("empty@example.com")
	r := e.get(c, "/home")
	mustContain(t, r, "Start with someone you want to write about", `href="/relationships"`, ">Dashboard</a>")
	rel := e.relationship(u.ID, "Sam")
	r = e.get(c, "/home")
	mustContain(t, r, "Write your first entry", `href="/entries/new?relationship=`+rel.ID+`"`)
	if strings.Contains(r.body, "<svg") || strings.Count(r.body, "data-live-src") != 1 {
		t.Error("the empty dashboard shows charts or live regions")
	}
	// The empty state is a region of its own: the first entry, published
	// elsewhere, turns it into the dashboard.
	mustContain(t, r, `<div id="dash-body" data-live-src="/home/body" data-live-on="entry.created relationship.changed">`)
	// Once an entry is written but not yet analysed: the card says so.
	content := "First entry, not analysed yet."
	if _, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content}); err != nil {
		t.Fatal(err)
	}
	r = e.get(c, "/home")
	mustContain(t, r, "No score yet", `data-status="queued"`, "The charts appear once", `<div id="dash-body" data-live-src="/home/body" data-live-on="">`)
	f := e.get(c, "/home/body")
	if body := strings.TrimSpace(f.body); f.status != http.StatusOK || !strings.HasPrefix(body, `<div id="dash-body"`) || !strings.Contains(r.body, body) {
		t.Errorf("GET /home/body: %d, not the page's body", f.status)
	}
}

var liveRegion = regexp.MustCompile(`<section id="([a-z-]+)"[^>]*data-live-src="([^"]+)" data-live-on="([^"]+)"`)

func TestDashboardShowsScoresChartsInsightsAndLiveRegions(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("dash@example.com")
	sam, alex := e.relationship(u.ID, "Sam"), e.relationship(u.ID, "Alex")
	ids := e.publish(u.ID, sam.ID, samTexts...)
	r := e.get(c, "/home")
	if r.status != http.StatusOK {
		t.Fatalf("GET /home: %d", r.status)
	}
	mustContain(t, r,
		// A card per relationship: score, factors, trend, confidence, method in words.
		`<a href="/relationships/`+sam.ID+`">Sam</a>`, `class="score-num"`, "/100", "Communication", "Emotional support",
		"Conflict resolution", "Trust and closeness", "Shared growth", "Steady", "confidence</strong> (", "analysed entries",
		"built-in analyzer", "No score yet. It appears once an entry about Alex",
		// Charts drawn on the server with a name and a table.
		`role="img" aria-labelledby="dash-health-title dash-health-desc"`, `<title id="dash-health-title">Health score, your relationships, since `,
		`role="img" aria-labelledby="dash-tone-title dash-tone-desc"`, "<summary>Health score as a table</summary>", `<th scope="col">Score (0–100)</th>`,
		// Recent entries with badges live.js can move.
		`data-entry-id="`+ids[4]+`" data-status="fallback"`,
		// An insight with its evidence and a dismiss form that works without JS.
		"Insights", `action="/insights/`, `data-optimistic="remove"`)
	if strings.Contains(r.body, "Conversation starters") {
		t.Error("conversation starters shown with the flag off")
	}
	if strings.Contains(r.body, " style=") || strings.Contains(r.body, "<script>") {
		t.Error("inline style or script")
	}
	regions := liveRegion.FindAllStringSubmatch(r.body, -1)
	want := map[string]string{"dash-health": "/home/health", "dash-trends": "/home/trends", "dash-insights": "/home/insights", "dash-recent": "/home/recent"}
	if len(regions) != len(want) {
		t.Fatalf("live regions %v, want %v", regions, want)
	}
	for _, m := range regions {
		if want[m[1]] != m[2] {
			t.Errorf("region %s fetches %s, want %s", m[1], m[2], want[m[1]])
		}
		// The fragment is exactly the region as the page renders it.
		f := e.get(c, m[2])
		frag := strings.TrimSpace(f.body)
		if f.status != http.StatusOK || !strings.HasPrefix(frag, `<section id="`+m[1]+`"`) || !strings.HasSuffix(frag, "</section>") {
			t.Fatalf("GET %s: %d %.200q", m[2], f.status, frag)
		}
		if strings.Count(frag, "<section") != 1 || !strings.Contains(r.body, frag) {
			t.Errorf("GET %s is not the page's region", m[2])
		}
		if strings.Contains(frag, "<html") {
			t.Errorf("GET %s has the layout", m[2])
		}
	}
	if f := e.get(c, "/home/nothing"); f.status != http.StatusNotFound {
		t.Errorf("unknown region: %d", f.status)
	}

	// Dismiss without JavaScript: a POST, then back with a message.
	m := regexp.MustCompile(`action="/insights/([^/]+)/dismiss"`).FindStringSubmatch(r.body)
	insightID := m[1]
	mustContain(t, r, `id="insight-`+insightID+`"`, `data-optimistic-target="#insight-`+insightID+`"`, `<a href="/entries/`)
	d := e.post(c, "/insights/"+insightID+"/dismiss", url.Values{"next": {"/home"}})
	if d.status != http.StatusOK || d.url != "/home" {
		t.Fatalf("dismiss: %d at %s", d.status, d.url)
	}
	mustContain(t, d, "Insight dismissed")
	if strings.Contains(d.body, `id="insight-`+insightID+`"`) {
		t.Error("the dismissed insight is still shown")
	}
	// Again: still fine. Another user's or an unknown insight: 404.
	if d := e.post(c, "/insights/"+insightID+"/dismiss", url.Values{"next": {"https://evil.example/"}}); d.status != http.StatusOK || d.url != "/home" {
		t.Errorf("second dismiss: %d at %s", d.status, d.url)
	}
	other, _ := e.signedIn("other@example.com")
	if d := e.post(other, "/insights/"+insightID+"/dismiss", nil); d.status != http.StatusNotFound {
		t.Errorf("another user's insight: %d", d.status)
	}
	// From live.js (Accept: application/json): 204, or the refusal as JSON.
	for _, tc := range []struct {
		c      *http.Client
		status int
		body   string
	}{{c, http.StatusNoContent, ""}, {other, http.StatusNotFound, `"code":"not_found"`}} {
		req, _ := http.NewRequest(http.MethodPost, e.srv.URL+"/insights/"+insightID+"/dismiss", strings.NewReader("next=%2Fhome"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res, err := tc.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got := readResp(t, res)
		if got.status != tc.status || !strings.Contains(got.body, tc.body) {
			t.Errorf("scripted dismiss: %d %s, want %d %s", got.status, got.body, tc.status, tc.body)
		}
	}
	if in, err := e.insight.Insights(context.Background(), u.ID, store.InsightDismissed, journal.PageRequest{}); err != nil || len(in.Items) != 1 {
		t.Errorf("dismissed insights: %v %v", in.Items, err)
	}
	_ = alex
}

func TestConversationStartersShowWhenTheFlagIsOn(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("starters@example.com")
	if _, err := e.acc.SetFlag(context.Background(), "starters@example.com", "conversationStarters", true); err != nil {
		t.Fatal(err)
	}
	sam := e.relationship(u.ID, "Sam")
	e.publish(u.ID, sam.ID, samTexts...)
	r := e.get(c, "/home")
	mustContain(t, r, `<h2 id="dash-starters-h">Conversation starters</h2>`, "insight-conversation_starter")
}

func TestTrendChartsStartAtAYoungJournalsFirstDay(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/Paris")
	p := &page{Now: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), Loc: loc}
	young := insight.Trends{Health: []insight.HealthPoint{{Date: "2026-11-20", Score: 55}, {Date: "2026-12-01", Score: 61}},
		Sentiment: []insight.SentimentPoint{{Date: "2026-11-18", Value: 0.4, Confidence: 0.5}}}
	v := trendCharts("t", young, p, 90, "")
	if v.Since != "Wed 18 Nov 2026" || !strings.Contains(string(v.Health), "Health score, your relationships, since 18 Nov 2026") ||
		!strings.Contains(string(v.Health), ">18 Nov<") {
		t.Errorf("young journal: since %q, chart %.300s", v.Since, v.Health)
	}
	if len(v.HealthRows) != 2 || v.HealthRows[1].Value != "61" || v.SentimentRows[0].Value != "+0.40 (Leaning positive)" || v.SentimentRows[0].Extra != "50%" {
		t.Errorf("table rows %+v %+v", v.HealthRows, v.SentimentRows)
	}
	old := insight.Trends{Health: []insight.HealthPoint{{Date: "2026-09-02", Score: 50}, {Date: "2026-12-01", Score: 61}}}
	if v := trendCharts("t", old, p, 90, "Sam"); v.Since != "" || !strings.Contains(string(v.Health), "Health score, Sam, last 90 days") {
		t.Errorf("a journal older than the range: since %q", v.Since)
	}
}
