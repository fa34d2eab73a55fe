// Package openai analyses entries with any OpenAI-compatible chat completions
// endpoint (a local Ollama, vLLM, llama.cpp server, or OpenAI itself), asking
// for JSON that follows the shared schema.
//
// It makes its one REST call, POST {base}/chat/completions, with net/http and
// encoding/json rather than OpenAI's SDK (github.com/openai/openai-go), for idle
// memory: linking the SDK cost every server, configured or not, the pages its
// package initialisation touches (apijson.RegisterUnion for each union type). A
// program that only blank-imports it idles at 10.2 MiB file-backed RSS against
// 1.3 MiB for an empty one; without it and the Gemini SDK a fresh server idles
// at 33 MiB instead of 42, and the binary is 29 MB instead of 55. The request
// body is the one the SDK (v3.98.0) sent: testdata/request.golden.json holds a
// capture of it.
package openai

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis"
)

// DefaultTimeout bounds one call; local models on a CPU are slow.
const DefaultTimeout = 60 * time.Second

// Config configures the analyzer. No environment variable (OPENAI_API_KEY,
// OPENAI_BASE_URL…) is consulted.
type Config struct {
	BaseURL    string           // required, e.g. http://127.0.0.1:11434/v1 for Ollama
	APIKey     string           // optional: local servers usually need none
	Model      string           // required, e.g. llama3.2
	Timeout    time.Duration    // per call, default DefaultTimeout
	HTTPClient *http.Client     // default http.DefaultClient
	Now        func() time.Time // for Retry-After dates; default time.Now
}

// Analyzer makes one chat completion per Analyze, never retrying: the job
// queue retries with the shared policy and breaker. It is safe for
// concurrent use.
type Analyzer struct {
	client  *http.Client
	url     string // the chat completions endpoint
	key     string
	model   string
	timeout time.Duration
	now     func() time.Time
	schema  json.RawMessage // the shared JSON Schema, encoded once
}

// New builds an analyzer. It makes no network call.
func New(cfg Config) (*Analyzer, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, errors.New("openai: a base URL is required")
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("openai: a model name is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	endpoint, err := endpointURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("openai: %w", err)
	}
	hc := analysis.NewHTTPClient(cfg.HTTPClient)
	schema, err := json.Marshal(analysis.ResponseJSONSchema())
	if err != nil {
		return nil, fmt.Errorf("openai: encode the response schema: %w", err)
	}
	return &Analyzer{
		client:  hc,
		url:     endpoint,
		key:     cfg.APIKey,
		model:   cfg.Model,
		timeout: cfg.Timeout,
		now:     cfg.Now,
		schema:  schema,
	}, nil
}

// endpointURL resolves chat/completions against the base URL the way the
// SDK did: .../v1 and .../v1/ both give .../v1/chat/completions, and a bare
// host gives /chat/completions. A query on the base is dropped.
func endpointURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("base URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("base URL %q: want http(s)://host/path", u.Redacted())
	}
	if u.Path != "" && !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u.ResolveReference(&url.URL{Path: "chat/completions"}).String(), nil
}

// Name identifies the analyzer and its model in logs and stored analyses.
func (a *Analyzer) Name() string { return "openai:" + a.model }

// Analyze sends one entry and returns its sanitized analysis, or an
// *analysis.Error saying whether another attempt may help.
func (a *Analyzer) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()

	body, err := json.Marshal(chatRequest{
		Model: a.model,
		Messages: []message{
			{Role: "system", Content: analysis.SystemPrompt},
			{Role: "user", Content: analysis.UserPrompt(in)},
		},
		Temperature: 0.2,
		ResponseFormat: responseFormat{
			Type:       "json_schema",
			JSONSchema: jsonSchema{Name: "journal_entry_analysis", Strict: true, Schema: a.schema},
		},
	})
	if err != nil {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindInvalid, Err: fmt.Errorf("encode request: %w", err)}
	}
	header := http.Header{}
	if a.key != "" {
		header.Set("Authorization", "Bearer "+a.key)
	}
	resp, raw, err := analysis.PostJSON(ctx, a.client, a.url, header, body)
	if err != nil {
		return analysis.Result{}, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return analysis.Result{}, a.statusError(resp, raw)
	}
	var out chatResponse
	if err := json.Unmarshal(raw, &out); err != nil {
		// Not an answer the model wrote but a broken reply: worth another try.
		return analysis.Result{}, analysis.TransportError(fmt.Errorf("decode response: %w", err))
	}
	return out.result()
}

