package openai_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/openai"
)

const goodAnswer = `{"sentimentScore":0.7,"emotionalKeywords":["grateful","close"],"confidenceLevel":0.8,` +
	`"reasoning":"This entry reads as warm.","patterns":{"recurring_themes":["chores"],"emotional_triggers":[],` +
	`"communication_style":"collaborative","relationship_dynamics":["turning_toward"]}}`

// fakeOpenAI answers POST /v1/chat/completions in the real wire format with
// whatever the test set in reply.
type fakeOpenAI struct {
	mu    sync.Mutex
	calls int
	body  []byte
	auth  string
	reply func(w http.ResponseWriter, r *http.Request)
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.NotFound(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls++
	f.body, f.auth = body, r.Header.Get("Authorization")
	reply := f.reply
	f.mu.Unlock()
	reply(w, r)
}

func (f *fakeOpenAI) set(reply func(http.ResponseWriter, *http.Request)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reply = reply
}

// last returns the call count and the latest request's body and Authorization.
func (f *fakeOpenAI) last() (calls int, body []byte, auth string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls, f.body, f.auth
}

func completion(content, finish, refusal string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		msg := map[string]any{"role": "assistant", "content": content}
		if refusal != "" {
			msg["content"], msg["refusal"] = nil, refusal
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "llama3.2",
			"choices": []any{map[string]any{"index": 0, "message": msg, "finish_reason": finish}},
			"usage":   map[string]any{"prompt_tokens": 500, "completion_tokens": 80, "total_tokens": 580},
		})
	}
}

func apiError(status int, code string, header map[string]string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"failure %d","type":"error","param":null,"code":%q}}`, status, code)
	}
}

func setup(t *testing.T, cfg openai.Config) (*openai.Analyzer, *fakeOpenAI) {
	t.Helper()
	fake := &fakeOpenAI{reply: completion(goodAnswer, "stop", "")}
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	cfg.BaseURL, cfg.HTTPClient = srv.URL+"/v1", srv.Client()
	if cfg.Model == "" {
		cfg.Model = "llama3.2"
	}
	a, err := openai.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, fake
}

var entry = analysis.Input{Content: "We shared the chores and I felt close to him.", RelationshipKind: "partner"}

func TestAnalyzeSendsStrictSchemaAndReturnsSanitizedResult(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1") // must be ignored
	t.Setenv("OPENAI_API_KEY", "env-key")
	a, fake := setup(t, openai.Config{APIKey: "local-key"})
	res, err := a.Analyze(t.Context(), entry)
	if err != nil {
		t.Fatal(err)
	}
	if res.SentimentScore != 0.7 || res.Patterns.CommunicationStyle != "collaborative" || a.Name() != "openai:llama3.2" {
		t.Errorf("result %+v, name %q", res, a.Name())
	}
	var req struct {
		Model          string
		Temperature    float64
		Messages       []struct{ Role, Content string }
		ResponseFormat struct {
			Type       string
			JSONSchema struct {
				Name   string
				Strict bool
				Schema map[string]any
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	calls, body, auth := fake.last()
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	rf := req.ResponseFormat
	if req.Model != "llama3.2" || rf.Type != "json_schema" || !rf.JSONSchema.Strict || rf.JSONSchema.Schema["additionalProperties"] != false ||
		len(req.Messages) != 2 || req.Messages[0].Role != "system" || !strings.Contains(req.Messages[1].Content, entry.Content) {
		t.Errorf("request = %s", body)
	}
	if auth != "Bearer local-key" || calls != 1 {
		t.Errorf("auth %q, calls %d", auth, calls)
	}
}

func TestAnalyzeClassifiesFailures(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	for _, tc := range []struct {
		name       string
		reply      func(http.ResponseWriter, *http.Request)
		kind       analysis.ErrorKind
		status     int
		retryAfter time.Duration
	}{
		{"429 with Retry-After", apiError(429, "rate_limit_exceeded", map[string]string{"Retry-After": "12"}), analysis.KindRateLimit, 429, 12 * time.Second},
		{"429 with Retry-After-Ms", apiError(429, "rate_limit_exceeded", map[string]string{"Retry-After-Ms": "1500", "Retry-After": "2"}), analysis.KindRateLimit, 429, 1500 * time.Millisecond},
		{"429 with HTTP date", apiError(429, "", map[string]string{"Retry-After": "Wed, 01 Jan 2025 00:00:30 GMT"}), analysis.KindRateLimit, 429, 30 * time.Second},
		{"429 without header", apiError(429, "", nil), analysis.KindRateLimit, 429, 0},
		{"429 quota exhausted", apiError(429, "insufficient_quota", nil), analysis.KindAuth, 429, 0},
		{"500", apiError(500, "", nil), analysis.KindServer, 500, 0},
		{"503", apiError(503, "", nil), analysis.KindServer, 503, 0},
		{"400", apiError(400, "invalid_request_error", nil), analysis.KindInvalid, 400, 0},
		{"404 unknown model", apiError(404, "model_not_found", nil), analysis.KindInvalid, 404, 0},
		{"401", apiError(401, "invalid_api_key", nil), analysis.KindAuth, 401, 0},
		{"403", apiError(403, "", nil), analysis.KindAuth, 403, 0},
		{"timeout", hang, analysis.KindTimeout, 0, 0},
		{"refusal", completion("", "stop", "I can't help with that."), analysis.KindSafety, 200, 0},
		{"content filter", completion("", "content_filter", ""), analysis.KindSafety, 200, 0},
		{"malformed", completion(`{"sentimentScore": 0.5, "emotional`, "length", ""), analysis.KindMalformed, 0, 0},
		{"schema violation", completion(`{"sentimentScore":-2,"confidenceLevel":0.5}`, "stop", ""), analysis.KindMalformed, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			timeout := 30 * time.Second // a loaded machine must not turn faults into timeouts
			if tc.kind == analysis.KindTimeout {
				timeout = 100 * time.Millisecond
			}
			a, fake := setup(t, openai.Config{Timeout: timeout, Now: func() time.Time { return now }})
			fake.set(tc.reply)
			_, err := a.Analyze(t.Context(), entry)
			var e *analysis.Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.StatusCode != tc.status || e.RetryAfter != tc.retryAfter {
				t.Fatalf("err = %v (%+v), want kind %s status %d retryAfter %v", err, e, tc.kind, tc.status, tc.retryAfter)
			}
			if calls, _, _ := fake.last(); calls != 1 {
				t.Errorf("%d calls, want exactly one (SDK retries off)", calls)
			}
		})
	}
}

func TestAnalyzeRepairsAFencedAnswer(t *testing.T) {
	a, fake := setup(t, openai.Config{})
	fake.set(completion("Sure! Here it is:\n```json\n"+goodAnswer+"\n```", "stop", ""))
	res, err := a.Analyze(t.Context(), entry)
	if err != nil || res.SentimentScore != 0.7 {
		t.Errorf("%+v, %v", res, err)
	}
	if _, _, auth := fake.last(); auth != "" {
		t.Errorf("sent Authorization %q without a configured key", auth)
	}
}

func TestNewRequiresBaseURLAndModel(t *testing.T) {
	if _, err := openai.New(openai.Config{Model: "m"}); err == nil {
		t.Error("no base URL accepted")
	}
	if _, err := openai.New(openai.Config{BaseURL: "http://127.0.0.1:11434/v1"}); err == nil {
		t.Error("no model accepted")
	}
}
