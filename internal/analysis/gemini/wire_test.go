package gemini_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
)

var update = flag.Bool("update", false, "rewrite testdata/request.golden.json from the request this client sends")

const goldenPath = "testdata/request.golden.json"

// The golden file's stand-ins for the prompts, which change more often than
// the request's shape.
const (
	systemPlaceholder = "{{analysis.SystemPrompt}}"
	userPlaceholder   = "{{analysis.UserPrompt}}"
)

var goldenEntry = analysis.Input{Content: "We talked.", Mood: "hopeful", Tags: []string{"home"}, RelationshipKind: "partner"}

const goodAnswer = `{"sentimentScore":0.7,"emotionalKeywords":["grateful","close"],"confidenceLevel":0.8,` +
	`"reasoning":"This entry reads as warm.","patterns":{"recurring_themes":["chores"],"emotional_triggers":[],` +
	`"communication_style":"collaborative","relationship_dynamics":["turning_toward"]}}`

// recorder is a generateContent stand-in that keeps what it was sent and
// answers with reply.
type recorder struct {
	mu     sync.Mutex
	calls  int
	req    *http.Request
	body   []byte
	status int
	header http.Header
	reply  string
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.calls++
	r.req, r.body = req, body
	status, reply := r.status, r.reply
	for k, v := range r.header {
		w.Header()[k] = v
	}
	r.mu.Unlock()
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = io.WriteString(w, reply)
}

// last returns the call count and the latest request and body.
func (r *recorder) last() (int, *http.Request, []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls, r.req, r.body
}

