package openai_test

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/openai"
)

var update = flag.Bool("update", false, "rewrite testdata/request.golden.json from the request this client sends")

const goldenPath = "testdata/request.golden.json"

// The golden file's stand-ins for the prompts and the shared schema, which
// change more often than the request's shape.
const (
	systemPlaceholder = "{{analysis.SystemPrompt}}"
	userPlaceholder   = "{{analysis.UserPrompt}}"
	schemaPlaceholder = "{{analysis.ResponseJSONSchema}}"
)

// TestRequestMatchesGolden pins what goes on the wire. The golden body was
// captured from github.com/openai/openai-go/v3 v3.98.0 before the SDK was
// replaced; after a deliberate change, rewrite it with
// go test ./internal/analysis/openai -run Golden -update.
func TestRequestMatchesGolden(t *testing.T) {
	a, fake := setup(t, openai.Config{})
	in := analysis.Input{Content: "We talked.", Mood: "hopeful", Tags: []string{"home"}, RelationshipKind: "partner"}
	if _, err := a.Analyze(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	_, body, _ := fake.last()
	var got map[string]any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	var schema any
	b, _ := json.Marshal(analysis.ResponseJSONSchema())
	_ = json.Unmarshal(b, &schema)
	rf, _ := got["response_format"].(map[string]any)
	js, _ := rf["json_schema"].(map[string]any)
	if js == nil || !reflect.DeepEqual(js["schema"], schema) {
		t.Fatalf("response_format.json_schema.schema is not the shared schema: %s", body)
	}
	js["schema"] = schemaPlaceholder
	msgs, _ := got["messages"].([]any)
	for i, text := range []string{analysis.SystemPrompt, analysis.UserPrompt(in)} {
		if m, _ := msgs[i].(map[string]any); m != nil && m["content"] == text {
			m["content"] = []string{systemPlaceholder, userPlaceholder}[i]
		}
	}
	if *update {
		b, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(goldenPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("request body differs from %s (rerun with -update after a deliberate change):\n%s", goldenPath, g)
	}
}

func TestBaseURLJoinsAsTheSDKDid(t *testing.T) {
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.RequestURI())
		completion(goodAnswer, "stop", "")(w, r)
	}))
	t.Cleanup(srv.Close)
	for base, want := range map[string]string{
		"/v1": "/v1/chat/completions", "/v1/": "/v1/chat/completions", "": "/chat/completions", "/": "/chat/completions",
		"/proxy/openai/v1?ignored=1": "/proxy/openai/v1/chat/completions",
	} {
		a, err := openai.New(openai.Config{BaseURL: srv.URL + base, Model: "m", HTTPClient: srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Analyze(t.Context(), entry); err != nil {
			t.Fatalf("base %q: %v", base, err)
		}
		if got := path.Load(); got != want {
			t.Errorf("base %q: requested %q, want %q", base, got, want)
		}
	}
}

func raw(status int, contentType, body string, header map[string]string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func TestAnalyzeClassifiesWhatCompatibleServersSend(t *testing.T) {
	const js = "application/json"
	for _, tc := range []struct {
		name       string
		reply      func(http.ResponseWriter, *http.Request)
		kind       analysis.ErrorKind
		status     int
		retryAfter time.Duration
		contains   string
	}{
		{name: "HTML 502 from a proxy", reply: raw(502, "text/html", "<html>Bad Gateway</html>", nil), kind: analysis.KindServer, status: 502},
		{name: "Ollama's string error", reply: raw(404, js, `{"error":"model \"llama9\" not found, try pulling it first"}`, nil),
			kind: analysis.KindInvalid, status: 404, contains: "try pulling it first"},
		{name: "numeric code", reply: raw(400, js, `{"error":{"message":"bad schema","type":"BadRequestError","code":400}}`, nil),
			kind: analysis.KindInvalid, status: 400, contains: "bad schema"},
		{name: "quota by type", reply: raw(429, js, `{"error":{"message":"quota","type":"insufficient_quota","code":null}}`,
			map[string]string{"Retry-After": "3"}), kind: analysis.KindAuth, status: 429},
		{name: "huge Retry-After-Ms", reply: apiError(429, "rate_limit_exceeded", map[string]string{"Retry-After-Ms": "1e300"}),
			kind: analysis.KindRateLimit, status: 429, retryAfter: 24 * time.Hour},
		{name: "no choice", reply: raw(200, js, `{"id":"x","choices":[]}`, nil), kind: analysis.KindMalformed, status: 200},
		{name: "cut off at length", reply: completion(goodAnswer[:40], "length", ""), kind: analysis.KindMalformed, contains: "token limit"},
		{name: "null content", reply: raw(200, js, `{"choices":[{"message":{"role":"assistant","content":null,"refusal":null},"finish_reason":"stop"}]}`, nil),
			kind: analysis.KindMalformed},
		// As with the SDK: a reply that is not JSON is the server's fault, worth another try.
		{name: "200 not JSON", reply: raw(200, "text/plain", "ok", nil), kind: analysis.KindServer},
		{name: "larger than 4 MiB", reply: raw(200, js, `{"choices":[],"x":"`+strings.Repeat("a", 4<<20)+`"}`, nil),
			kind: analysis.KindMalformed, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, fake := setup(t, openai.Config{APIKey: "secret-key"})
			fake.set(tc.reply)
			_, err := a.Analyze(t.Context(), entry)
			var e *analysis.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.StatusCode != tc.status || e.RetryAfter != tc.retryAfter ||
				!strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("err = %v (%+v), want kind %s status %d retryAfter %v containing %q",
					err, e, tc.kind, tc.status, tc.retryAfter, tc.contains)
			}
			if strings.Contains(err.Error(), "secret-key") {
				t.Errorf("error carries the key: %v", err)
			}
		})
	}
}

func TestAnalyzeKeepsTheKeyOnTheConfiguredOrigin(t *testing.T) {
	var leaked atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		leaked.Store(true)
	}))
	t.Cleanup(elsewhere.Close)
	a, fake := setup(t, openai.Config{APIKey: "secret-key"})
	fake.set(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/v1/chat/completions", http.StatusTemporaryRedirect)
	})
	_, err := a.Analyze(t.Context(), entry)
	if e := analysis.AsError(err); e.Kind != analysis.KindInvalid || e.StatusCode != http.StatusTemporaryRedirect || leaked.Load() {
		t.Errorf("redirect to another host: %v (followed: %v)", err, leaked.Load())
	}
}

func TestNewRejectsUnusableBaseURLs(t *testing.T) {
	for _, base := range []string{"localhost:11434/v1", "ftp://example.com/v1", "http://[::1", "/v1"} {
		if _, err := openai.New(openai.Config{BaseURL: base, Model: "m"}); err == nil {
			t.Errorf("base URL %q accepted", base)
		}
	}
}
