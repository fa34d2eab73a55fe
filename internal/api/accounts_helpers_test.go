package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// generousLimits are the harness's: out of the way of tests not about limits.
var generousLimits = servertest.GenerousLimits

// acctEnv is the harness's server as the accounts tests use it.
type acctEnv struct {
	*servertest.Server
	t      testing.TB
	store  *store.Store
	acc    *accounts.Service
	outbox string
	clock  *servertest.Clock
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
	return wrapAcctEnv(t, servertest.Start(t, s, servertest.Options{Limits: o.limits, Session: o.session}))
}

func wrapAcctEnv(t testing.TB, srv *servertest.Server) *acctEnv {
	return &acctEnv{Server: srv, t: t, store: srv.Store, acc: srv.Accounts, outbox: srv.Outbox, clock: srv.Clock}
}

func forEachAcctEngine(t *testing.T, fn func(t *testing.T, e *acctEnv), opts ...func(*acctOptions)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newAcctEnv(t, s, opts...)) })
}

// acctClient is one browser (its own cookie jar) or API client.
type acctClient struct {
	e  *acctEnv
	c  *servertest.Client
	hc *http.Client
}

func (e *acctEnv) client() *acctClient {
	c := e.Client()
	return &acctClient{e: e, c: c, hc: c.HC}
}

// withBearer returns a client that sends token and no cookies.
func (e *acctEnv) withBearer(token string) *acctClient {
	c := e.Bearer(token)
	return &acctClient{e: e, c: c, hc: c.HC}
}

type acctResp struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
	r      servertest.Response
}

// field digs a value out of the decoded body: r.field("user", "id").
func (r acctResp) field(path ...string) any { return r.r.Field(path...) }

// errorFields lists the fields an error answer names, sorted.
func (r acctResp) errorFields() []string { return r.r.ErrorFields() }

func (c *acctClient) do(method, path string, body any, header ...string) acctResp {
	c.e.t.Helper()
	r := c.c.In(c.e.t).Do(method, path, body, header...)
	return acctResp{status: r.Status, header: r.Header, raw: r.Raw, body: r.Body, r: r}
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
