package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/store"
)

func TestSignUpVerifySignInAndOnboardWithoutJavaScript(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()

	r := e.post(c, "/signup", url.Values{"name": {"Robin"}, "email": {"robin@example.com"}, "password": {"correct horse battery"}})
	if r.status != http.StatusOK || r.url != "/signin" {
		t.Fatalf("sign-up answered %d at %s", r.status, r.url)
	}
	mustContain(t, r, "We sent you an email")

	// Signing in before verifying says what to do and offers a new link.
	r = e.post(c, "/signin", url.Values{"email": {"robin@example.com"}, "password": {"correct horse battery"}})
	if r.status != http.StatusForbidden {
		t.Fatalf("unverified sign-in answered %d", r.status)
	}
	mustContain(t, r, "not confirmed yet", `action="/verify/resend"`, `value="robin@example.com"`)

	link := e.mailedLink("/verify")
	r = e.get(c, link)
	mustContain(t, r, "Confirm my email")
	token := strings.TrimPrefix(link, "/verify?token=")
	r = e.post(c, "/verify", url.Values{"token": {token}})
	if r.url != "/signin" {
		t.Fatalf("verify ended at %s", r.url)
	}
	mustContain(t, r, "Your email is confirmed")

	r = e.post(c, "/signin", url.Values{"email": {"robin@example.com"}, "password": {"correct horse battery"}})
	if r.url != "/onboarding" {
		t.Fatalf("first sign-in ended at %s, want /onboarding", r.url)
	}
	mustContain(t, r, "Step 1 of 4")

	r = e.post(c, "/onboarding/about", url.Values{"name": {"Robin B."}, "timezone": {"Mars/Olympus"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad time zone answered %d", r.status)
	}
	mustContain(t, r, `id="timezone-error"`, "IANA time zone", `value="Mars/Olympus"`, `value="Robin B."`)

	steps := []struct {
		path string
		form url.Values
		want string
	}{
		{"/onboarding/about", url.Values{"name": {"Robin B."}, "timezone": {"Europe/Paris"}}, "Step 2 of 4"},
		{"/onboarding/relationship", url.Values{"name": {"Sam"}, "kind": {"partner"}}, "Step 3 of 4"},
		{"/onboarding/privacy", url.Values{"aiConsent": {"on"}}, "Step 4 of 4"},
		{"/onboarding/reminder", url.Values{"reminderTime": {"21:30"}, "theme": {"dark"}}, "Write your first entry"}, // reminders unticked
	}
	for _, s := range steps {
		r = e.post(c, s.path, s.form)
		if r.status != http.StatusOK {
			t.Fatalf("%s answered %d", s.path, r.status)
		}
		mustContain(t, r, s.want)
	}
	if r.url != "/entries/new" {
		t.Fatalf("onboarding ended at %s", r.url)
	}
	mustContain(t, r, `data-theme="dark"`, "Sam (partner)")
	u, err := e.acc.UserByEmail(context.Background(), "robin@example.com")
	if err != nil {
		t.Fatal(err)
	}
	p := u.Preferences
	if !u.OnboardingCompleted || u.Name != "Robin B." || p.Timezone != "Europe/Paris" || !p.AIConsent || p.ReminderTime != "21:30" || p.Theme != "dark" ||
		u.FeatureFlags.SmartReminders {
		t.Fatalf("after onboarding: %+v", u)
	}
}

func TestWriteDraftPublishSearchAndDeleteWithoutJavaScript(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("ana@example.com")
	rel := e.relationship(u.ID, "Sam")

	// An invalid entry comes back with the text kept and the error beside the field.
	r := e.post(c, "/entries", url.Values{"relationshipId": {rel.ID}, "content": {"   "}, "mood": {"calm"}, "action": {"publish"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty entry answered %d", r.status)
	}
	mustContain(t, r, `id="content-error"`, `aria-invalid="true"`, `value="calm"`)

	r = e.post(c, "/entries", url.Values{"relationshipId": {rel.ID}, "content": {"We walked by the river <3 and talked about moving."},
		"tags": {"walks, plans"}, "action": {"draft"}})
	if !strings.HasSuffix(r.url, "/edit") {
		t.Fatalf("saving a draft ended at %s", r.url)
	}
	mustContain(t, r, "Draft saved.", "We walked by the river &lt;3", `value="walks, plans"`)
	id := strings.TrimSuffix(strings.TrimPrefix(r.url, "/entries/"), "/edit")

	r = e.post(c, "/entries/"+id, url.Values{"relationshipId": {rel.ID}, "content": {"We walked by the river <3 and talked about moving."},
		"tags": {"walks, plans"}, "action": {"publish"}})
	if r.url != "/entries/"+id {
		t.Fatalf("publishing ended at %s", r.url)
	}
	mustContain(t, r, "Entry published", "Queued", "We walked by the river &lt;3")
	v, err := e.journal.GetEntry(context.Background(), u.ID, id)
	if err != nil || v.Entry.Status != store.EntryPublished || v.AnalysisStatus == nil || v.AnalysisStatus.Status != store.AnalysisQueued {
		t.Fatalf("after publish: %+v %v", v, err)
	}

	r = e.get(c, "/entries?q=river")
	mustContain(t, r, "<mark>river</mark>", "/entries/"+id)
	r = e.get(c, "/entries?q=nothingmatches")
	mustContain(t, r, "No entry matches")

	r = e.post(c, "/entries/"+id+"/delete", nil)
	if r.url != "/entries" {
		t.Fatalf("delete ended at %s", r.url)
	}
	mustContain(t, r, "Entry deleted.")
	if _, err := e.journal.GetEntry(context.Background(), u.ID, id); err == nil {
		t.Fatal("entry still there after delete")
	}
}

func TestAutosaveCreatesADraftThenUpdatesIt(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("kim@example.com")
	rel := e.relationship(u.ID, "Jo")
	save := func(form url.Values) (int, autosaveReply) {
		t.Helper()
		res, err := c.PostForm(e.srv.URL+"/entries/autosave", form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out autosaveReply
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, out
	}
	status, out := save(url.Values{"relationshipId": {rel.ID}, "content": {"first words"}})
	if status != http.StatusOK || out.ID == "" || out.SavedAt == "" {
		t.Fatalf("first autosave: %d %+v", status, out)
	}
	status, out2 := save(url.Values{"id": {out.ID}, "relationshipId": {rel.ID}, "content": {"first words, then more"}})
	if status != http.StatusOK || out2.ID != out.ID {
		t.Fatalf("second autosave: %d %+v", status, out2)
	}
	v, err := e.journal.GetEntry(context.Background(), u.ID, out.ID)
	if err != nil || v.Entry.Content != "first words, then more" || v.Entry.Status != store.EntryDraft {
		t.Fatalf("draft after autosave: %+v %v", v.Entry, err)
	}
	// The edit page carries the version the editor script compares with.
	r := e.get(c, "/entries/"+out.ID+"/edit")
	mustContain(t, r, `data-updated="`+out2.SavedAt+`"`, `data-autosave="/entries/autosave"`)

	status, out3 := save(url.Values{"id": {out.ID}, "relationshipId": {"nope"}, "content": {"x"}})
	if status != http.StatusUnprocessableEntity || out3.Fields["relationshipId"] == "" || !strings.Contains(out3.Message, "relationship") {
		t.Fatalf("bad autosave: %d %+v", status, out3)
	}
	// A published entry is never changed by auto-save.
	pub := "published"
	if _, err := e.journal.UpdateEntry(context.Background(), u.ID, out.ID, journal.EntryInput{Status: &pub}); err != nil {
		t.Fatal(err)
	}
	if status, _ := save(url.Values{"id": {out.ID}, "relationshipId": {rel.ID}, "content": {"sneaky"}}); status != http.StatusConflict {
		t.Fatalf("autosave of a published entry answered %d", status)
	}
}

func TestAnotherUsersItemsAreNotFound(t *testing.T) {
	e := newTestEnv(t)
	_, owner := e.signedIn("owner@example.com")
	rel := e.relationship(owner.ID, "Private person")
	content := "owner's secret"
	v, err := e.journal.CreateEntry(context.Background(), owner.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}
	other, _ := e.signedIn("other@example.com")
	for _, path := range []string{"/entries/" + v.Entry.ID, "/entries/" + v.Entry.ID + "/edit",
		"/relationships/" + rel.ID + "/edit", "/relationships/" + rel.ID + "/delete"} {
		r := e.get(other, path)
		if r.status != http.StatusNotFound || strings.Contains(r.body, "secret") || strings.Contains(r.body, "Private person") {
			t.Errorf("GET %s as another user: %d", path, r.status)
		}
	}
	for _, path := range []string{"/entries/" + v.Entry.ID + "/delete", "/relationships/" + rel.ID + "/delete"} {
		if r := e.post(other, path, url.Values{"cascade": {"on"}}); r.status != http.StatusNotFound {
			t.Errorf("POST %s as another user: %d", path, r.status)
		}
	}
	if _, err := e.journal.GetEntry(context.Background(), owner.ID, v.Entry.ID); err != nil {
		t.Fatalf("the owner's entry is gone: %v", err)
	}
}

func TestDeletingARelationshipWithEntriesNeedsTheCascadeTick(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("lee@example.com")
	rel := e.relationship(u.ID, "Alex")
	content := "a day out"
	if _, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content}); err != nil {
		t.Fatal(err)
	}
	r := e.get(c, "/relationships/"+rel.ID+"/delete")
	mustContain(t, r, "deletes those entries and their analyses too")
	r = e.post(c, "/relationships/"+rel.ID+"/delete", nil)
	if r.status != http.StatusConflict {
		t.Fatalf("delete without the tick answered %d", r.status)
	}
	mustContain(t, r, `id="cascade-error"`)
	r = e.post(c, "/relationships/"+rel.ID+"/delete", url.Values{"cascade": {"on"}})
	if r.url != "/relationships" {
		t.Fatalf("cascade delete ended at %s", r.url)
	}
	mustContain(t, r, "Relationship deleted.")
	if _, err := e.journal.GetRelationship(context.Background(), u.ID, rel.ID); err == nil {
		t.Fatal("relationship still there")
	}
}

func TestSettingsSaveTokensShowOnceAndAccountDeletion(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	ctx := context.Background()
	if _, err := e.acc.SignUp(ctx, accountsSignUp("pat@example.com")); err != nil {
		t.Fatal(err)
	}
	r := e.post(c, "/verify", url.Values{"token": {strings.TrimPrefix(e.mailedLink("/verify"), "/verify?token=")}})
	mustContain(t, r, "Your email is confirmed")
	r = e.post(c, "/signin", url.Values{"email": {"pat@example.com"}, "password": {"correct horse battery"}})
	if r.url != "/onboarding" {
		t.Fatalf("sign-in ended at %s", r.url)
	}

	r = e.post(c, "/settings/preferences", url.Values{"timezone": {"Asia/Tokyo"}, "reminderTime": {"25:00"}, "theme": {"light"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad reminder time answered %d", r.status)
	}
	mustContain(t, r, `id="reminderTime-error"`, `value="25:00"`, `value="Asia/Tokyo"`)
	r = e.post(c, "/settings/preferences", url.Values{"timezone": {"Asia/Tokyo"}, "reminderTime": {"07:15"}, "theme": {"light"}})
	mustContain(t, r, "Preferences saved.", `value="07:15"`, `data-theme="light"`)
	if mustUser(t, e, "pat@example.com").FeatureFlags.SmartReminders {
		t.Fatal("reminders still on after unticking them")
	}
	r = e.post(c, "/settings/preferences", url.Values{"timezone": {"Asia/Tokyo"}, "reminderTime": {"07:15"}, "theme": {"light"}, "reminders": {"on"}})
	mustContain(t, r, `id="reminders" name="reminders" checked`)
	if !mustUser(t, e, "pat@example.com").FeatureFlags.SmartReminders {
		t.Fatal("reminders off after ticking them")
	}
	r = e.post(c, "/settings/privacy", url.Values{"retentionDays": {"365"}})
	mustContain(t, r, "Privacy settings saved.", `value="365"`)

	r = e.post(c, "/settings/tokens", url.Values{"tokenName": {"backup script"}})
	mustContain(t, r, "It is shown only this once", "backup script")
	tokens, err := e.acc.AccessTokens(ctx, mustUser(t, e, "pat@example.com").ID)
	if err != nil || len(tokens) != 1 {
		t.Fatalf("tokens: %v %v", tokens, err)
	}
	r = e.get(c, "/settings")
	if strings.Contains(r.body, "It is shown only this once") {
		t.Fatal("the token is shown again")
	}
	r = e.post(c, "/settings/tokens/"+tokens[0].ID+"/revoke", nil)
	mustContain(t, r, "Token revoked.")

	r = e.post(c, "/settings/delete-account", url.Values{"password": {"wrong password!"}, "confirm": {"on"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("wrong password answered %d", r.status)
	}
	mustContain(t, r, `id="password-error"`)
	r = e.post(c, "/settings/delete-account", url.Values{"password": {"correct horse battery"}, "confirm": {"on"}})
	mustContain(t, r, "Your account and everything in it are deleted.")
	if _, err := e.acc.UserByEmail(ctx, "pat@example.com"); err == nil {
		t.Fatal("the account still exists")
	}
}

func TestProtectedPagesSendVisitorsToSignInAndBack(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	r := e.get(c, "/entries?q=x")
	if r.url != "/signin" {
		t.Fatalf("visitor ended at %s", r.url)
	}
	mustContain(t, r, `name="next" value="/entries?q=x"`)
	for _, next := range []string{"//evil.example", "https://evil.example/", `/\evil.example`, "javascript:alert(1)"} {
		if got := safeNext(next); got != "" {
			t.Errorf("safeNext(%q) = %q", next, got)
		}
	}
	if got := safeNext("/entries?q=x"); got != "/entries?q=x" {
		t.Errorf("safeNext kept %q", got)
	}
}

func TestEveryPageRenders(t *testing.T) {
	e := newTestEnv(t)
	visitor := e.client()
	for _, path := range []string{"/", "/signup", "/signin", "/forgot", "/verify?token=abc", "/verify", "/reset?token=abc", "/reset"} {
		if r := e.get(visitor, path); r.status != http.StatusOK {
			t.Errorf("visitor GET %s: %d", path, r.status)
		}
	}
	if r := e.get(visitor, "/no-such-page"); r.status != http.StatusNotFound {
		t.Errorf("unknown page: %d", r.status)
	}
	c, u := e.signedIn("all@example.com")
	rel := e.relationship(u.ID, "Sam")
	content := "A long talk about the holidays."
	v, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/home", "/entries", "/entries?relationship=" + rel.ID + "&status=published", "/entries/new",
		"/entries/" + v.Entry.ID, "/entries/" + v.Entry.ID + "/edit", "/relationships", "/relationships/" + rel.ID + "/edit",
		"/relationships/" + rel.ID + "/delete", "/settings", "/onboarding", "/onboarding?step=relationship",
		"/onboarding?step=privacy", "/onboarding?step=reminder"} {
		r := e.get(c, path)
		if r.status != http.StatusOK {
			t.Errorf("GET %s: %d", path, r.status)
		}
		if strings.Contains(r.body, "<script>") || strings.Contains(r.body, " style=") {
			t.Errorf("GET %s has inline script or style", path)
		}
	}
	if r := e.get(c, "/entries?status=bogus"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, `id="status-error"`) {
		t.Errorf("bad status filter: %d", r.status)
	}
	if r := e.get(c, "/entries?cursor=garbage"); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "no longer valid") {
		t.Errorf("bad cursor: %d", r.status)
	}
}

func TestStaticAssetsAreHashedAndCachedForAYear(t *testing.T) {
	e := newTestEnv(t)
	r := e.get(e.client(), "/")
	u, err := e.web.static.url("app.css")
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, r, `href="`+u+`"`)
	res, err := http.Get(e.srv.URL + u)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("asset: %d %v", res.StatusCode, res.Header)
	}
	res, err = http.Get(e.srv.URL + "/static/app.css")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unhashed name answered %d", res.StatusCode)
	}
}

// TestAssetBudget keeps the JavaScript and CSS small: everything shipped
// to the browser, uncompressed, stays under 60 KB.
func TestAssetBudget(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for name, f := range a.files {
		if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
			total += len(f.data)
		}
	}
	t.Logf("JS + CSS: %d bytes", total)
	if total > 60_000 {
		t.Fatalf("JS + CSS is %d bytes, over the 60 KB budget", total)
	}
}

func TestEntriesPageThroughWithFiltersKept(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("pager@example.com")
	sam, alex := e.relationship(u.ID, "Sam"), e.relationship(u.ID, "Alex")
	for i := range 30 { // 24 of Sam, 6 of Alex
		rel := sam.ID
		if i%5 == 0 {
			rel = alex.ID
		}
		content := "entry number " + strings.Repeat("x", i+1)
		if _, err := e.journal.CreateEntry(context.Background(), u.ID, journal.EntryInput{RelationshipID: &rel, Content: &content}); err != nil {
			t.Fatal(err)
		}
	}
	r := e.get(c, "/entries?relationship="+sam.ID)
	if n := strings.Count(r.body, `class="entry-card"`); n != 20 {
		t.Fatalf("first page shows %d entries", n)
	}
	next := regexp.MustCompile(`href="(/entries\?[^"]+)" rel="next"`).FindStringSubmatch(r.body)
	if next == nil {
		t.Fatal("no link to the next page")
	}
	r = e.get(c, strings.ReplaceAll(next[1], "&amp;", "&"))
	if n := strings.Count(r.body, `class="entry-card"`); n != 4 {
		t.Fatalf("the second page of Sam's 24 entries shows %d, want 4 (the filter must hold)", n)
	}
	mustContain(t, r, `href="/entries?relationship=`+sam.ID+`">First page`)
}

func TestForgotAndResetPasswordWithoutJavaScript(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	if _, err := e.acc.SignUp(context.Background(), accountsSignUp("sky@example.com")); err != nil {
		t.Fatal(err)
	}
	r := e.post(c, "/forgot", url.Values{"email": {"sky@example.com"}})
	mustContain(t, r, "an email with a reset link is on its way")
	// The same answer for an address without an account.
	r = e.post(c, "/forgot", url.Values{"email": {"nobody@example.com"}})
	mustContain(t, r, "an email with a reset link is on its way")

	link := e.mailedLink("/reset")
	r = e.get(c, link)
	mustContain(t, r, `action="/reset"`, "New password")
	token := strings.TrimPrefix(link, "/reset?token=")
	r = e.post(c, "/reset", url.Values{"token": {token}, "password": {"short"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("short password answered %d", r.status)
	}
	mustContain(t, r, `id="password-error"`, "at least 10 characters")
	r = e.post(c, "/reset", url.Values{"token": {token}, "password": {"a brand new passphrase"}})
	mustContain(t, r, "Your password is changed")
	// The link works once.
	r = e.post(c, "/reset", url.Values{"token": {token}, "password": {"another new passphrase"}})
	mustContain(t, r, "This reset link is not valid", `href="/forgot"`)
	// Following the emailed link proved the address, so signing in works.
	r = e.post(c, "/signin", url.Values{"email": {"sky@example.com"}, "password": {"a brand new passphrase"}})
	if r.url != "/onboarding" {
		t.Fatalf("sign-in with the new password ended at %s", r.url)
	}
}

func TestAnUnusableVerificationLinkOffersANewOne(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	r := e.post(c, "/verify", url.Values{"token": {"not-a-real-token"}})
	if r.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad token answered %d", r.status)
	}
	mustContain(t, r, "is not valid", `action="/verify/resend"`)
	r = e.post(c, "/verify/resend", url.Values{"email": {"someone@example.com"}})
	mustContain(t, r, "Check your email")
}

func TestSignInWithAWrongPasswordSaysWhatToDo(t *testing.T) {
	e := newTestEnv(t)
	c := e.client()
	if _, err := e.acc.SignUp(context.Background(), accountsSignUp("kai@example.com")); err != nil {
		t.Fatal(err)
	}
	r := e.post(c, "/signin", url.Values{"email": {"kai@example.com"}, "password": {"not the password"}})
	if r.status != http.StatusUnauthorized {
		t.Fatalf("wrong password answered %d", r.status)
	}
	mustContain(t, r, "not correct", `value="kai@example.com"`, `href="/forgot"`)
	if strings.Contains(r.body, "not the password") {
		t.Fatal("the password was sent back to the browser")
	}
}

func TestAFailedAnalysisShowsWhyAndCanBeRetried(t *testing.T) {
	e := newTestEnv(t)
	c, u := e.signedIn("retry@example.com")
	rel := e.relationship(u.ID, "Sam")
	content := "We argued about the holiday plans."
	ctx := context.Background()
	v, err := e.journal.CreateEntry(ctx, u.ID, journal.EntryInput{RelationshipID: &rel.ID, Content: &content})
	if err != nil {
		t.Fatal(err)
	}
	r := e.get(c, "/entries/"+v.Entry.ID)
	mustContain(t, r, "Queued", `data-entry-id="`+v.Entry.ID+`" data-status="queued"`, `data-live-src="/entries/`+v.Entry.ID+`"`, "/static/live.")
	if err := e.store.InTx(ctx, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ChangeAnalysisStatus(ctx, store.StatusChange{EntryID: v.Entry.ID, QueuedAt: v.AnalysisStatus.QueuedAt,
			Status: store.AnalysisFailed, ErrorMessage: "the analyzer stopped", CircuitBreakerState: "closed", At: time.Now()})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	r = e.get(c, "/entries/"+v.Entry.ID)
	mustContain(t, r, `badge-failed`, "The analysis failed: the analyzer stopped", "Your entry is safe", `action="/entries/`+v.Entry.ID+`/retry"`)
	r = e.post(c, "/entries/"+v.Entry.ID+"/retry", nil)
	mustContain(t, r, "The analysis is queued again.", "badge-queued")
	st, err := e.journal.GetEntry(ctx, u.ID, v.Entry.ID)
	if err != nil || st.AnalysisStatus == nil || st.AnalysisStatus.Status != store.AnalysisQueued {
		t.Fatalf("after retry: %+v %v", st.AnalysisStatus, err)
	}
}
