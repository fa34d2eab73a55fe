package api_test

import (
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/server/servertest"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/store/storetest"
)

const (
	testIssuer = "https://clerk.resonant.example"
	testOrigin = "https://resonant.example"
)

// clerkEnv is a running API in Clerk mode: tokens are signed with key,
// webhooks with secret (both made per test, nothing fetched).
type clerkEnv struct {
	*acctEnv
	key       *rsa.PrivateKey
	publicPEM string
	secret    []byte
}

type clerkOptions struct {
	noWebhooks bool
}

func newClerkEnv(t testing.TB, s *store.Store, opts ...func(*clerkOptions)) *clerkEnv {
	t.Helper()
	var o clerkOptions
	for _, f := range opts {
		f(&o)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	e := &clerkEnv{key: key, publicPEM: publicKeyPEM(t, &key.PublicKey), secret: make([]byte, 24)}
	_, _ = rand.Read(e.secret)
	cc := accounts.ClerkConfig{PublicKeyPEM: e.publicPEM, Issuer: testIssuer, AuthorizedParties: []string{testOrigin}}
	if !o.noWebhooks {
		cc.WebhookSecret = "whsec_" + base64.StdEncoding.EncodeToString(e.secret)
	}
	srv := servertest.Start(t, s, servertest.Options{Clerk: &cc, Clock: servertest.NewClock(time.Now().UTC().Truncate(time.Second), 0)})
	e.acctEnv = wrapAcctEnv(t, srv)
	return e
}

func forEachClerkEngine(t *testing.T, fn func(t *testing.T, e *clerkEnv), opts ...func(*clerkOptions)) {
	storetest.ForEachEngine(t, func(t *testing.T, s *store.Store) { fn(t, newClerkEnv(t, s, opts...)) })
}

func publicKeyPEM(t testing.TB, pub *rsa.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// claims are a session token's claims; sessionClaims gives valid ones.
type claims map[string]any

func (e *clerkEnv) sessionClaims(sub string) claims {
	now := e.clock.Now()
	return claims{
		"iss": testIssuer, "sub": sub, "azp": testOrigin, "sid": "sess_test",
		"iat": now.Unix(), "nbf": now.Add(-10 * time.Second).Unix(), "exp": now.Add(time.Minute).Unix(),
	}
}

// jwt signs c with alg: "RS256" with key, "HS256" with hmacKey, "none"
// with nothing.
func signJWT(t testing.TB, alg string, key *rsa.PrivateKey, hmacKey []byte, c claims) string {
	t.Helper()
	enc := func(v any) string {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	input := enc(map[string]string{"alg": alg, "typ": "JWT", "kid": "ins_test"}) + "." + enc(c)
	var sig []byte
	switch alg {
	case "RS256":
		sum := sha256.Sum256([]byte(input))
		var err error
		if sig, err = rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
			t.Fatal(err)
		}
	case "HS256":
		m := hmac.New(sha256.New, hmacKey)
		m.Write([]byte(input))
		sig = m.Sum(nil)
	case "none":
	default:
		t.Fatalf("alg %s", alg)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// token is a valid session token for sub, with extra claims merged in.
func (e *clerkEnv) token(sub string, extra claims) string {
	c := e.sessionClaims(sub)
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return signJWT(e.t, "RS256", e.key, nil, c)
}

// clerkUser is a Clerk user object as Clerk's webhooks send it.
func clerkUser(id, first, last string, emails ...string) map[string]any {
	var addrs []map[string]any
	for i, a := range emails {
		addrs = append(addrs, map[string]any{"id": fmt.Sprintf("idn_%d", i), "object": "email_address", "email_address": a,
			"verification": map[string]any{"status": "verified"}})
	}
	u := map[string]any{"id": id, "object": "user", "first_name": first, "last_name": last, "email_addresses": addrs,
		"username": nil, "public_metadata": map[string]any{}, "created_at": 1700000000000}
	if len(emails) > 0 {
		u["primary_email_address_id"] = "idn_0"
	}
	return u
}

// event is a Clerk webhook body.
func event(typ string, data any) []byte {
	raw, _ := json.Marshal(map[string]any{"type": typ, "object": "event", "data": data, "timestamp": 1700000000000})
	return raw
}

// svixHeaders signs body as Svix does for message id msgID at the
// environment's current time.
func (e *clerkEnv) svixHeaders(msgID string, body []byte) []string {
	ts := strconv.FormatInt(e.clock.Now().Unix(), 10)
	return []string{"svix-id", msgID, "svix-timestamp", ts, "svix-signature", svixSign(e.secret, msgID, ts, body)}
}

func svixSign(secret []byte, msgID, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(msgID + "." + ts + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// webhook posts body to the Clerk webhook with headers.
func (e *clerkEnv) webhook(body []byte, headers ...string) acctResp {
	e.t.Helper()
	return e.client().do(http.MethodPost, "/api/v1/webhooks/clerk", string(body), headers...)
}

// deliver posts body signed under a fresh message id and expects 200.
func (e *clerkEnv) deliver(msgID string, body []byte) acctResp {
	e.t.Helper()
	r := e.webhook(body, e.svixHeaders(msgID, body)...)
	if r.status != http.StatusOK {
		e.t.Fatalf("webhook %s = %d %s", msgID, r.status, r.raw)
	}
	return r
}

// clerkUserRow reads the local user of a Clerk id ("" fields when absent).
func (e *clerkEnv) clerkUserRow(clerkID string) (n int, email, normalized, name string) {
	e.t.Helper()
	n = e.count(`SELECT COUNT(*) FROM users WHERE clerk_id = ?`, clerkID)
	if n == 1 {
		row := e.store.WriteDB().QueryRow(e.store.Rebind(`SELECT email, email_normalized, name FROM users WHERE clerk_id = ?`), clerkID)
		if err := row.Scan(&email, &normalized, &name); err != nil {
			e.t.Fatal(err)
		}
	}
	return n, email, normalized, name
}
