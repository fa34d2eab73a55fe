// Package gemini analyses entries with Google's Gemini API, asking for
// structured JSON output and classifying every failure for the pipeline's
// retry policy and fallback.
//
// It makes its one REST call, POST {base}v1beta/models/{model}:generateContent,
// with net/http and encoding/json rather than Google's SDK (google.golang.org/genai),
// for idle memory: linking the SDK cost every server, configured or not, the
// pages its package initialisation touches (gRPC and protobuf descriptors). A
// program that only blank-imports it idles at 9.3 MiB file-backed RSS against
// 1.3 MiB for an empty one; without it and the OpenAI SDK a fresh server idles
// at 33 MiB instead of 42, and the binary is 29 MB instead of 55. The request
// body is the one the SDK (v1.77.0) sent: testdata/request.golden.json holds a
// capture of it.
package gemini

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
)

// Defaults used when the Config leaves a field empty.
const (
	DefaultModel   = "gemini-2.5-flash"
	DefaultBaseURL = "https://generativelanguage.googleapis.com/"
	DefaultTimeout = 30 * time.Second
)

// apiVersion is the REST version generateContent is called under.
const apiVersion = "v1beta"

// Config configures the Gemini analyzer. Every field is explicit: no
// environment variable (GOOGLE_API_KEY, GOOGLE_GEMINI_BASE_URL…) is consulted.
type Config struct {
	APIKey     string           // required
	BaseURL    string           // default DefaultBaseURL; a fake in tests and demos
	Model      string           // default DefaultModel
	Timeout    time.Duration    // per call, default DefaultTimeout
	HTTPClient *http.Client     // default a client with http.DefaultTransport
	Now        func() time.Time // for Retry-After dates; default time.Now
}

// Analyzer calls generateContent once per Analyze, never retrying: the job
// queue retries with the shared policy and breaker. It is safe for
// concurrent use.
type Analyzer struct {
	client  *http.Client
	url     string // the generateContent endpoint
	key     string
	model   string
	timeout time.Duration
	now     func() time.Time
	config  generationConfig // read-only once built
}

// New builds an analyzer. It makes no network call.
func New(_ context.Context, cfg Config) (*Analyzer, error) {
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
	endpoint, err := endpointURL(cfg.BaseURL, cfg.Model)
	if err != nil {
		return nil, fmt.Errorf("gemini: %w", err)
	}
	hc := analysis.NewHTTPClient(cfg.HTTPClient)
	return &Analyzer{
		client:  hc,
		url:     endpoint,
		key:     cfg.APIKey,
		model:   cfg.Model,
		timeout: cfg.Timeout,
		now:     cfg.Now,
		config: generationConfig{
			// Low but not zero: a reading should be stable across retries
			// without the repetition loops greedy decoding can fall into.
			Temperature:      0.2,
			CandidateCount:   1,
			ResponseMIMEType: "application/json",
			ResponseSchema:   toSchema(analysis.ResponseJSONSchema()),
			// A structured reading of one entry gains little from thinking,
			// which Flash models do by default at a cost in latency and tokens.
			ThinkingConfig: thinkingConfig{ThinkingBudget: 0},
		},
	}, nil
}

// endpointURL joins the base URL, the API version and the model's resource
// name the way the SDK did: "gemini-x" is models/gemini-x, while names that
// already say models/ or tunedModels/ are kept.
func endpointURL(base, model string) (string, error) {
	if !validModel(model) {
		return "", fmt.Errorf("invalid model name %q", model)
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q: want http(s)://host/", u.Redacted())
	}
	if !strings.HasPrefix(model, "models/") && !strings.HasPrefix(model, "tunedModels/") {
		model = "models/" + model
	}
	return u.JoinPath(apiVersion, model+":generateContent").String(), nil
}

// validModel accepts resource names such as gemini-2.5-flash,
// models/gemini-2.5-flash or tunedModels/my-model-123: nothing that could
// escape the path or change the query.
func validModel(m string) bool {
	if m == "" || strings.Contains(m, "..") || strings.HasPrefix(m, "/") {
		return false
	}
	for _, r := range m {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-/", r)) {
			return false
		}
	}
	return true
}

