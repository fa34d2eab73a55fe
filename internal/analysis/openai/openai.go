// Package openai analyses entries with any OpenAI-compatible chat completions
// endpoint (a local Ollama, vLLM, llama.cpp server, or OpenAI itself) through
// the official SDK, asking for JSON that follows the shared schema.
package openai

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	oai "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/resonant-journal/resonant/internal/analysis"
)

// DefaultTimeout bounds one call; local models on a CPU are slow.
const DefaultTimeout = 60 * time.Second

// Config configures the analyzer. The SDK's environment variables
// (OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID…) are never consulted.
type Config struct {
	BaseURL    string           // required, e.g. http://127.0.0.1:11434/v1 for Ollama
	APIKey     string           // optional: local servers usually need none
	Model      string           // required, e.g. llama3.2
	Timeout    time.Duration    // per call, default DefaultTimeout
	HTTPClient *http.Client     // default http.DefaultClient
	Now        func() time.Time // for Retry-After dates; default time.Now
}

// Analyzer makes one chat completion per Analyze, with the SDK's retries off:
// the job queue retries with the shared policy and breaker. It is safe for
// concurrent use.
type Analyzer struct {
	chat    oai.ChatCompletionService
	model   string
	timeout time.Duration
	now     func() time.Time
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
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithHTTPClient(cfg.HTTPClient),
		option.WithMaxRetries(0),
	}
	if cfg.APIKey != "" {
		opts = append(opts, option.WithAPIKey(cfg.APIKey))
	}
	// The service, not oai.NewClient: the client would read OPENAI_* variables.
	return &Analyzer{
		chat:    oai.NewChatCompletionService(opts...),
		model:   cfg.Model,
		timeout: cfg.Timeout,
		now:     cfg.Now,
	}, nil
}

// Name identifies the analyzer and its model in logs and stored analyses.
func (a *Analyzer) Name() string { return "openai:" + a.model }

// Analyze sends one entry and returns its sanitized analysis, or an
// *analysis.Error saying whether another attempt may help.
func (a *Analyzer) Analyze(ctx context.Context, in analysis.Input) (analysis.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, a.timeout)
	defer cancel()
	resp, err := a.chat.New(ctx, oai.ChatCompletionNewParams{
		Model: a.model,
		Messages: []oai.ChatCompletionMessageParamUnion{
			oai.SystemMessage(analysis.SystemPrompt),
			oai.UserMessage(analysis.UserPrompt(in)),
		},
		Temperature: oai.Float(0.2),
		ResponseFormat: oai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name:   "journal_entry_analysis",
					Strict: oai.Bool(true),
					Schema: analysis.ResponseJSONSchema(),
				},
			},
		},
	})
	if err != nil {
		return analysis.Result{}, a.classify(err)
	}
	if len(resp.Choices) == 0 {
		return analysis.Result{}, &analysis.Error{Kind: analysis.KindMalformed, StatusCode: http.StatusOK,
			Err: errors.New("response has no choice")}
	}
	c := resp.Choices[0]
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

func (a *Analyzer) classify(err error) *analysis.Error {
	var apiErr *oai.Error
	if !errors.As(err, &apiErr) {
		return analysis.TransportError(err)
	}
	var retryAfter time.Duration
	if r := apiErr.Response; r != nil {
		// OpenAI sends milliseconds in its own header; everyone else the standard one.
		if ms, perr := strconv.ParseFloat(r.Header.Get("Retry-After-Ms"), 64); perr == nil && ms > 0 {
			retryAfter = min(time.Duration(ms*float64(time.Millisecond)), 24*time.Hour)
		} else {
			retryAfter = analysis.ParseRetryAfter(r.Header.Get("Retry-After"), a.now())
		}
	}
	e := analysis.StatusError(apiErr.StatusCode, retryAfter, err)
	// OpenAI reports an exhausted quota as 429 insufficient_quota: waiting does
	// not help, so it is an account problem, not a rate limit.
	if e.Kind == analysis.KindRateLimit && apiErr.Code == "insufficient_quota" {
		e.Kind, e.RetryAfter = analysis.KindAuth, 0
	}
	return e
}