func serve(t *testing.T, rec *recorder, cfg gemini.Config) *gemini.Analyzer {
	t.Helper()
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	if cfg.APIKey == "" {
		cfg.APIKey = key
	}
	cfg.BaseURL, cfg.HTTPClient = srv.URL, srv.Client()
	a, err := gemini.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// answer is a generateContent reply with one candidate.
func answer(finish string, parts ...map[string]any) string {
	c := map[string]any{"index": 0, "finishReason": finish}
	if parts != nil {
		c["content"] = map[string]any{"role": "model", "parts": parts}
	}
	b, _ := json.Marshal(map[string]any{"candidates": []any{c}, "modelVersion": "gemini-test"})
	return string(b)
}

// TestRequestMatchesGolden pins what goes on the wire. The golden body was
// captured from google.golang.org/genai v1.77.0 before the SDK was replaced;
// after a deliberate change to the schema, rewrite it with
// go test ./internal/analysis/gemini -run Golden -update.
func TestRequestMatchesGolden(t *testing.T) {
	rec := &recorder{reply: answer("STOP", map[string]any{"text": goodAnswer})}
	a := serve(t, rec, gemini.Config{APIKey: "golden-key", Model: "gemini-golden", Timeout: 30 * time.Second})
	if _, err := a.Analyze(context.Background(), goldenEntry); err != nil {
		t.Fatal(err)
	}
	_, r, body := rec.last()
	if r.Method != http.MethodPost || r.URL.Path != "/v1beta/models/gemini-golden:generateContent" || r.URL.RawQuery != "" {
		t.Errorf("request line %s %s", r.Method, r.URL)
	}
	for h, want := range map[string]string{
		"x-goog-api-key": "golden-key", "Content-Type": "application/json", "Accept": "application/json", "x-server-timeout": "30",
	} {
		if got := r.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "resonant") {
		t.Errorf("User-Agent %q", ua)
	}

	var got any
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	prompts := map[string]string{analysis.SystemPrompt: systemPlaceholder, analysis.UserPrompt(goldenEntry): userPlaceholder}
	if *update {
		var fresh any // replaceStrings edits in place: keep got as sent
		_ = json.Unmarshal(body, &fresh)
		b, _ := json.MarshalIndent(replaceStrings(fresh, prompts), "", "  ")
		if err := os.WriteFile(goldenPath, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	var want any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	want = replaceStrings(want, map[string]string{systemPlaceholder: analysis.SystemPrompt, userPlaceholder: analysis.UserPrompt(goldenEntry)})
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		t.Errorf("request body differs from %s (rerun with -update after a deliberate change):\n%s", goldenPath, g)
	}
}

// replaceStrings returns v with every string value found in m replaced.
func replaceStrings(v any, m map[string]string) any {
	switch x := v.(type) {
	case string:
		if r, ok := m[x]; ok {
			return r
		}
	case map[string]any:
		for k, e := range x {
			x[k] = replaceStrings(e, m)
		}
	case []any:
		for i, e := range x {
			x[i] = replaceStrings(e, m)
		}
	}
	return v
}

func TestAnalyzeReadsEveryAnswerShape(t *testing.T) {
	half := len(goodAnswer) / 2
	for _, tc := range []struct {
		name     string
		reply    string
		kind     analysis.ErrorKind // "" for a result
		status   int
		contains string
	}{
		{name: "thought parts skipped", reply: answer("STOP",
			map[string]any{"text": "Let me think about this entry.", "thought": true}, map[string]any{"text": goodAnswer})},
		{name: "text split over parts", reply: answer("STOP",
			map[string]any{"text": goodAnswer[:half]}, map[string]any{"text": goodAnswer[half:]})},
		{name: "prohibited content", reply: answer("PROHIBITED_CONTENT"), kind: analysis.KindSafety, status: 200},
		{name: "blocklist", reply: answer("BLOCKLIST"), kind: analysis.KindSafety, status: 200},
		{name: "spii", reply: answer("SPII"), kind: analysis.KindSafety, status: 200},
		{name: "image safety", reply: answer("IMAGE_SAFETY"), kind: analysis.KindSafety, status: 200},
		{name: "prompt blocked", reply: `{"promptFeedback":{"blockReason":"OTHER"}}`, kind: analysis.KindSafety, status: 200,
			contains: "prompt blocked: OTHER"},
		{name: "cut off at max tokens", reply: answer("MAX_TOKENS", map[string]any{"text": goodAnswer[:half]}),
			kind: analysis.KindMalformed, contains: "token limit"},
		{name: "no candidate", reply: `{"candidates":[]}`, kind: analysis.KindMalformed, status: 200},
		{name: "empty content", reply: answer("STOP"), kind: analysis.KindMalformed},
		// As with the SDK: a reply that is not JSON at all is the service's
		// fault, not the model's, and worth another attempt.
		{name: "not JSON", reply: "<html>oops</html>", kind: analysis.KindServer},
		{name: "larger than 4 MiB", reply: `{"candidates":[],"x":"` + strings.Repeat("a", 4<<20) + `"}`,
			kind: analysis.KindMalformed, status: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{reply: tc.reply}
			a := serve(t, rec, gemini.Config{})
			res, err := a.Analyze(context.Background(), entry)
			if tc.kind == "" {
				if err != nil || res.SentimentScore != 0.7 || res.Patterns.CommunicationStyle != "collaborative" {
					t.Fatalf("%+v, %v", res, err)
				}
				return
			}
			var e *analysis.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.StatusCode != tc.status || !strings.Contains(err.Error(), tc.contains) {
				t.Fatalf("err = %v (%+v), want kind %s status %d containing %q", err, e, tc.kind, tc.status, tc.contains)
			}
		})
	}
}

func TestAnalyzeClassifiesErrorAnswersByStatusAndBody(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	googleErr := func(code int, status, details string) string {
		return fmt.Sprintf(`{"error":{"code":%d,"message":"failure","status":%q,"details":[%s]}}`, code, status, details)
	}
	for _, tc := range []struct {
		name       string
		status     int
		header     http.Header
		body       string
		kind       analysis.ErrorKind
		retryAfter time.Duration
	}{
		{"HTML from a proxy", 502, nil, "<html><body>Bad Gateway</body></html>", analysis.KindServer, 0},
		{"empty 503", 503, nil, "", analysis.KindServer, 0},
		{"plain 429 with Retry-After", 429, http.Header{"Retry-After": {"5"}}, "Too Many Requests", analysis.KindRateLimit, 5 * time.Second},
		{"503 with an HTTP date", 503, http.Header{"Retry-After": {"Wed, 01 Jan 2025 00:01:00 GMT"}},
			googleErr(503, "UNAVAILABLE", ""), analysis.KindServer, time.Minute},
		{"429 with a fractional RetryInfo", 429, nil,
			googleErr(429, "RESOURCE_EXHAUSTED", `{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}`),
			analysis.KindRateLimit, 1500 * time.Millisecond},
		{"header wins over RetryInfo", 429, http.Header{"Retry-After": {"2"}},
			googleErr(429, "RESOURCE_EXHAUSTED", `{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"9s"}`),
			analysis.KindRateLimit, 2 * time.Second},
		{"bad request", 400, nil, googleErr(400, "INVALID_ARGUMENT",
			`{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[]}`), analysis.KindInvalid, 0},
		{"invalid key", 400, nil, googleErr(400, "INVALID_ARGUMENT",
			`{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}`),
			analysis.KindAuth, 0},
		{"unknown model", 404, nil, googleErr(404, "NOT_FOUND", ""), analysis.KindInvalid, 0},
		{"permission denied", 403, nil, googleErr(403, "PERMISSION_DENIED", ""), analysis.KindAuth, 0},
		{"details of an unexpected shape", 500, nil, `{"error":{"code":500,"details":"nope"}}`, analysis.KindServer, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{status: tc.status, header: tc.header, reply: tc.body}
			a := serve(t, rec, gemini.Config{Now: func() time.Time { return now }})
			_, err := a.Analyze(context.Background(), entry)
			var e *analysis.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.StatusCode != tc.status || e.RetryAfter != tc.retryAfter {
				t.Fatalf("err = %v (%+v), want kind %s status %d retryAfter %v", err, e, tc.kind, tc.status, tc.retryAfter)
			}
			if strings.Contains(err.Error(), key) {
				t.Errorf("error carries the key: %v", err)
			}
			if calls, _, _ := rec.last(); calls != 1 {
				t.Errorf("%d calls, want one", calls)
			}
		})
	}
}

