// Package servertest is the one harness for HTTP tests: Start runs the
// server's route table (internal/server) with every service over a fresh
// store on a chosen engine, and Run plays request scenarios against it as
// table rows, each under t.Run, checking status, body fragments, the
// fields an error names and the events the request wrote.
//
//	servertest.ForEachEngine(t, servertest.Options{}, func(t *testing.T, srv *servertest.Server) {
//		user := srv.AddUser("u1")
//		srv.Run(t, []servertest.Scenario{
//			{Name: "list is empty", Method: "GET", Path: "/api/v1/entries", As: user, WantStatus: 200, WantBody: []string{`"items":[]`}},
//		})
//	})
package servertest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/api"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/insight"
	"github.com/resonant-journal/resonant/internal/journal"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/queue"
	"github.com/resonant-journal/resonant/internal/server"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// CheapPasswords keeps tests fast; the production cost is checked in the
// accounts package and measured by its benchmark.
var CheapPasswords = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// GenerousLimits stay out of the way of tests that are not about limits.
var GenerousLimits = accounts.Limits{
	SignInPerIP: accounts.Rate{N: 1000, Per: time.Minute}, SignInPerAccount: accounts.Rate{N: 1000, Per: time.Minute},
	SignUpPerIP: accounts.Rate{N: 1000, Per: time.Minute}, ForgotPerIP: accounts.Rate{N: 1000, Per: time.Minute},
	ForgotPerAccount: accounts.Rate{N: 1000, Per: time.Minute}, VerifyPerIP: accounts.Rate{N: 1000, Per: time.Minute},
	VerifyPerAccount: accounts.Rate{N: 1000, Per: time.Minute},
}

// Clock is a settable clock shared by every service of a test server. With
// a Step, each reading advances it, so rows written one after another get
// distinct, ordered times.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

// NewClock returns a clock at start that advances step per reading.
func NewClock(start time.Time, step time.Duration) *Clock { return &Clock{t: start, step: step} }

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Options shape a test server; the zero value is a server with built-in
// accounts, generous rate limits and a clock standing at the current time.
type Options struct {
	// Limits are the accounts' rate limits; zero means GenerousLimits.
	Limits accounts.Limits
	// Session configures sessions; its Now is set to the server's clock.
	Session frontdoor.SessionConfig
	// Clock is the server's clock; nil means one at time.Now(), not ticking.
	Clock *Clock
	// Clerk, when set, switches Clerk mode on; Accounts and Now are filled in.
	Clerk *accounts.ClerkConfig
	// Workers, when set, registers job workers and runs the job queue (it
	// polls every 20ms) for the life of the test; without it jobs only wait.
	Workers func(w *river.Workers, srv *Server)
	// TrustedProxies are believed to set X-Forwarded-For; a test that
	// trusts 127.0.0.1 sends requests "from" any address it names there.
	TrustedProxies []netip.Prefix
	// Enqueuer, when set, queues the journal's analyses instead of River's
	// analyze_entry jobs (pipeline.LocalJobs: the in-process queue).
	Enqueuer journal.Enqueuer
}

// UserHeader names the user a request is made as, in tests only: the
// harness puts it in the request context around the route table, where
// frontdoor believes it. It lets scenarios skip signing in when sign-in is
// not what they test.
const UserHeader = "X-Test-User"

// Server is a running route table over one store.
type Server struct {
	T        testing.TB
	Store    *store.Store
	Accounts *accounts.Service
	Clerk    *accounts.Clerk
	Journal  *journal.Service
	Insight  *insight.Service
	// Jobs is the queue client publishing inserts jobs with; unless
	// Options.Workers is set it is not started, so queued jobs wait to be
	// inspected.
	Jobs  *queue.Client
	Clock *Clock
	// Outbox is the directory mail is written to (.eml files).
	Outbox string
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string
	// Handler is the route table as serve mounts it, for in-process
	// benchmarks; it does not read UserHeader.
	Handler http.Handler
	srv     *httptest.Server
}

// ForEachEngine runs fn as a parallel subtest per engine, each with its own
// server over a fresh store.
func ForEachEngine(t *testing.T, opts Options, fn func(t *testing.T, srv *Server)) {
	t.Helper()
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, Start(t, s, opts)) })
}

