// Package gemini analyses entries with Google's Gemini API through the
// official SDK, asking for structured JSON output and classifying every failure
// for the pipeline's retry policy and fallback.
package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"google.golang.org/genai"

	"github.com/resonant-journal/resonant/internal/analysis"
)

// Defaults used when the Config leaves a field empty.
const (
	DefaultModel   = "gemini-2.5-flash"
	DefaultBaseURL = "https://generativelanguage.googleapis.com/"
	DefaultTimeout = 30 * time.Second
)

// Config configures the Gemini analyzer. Every field is explicit: the SDK's
// environment variables (GOOGLE_API_KEY, GOOGLE_GENAI_USE_VERTEXAI,
// GOOGLE_GEMINI_BASE_URL) are never consulted.
type Config struct {
	APIKey     string           // required
	BaseURL    string           // default DefaultBaseURL; a fake in tests and demos
	Model      string           // default DefaultModel
	Timeout    time.Duration    // per call, default DefaultTimeout
	HTTPClient *http.Client     // default a client with http.DefaultTransport
	Now        func() time.Time // for Retry-After dates; default time.Now
}

// Analyzer calls generateContent once per Analyze: the SDK's own retries stay
// off because the job queue retries with the shared policy and breaker.
// It is safe for concurrent use.
type Analyzer struct {
	client  *genai.Client
	model   string
	timeout time.Duration
	now     func() time.Time
	schema  *genai.Schema // read-only once built
}

// New builds an analyzer. It makes no network call.
func New(ctx context.Context, cfg Config) (*Analyzer, error) {
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("gemini: an API key is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		*hc = *cfg.HTTPClient // a copy: the caller's client keeps its own transport
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = retryAfterRecorder{base}

	client, err := genai.NewClient(ctx, &genai.ClientConfig{
		APIKey:     cfg.APIKey,
		Backend:    genai.BackendGeminiAPI,
		HTTPClient: hc,
		HTTPOptions: genai.HTTPOptions{
			BaseURL:    cfg.BaseURL,
			APIVersion: "v1beta",
			// RetryOptions stays nil: one HTTP request per Analyze.
		},
	})
	if err != nil {
		return nil, fmt.Errorf("gemini: %w", err)
	}
	return &Analyzer{
		client:  client,
		model:   cfg.Model,
		timeout: cfg.Timeout,
		now:     cfg.Now,
		schema:  toSchema(analysis.ResponseJSONSchema()),
	}, nil
}

// generateConfig is built afresh for every call because the SDK fills in
// defaults on the config it is given, which would race between calls.
func (a *Analyzer) generateConfig() *genai.GenerateContentConfig {
	return &genai.GenerateContentConfig{
		SystemInstruction: &genai.Content{Role: genai.RoleUser, Parts: []*genai.Part{{Text: analysis.SystemPrompt}}},
		// Low but not zero: a reading should be stable across retries without
		// the repetition loops greedy decoding can fall into.
		Temperature:      genai.Ptr[float32](0.2),
		CandidateCount:   1,
		ResponseMIMEType: "application/json",
		ResponseSchema:   a.schema,
		// A structured reading of one entry gains little from thinking, which
		// Flash models do by default at a cost in latency and tokens.
		ThinkingConfig: &genai.ThinkingConfig{ThinkingBudget: genai.Ptr[int32](0)},
	}
}

// Name identifies the analyzer and its model in logs and stored analyses.
func (a *Analyzer) Name() string { return "gemini:" + a.model }

// Analyze sends one entry and returns its sanitized analysis, or an
// *analysis.Error saying whether another attempt may help.
func (a *Analyzer) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	sink := new(headerSink)
	ctx = context.WithValue(ctx, sinkKey{}, sink)

	resp, err := a.client.Models.GenerateContent(ctx, a.model, genai.Text(analysis.UserPrompt(in)), a.generateConfig())
	if err != nil {
		return analysis.Result{}, a.classify(err, sink)
	}
	if pf := resp.PromptFeedback; pf != nil && pf.BlockReason != "" {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindSafety, StatusCode: http.StatusOK,
			Err: fmt.Errorf("prompt blocked: %s", pf.BlockReason)}
	}
	if len(resp.Candidates) == 0 || resp.Candidates[0] == nil {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindMalformed, StatusCode: http.StatusOK,
			Err: errors.New("response has no candidate")}
	}
	c := resp.Candidates[0]
	if safetyFinish(c.FinishReason) {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindSafety, StatusCode: http.StatusOK,
			Err: fmt.Errorf("answer blocked: finish reason %s", c.FinishReason)}
	}
	res, err := analysis.ParseOutput(candidateText(c))
	if err != nil {
		if c.FinishReason == genai.FinishReasonMaxTokens {
			err = fmt.Errorf("answer cut off at the token limit: %w", err)
		}
		return analysis.Result{}, err
	}
	return res, nil
}

