package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// These tests drive the pages over real HTTP against a real SQLite store
// with the real services. A small cookie-based door stands in for the
// frontdoor package (tested there); the browser tests run the real one.

type ctxKey struct{}

const testUserCookie = "test_user"

type testDoor struct{}

func (testDoor) StartSession(r *http.Request, u accounts.User) error {
	rw := r.Context().Value(rwKey{}).(http.ResponseWriter)
	http.SetCookie(rw, &http.Cookie{Name: testUserCookie, Value: u.ID, Path: "/"})
	return nil
}

func (testDoor) EndSession(r *http.Request) error {
	rw := r.Context().Value(rwKey{}).(http.ResponseWriter)
	http.SetCookie(rw, &http.Cookie{Name: testUserCookie, Value: "", Path: "/", MaxAge: -1})
	return nil
}

func (testDoor) ClientIP(r *http.Request) string { return "192.0.2.1" }

type rwKey struct{}

func testUserID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// testRouter marks routes like frontdoor's page router does.
type testRouter struct{ mux *http.ServeMux }

func (tr testRouter) Public(pattern string, h http.HandlerFunc) { tr.mux.HandleFunc(pattern, h) }
func (tr testRouter) Protected(pattern string, h http.HandlerFunc) {
	tr.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if testUserID(r.Context()) == "" {
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r)
	})
}

type testEnv struct {
	t       testing.TB
	store   *store.Store
	acc     *accounts.Service
	journal *journal.Service
	insight *insight.Service
	web     *Web
	srv     *httptest.Server
	outbox  string
}

var cheapPasswords = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func newTestEnv(t testing.TB) *testEnv {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t, store.SQLite)
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	jobs, err := queue.New(s, queue.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := &testEnv{t: t, store: s, outbox: filepath.Join(t.TempDir(), "outbox")}
	e.srv = httptest.NewUnstartedServer(nil)
	e.acc, err = accounts.New(accounts.Config{Store: s, Mailer: &mail.FileOutbox{Dir: e.outbox, From: "resonant@example.com"},
		BaseURL: "http://" + e.srv.Listener.Addr().String(), Password: cheapPasswords})
	if err != nil {
		t.Fatal(err)
	}
	e.insight = insight.New(insight.Config{Store: s, Jobs: queue.NewInsightJobs(jobs), Mailer: &mail.FileOutbox{Dir: e.outbox, From: "resonant@example.com"}})
	e.journal = journal.New(journal.Config{Store: s, Enqueuer: queue.NewAnalysisJobs(jobs), Evidence: e.insight})
	e.web, err = New(Config{Accounts: e.acc, Journal: e.journal, Insight: e.insight, Door: testDoor{}, UserID: testUserID, AIProvider: "Example AI"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	e.web.Register(testRouter{mux})
	e.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), rwKey{}, w)
		if c, err := r.Cookie(testUserCookie); err == nil && c.Value != "" {
			ctx = context.WithValue(ctx, ctxKey{}, c.Value)
		}
		mux.ServeHTTP(w, r.WithContext(ctx))
	})
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	t.Cleanup(e.acc.Wait)
	return e
}

// client is a browser without JavaScript: a cookie jar, following
// redirects.
func (e *testEnv) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

type resp struct {
	status int
	body   string
	url    string
}

func (e *testEnv) get(c *http.Client, path string) resp {
	e.t.Helper()
	res, err := c.Get(e.srv.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	return readResp(e.t, res)
}

func (e *testEnv) post(c *http.Client, path string, form url.Values) resp {
	e.t.Helper()
	res, err := c.PostForm(e.srv.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	return readResp(e.t, res)
}

func readResp(t testing.TB, res *http.Response) resp {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, body: string(b), url: res.Request.URL.Path}
}

// signedIn creates a verified, onboarded user and a client signed in as
// them.
func (e *testEnv) signedIn(email string) (*http.Client, accounts.User) {
	e.t.Helper()
	ctx := context.Background()
	u, _, err := e.acc.CreateUser(ctx, accounts.NewUser{Email: email, Name: "Robin", EmailVerified: true})
	if err != nil {
		e.t.Fatal(err)
	}
	tz := "Europe/Paris"
	if u, err = e.acc.CompleteOnboarding(ctx, u.ID, &accounts.PreferencesPatch{Timezone: &tz}); err != nil {
		e.t.Fatal(err)
	}
	c := e.client()
	base, _ := url.Parse(e.srv.URL)
	c.Jar.SetCookies(base, []*http.Cookie{{Name: testUserCookie, Value: u.ID, Path: "/"}})
	return c, u
}

func (e *testEnv) relationship(userID, name string) store.Relationship {
	e.t.Helper()
	kind := "partner"
	r, err := e.journal.CreateRelationship(context.Background(), userID, journal.RelationshipInput{Name: &name, Kind: &kind})
	if err != nil {
		e.t.Fatal(err)
	}
	return r
}

var linkPattern = regexp.MustCompile(`https?://\S+\?token=[A-Za-z0-9_-]+`)

// mailedLink returns the link in the newest mail to the outbox whose path
// is path.
func (e *testEnv) mailedLink(path string) string {
	e.t.Helper()
	e.acc.Wait()
	files, _ := filepath.Glob(filepath.Join(e.outbox, "*.eml"))
	for i := len(files) - 1; i >= 0; i-- {
		b, err := os.ReadFile(files[i])
		if err != nil {
			e.t.Fatal(err)
		}
		for _, l := range linkPattern.FindAllString(strings.ReplaceAll(string(b), "=\r\n", ""), -1) {
			if u, err := url.Parse(l); err == nil && u.Path == path {
				return u.RequestURI()
			}
		}
	}
	e.t.Fatalf("no mail with a %s link in %s", path, e.outbox)
	return ""
}

func mustContain(t *testing.T, r resp, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(r.body, w) {
			t.Errorf("%s: body does not contain %q", r.url, w)
		}
	}
}

func accountsSignUp(email string) accounts.SignUpInput {
	return accounts.SignUpInput{Email: email, Name: "Pat", Password: "correct horse battery", IP: "192.0.2.1"}
}

func mustUser(t *testing.T, e *testEnv, email string) accounts.User {
	t.Helper()
	u, err := e.acc.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
