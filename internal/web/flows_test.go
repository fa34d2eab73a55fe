package web_test

import (
	"context"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/resonant-journal/resonant/internal/config"
	"github.com/resonant-journal/resonant/internal/server"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
	bt "github.com/resonant-journal/resonant/internal/web/browsertest"
)

// app is a whole Resonant server (server.Run: SQLite, the job queue with
// the offline analyzer, the route table) on a port of its own. It can be
// stopped and started again on the same address and data directory.
type app struct {
	url     string
	dataDir string
	addr    string
	cfg     *config.Config
	stopped func() error // nil while stopped
}

// startApp starts a server; each seed first writes to its data directory.
func startApp(t *testing.T, seed ...func(t *testing.T, dataDir string)) *app {
	t.Helper()
	opts := storetest.Options(t, store.SQLite)
	for _, f := range seed {
		f(t, opts.DataDir)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	cfg, err := config.Parse("serve", []string{"--data-dir", opts.DataDir, "--base-url", base, "--shutdown-timeout", "10s"},
		func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a := &app{url: base, dataDir: opts.DataDir, addr: ln.Addr().String(), cfg: cfg}
	a.serve(t, ln)
	t.Cleanup(func() { a.stop(t) })
	return a
}

func (a *app) serve(t *testing.T, ln net.Listener) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, a.cfg, server.Options{Listener: ln, Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("server stopped before it was ready: %v", err)
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("server not ready after a minute")
	}
	a.stopped = func() error { cancel(); return <-done }
}

// stop shuts the server down (as an operator's restart would).
func (a *app) stop(t *testing.T) {
	t.Helper()
	if a.stopped == nil {
		return
	}
	if err := a.stopped(); err != nil {
		t.Errorf("server stopped with %v", err)
	}
	a.stopped = nil
}

// restart starts the stopped server again on the same address and data.
func (a *app) restart(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", a.addr)
	if err != nil {
		t.Fatalf("listen again on %s: %v", a.addr, err)
	}
	a.serve(t, ln)
}

var mailLink = regexp.MustCompile(`https?://\S+\?token=[A-Za-z0-9_-]+`)

// mailedLink waits for a mail to to in the outbox with a link to path.
func (a *app) mailedLink(t *testing.T, to, path string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(a.dataDir, "outbox", "*.eml"))
		for i := len(files) - 1; i >= 0; i-- {
			b, err := os.ReadFile(files[i])
			if err != nil || !strings.Contains(string(b), to) {
				continue
			}
			for _, l := range mailLink.FindAllString(string(b), -1) {
				if u, err := url.Parse(l); err == nil && u.Path == path {
					return l
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s with a %s link", to, path)
	return ""
}

func field(id, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SendKeys(chromedp.ID(id), value)
}

// appendText types at the end of a field (as a person would, continuing
// to write): the value grows and the page gets an input event.
func appendText(id, more string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](`(() => { const el = document.getElementById(` + jsString(id) + `);
		el.value += ` + jsString(more) + `; el.dispatchEvent(new Event("input", {bubbles: true})); })()`)
}

func click(css string) chromedp.Action[chromedp.Void] { return chromedp.Click(chromedp.CSS(css)) }

// wait waits for css to be visible and checks its text.
func waitText(t *testing.T, ctx context.Context, css, want string) {
	t.Helper()
	bt.WaitFor(t, ctx, css+" to say "+want,
		`(() => { const el = document.querySelector(`+jsString(css)+`); return !!el && el.textContent.includes(`+jsString(want)+`); })()`, 30*time.Second)
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func location(t *testing.T, ctx context.Context) *url.URL {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// signUpAndOnboard takes a new person from the sign-up page through the
// emailed verification link, sign-in and the onboarding wizard to the
// editor of their first entry, checking each page's accessibility when a11y;
// js says whether the tab runs scripts.
func signUpAndOnboard(t *testing.T, ctx context.Context, a *app, email string, js, a11y bool) {
	t.Helper()
	check := func(label string) {
		if a11y {
			bt.CheckA11y(t, ctx, label)
		}
	}
	bt.Do(t, ctx, "open the landing page", bt.Timezone("Asia/Tokyo"), chromedp.Navigate(a.url+"/"))
	check("landing")
	bt.Do(t, ctx, "sign up", click(`a[href="/signup"].button`), chromedp.WaitVisible(chromedp.ID("email")),
		field("name", "Robin"), field("email", email), field("password", "a long enough secret"),
		click(`form[action="/signup"] button`))
	waitText(t, ctx, ".flash", "We sent you an email")
	check("sign-in after sign-up")

	link := a.mailedLink(t, email, "/verify")
	bt.Do(t, ctx, "open the verification link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`form[action="/verify"] button`)))
	check("verify")
	bt.Do(t, ctx, "confirm the email", click(`form[action="/verify"] button`))
	waitText(t, ctx, ".flash", "Your email is confirmed")

	bt.Do(t, ctx, "sign in", field("email", email), field("password", "a long enough secret"), click(`form[action="/signin"] button`))
	waitText(t, ctx, "main", "Step 1 of 4")
	check("onboarding 1")
	// With JavaScript the device's time zone is filled in; without, the
	// default stays (which also shows that scripts are really off).
	want := "UTC"
	if js {
		want = "Asia/Tokyo"
		// timezone.js is a module script: it may run after the page's
		// text is already there, so wait for it rather than read once.
		bt.WaitFor(t, ctx, "the time zone field to say "+want,
			`document.getElementById("timezone").value === `+jsString(want), 30*time.Second)
	}
	if tz, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("timezone"))); err != nil || tz != want {
		t.Fatalf("time zone field holds %q (%v), want %q", tz, err, want)
	}
	bt.Do(t, ctx, "keep the time zone", click(`form[action="/onboarding/about"] button`))
	waitText(t, ctx, "main", "Step 2 of 4")
	check("onboarding 2")
	bt.Do(t, ctx, "add the first relationship", field("name", "Sam"), click(`form[action="/onboarding/relationship"] button`))
	waitText(t, ctx, "main", "Step 3 of 4")
	check("onboarding 3")
	bt.Do(t, ctx, "leave AI consent off", click(`form[action="/onboarding/privacy"] button`))
	waitText(t, ctx, "main", "Step 4 of 4")
	check("onboarding 4")
	bt.Do(t, ctx, "finish", click(`form[action="/onboarding/reminder"] button`))
	waitText(t, ctx, ".flash", "Write your first entry")
	if p := location(t, ctx).Path; p != "/entries/new" {
		t.Fatalf("onboarding ended at %s", p)
	}
	check("editor")
}

// TestJournalFlowInTheBrowser is the whole path with JavaScript: sign-up →
// verification link from the outbox → sign-in → onboarding → an entry
// auto-saved while typing → publish → the analysis reaches a final status
// → search finds it → settings → sign-out.
func TestJournalFlowInTheBrowser(t *testing.T) {
	a := startApp(t)
	ctx := bt.Tab(t)
	signUpAndOnboard(t, ctx, a, "robin@example.com", true, true)

	text := "We cooked dinner together and laughed about the burnt quinoa. I felt close to Sam."
	bt.Do(t, ctx, "type an entry", field("content", text), field("mood", "happy"))
	waitText(t, ctx, "#save-state", "Saved · just now")
	edit := location(t, ctx).Path
	if !regexp.MustCompile(`^/entries/[0-9a-f-]+/edit$`).MatchString(edit) {
		t.Fatalf("after auto-save the editor is at %s, want the draft's edit page", edit)
	}
	// The draft is on the server, not only in this browser.
	bt.Do(t, ctx, "reload without the local copy", chromedp.Evaluate[chromedp.Void](`localStorage.clear()`), chromedp.Navigate(a.url+edit))
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("content"))); err != nil || got != text {
		t.Fatalf("the reloaded draft holds %q (%v)", got, err)
	}

	bt.Do(t, ctx, "publish", click(`button[value=publish]`))
	waitText(t, ctx, ".flash", "Entry published")
	bt.CheckA11y(t, ctx, "entry, queued")
	waitText(t, ctx, ".analysis", "Method")
	badge := bt.Text(t, ctx, ".entry-meta .badge")
	if badge != "Complete" && badge != "Fallback" {
		t.Fatalf("badge after the analysis: %q", badge)
	}
	waitText(t, ctx, ".analysis", "Tone")
	bt.CheckA11y(t, ctx, "entry, analysed")
	// Nothing of the published entry lingers in the browser or the next editor.
	bt.Do(t, ctx, "open a new editor", chromedp.Navigate(a.url+"/entries/new"))
	if got, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("content"))); err != nil || got != "" {
		t.Fatalf("a new editor holds %q (%v)", got, err)
	}
	if n := bt.Eval[int](t, ctx, `Object.keys(localStorage).filter(k => k.startsWith("resonant:draft:")).length`); n != 0 {
		t.Fatalf("%d drafts left in localStorage after publishing", n)
	}

	bt.Do(t, ctx, "search", chromedp.Navigate(a.url+"/entries"), field("q", "quinoa"), click(`form[role=search] button`))
	waitText(t, ctx, ".entry-list mark", "quinoa")
	bt.CheckA11y(t, ctx, "search results")

	bt.Do(t, ctx, "open settings", chromedp.Navigate(a.url+"/settings"))
	bt.CheckA11y(t, ctx, "settings")
	bt.Do(t, ctx, "choose the dark theme", chromedp.SetValue(chromedp.ID("theme"), "dark"), click(`form[action="/settings/preferences"] button`))
	waitText(t, ctx, ".flash", "Preferences saved")
	if theme := bt.Eval[string](t, ctx, `document.documentElement.dataset.theme`); theme != "dark" {
		t.Fatalf("theme after saving: %q", theme)
	}
	bt.CheckA11y(t, ctx, "settings, dark")

	bt.Do(t, ctx, "sign out", click(`form[action="/signout"] button`))
	waitText(t, ctx, ".flash", "You are signed out")
	bt.Do(t, ctx, "open home", chromedp.Navigate(a.url+"/home"))
	if p := location(t, ctx).Path; p != "/signin" {
		t.Fatalf("after sign-out /home led to %s", p)
	}
}

