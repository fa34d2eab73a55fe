package web_test

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	bt "github.com/resonant-journal/resonant/internal/web/browsertest"
)

// noJobs queues nothing: the test changes the journal while the server is
// down, and no worker of its own should act on it.
type noJobs struct{}

func (noJobs) EnqueueAnalysis(context.Context, *store.Tx, string, ...string) error { return nil }
func (noJobs) CancelAnalysis(context.Context, *store.Tx, string) error             { return nil }
func (noJobs) CancelOrphanedAnalyses(context.Context, *store.Tx, string) error     { return nil }

// secondTab opens another tab in the same browser context as ctx (the same
// cookies: the same person, signed in, in two tabs).
func secondTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a second tab: %v", err)
	}
	return tab
}

// waitJS waits (deadline, no sleeps) for a JavaScript condition.
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	bt.WaitFor(t, ctx, what, js, 20*time.Second)
}

const recordEvents = `(() => { window.__events = []; window.__sameDocument = true;
	document.addEventListener("resonant:event", (e) => window.__events.push({...e.detail, at: Date.now()})); })()`

// TestLiveUpdatesAcrossTabs: what one tab does shows in another without a
// reload — a published entry appears in the list and its badge moves to
// its final status (the time from the click on Publish to the badge is
// logged); a quick toggle shows at once; stopping the server turns the
// indicator to reconnecting, and starting it again turns it back to live
// and replays what was committed meanwhile; signing out elsewhere turns
// it offline and a toggle the server then refuses is undone with a
// message.
func TestLiveUpdatesAcrossTabs(t *testing.T) {
	a := startApp(t, seedPerson("live@example.com", "a long enough secret"))
	writer := bt.Tab(t)
	signIn(t, writer, a, "live@example.com", "a long enough secret")
	bt.Do(t, writer, "open the editor", chromedp.Navigate(a.url+"/entries/new"))

	reader := secondTab(t, writer)
	bt.Do(t, reader, "open the list in a second tab", chromedp.Navigate(a.url+"/entries"))
	waitJS(t, reader, "the indicator to say Live", `document.documentElement.dataset.live === "live" &&
		document.querySelector("[data-live-indicator]").textContent.includes("Live")`)
	bt.Do(t, reader, "watch for the final badge", chromedp.Evaluate[chromedp.Void](recordEvents+`; window.__final = 0;
		new MutationObserver(() => { if (!window.__final && document.querySelector(
			'.entry-list .badge[data-status="completed"], .entry-list .badge[data-status="fallback"]')) window.__final = Date.now(); })
			.observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true})`))

	// Publish in the first tab; the second shows the entry and its status.
	bt.Do(t, writer, "write an entry", field("content", "We repainted the hallway together and it went well."))
	published := bt.Eval[float64](t, writer, `(() => { const t = Date.now(); document.querySelector("button[value=publish]").click(); return t; })()`)
	waitJS(t, reader, "the entry and its final badge in the other tab", `window.__final > 0 &&
		document.querySelector(".entry-list").textContent.includes("repainted the hallway")`)
	final := bt.Eval[float64](t, reader, `window.__final`)
	t.Logf("publish (click) → badge Complete/Fallback in another tab: %.0f ms (events there: %s)", final-published,
		bt.Eval[string](t, reader, `window.__events.map(e => e.type + (e.data.status ? " " + e.data.status : "") + " +" + (e.at - `+
			strconv.FormatFloat(published, 'f', 0, 64)+`) + " ms").join(", ")`))
	if !bt.Eval[bool](t, reader, `window.__sameDocument === true`) {
		t.Fatal("the second tab reloaded")
	}
	waitText(t, writer, ".flash", "Entry published")
	entryID := bt.Eval[string](t, reader, `document.querySelector(".entry-list .badge[data-entry-id]").dataset.entryId`)

	// The dashboard in a third tab: a second analysis re-renders its score
	// card, its charts and its recent entries. (The dashboard landed on
	// main alongside this test; until it is there, /home has no regions
	// and this part says so in the log.)
	board := secondTab(t, writer)
	bt.Do(t, board, "open the dashboard", chromedp.Navigate(a.url+"/home"))
	waitJS(t, board, "live on the dashboard", `document.documentElement.dataset.live === "live"`)
	dashboard := bt.Eval[bool](t, board, `!!document.getElementById("dash-health")`)
	if !dashboard {
		t.Log("no dashboard regions on /home in this build: its part of the test did not run")
	} else {
		waitJS(t, board, "the score card", `document.querySelector("#dash-health").textContent.includes("1 analysed entry")`)
		before := bt.Eval[string](t, board, `(() => { for (const id of ["dash-health", "dash-trends", "dash-recent"]) document.getElementById(id).__old = true;
			return document.getElementById("dash-trends").textContent; })()`)
		bt.Do(t, writer, "publish a second entry", chromedp.Navigate(a.url+"/entries/new"),
			field("content", "We argued again and I felt unheard and alone; nothing got resolved."), click("button[value=publish]"))
		waitJS(t, board, "the score card, charts and recent entries re-rendered", `(() => {
			const h = document.getElementById("dash-health"), tr = document.getElementById("dash-trends"), r = document.getElementById("dash-recent");
			return !h.__old && h.textContent.includes("2 analysed entries") && !tr.__old && tr.textContent !== `+jsString(before)+` &&
				!r.__old && r.textContent.includes("nothing got resolved") &&
				[...r.querySelectorAll(".badge[data-entry-id]")].every(b => ["completed", "fallback"].includes(b.dataset.status)); })()`)
		if !bt.Eval[bool](t, board, `document.querySelector("svg") !== null && !!document.querySelector("#dash-trends svg")`) {
			t.Fatal("no chart after the refresh")
		}
	}

	// A quick toggle shows at once, and the server's re-render agrees.
	bt.Do(t, reader, "open the entry", chromedp.Navigate(a.url+"/entries/"+entryID))
	waitJS(t, reader, "live on the entry page", `document.documentElement.dataset.live === "live"`)
	bt.Do(t, reader, "record events", chromedp.Evaluate[chromedp.Void](recordEvents))
	if shown := bt.Eval[bool](t, reader, `(() => { document.querySelector('form[action$="/private"] button').click();
		return !document.querySelector(".private-mark").hidden; })()`); !shown {
		t.Fatal("Make private did not show the entry as private at once")
	}
	waitJS(t, reader, "the server's re-render after the toggle", `window.__events.some(e => e.type === "entry.updated") &&
		!document.querySelector(".private-mark").hidden &&
		document.querySelector('form[action$="/private"] button').textContent === "Make not private" &&
		document.querySelector('form[action$="/private"] input[name=isPrivate]').value === "off"`)

	// The server stops: the tab says so. Meanwhile the analysis is queued
	// again (by another instance, say); when the server is back the tab
	// catches up from the log. (The restarted server works the queued row
	// at once — on SQLite the row is the job — so the badge follows the
	// replayed statuses to the last one.)
	a.stop(t)
	waitJS(t, reader, "the indicator to say Reconnecting", `document.documentElement.dataset.live === "reconnecting" &&
		document.querySelector("[data-live-indicator]").textContent.includes("Reconnecting")`)
	ctx := context.Background()
	s, err := store.Open(ctx, store.Options{DataDir: a.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := journal.New(journal.Config{Store: s, Enqueuer: noJobs{}}).RetryAnalysis(ctx, userIDOf(t, s, "live@example.com"), entryID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	a.restart(t)
	waitJS(t, reader, "live again with the missed status replayed", `(() => {
		const seen = window.__events.filter(e => e.type === "analysis.status" && e.data.entityId === `+jsString(entryID)+`).map(e => e.data.status);
		return document.documentElement.dataset.live === "live" && seen.includes("queued") &&
			document.querySelector(".entry-meta .badge").dataset.status === seen[seen.length - 1] && window.__sameDocument === true; })()`)

	// Signed out in the other tab: the stream ends and is refused, and a
	// toggle the server turns away is undone, with the reason.
	bt.Do(t, writer, "sign out in the first tab", chromedp.Navigate(a.url+"/entries/"+entryID), click(`form[action="/signout"] button`))
	waitText(t, writer, ".flash", "You are signed out")
	waitJS(t, reader, "the indicator to say Offline", `document.documentElement.dataset.live === "offline"`)
	if shown := bt.Eval[bool](t, reader, `(() => { document.querySelector('form[action$="/private"] button').click();
		return document.querySelector(".private-mark").hidden; })()`); !shown {
		t.Fatal("Make not private did not show at once")
	}
	waitJS(t, reader, "the toggle undone with a message", `!document.querySelector(".private-mark").hidden &&
		document.querySelector("[data-live-alert]").textContent.includes("signed out")`)

	// The same for dismissing an insight on the dashboard.
	if dashboard {
		waitJS(t, board, "the dashboard offline", `document.documentElement.dataset.live === "offline"`)
		insight := jsString("#insight-" + seededInsight)
		if hidden := bt.Eval[bool](t, board, `(() => { document.querySelector(`+insight+` + " form.dismiss button").click();
			return document.querySelector(`+insight+`).hidden; })()`); !hidden {
			t.Fatal("Dismiss did not hide the insight at once")
		}
		waitJS(t, board, "the insight back, with a message", `!document.querySelector(`+insight+`).hidden &&
			document.querySelector("[data-live-alert]").textContent.includes("signed out")`)
	}
}

const seededInsight = "0193a000-0000-7000-8000-000000000001"

// seedPerson creates a verified, onboarded person with a relationship in
// the data directory before the server starts (quicker than the sign-up
// flow, which flows_test.go walks).
func seedPerson(email, password string) func(t *testing.T, dataDir string) {
	return func(t *testing.T, dataDir string) {
		t.Helper()
		ctx := context.Background()
		s, err := store.Open(ctx, store.Options{DataDir: dataDir})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		acc, err := accounts.New(accounts.Config{Store: s, Mailer: &mail.FileOutbox{Dir: filepath.Join(dataDir, "outbox"), From: "test@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		hash, err := accounts.HashPassword(password, accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}) // cheap: a quick sign-in
		if err != nil {
			t.Fatal(err)
		}
		u, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: email, Name: "Robin", PasswordHash: hash, EmailVerified: true})
		if err != nil {
			t.Fatal(err)
		}
		tz := "Europe/Paris"
		if _, err := acc.CompleteOnboarding(ctx, u.ID, &accounts.PreferencesPatch{Timezone: &tz}); err != nil {
			t.Fatal(err)
		}
		name, kind := "Sam", "partner"
		rel, err := journal.New(journal.Config{Store: s, Enqueuer: noJobs{}}).CreateRelationship(ctx, u.ID,
			journal.RelationshipInput{Name: &name, Kind: &kind})
		if err != nil {
			t.Fatal(err)
		}
		// An insight to dismiss (the rules need weeks of entries to make one).
		now := time.Now().UTC()
		if err := s.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
			return tx.PutInsight(ctx, store.Insight{ID: seededInsight, UserID: u.ID, RelationshipID: rel.ID, Kind: "note",
				Title: "A seeded insight", Body: "Something worth noticing.", DedupeKey: "seeded", Status: store.InsightActive,
				CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)})
		}); err != nil {
			t.Fatal(err)
		}
	}
}

// signIn signs in through the sign-in page.
func signIn(t *testing.T, ctx context.Context, a *app, email, password string) {
	t.Helper()
	bt.Do(t, ctx, "sign in", chromedp.Navigate(a.url+"/signin"), field("email", email), field("password", password),
		click(`form[action="/signin"] button`))
	waitJS(t, ctx, "signed in", `location.pathname === "/home"`)
}

func userIDOf(t *testing.T, s *store.Store, email string) string {
	t.Helper()
	u, err := s.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}