// Name identifies the analyzer and its model in logs and stored analyses.
func (a *Analyzer) Name() string { return "gemini:" + a.model }

// Analyze sends one entry and returns its sanitized analysis, or an
// *analysis.Error saying whether another attempt may help.
func (a *Analyzer) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()

	body, err := json.Marshal(generateRequest{
		SystemInstruction: content{Role: "user", Parts: []part{{Text: analysis.SystemPrompt}}},
		Contents:          []content{{Role: "user", Parts: []part{{Text: analysis.UserPrompt(in)}}}},
		GenerationConfig:  &a.config,
	})
	if err != nil {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindInvalid, Err: fmt.Errorf("encode request: %w", err)}
	}
	header := http.Header{"X-Goog-Api-Key": {a.key}}
	if deadline, ok := ctx.Deadline(); ok {
		// Tells Google's front end how long we wait, as the SDK did.
		header.Set("x-server-timeout", strconv.FormatInt(int64(math.Ceil(time.Until(deadline).Seconds())), 10))
	}
	resp, raw, err := analysis.PostJSON(ctx, a.client, a.url, header, body)
	if err != nil {
		return analysis.Result{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return analysis.Result{}, a.statusError(resp, raw)
	}
	var out generateResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		// Not an answer the model wrote but a broken reply: worth another try.
		return analysis.Result{}, analysis.TransportError(fmt.Errorf("decode response: %w", err))
	}
	return out.result()
}

func (r *generateResponse) result() (analysis.Result, error) {
	if pf := r.PromptFeedback; pf != nil && pf.BlockReason != "" {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindSafety, StatusCode: http.StatusOK,
			Err: fmt.Errorf("prompt blocked: %s", pf.BlockReason)}
	}
	if len(r.Candidates) == 0 {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindMalformed, StatusCode: http.StatusOK,
			Err: errors.New("response has no candidate")}
	}
	c := r.Candidates[0]
	if safetyFinish(c.FinishReason) {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindSafety, StatusCode: http.StatusOK,
			Err: fmt.Errorf("answer blocked: finish reason %s", c.FinishReason)}
	}
	res, err := analysis.ParseOutput(c.text())
	if err != nil {
		if c.FinishReason == "MAX_TOKENS" {
			err = fmt.Errorf("answer cut off at the token limit: %w", err)
		}
		return analysis.Result{}, err
	}
	return res, nil
}

// statusError classifies an HTTP error answer. The body is Google's
// {"error":{"code","message","status","details"}} when it came from the API;
// from a proxy it may be anything, and then the status alone decides.
func (a *Analyzer) statusError(resp *http.Response, raw []byte) *analysis.Error {
	var body errorBody
	_ = json.Unmarshal(raw, &body) // best effort: see above
	var apiErr apiError
	if body.Error != nil {
		apiErr = *body.Error
	}
	err := errors.New(http.StatusText(resp.StatusCode))
	if apiErr.Status != "" || apiErr.Message != "" {
		err = fmt.Errorf("%s: %s", apiErr.Status, analysis.Truncate(apiErr.Message, 500))
	}
	retryAfter := analysis.ParseRetryAfter(resp.Header.Get("Retry-After"), a.now())
	if retryAfter == 0 {
		retryAfter = apiErr.retryDelay()
	}
	e := analysis.StatusError(resp.StatusCode, retryAfter, err)
	// Gemini answers an invalid key with 400 INVALID_ARGUMENT; its ErrorInfo
	// reason tells it apart from a bad request.
	if e.Kind == analysis.KindInvalid && apiErr.reason() == "API_KEY_INVALID" {
		e.Kind = analysis.KindAuth
	}
	return e
}

func safetyFinish(r string) bool {
	switch r {
	case "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY":
		return true
	}
	return false
}

// The request, as generateContent reads it.
type generateRequest struct {
	SystemInstruction content           `json:"systemInstruction"`
	Contents          []content         `json:"contents"`
	GenerationConfig  *generationConfig `json:"generationConfig"`
}