// TestJournalFlowWithoutJavaScript walks the same core path with scripts
// off: every form posts and redirects, and the analysis shows on reload.
func TestJournalFlowWithoutJavaScript(t *testing.T) {
	a := startApp(t)
	ctx := bt.Tab(t)
	bt.Do(t, ctx, "turn JavaScript off", bt.JavaScript(false))
	signUpAndOnboard(t, ctx, a, "nojs@example.com", false, false)

	bt.Do(t, ctx, "write and publish", field("content", "A quiet walk by the canal; we planned the weekend."),
		field("tags", "walks, plans"), click(`button[value=publish]`))
	waitText(t, ctx, ".flash", "Entry published")
	entry := location(t, ctx).Path
	deadline := time.Now().Add(30 * time.Second)
	for {
		badge := bt.Text(t, ctx, ".entry-meta .badge")
		if badge == "Complete" || badge == "Fallback" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the analysis is still %q after 30 s", badge)
		}
		bt.Do(t, ctx, "reload", chromedp.Navigate(a.url+entry))
	}
	waitText(t, ctx, ".analysis", "Tone")

	bt.Do(t, ctx, "search", chromedp.Navigate(a.url+"/entries"), field("q", "canal"), click(`form[role=search] button`))
	waitText(t, ctx, ".entry-list mark", "canal")

	bt.Do(t, ctx, "save a preference", chromedp.Navigate(a.url+"/settings"), chromedp.SetValue(chromedp.ID("theme"), "light"),
		click(`form[action="/settings/preferences"] button`))
	waitText(t, ctx, ".flash", "Preferences saved")

	bt.Do(t, ctx, "sign out", click(`form[action="/signout"] button`))
	waitText(t, ctx, ".flash", "You are signed out")
}

