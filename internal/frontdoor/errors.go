package frontdoor

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// Problem is a service error classified for an HTTP answer. The JSON API
// writes it in its error format (WriteProblemJSON); web pages render
// Message (and Fields next to their inputs).
type Problem struct {
	Status  int
	Code    string            // machine-readable, e.g. "validation_failed"
	Message string            // for people
	Fields  map[string]string // per-field messages of a validation failure
	// RetryAfter is how long a rate-limited caller should wait (0: not rate limited).
	RetryAfter time.Duration
	// Internal marks an unexpected error: log it, answer without details.
	Internal bool
}

// Classify maps a service error to its HTTP answer; anything it does not
// know is a 500 with Internal set.
func Classify(err error) Problem {
	var (
		verr validate.Errors
		rl   *accounts.RateLimitedError
	)
	switch {
	case errors.As(err, &verr):
		return Problem{Status: http.StatusBadRequest, Code: "validation_failed", Message: "some fields are not valid", Fields: verr}
	case errors.Is(err, store.ErrNotFound):
		return Problem{Status: http.StatusNotFound, Code: "not_found", Message: "not found"}
	case errors.Is(err, store.ErrConflict):
		return Problem{Status: http.StatusConflict, Code: "conflict", Message: conflictMessage(err)}
	case errors.Is(err, accounts.ErrInvalidCredentials):
		return Problem{Status: http.StatusUnauthorized, Code: "invalid_credentials", Message: "email or password is not correct"}
	case errors.Is(err, accounts.ErrEmailNotVerified):
		return Problem{Status: http.StatusForbidden, Code: "email_not_verified", Message: "verify your email address before signing in; we sent you a link"}
	case errors.Is(err, accounts.ErrUnauthenticated):
		return Problem{Status: http.StatusUnauthorized, Code: "unauthenticated", Message: "sign in or send a personal access token"}
	case errors.As(err, &rl):
		wait := rl.Wait.Round(time.Second)
		if wait < time.Second {
			wait = time.Second
		}
		return Problem{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "too many attempts; try again later", RetryAfter: wait}
	default:
		return Problem{Status: http.StatusInternalServerError, Code: "internal", Message: "something went wrong on our side", Internal: true}
	}
}

// conflictMessage is the message a service wrote for people
// (store.ConflictError); a bare store.ErrConflict, wrapped by Go call
// chains meant for logs, gets a general one instead of its text.
func conflictMessage(err error) string {
	var ce *store.ConflictError
	if errors.As(err, &ce) && ce.Message != "" {
		return ce.Message
	}
	return "this conflicts with something that changed or already exists; reload and try again"
}

// LogInternal logs p's error when it is an unexpected one.
func (d *Door) LogInternal(r *http.Request, p Problem, err error) {
	if p.Internal {
		d.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
}

// WriteError classifies err and writes it in the JSON error format,
// logging unexpected errors (which are answered without internals).
func (d *Door) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	p := Classify(err)
	d.LogInternal(r, p, err)
	WriteProblemJSON(w, p)
}

// WriteProblemJSON writes p in the JSON error format, with Retry-After
// when it is set.
func WriteProblemJSON(w http.ResponseWriter, p Problem) {
	if p.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(p.RetryAfter/time.Second)))
	}
	WriteJSONError(w, p.Status, p.Code, p.Message, p.Fields)
}

// errorBody is the API's error format (API.md "Errors").
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// WriteJSON writes v as JSON with status, never cached.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// WriteJSONError writes the API error format.
func WriteJSONError(w http.ResponseWriter, status int, code, message string, fields map[string]string) {
	WriteJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message, Fields: fields}})
}
