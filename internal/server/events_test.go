package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/mail"
	"github.com/resonant-journal/resonant/internal/realtime"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

// TestEventStreamThroughTheServer runs the whole server on each engine: a
// user's entry reaches their streams opened with a cookie session and with
// an access token; revoking the token ends that stream, signing out ends
// the other; and a stream still open does not hold up shutdown.
func TestEventStreamThroughTheServer(t *testing.T) {
	for _, e := range storetest.Engines {
		t.Run(string(e), func(t *testing.T) {
			t.Parallel()
			opts := storetest.Options(t, e)
			const email, password = "stream@example.com", "correct horse battery"
			addUserWithPassword(t, opts, email, password)

			srv := startServer(t, opts, "20s")
			base, cancel, done := "http://"+srv.addr, srv.cancel, srv.done

			jar, _ := cookiejar.New(nil)
			browser := &http.Client{Jar: jar}
			call(t, browser, base, "", http.MethodPost, "/api/v1/auth/signin", `{"email":"`+email+`","password":"`+password+`"}`, http.StatusOK, nil)
			var tok struct{ ID, Token string }
			call(t, browser, base, "", http.MethodPost, "/api/v1/me/tokens", `{"name":"stream"}`, http.StatusCreated, &tok)
			var rel struct {
				Relationship struct{ ID string } `json:"relationship"`
			}
			call(t, browser, base, tok.Token, http.MethodPost, "/api/v1/relationships", `{"name":"Sam","kind":"partner"}`, http.StatusCreated, &rel)

			// Not signed in: 401 in the API's format, not a redirect.
			res, err := http.Get(base + realtime.EventsPath)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("anonymous stream: %d", res.StatusCode)
			}

			byToken := openStream(t, http.DefaultClient, base, tok.Token)
			byCookie := openStream(t, browser, base, "")
			var entry struct {
				Entry struct{ ID string } `json:"entry"`
			}
			call(t, browser, base, tok.Token, http.MethodPost, "/api/v1/entries",
				`{"relationshipId":"`+rel.Relationship.ID+`","content":"We walked by the river and talked.","status":"published"}`, http.StatusCreated, &entry)
			for _, s := range []*sse{byToken, byCookie} {
				m := s.eventOf(t, "entry.created")
				if !strings.Contains(m.Data, entry.Entry.ID) {
					t.Fatalf("entry.created %s does not name entry %s", m.Data, entry.Entry.ID)
				}
			}

			call(t, browser, base, "", http.MethodDelete, "/api/v1/me/tokens/"+tok.ID, "", http.StatusNoContent, nil)
			byToken.ended(t)
			call(t, browser, base, "", http.MethodPost, "/api/v1/auth/signout", "", http.StatusNoContent, nil)
			byCookie.ended(t)

			// A stream left open at shutdown is ended, not waited for.
			var tok2 struct{ ID, Token string }
			call(t, browser, base, "", http.MethodPost, "/api/v1/auth/signin", `{"email":"`+email+`","password":"`+password+`"}`, http.StatusOK, nil)
			call(t, browser, base, "", http.MethodPost, "/api/v1/me/tokens", `{"name":"stream 2"}`, http.StatusCreated, &tok2)
			open := openStream(t, http.DefaultClient, base, tok2.Token)
			start := time.Now()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Run returned %v with a stream open", err)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("server did not stop with a stream open")
			}
			if d := time.Since(start); d >= 20*time.Second {
				t.Fatalf("shutdown took %s: held up by the open stream", d)
			}
			open.ended(t)
		})
	}
}

// addUserWithPassword creates a verified user before the server starts (a
// SQLite database is the server's alone once it runs).
func addUserWithPassword(t *testing.T, opts store.Options, email, password string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mailer, err := mail.New("", filepath.Join(opts.DataDir, "outbox"), "test@example.com")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(accounts.Config{Store: st, Mailer: mailer})
	if err != nil {
		t.Fatal(err)
	}
	hash, err := accounts.HashPassword(password, accounts.DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := acc.CreateUser(ctx, accounts.NewUser{Email: email, Name: "Stream", PasswordHash: hash, EmailVerified: true}); err != nil {
		t.Fatal(err)
	}
}

// call sends a JSON request (as the cookie client, or with a bearer token)
// and checks its status.
func call(t *testing.T, c *http.Client, base, token, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", base)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("%s %s = %d, want %d: %s", method, path, res.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

type sse struct {
	msgs chan realtime.Message
	errs chan error
}

func openStream(t *testing.T, c *http.Client, base, token string) *sse {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+realtime.EventsPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = res.Body.Close() })
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		b, _ := io.ReadAll(res.Body)
		t.Fatalf("open stream: %d %s", res.StatusCode, b)
	}
	s := &sse{msgs: make(chan realtime.Message, 100), errs: make(chan error, 1)}
	go func() {
		rd := realtime.NewReader(res.Body)
		for {
			m, err := rd.Next()
			if err != nil {
				s.errs <- err
				return
			}
			s.msgs <- m
		}
	}()
	select {
	case m := <-s.msgs:
		if !m.IsComment {
			t.Fatalf("stream opened with %+v", m)
		}
	case err := <-s.errs:
		t.Fatalf("stream ended at once: %v", err)
	case <-time.After(15 * time.Second):
		t.Fatal("stream did not open")
	}
	return s
}

// eventOf returns the next event of type typ, skipping others.
func (s *sse) eventOf(t *testing.T, typ string) realtime.Message {
	t.Helper()
	for {
		select {
		case m := <-s.msgs:
			if m.Event == typ {
				return m
			}
		case err := <-s.errs:
			t.Fatalf("stream ended waiting for %s: %v", typ, err)
		case <-time.After(15 * time.Second):
			t.Fatalf("no %s event within 15 s", typ)
		}
	}
}

// ended waits for the server to end the stream.
func (s *sse) ended(t *testing.T) {
	t.Helper()
	for {
		select {
		case <-s.msgs:
		case <-s.errs:
			return
		case <-time.After(15 * time.Second):
			t.Fatal("stream not ended within 15 s")
		}
	}
}