func TestAnalyzeFollowsRedirectsOnlyWithinTheOrigin(t *testing.T) {
	var elsewhereHit atomic.Bool
	elsewhere := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhereHit.Store(true) }))
	t.Cleanup(elsewhere.Close)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1beta/models/moved:generateContent", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1beta/models/here:generateContent", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("POST /v1beta/models/here:generateContent", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-goog-api-key") != key {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = io.WriteString(w, answer("STOP", map[string]any{"text": goodAnswer}))
	})
	mux.HandleFunc("POST /v1beta/models/away:generateContent", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+"/steal", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	moved, err := gemini.New(context.Background(), gemini.Config{APIKey: key, BaseURL: srv.URL, Model: "moved"})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := moved.Analyze(context.Background(), entry); err != nil || res.SentimentScore != 0.7 {
		t.Errorf("same-origin redirect: %+v, %v", res, err)
	}
	away, err := gemini.New(context.Background(), gemini.Config{APIKey: key, BaseURL: srv.URL, Model: "away"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = away.Analyze(context.Background(), entry)
	if e := analysis.AsError(err); e.Kind != analysis.KindInvalid || e.StatusCode != http.StatusTemporaryRedirect || elsewhereHit.Load() {
		t.Errorf("redirect to another host: %v (followed: %v)", err, elsewhereHit.Load())
	}
}

func TestNewRejectsUnusableBaseURLsAndModels(t *testing.T) {
	for _, cfg := range []gemini.Config{
		{BaseURL: "generativelanguage.googleapis.com"},
		{BaseURL: "ftp://example.com/"},
		{BaseURL: "http://[::1"},
		{Model: "gemini?key=x"},
		{Model: "../admin"},
		{Model: "gemini 2.5"},
		{Model: "/models/x"},
	} {
		cfg.APIKey = key
		if _, err := gemini.New(context.Background(), cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	for _, m := range []string{"gemini-2.5-flash", "models/gemini-2.5-flash-preview-05-20", "tunedModels/my-model-1"} {
		if _, err := gemini.New(context.Background(), gemini.Config{APIKey: key, Model: m}); err != nil {
			t.Errorf("model %q: %v", m, err)
		}
	}
}
