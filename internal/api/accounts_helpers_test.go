package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// cheapPasswords keeps tests fast; the production cost is checked in the
// accounts package and measured by its benchmark.
var cheapPasswords = accounts.PasswordParams{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// generousLimits stay out of the way of tests that are not about limits.
var generousLimits = accounts.Limits{
	SignInPerIP: accounts.Rate{N: 1000, Per: time.Minute}, SignInPerAccount: accounts.Rate{N: 1000, Per: time.Minute},
	SignUpPerIP: accounts.Rate{N: 1000, Per: time.Minute}, ForgotPerIP: accounts.Rate{N: 1000, Per: time.Minute},
	ForgotPerAccount: accounts.Rate{N: 1000, Per: time.Minute}, VerifyPerIP: accounts.Rate{N: 1000, Per: time.Minute},
	VerifyPerAccount: accounts.Rate{N: 1000, Per: time.Minute},
}

// acctClock is a settable clock shared by the service and the sessions.
type acctClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *acctClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *acctClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// acctEnv is a running API with built-in accounts over a fresh store.
type acctEnv struct {
	t      testing.TB
	store  *store.Store
	acc    *accounts.Service
	srv    *httptest.Server
	outbox string
	clock  *acctClock
}

type acctOptions struct {
	limits  accounts.Limits
	session frontdoor.SessionConfig
}

func newAcctEnv(t testing.TB, s *store.Store, opts ...func(*acctOptions)) *acctEnv {
	t.Helper()
	o := acctOptions{limits: generousLimits}
	for _, f := range opts {
		f(&o)
	}
	clock := &acctClock{t: time.Now().UTC()}
	outbox := filepath.Join(t.TempDir(), "outbox")
	e := &acctEnv{t: t, store: s, outbox: outbox, clock: clock}
	e.srv = httptest.NewUnstartedServer(nil)
	acc, err := accounts.New(accounts.Config{
		Store: s, Mailer: &mail.FileOutbox{Dir: outbox, From: "Resonant <resonant@example.com>"},
		BaseURL: "http://" + e.srv.Listener.Addr().String(), Now: clock.Now, Password: cheapPasswords, Limits: o.limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.acc = acc
	o.session.Now = clock.Now
	e.srv.Config.Handler = routeTable(s, acc, nil, nil, o.session)
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	t.Cleanup(acc.Wait)
	return e
}

func forEachAcctEngine(t *testing.T, fn func(t *testing.T, e *acctEnv), opts ...func(*acctOptions)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newAcctEnv(t, s, opts...)) })
}

// acctClient is one browser (its own cookie jar) or API client.
type acctClient struct {
	e      *acctEnv
	hc     *http.Client
	header http.Header
}

func (e *acctEnv) client() *acctClient {
	jar, _ := cookiejar.New(nil)
	return &acctClient{e: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}, header: http.Header{}}
}

// withBearer returns a client that sends token and no cookies.
func (e *acctEnv) withBearer(token string) *acctClient {
	c := e.client()
	c.header.Set("Authorization", "Bearer "+token)
	return c
}

type acctResp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// field digs a value out of the decoded body: r.field("user", "id").
func (r acctResp) field(path ...string) any {
	var v any = r.body
	for _, p := range path {
		m, _ := v.(map[string]any)
		v = m[p]
	}
	return v
}

// errorFields lists the fields an error answer names, sorted.
func (r acctResp) errorFields() []string {
	m, _ := r.field("error", "fields").(map[string]any)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (c *acctClient) do(method, path string, body any, header ...string) acctResp {
	c.e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	out := acctResp{status: resp.StatusCode, header: resp.Header}
	out.raw, _ = io.ReadAll(resp.Body)
	if len(out.raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(out.raw, &out.body); err != nil {
			c.e.t.Fatalf("%s %s: body is not JSON: %s", method, path, out.raw)
		}
	}
	return out
}

// must is do that fails the test unless the status is want.
func (c *acctClient) must(want int, method, path string, body any) acctResp {
	c.e.t.Helper()
	r := c.do(method, path, body)
	if r.status != want {
		c.e.t.Fatalf("%s %s = %d %s, want %d", method, path, r.status, r.raw, want)
	}
	return r
}

var tokenLink = regexp.MustCompile(`https?://[^\s]+/(verify|reset)\?token=([A-Za-z0-9_-]+)`)

// lastToken returns the token of the newest /verify or /reset link mailed
// to email, read from the outbox .eml files.
func (e *acctEnv) lastToken(email, kind string) string {
	e.t.Helper()
	e.acc.Wait()
	files, _ := filepath.Glob(filepath.Join(e.outbox, "*.eml"))
	sort.Strings(files)
	for i := len(files) - 1; i >= 0; i-- {
		raw, err := os.ReadFile(files[i])
		if err != nil {
			e.t.Fatal(err)
		}
		if !bytes.Contains(bytes.ToLower(raw), []byte("to: <"+strings.ToLower(email)+">")) {
			continue
		}
		for _, m := range tokenLink.FindAllStringSubmatch(string(raw), -1) {
			if m[1] == kind {
				return m[2]
			}
		}
	}
	e.t.Fatalf("no %s link mailed to %s", kind, email)
	return ""
}

// mailCount counts the messages in the outbox.
func (e *acctEnv) mailCount() int {
	e.acc.Wait()
	files, _ := filepath.Glob(filepath.Join(e.outbox, "*.eml"))
	return len(files)
}

// signedIn signs up email, verifies it through the mailed link and signs
// in: the whole real flow. It returns the browser and the user id.
func (e *acctEnv) signedIn(email, password string) (*acctClient, string) {
	e.t.Helper()
	c := e.client()
	id := c.must(http.StatusCreated, "POST", "/api/v1/auth/signup", map[string]any{"email": email, "password": password, "name": "Test User"}).field("user", "id").(string)
	c.must(http.StatusOK, "POST", "/api/v1/auth/verify", map[string]any{"token": e.lastToken(email, "verify")})
	c.must(http.StatusOK, "POST", "/api/v1/auth/signin", map[string]any{"email": email, "password": password})
	return c, id
}

// NewTestUserToken creates a verified user through the accounts service
// and a personal access token for it, for tests of other endpoints that
// need an authenticated client: send "Authorization: Bearer <token>".
func NewTestUserToken(t testing.TB, acc *accounts.Service, email string) (userID, token string) {
	t.Helper()
	ctx := context.Background()
	u, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: email, Name: "Test User", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	at, err := acc.CreateAccessToken(ctx, u.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID, at.Token
}

// count runs a COUNT(*) query.
func (e *acctEnv) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.store.WriteDB().QueryRowContext(context.Background(), e.store.Rebind(query), args...).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// in returns the env and client reporting to t (a fuzz target's own T).
func (c *acctClient) in(t testing.TB) (*acctEnv, *acctClient) {
	e := *c.e
	e.t = t
	cc := *c
	cc.e = &e
	return &e, &cc
}

func mustURL(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