func (r *chatResponse) result() (analysis.Result, error) {
	if len(r.Choices) == 0 {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindMalformed, StatusCode: http.StatusOK,
			Err: errors.New("response has no choice")}
	}
	c := r.Choices[0]
	if c.Message.Refusal != "" || c.FinishReason == "content_filter" {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindSafety, StatusCode: http.StatusOK,
			Err: fmt.Errorf("model refused (finish reason %q)", c.FinishReason)}
	}
	res, err := analysis.ParseOutput(c.Message.Content)
	if err != nil {
		if c.FinishReason == "length" {
			err = fmt.Errorf("answer cut off at the token limit: %w", err)
		}
		return analysis.Result{}, err
	}
	return res, nil
}

// statusError classifies an HTTP error answer. OpenAI's body is
// {"error":{"message","type","param","code"}}; compatible servers vary (Ollama
// sends {"error":"…"}, a proxy may send HTML), and then the status alone decides.
func (a *Analyzer) statusError(resp *http.Response, raw []byte) *analysis.Error {
	apiErr := parseError(raw)
	err := errors.New(http.StatusText(resp.StatusCode))
	if apiErr.Message != "" {
		err = errors.New(analysis.Truncate(apiErr.Message, 500))
	}
	var retryAfter time.Duration
	// OpenAI sends milliseconds in its own header; everyone else the standard one.
	if ms, perr := strconv.ParseFloat(resp.Header.Get("Retry-After-Ms"), 64); perr == nil && ms > 0 {
		retryAfter = time.Duration(min(ms, float64(24*time.Hour/time.Millisecond)) * float64(time.Millisecond))
	} else {
		retryAfter = analysis.ParseRetryAfter(resp.Header.Get("Retry-After"), a.now())
	}
	e := analysis.StatusError(resp.StatusCode, retryAfter, err)
	// OpenAI reports an exhausted quota as 429 insufficient_quota: waiting does
	// not help, so it is an account problem, not a rate limit.
	if e.Kind == analysis.KindRateLimit && (apiErr.Code == "insufficient_quota" || apiErr.Type == "insufficient_quota") {
		e.Kind, e.RetryAfter = analysis.KindAuth, 0
	}
	return e
}

// parseError reads what it can of an error body; fields it cannot read stay empty.
func parseError(raw []byte) (e apiError) {
	var body struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(raw, &body) != nil || len(body.Error) == 0 {
		return e
	}
	if json.Unmarshal(body.Error, &e.Message) == nil { // {"error":"…"}
		return e
	}
	var obj struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"` // a string at OpenAI, a number at some servers, or null
	}
	if json.Unmarshal(body.Error, &obj) != nil {
		return e
	}
	e.Message, e.Type = obj.Message, obj.Type
	_ = json.Unmarshal(obj.Code, &e.Code) // stays empty unless a string
	return e
}

type apiError struct{ Message, Type, Code string }

// The request, as chat/completions reads it.
type chatRequest struct {
	Model          string         `json:"model"`
	Messages       []message      `json:"messages"`
	Temperature    float64        `json:"temperature"`
	ResponseFormat responseFormat `json:"response_format"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type responseFormat struct {
	Type       string     `json:"type"`
	JSONSchema jsonSchema `json:"json_schema"`
}

type jsonSchema struct {
	Name   string          `json:"name"`
	Strict bool            `json:"strict"`
	Schema json.RawMessage `json:"schema"`
}

// The answer: only the fields the analysis reads. A null content or refusal
// reads as "".
type chatResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
			Refusal string `json:"refusal"`
		} `json:"message"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
}