func (a *Analyzer) classify(err error, sink *headerSink) *analysis.Error {
	var apiErr genai.APIError
	if !errors.As(err, &apiErr) {
		return analysis.TransportError(err)
	}
	retryAfter := analysis.ParseRetryAfter(sink.get(), a.now())
	if retryAfter == 0 {
		retryAfter = retryDelay(apiErr.Details)
	}
	e := analysis.StatusError(apiErr.Code, retryAfter, err)
	// Gemini answers an invalid key with 400 INVALID_ARGUMENT; its ErrorInfo
	// reason tells it apart from a bad request.
	if e.Kind == analysis.KindInvalid && errorReason(apiErr.Details) == "API_KEY_INVALID" {
		e.Kind = analysis.KindAuth
	}
	return e
}

func safetyFinish(r genai.FinishReason) bool {
	switch r {
	case genai.FinishReasonSafety, genai.FinishReasonProhibitedContent, genai.FinishReasonBlocklist,
		genai.FinishReasonSPII, genai.FinishReasonImageSafety:
		return true
	}
	return false
}

// candidateText joins the answer's text parts, skipping thoughts.
func candidateText(c *genai.Candidate) string {
	if c.Content == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range c.Content.Parts {
		if p != nil && !p.Thought {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// retryDelay reads google.rpc.RetryInfo from an error's details, Gemini's
// own way of saying when to come back ("retryDelay": "7s").
func retryDelay(details []map[string]any) time.Duration {
	for _, d := range details {
		if t, _ := d["@type"].(string); !strings.HasSuffix(t, "google.rpc.RetryInfo") {
			continue
		}
		s, _ := d["retryDelay"].(string)
		if v, err := time.ParseDuration(s); err == nil && v > 0 {
			return min(v, 24*time.Hour)
		}
	}
	return 0
}

func errorReason(details []map[string]any) string {
	for _, d := range details {
		if t, _ := d["@type"].(string); strings.HasSuffix(t, "google.rpc.ErrorInfo") {
			r, _ := d["reason"].(string)
			return r
		}
	}
	return ""
}

// The SDK's APIError drops the response headers, so a transport wrapper keeps
// the one header the retry policy needs, in a holder carried by the request's
// context (one per Analyze call: concurrent calls do not share it).
type sinkKey struct{}

type headerSink struct{ retryAfter string }

func (s *headerSink) get() string { return s.retryAfter }

type retryAfterRecorder struct{ base http.RoundTripper }

func (t retryAfterRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if s, ok := req.Context().Value(sinkKey{}).(*headerSink); ok {
			s.retryAfter = resp.Header.Get("Retry-After")
		}
	}
	return resp, err
}

// toSchema converts the shared JSON Schema into the SDK's OpenAPI-subset
// Schema, so both LLM analyzers ask for exactly the same shape.
func toSchema(m map[string]any) *genai.Schema {
	s := &genai.Schema{Description: str(m["description"])}
	switch str(m["type"]) {
	case "object":
		s.Type = genai.TypeObject
	case "array":
		s.Type = genai.TypeArray
	case "number":
		s.Type = genai.TypeNumber
	case "integer":
		s.Type = genai.TypeInteger
	case "boolean":
		s.Type = genai.TypeBoolean
	default:
		s.Type = genai.TypeString
	}
	if e, ok := m["enum"].([]string); ok {
		s.Enum = e
	}
	if r, ok := m["required"].([]string); ok {
		s.Required = r
		s.PropertyOrdering = r // answer fields in the order the prompt lists them
	}
	if v, ok := number(m["minimum"]); ok {
		s.Minimum = &v
	}
	if v, ok := number(m["maximum"]); ok {
		s.Maximum = &v
	}
	if v, ok := number(m["maxItems"]); ok {
		s.MaxItems = genai.Ptr(int64(v))
	}
	if items, ok := m["items"].(map[string]any); ok {
		s.Items = toSchema(items)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		s.Properties = make(map[string]*genai.Schema, len(props))
		for k, v := range props {
			s.Properties[k] = toSchema(v.(map[string]any))
		}
	}
	return s
}

func str(v any) string { s, _ := v.(string); return s }

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
