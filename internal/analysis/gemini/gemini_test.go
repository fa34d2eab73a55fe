package gemini_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
	"github.com/resonant-journal/resonant/internal/analysis/fakegemini"
	"github.com/resonant-journal/resonant/internal/analysis/gemini"
)

const key = "test-key"

var entry = analysis.Input{
	Content:          "We finally talked about the chores tonight and he really listened. I feel so grateful and close to him.",
	Mood:             "hopeful",
	Tags:             []string{"home"},
	RelationshipKind: "partner",
}

func setup(t *testing.T, opts fakegemini.Options, cfg gemini.Config) (*gemini.Analyzer, *fakegemini.Server) {
	t.Helper()
	if opts.APIKey == "" {
		opts.APIKey = key
	}
	fake := fakegemini.New(opts)
	srv := httptest.NewServer(fake)
	t.Cleanup(func() { fake.Close(); srv.Close() })
	if cfg.APIKey == "" {
		cfg.APIKey = key
	}
	cfg.BaseURL = srv.URL
	cfg.HTTPClient = srv.Client()
	a, err := gemini.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a, fake
}

func TestAnalyzeReturnsSanitizedResultFromHealthyModel(t *testing.T) {
	// The SDK must ignore the environment: these would otherwise send it to
	// Vertex AI or another host.
	t.Setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
	t.Setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:1")
	t.Setenv("GOOGLE_API_KEY", "env-key")

	a, fake := setup(t, fakegemini.Options{}, gemini.Config{Model: "gemini-test"})
	res, err := a.Analyze(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	if res.SentimentScore <= 0 || res.ConfidenceLevel <= 0 || res.Reasoning == "" || len(res.EmotionalKeywords) == 0 {
		t.Errorf("result = %+v, want a positive, explained reading", res)
	}
	if a.Name() != "gemini:gemini-test" {
		t.Errorf("Name() = %q", a.Name())
	}
	if got := fake.Calls(); got.Total != 1 || got.Outcomes[fakegemini.OutcomeOK] != 1 {
		t.Errorf("calls = %+v", got)
	}

	model, body := fake.LastRequest()
	var req struct {
		SystemInstruction struct{ Parts []struct{ Text string } } `json:"systemInstruction"`
		Contents          []struct{ Parts []struct{ Text string } }
		GenerationConfig  struct {
			Temperature      float64        `json:"temperature"`
			ResponseMimeType string         `json:"responseMimeType"`
			ResponseSchema   map[string]any `json:"responseSchema"`
		} `json:"generationConfig"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	gc := req.GenerationConfig
	if model != "gemini-test" || gc.ResponseMimeType != "application/json" || gc.ResponseSchema["type"] != "OBJECT" ||
		gc.Temperature <= 0 || gc.Temperature > 0.5 {
		t.Errorf("model %q, generation config %+v", model, gc)
	}
	if !strings.Contains(string(body), `"turning_toward"`) || !strings.Contains(string(body), `"quality_time"`) {
		t.Errorf("schema does not carry the vocabularies: %s", body)
	}
	if len(req.SystemInstruction.Parts) == 0 || req.SystemInstruction.Parts[0].Text != analysis.SystemPrompt ||
		!strings.Contains(req.Contents[0].Parts[0].Text, entry.Content) {
		t.Errorf("prompt not sent as system instruction + entry: %s", body)
	}
}

func TestAnalyzeClassifiesEveryFault(t *testing.T) {
	for _, tc := range []struct {
		fault      fakegemini.Fault
		opts       fakegemini.Options
		kind       analysis.ErrorKind
		status     int
		retryable  bool
		retryAfter time.Duration
	}{
		{fault: fakegemini.Error500, kind: analysis.KindServer, status: 500, retryable: true},
		{fault: fakegemini.Error503, kind: analysis.KindServer, status: 503, retryable: true},
		{fault: fakegemini.RateLimit, kind: analysis.KindRateLimit, status: 429, retryable: true, retryAfter: 7 * time.Second},
		{fault: fakegemini.RateLimit, opts: fakegemini.Options{RetryAfter: 3 * time.Second, OmitRetryAfterHeader: true},
			kind: analysis.KindRateLimit, status: 429, retryable: true, retryAfter: 3 * time.Second},
		{fault: fakegemini.Timeout, kind: analysis.KindTimeout, retryable: true},
		{fault: fakegemini.Slow, opts: fakegemini.Options{Delay: time.Hour}, kind: analysis.KindTimeout, retryable: true},
		{fault: fakegemini.Malformed, kind: analysis.KindMalformed},
		{fault: fakegemini.SchemaViolation, kind: analysis.KindMalformed},
		{fault: fakegemini.Safety, kind: analysis.KindSafety, status: 200},
		{fault: fakegemini.SafetyFinish, kind: analysis.KindSafety, status: 200},
	} {
		t.Run(tc.fault.String(), func(t *testing.T) {
			// Only the calls meant to time out get a short deadline: a loaded
			// machine must not turn the other faults into timeouts.
			timeout := 30 * time.Second
			if tc.kind == analysis.KindTimeout {
				timeout = 100 * time.Millisecond
			}
			a, fake := setup(t, tc.opts, gemini.Config{Timeout: timeout})
			fake.SetFault(tc.fault)
			res, err := a.Analyze(context.Background(), entry)
			var e *analysis.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v (result %+v), want *analysis.Error", err, res)
			}
			if e.Kind != tc.kind || e.StatusCode != tc.status || e.Retryable() != tc.retryable || e.RetryAfter != tc.retryAfter {
				t.Errorf("got kind %s status %d retryable %v retryAfter %v; want %s %d %v %v (%v)",
					e.Kind, e.StatusCode, e.Retryable(), e.RetryAfter, tc.kind, tc.status, tc.retryable, tc.retryAfter, err)
			}
			if got := fake.Calls(); got.Total != 1 || got.Outcomes[tc.fault.String()] != 1 {
				t.Errorf("calls = %+v, want exactly one (SDK retries off)", got)
			}
		})
	}
}

func TestAnalyzeRepairsFencedAnswerAndWaitsOutSlowOne(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{Delay: 20 * time.Millisecond}, gemini.Config{Timeout: 30 * time.Second})
	for _, f := range []fakegemini.Fault{fakegemini.Fenced, fakegemini.Slow} {
		fake.SetFault(f)
		res, err := a.Analyze(context.Background(), entry)
		if err != nil || res.SentimentScore <= 0 {
			t.Errorf("%s: %+v, %v", f, res, err)
		}
	}
}

func TestAnalyzeRepairsSloppyButReadableOutput(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{}, gemini.Config{})
	fake.SetFault(fakegemini.Sloppy)
	res, err := a.Analyze(context.Background(), entry)
	if err != nil {
		t.Fatal(err)
	}
	p := res.Patterns
	if res.SentimentScore != 1 || strings.Join(res.EmotionalKeywords, ",") != "grateful,close" ||
		res.Reasoning != "This entry reads as warm." || strings.Join(p.RecurringThemes, ",") != "quality_time" ||
		strings.Join(p.EmotionalTriggers, ",") != "stress" || p.CommunicationStyle != "neutral" ||
		strings.Join(p.RelationshipDynamics, ",") != "turning_toward" {
		t.Errorf("repaired result = %+v", res)
	}
}

func TestAnalyzeRejectsWrongAndMissingKeysAsAuth(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{}, gemini.Config{APIKey: "wrong-key"})
	_, err := a.Analyze(context.Background(), entry)
	if e := analysis.AsError(err); e.Kind != analysis.KindAuth || e.StatusCode != http.StatusBadRequest || e.Retryable() {
		t.Errorf("wrong key: %v", err)
	}
	if got := fake.Calls(); got.Outcomes[fakegemini.OutcomeUnauthorized] != 1 {
		t.Errorf("calls = %+v", got)
	}
	if _, err := gemini.New(context.Background(), gemini.Config{}); err == nil {
		t.Error("New without a key succeeded")
	}
}

func TestAnalyzeRecoversAfterFailNextAndCountsEveryCall(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{}, gemini.Config{})
	fake.FailNext(2, fakegemini.Error503)
	var kinds []analysis.ErrorKind
	for range 3 {
		_, err := a.Analyze(context.Background(), entry)
		if err != nil {
			kinds = append(kinds, analysis.AsError(err).Kind)
		}
	}
	if len(kinds) != 2 || kinds[0] != analysis.KindServer || kinds[1] != analysis.KindServer {
		t.Errorf("error kinds = %v, want two server errors then success", kinds)
	}
	if got := fake.Calls(); got.Total != 3 || got.Outcomes["error_503"] != 2 || got.Outcomes[fakegemini.OutcomeOK] != 1 {
		t.Errorf("calls = %+v", got)
	}
}

func TestAnalyzeIsSafeForConcurrentCallsWithFaultsChanging(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{}, gemini.Config{Timeout: 30 * time.Second})
	fake.FailRate(0.5, fakegemini.RateLimit, 42)
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed, ok := 0, 0
	for range 20 {
		wg.Go(func() {
			_, err := a.Analyze(context.Background(), entry)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				ok++
				return
			}
			if e := analysis.AsError(err); e.Kind == analysis.KindRateLimit && e.RetryAfter == 7*time.Second {
				failed++
			}
		})
	}
	wg.Wait()
	got := fake.Calls()
	if ok+failed != 20 || got.Total != 20 || got.Outcomes["rate_limit"] != failed || failed == 0 || ok == 0 {
		t.Errorf("ok %d, rate-limited %d, calls %+v", ok, failed, got)
	}
}

func TestAnalyzeHonoursCallerCancellation(t *testing.T) {
	a, fake := setup(t, fakegemini.Options{}, gemini.Config{Timeout: time.Hour})
	fake.SetFault(fakegemini.Timeout)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := a.Analyze(ctx, entry)
	if e := analysis.AsError(err); e.Kind != analysis.KindTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}
