package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/resonant-journal/resonant/internal/demo"
	"github.com/resonant-journal/resonant/internal/journal"
	bt "github.com/resonant-journal/resonant/internal/web/browsertest"
)

func TestMain(m *testing.M) { bt.Main(m) }

// TestPagesAreAccessibleInBothThemes runs axe-core on every page, light and
// dark, and on forms showing their errors.
func TestPagesAreAccessibleInBothThemes(t *testing.T) {
	e := newTestEnv(t)
	ctx := bt.Tab(t)
	visitor := []string{"/", "/signup", "/signin", "/forgot", "/verify?token=abc", "/reset?token=abc", "/no-such-page"}
	for _, scheme := range []string{"light", "dark"} {
		bt.Do(t, ctx, "emulate "+scheme, bt.ColorScheme(scheme))
		for _, path := range visitor {
			bt.Do(t, ctx, "open "+path, chromedp.Navigate(e.srv.URL+path))
			bt.CheckA11y(t, ctx, scheme+" "+path)
		}
		// A form that came back with errors.
		bt.Do(t, ctx, "submit an empty sign-up form", chromedp.Navigate(e.srv.URL+"/signup"),
			chromedp.Click(chromedp.CSS(`form[action="/signup"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#email-error")))
		bt.CheckA11y(t, ctx, scheme+" sign-up with errors")
	}

	_, u := e.signedIn("a11y@example.com")
	rel := e.relationship(u.ID, "Sam")
	content := "We cooked together and laughed a lot, but I felt unheard when plans came up."
	v, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: testUserCookie, Value: u.ID, URL: e.srv.URL}); err != nil {
		t.Fatal(err)
	}
	pages := []string{"/home", "/entries", "/entries?q=cooked", "/entries/new", "/entries/" + v.Entry.ID, "/entries/" + v.Entry.ID + "/edit",
		"/relationships", "/relationships/" + rel.ID + "/edit", "/relationships/" + rel.ID + "/delete", "/settings",
		"/onboarding", "/onboarding?step=relationship", "/onboarding?step=privacy", "/onboarding?step=reminder"}
	for _, scheme := range []string{"light", "dark"} {
		bt.Do(t, ctx, "emulate "+scheme, bt.ColorScheme(scheme))
		for _, path := range pages {
			bt.Do(t, ctx, "open "+path, chromedp.Navigate(e.srv.URL+path))
			bt.CheckA11y(t, ctx, scheme+" "+path)
		}
		bt.Do(t, ctx, "publish an empty entry", chromedp.Navigate(e.srv.URL+"/entries/new"),
			chromedp.Click(chromedp.CSS(`button[value=publish]`)), chromedp.WaitVisible(chromedp.CSS("#content-error")))
		bt.CheckA11y(t, ctx, scheme+" editor with errors")
	}

	// The dashboard and a relationship page of a demo journal: scores,
	// charts with their tables open, insights and conversation starters.
	res, err := demo.Seed(context.Background(), demo.Config{Store: e.store, Accounts: e.acc, Email: "demo@example.com", Name: "Robin",
		Timezone: "Europe/Paris", End: time.Now(), Days: 30, Seed: 1, PasswordParams: cheapPasswords})
	if err != nil {
		t.Fatal(err)
	}
	rels, err := e.web.allRelationships(context.Background(), res.UserID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: testUserCookie, Value: res.UserID, URL: e.srv.URL}); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"light", "dark"} {
		bt.Do(t, ctx, "emulate "+scheme, bt.ColorScheme(scheme))
		for _, path := range []string{"/home", "/relationships/" + rels[0].ID} {
			bt.Do(t, ctx, "open "+path, chromedp.Navigate(e.srv.URL+path))
			if n := bt.Eval[int](t, ctx, `document.querySelectorAll("svg.chart[role=img]").length`); n != 2 {
				t.Fatalf("%s shows %d charts, want 2", path, n)
			}
			bt.Do(t, ctx, "open the data tables and more insights", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("details").forEach(d => d.open = true)`))
			bt.CheckA11y(t, ctx, scheme+" demo "+path)
		}
	}
}

// TestKeyboardReachesTheSkipLinkFirst: the first Tab shows the skip link,
// and following it moves focus to the main content.
func TestKeyboardReachesTheSkipLinkFirst(t *testing.T) {
	e := newTestEnv(t)
	ctx := bt.Tab(t)
	bt.Do(t, ctx, "open the sign-in page and press Tab", chromedp.Navigate(e.srv.URL+"/signin"), chromedp.KeyEvent("\t"))
	if got := bt.Eval[string](t, ctx, `document.activeElement.className + " " + (document.activeElement.getBoundingClientRect().top >= 0)`); got != "skip true" {
		t.Fatalf("after one Tab the focus is on %q, want the visible skip link", got)
	}
	bt.Do(t, ctx, "follow the skip link", chromedp.KeyEvent("\r"))
	bt.WaitFor(t, ctx, "focus in main", `document.activeElement.id === "main"`, 5*time.Second)
}
