// Package analysis is the analyzer contract: what an analyzer reads (Input),
// what it returns (Result, Patterns and their vocabularies), how it fails
// (Error and its kinds, with the HTTP classification LLM adapters share),
// the prompt LLM analyzers send, and Sanitize, which every result passes
// before it is stored. It imports nothing else of Resonant's, so analyzers
// (offline/, gemini/, openai/) depend on the contract alone; the River
// worker that runs them lives in analysis/pipeline.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Input is what an analyzer sees of an entry. It never carries ids or
// anything beyond what the analysis needs.
type Input struct {
	Content          string
	Mood             string
	Tags             []string
	RelationshipKind string // partner, family, friend, colleague, other
}

// Result is every analyzer's output, mapped 1:1 to the API's analysis
// fields. LLM output and the offline analyzer's use the same vocabularies
// (vocab.go), and Sanitize checks them word for word.
type Result struct {
	SentimentScore    float64  `json:"sentimentScore"`    // [-1, 1]
	EmotionalKeywords []string `json:"emotionalKeywords"` // never nil (empty slice)
	ConfidenceLevel   float64  `json:"confidenceLevel"`   // [0, 1]
	Reasoning         string   `json:"reasoning"`
	Patterns          Patterns `json:"patterns"`
}

// Patterns is the spec's patterns object: the relationship patterns found in
// an entry. Every value comes from the vocabularies returned by Themes,
// Triggers, CommunicationStyles, Dynamics, Behaviours and Actors.
type Patterns struct {
	RecurringThemes      []string `json:"recurring_themes"`      // never nil
	EmotionalTriggers    []string `json:"emotional_triggers"`    // never nil
	CommunicationStyle   string   `json:"communication_style"`   // one of CommunicationStyles
	RelationshipDynamics []string `json:"relationship_dynamics"` // never nil
	// Behaviours says, for each Gottman behaviour found (a value of Behaviours()), who
	// did it and the sentence that shows it. Never nil; LLM analyzers may leave it empty.
	Behaviours []Behaviour `json:"behaviours"`
}

// Behaviour is one entry of patterns.behaviours: a relationship behaviour the entry
// describes as having happened, who did it and the sentence that shows it.
type Behaviour struct {
	Label    string `json:"label"`    // one of Behaviours()
	Actor    string `json:"actor"`    // one of Actors(): writer, other or both
	Evidence string `json:"evidence"` // the sentence that shows it, as written
}

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