type content struct {
	Role  string `json:"role,omitempty"`
	Parts []part `json:"parts"`
}

type part struct {
	Text    string `json:"text"`
	Thought bool   `json:"thought,omitempty"`
}

type generationConfig struct {
	Temperature      float64        `json:"temperature"`
	CandidateCount   int            `json:"candidateCount"`
	ResponseMIMEType string         `json:"responseMimeType"`
	ResponseSchema   *schema        `json:"responseSchema"`
	ThinkingConfig   thinkingConfig `json:"thinkingConfig"`
}

type thinkingConfig struct {
	ThinkingBudget int `json:"thinkingBudget"`
}

// schema is the OpenAPI subset Gemini's responseSchema takes, with its types
// in upper case.
type schema struct {
	Type             string             `json:"type"`
	Description      string             `json:"description,omitempty"`
	Enum             []string           `json:"enum,omitempty"`
	Required         []string           `json:"required,omitempty"`
	PropertyOrdering []string           `json:"propertyOrdering,omitempty"`
	Minimum          *float64           `json:"minimum,omitempty"`
	Maximum          *float64           `json:"maximum,omitempty"`
	MaxItems         *int64             `json:"maxItems,omitempty"`
	Items            *schema            `json:"items,omitempty"`
	Properties       map[string]*schema `json:"properties,omitempty"`
}

// The answer: only the fields the analysis reads.
type generateResponse struct {
	Candidates []candidate `json:"candidates"`
	// PromptFeedback says why no candidate came back when the prompt was blocked.
	PromptFeedback *struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
}

type candidate struct {
	Content      *content `json:"content"`
	FinishReason string   `json:"finishReason"`
}

// text joins the answer's text parts, skipping thoughts.
func (c *candidate) text() string {
	if c.Content == nil {
		return ""
	}
	var b strings.Builder
	for _, p := range c.Content.Parts {
		if !p.Thought {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

type errorBody struct {
	Error *apiError `json:"error"`
}

type apiError struct {
	Code    int           `json:"code"`
	Message string        `json:"message"`
	Status  string        `json:"status"`
	Details []errorDetail `json:"details"`
}

// errorDetail holds the fields of the google.rpc details the
// classification reads: RetryInfo's retryDelay and ErrorInfo's reason.
type errorDetail struct {
	Type       string `json:"@type"`
	RetryDelay string `json:"retryDelay"`
	Reason     string `json:"reason"`
}

// retryDelay reads google.rpc.RetryInfo, Gemini's own way of saying when to
// come back ("retryDelay": "7s").
func (e *apiError) retryDelay() time.Duration {
	for _, d := range e.Details {
		if !strings.HasSuffix(d.Type, "google.rpc.RetryInfo") {
			continue
		}
		if v, err := time.ParseDuration(d.RetryDelay); err == nil && v > 0 {
			return min(v, 24*time.Hour)
		}
	}
	return 0
}

func (e *apiError) reason() string {
	for _, d := range e.Details {
		if strings.HasSuffix(d.Type, "google.rpc.ErrorInfo") {
			return d.Reason
		}
	}
	return ""
}

// toSchema converts the shared JSON Schema into Gemini's OpenAPI-subset
// schema, so both LLM analyzers ask for exactly the same shape.
func toSchema(m map[string]any) *schema {
	s := &schema{Description: str(m["description"])}
	switch str(m["type"]) {
	case "object":
		s.Type = "OBJECT"
	case "array":
		s.Type = "ARRAY"
	case "number":
		s.Type = "NUMBER"
	case "integer":
		s.Type = "INTEGER"
	case "boolean":
		s.Type = "BOOLEAN"
	default:
		s.Type = "STRING"
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
		n := int64(v)
		s.MaxItems = &n
	}
	if items, ok := m["items"].(map[string]any); ok {
		s.Items = toSchema(items)
	}
	if props, ok := m["properties"].(map[string]any); ok {
		s.Properties = make(map[string]*schema, len(props))
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
