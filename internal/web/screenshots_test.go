package web_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/demo"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	bt "github.com/resonant-journal/resonant/internal/web/browsertest"
)

// TestScreenshots writes every page at 390 px and 1280 px wide, light and
// dark, into $RESONANT_SCREENSHOTS (make screenshots: docs/screenshots).
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("RESONANT_SCREENSHOTS")
	if dir == "" {
		t.Skip("set RESONANT_SCREENSHOTS to a directory (make screenshots)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a := startApp(t)
	ctx := bt.Tab(t)
	shoot := func(name string) {
		t.Helper()
		for _, width := range []int64{390, 1280} {
			for _, scheme := range []string{"light", "dark"} {
				bt.Do(t, ctx, "viewport", chromedp.EmulateViewport(width, 860), bt.ColorScheme(scheme))
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(dir, name+"-"+map[int64]string{390: "390", 1280: "1280"}[width]+"-"+scheme+".png")
				if err := os.WriteFile(file, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	open := func(path string) {
		t.Helper()
		bt.Do(t, ctx, "open "+path, chromedp.Navigate(a.url+path))
	}
	open("/")
	shoot("landing")
	open("/signup")
	bt.Do(t, ctx, "submit an incomplete form", field("name", "Robin"), field("email", "robin@"), click(`form[action="/signup"] button`))
	waitText(t, ctx, "#email-error", "email address")
	shoot("signup-errors")

	signUpAndOnboard(t, ctx, a, "robin@example.com", true, false)
	shoot("editor")
	open("/onboarding?step=privacy")
	shoot("onboarding-privacy")

	entries := []struct{ rel, text, mood string }{
		{"Sam", "Sam made coffee before I woke up and left a note. Small thing, but I felt really looked after. We laughed about last week's argument over the map.", "grateful"},
		{"Sam", "Tense evening. I criticised how Sam handled the bills and Sam went quiet. Later we talked it through and apologised to each other.", "tired"},
		{"Sam", "Long walk by the river <3. We talked about moving in together and it felt easy, like we were planning as a team.", "hopeful"},
	}
	for _, e := range entries {
		open("/entries/new")
		bt.Do(t, ctx, "write", field("content", e.text), field("mood", e.mood), click(`button[value=publish]`))
		waitText(t, ctx, ".flash", "Entry published")
	}
	waitText(t, ctx, ".analysis", "Tone")
	shoot("entry")
	// Wait until every analysis is final, so the pictures show results.
	deadline := time.Now().Add(30 * time.Second)
	for {
		open("/home")
		if bt.Eval[bool](t, ctx, `document.querySelectorAll(".badge-queued, .badge-processing").length === 0`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("analyses not finished after 30 s")
		}
		time.Sleep(200 * time.Millisecond)
	}
	shoot("home")
	open("/entries")
	shoot("entries")
	open("/entries?q=walk")
	shoot("search")
	open("/relationships")
	shoot("relationships")
	bt.Do(t, ctx, "open a delete confirmation", click(`.rel a[href$="/delete"]`))
	waitText(t, ctx, "h1", "Delete")
	shoot("relationship-delete")
	open("/settings")
	shoot("settings")

	bt.Do(t, ctx, "sign out", click(`form[action="/signout"] button`))
	waitText(t, ctx, ".flash", "You are signed out")

	// A demo journal of four months (resonant dev seed-demo) for the
	// dashboard and a relationship page with real data.
	seedDemo(t, a, "demo@example.com", "demo-journal")
	open("/signin")
	bt.Do(t, ctx, "sign in as the demo user", field("email", "demo@example.com"), field("password", "demo-journal"),
		click(`form[action="/signin"] button`))
	waitText(t, ctx, "h1", "Hello")
	shoot("dashboard")
	bt.Do(t, ctx, "open Sam's page", click(`.health-name a`))
	waitText(t, ctx, "h1", "Sam")
	shoot("relationship")
	bt.Do(t, ctx, "sign out", click(`form[action="/signout"] button`))
	waitText(t, ctx, ".flash", "You are signed out")
	shoot("signin")
	open("/forgot")
	shoot("forgot")
}

// seedDemo writes the demo journal into the running app's database, as
// `resonant dev seed-demo` does beside a server.
func seedDemo(t *testing.T, a *app, email, password string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{DataDir: a.dataDir, Shared: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: &mail.FileOutbox{Dir: t.TempDir(), From: "r@example.com"}, BaseURL: a.url})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, demo.Config{Store: st, Accounts: acc, Email: email, Name: "Robin", Password: password,
		Timezone: "Europe/London", End: time.Now(), Seed: 1}); err != nil {
		t.Fatal(err)
	}
}