// TestOfflineDraftIsKeptAndSentOnReconnect: what is typed while offline
// stays in the browser and reaches the server when the connection
// returns; a draft whose saves failed is restored when the editor opens
// again, and then saved.
func TestOfflineDraftIsKeptAndSentOnReconnect(t *testing.T) {
	a := startApp(t)
	ctx := bt.Tab(t)
	signUpAndOnboard(t, ctx, a, "offline@example.com", true, false)

	bt.Do(t, ctx, "go offline and type", bt.Offline(true), field("content", "Written on the train without signal."))
	waitText(t, ctx, "#save-state", "Offline · kept on this device")
	if kept := bt.Eval[string](t, ctx, `localStorage.getItem("resonant:draft:new") || ""`); !strings.Contains(kept, "without signal") {
		t.Fatalf("localStorage holds %q", kept)
	}
	bt.Do(t, ctx, "reconnect", bt.Offline(false))
	waitText(t, ctx, "#save-state", "Saved · just now")
	edit := location(t, ctx).Path
	bt.Do(t, ctx, "reload without the local copy", chromedp.Evaluate[chromedp.Void](`localStorage.clear()`), chromedp.Navigate(a.url+edit))
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("content"))); got != "Written on the train without signal." {
		t.Fatalf("after reconnecting the server holds %q", got)
	}

	// Saves fail; the editor is left and opened again later: what was
	// typed comes back from the browser and is saved.
	bt.Do(t, ctx, "make saves fail and type more", bt.Block("*://*:*/entries/autosave"), appendText("content", " Then the tunnel."))
	waitText(t, ctx, "#save-state", "kept on this device")
	bt.Do(t, ctx, "leave, let saves through, reopen the editor", chromedp.Navigate(a.url+"/home"), bt.Block(), chromedp.Navigate(a.url+edit))
	waitText(t, ctx, "#save-state", "Saved · just now")
	bt.Do(t, ctx, "reload without the local copy", chromedp.Evaluate[chromedp.Void](`localStorage.clear()`), chromedp.Navigate(a.url+edit))
	if got, _ := chromedp.Run(ctx, chromedp.Value(chromedp.ID("content"))); got != "Written on the train without signal. Then the tunnel." {
		t.Fatalf("after reopening the server holds %q", got)
	}
}
