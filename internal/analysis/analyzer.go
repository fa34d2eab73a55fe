// Package analysis turns journal entries into analyses: the pipeline job,
// the shared circuit breaker, the retry policy, and the analyzers behind one
// interface (gemini/, openai/ and the built-in offline/).
package analysis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/resonant-journal/resonant/internal/analysis/offline"
)

// Input is what an analyzer sees of an entry. It never carries ids or
// anything beyond what the analysis needs.
type Input struct {
	Content          string
	Mood             string
	Tags             []string
	RelationshipKind string // partner, family, friend, colleague, other
}

// Result is every analyzer's output. Its shape (and vocabularies) is the
// offline analyzer's, so LLM output is validated against the same words.
type Result = offline.Result

// Patterns is the spec's patterns object.
type Patterns = offline.Patterns

// Behaviour is one entry of patterns.behaviours: a behaviour, who did it and the
// sentence that shows it.
type Behaviour = offline.Behaviour

// Analyzer analyses one entry.
type Analyzer interface {
	// Name identifies the analyzer in logs and in the stored analysis
	// (e.g. "gemini:gemini-2.5-flash", "offline").
	Name() string
	Analyze(ctx context.Context, in Input) (Result, error)
}

// ErrorKind classifies an external analyzer's failure for the retry policy
// and the fallback reason.
type ErrorKind string

// The failure kinds.
const (
	KindTimeout   ErrorKind = "timeout"    // deadline exceeded, connection reset mid-call: retry
	KindRateLimit ErrorKind = "rate_limit" // 429: retry, honouring RetryAfter
	KindServer    ErrorKind = "server"     // 5xx: retry
	KindInvalid   ErrorKind = "invalid"    // 400, bad request: do not retry
	KindAuth      ErrorKind = "auth"       // 401/403, invalid key: do not retry
	KindSafety    ErrorKind = "safety"     // blocked by the provider's safety filters: do not retry
	KindMalformed ErrorKind = "malformed"  // output not valid JSON / schema even after one repair: do not retry
)

// Error is an external analyzer's classified failure.
type Error struct {
	Kind       ErrorKind
	StatusCode int           // HTTP status, when there was one
	RetryAfter time.Duration // from a Retry-After header, when present
	Err        error
}

func (e *Error) Error() string {
	if e.StatusCode != 0 {
		return fmt.Sprintf("analyzer %s (HTTP %d): %v", e.Kind, e.StatusCode, e.Err)
	}
	return fmt.Sprintf("analyzer %s: %v", e.Kind, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether another attempt may succeed.
func (e *Error) Retryable() bool {
	switch e.Kind {
	case KindTimeout, KindRateLimit, KindServer:
		return true
	}
	return false
}

// AsError extracts the classified error; an unclassified error counts as a
// retryable server failure (a transport error we did not anticipate).
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Kind: KindTimeout, Err: err}
	}
	return &Error{Kind: KindServer, Err: err}
}