// Start runs the route table with every service over s (River's schema is
// migrated onto it) and stops it when the test ends.
func Start(t testing.TB, s *store.Store, opts Options) *Server {
	t.Helper()
	ctx := context.Background()
	if _, err := s.Migrate(ctx, queue.MigrateStep(s)); err != nil {
		t.Fatal(err)
	}
	clock := opts.Clock
	if clock == nil {
		clock = NewClock(time.Now().UTC(), 0)
	}
	if opts.Limits == (accounts.Limits{}) {
		opts.Limits = GenerousLimits
	}
	e := &Server{T: t, Store: s, Clock: clock, Outbox: filepath.Join(t.TempDir(), "outbox")}
	e.srv = httptest.NewUnstartedServer(nil)
	acc, err := accounts.New(accounts.Config{
		Store: s, Mailer: &mail.FileOutbox{Dir: e.Outbox, From: "Resonant <resonant@example.com>"},
		BaseURL: "http://" + e.srv.Listener.Addr().String(), Now: clock.Now, Password: CheapPasswords, Limits: opts.Limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.Accounts = acc
	if opts.Clerk != nil {
		cc := *opts.Clerk
		cc.Accounts, cc.Now = acc, clock.Now
		if e.Clerk, err = accounts.NewClerk(cc); err != nil {
			t.Fatal(err)
		}
	}
	mailer := &mail.FileOutbox{Dir: e.Outbox, From: "Resonant <resonant@example.com>"}
	insightJobs := &lateInsightJobs{}
	e.Insight = insight.New(insight.Config{Store: s, Jobs: insightJobs, Mailer: mailer, BaseURL: "http://" + e.srv.Listener.Addr().String(), Now: clock.Now})
	qopts := queue.Options{}
	if opts.Workers != nil {
		qopts.Workers = river.NewWorkers()
		opts.Workers(qopts.Workers, e)
		qopts.FetchPollInterval = 20 * time.Millisecond
	}
	if e.Jobs, err = queue.New(s, qopts); err != nil {
		t.Fatal(err)
	}
	insightJobs.InsightJobs = queue.NewInsightJobs(e.Jobs)
	var enqueuer journal.Enqueuer = queue.NewAnalysisJobs(e.Jobs)
	if opts.Enqueuer != nil {
		enqueuer = opts.Enqueuer
	}
	e.Journal = journal.New(journal.Config{Store: s, Enqueuer: enqueuer, Evidence: e.Insight, Now: clock.Now})
	sc := opts.Session
	sc.Now = clock.Now
	door := frontdoor.New(frontdoor.Config{Store: s, Accounts: acc, Clerk: e.Clerk, Session: sc, TrustedProxies: opts.TrustedProxies})
	e.Handler = server.Routes{Door: door, Store: s, API: api.New(api.Config{Door: door, Journal: e.Journal, Insight: e.Insight, Clerk: e.Clerk})}.Handler()
	e.srv.Config.Handler = withTestUser(e.Handler)
	e.srv.Start()
	e.URL = e.srv.URL
	t.Cleanup(e.srv.Close)
	t.Cleanup(acc.Wait)
	if opts.Workers != nil {
		if err := e.Jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = e.Jobs.Stop(context.Background()) })
	}
	return e
}

// lateInsightJobs lets the insight service be built before the queue
// client that inserts its jobs, as the server does.
type lateInsightJobs struct{ *queue.InsightJobs }

func withTestUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get(UserHeader); id != "" {
			r = r.WithContext(frontdoor.WithUserID(r.Context(), id))
		}
		next.ServeHTTP(w, r)
	})
}

// AddUser inserts a bare user row with id (no password, no session) for
// requests made As it; it returns id.
func (e *Server) AddUser(id string) string {
	e.T.Helper()
	storetest.AddUser(e.T, e.Store, id, "")
	return id
}

// Count runs a COUNT(*) query written with ? placeholders.
func (e *Server) Count(query string, args ...any) int {
	e.T.Helper()
	var n int
	if err := e.Store.WriteDB().QueryRowContext(context.Background(), e.Store.Rebind(query), args...).Scan(&n); err != nil {
		e.T.Fatal(err)
	}
	return n
}

// Client is one browser (its own cookie jar; redirects are not followed)
// or API client (with a header it always sends).
type Client struct {
	srv    *Server
	HC     *http.Client
	Header http.Header
}

// Client returns a new client with an empty cookie jar.
func (e *Server) Client() *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{srv: e, HC: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, Header: http.Header{}}
}

// As returns a client whose requests are made as userID (UserHeader).
func (e *Server) As(userID string) *Client {
	c := e.Client()
	if userID != "" {
		c.Header.Set(UserHeader, userID)
	}
	return c
}

// Bearer returns a client that sends token and no cookies.
func (e *Server) Bearer(token string) *Client {
	c := e.Client()
	c.Header.Set("Authorization", "Bearer "+token)
	return c
}

// In returns a copy of c reporting to t (a subtest's or fuzz target's T).
func (c *Client) In(t testing.TB) *Client {
	srv := *c.srv
	srv.T = t
	cc := *c
	cc.srv = &srv
	return &cc
}

// Response is an answer, its JSON body decoded when it has one.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	Body   map[string]any
}

// Field digs a value out of the decoded body: r.Field("user", "id").
func (r Response) Field(path ...string) any {
	var v any = r.Body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// ErrorFields lists the fields an error answer names, sorted.
func (r Response) ErrorFields() []string {
	m, _ := r.Field("error", "fields").(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Normalized is the body re-encoded without HTML escaping and with sorted
// keys (so fragments read as written: `"content":"a <3"`); the raw body
// when it is not JSON.
func (r Response) Normalized() string {
	var v any
	if err := json.Unmarshal(r.Raw, &v); err != nil {
		return string(r.Raw)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return string(r.Raw)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Do sends a request: body is sent as is when a string, JSON-encoded
// otherwise (nil: no body); header holds extra name, value pairs.
func (c *Client) Do(method, path string, body any, header ...string) Response {
	t := c.srv.T
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.HC.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := Response{Status: resp.StatusCode, Header: resp.Header}
	out.Raw, _ = io.ReadAll(resp.Body)
	if len(out.Raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out.Raw, &out.Body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %s", method, path, out.Raw)
		}
	}
	return out
}

// Must is Do that fails the test unless the status is want.
func (c *Client) Must(want int, method, path string, body any) Response {
	c.srv.T.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		c.srv.T.Fatalf("%s %s = %d %s, want %d", method, path, r.Status, r.Raw, want)
	}
	return r
}
