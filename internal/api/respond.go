package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/resonant-journal/resonant/internal/accounts"
	"github.com/resonant-journal/resonant/internal/store"
	"github.com/resonant-journal/resonant/internal/validate"
)

// MaxBodyBytes bounds a JSON request body unless a handler says otherwise.
// An entry is at most 10,000 characters (≤ 40 KB of UTF-8) plus fields.
const MaxBodyBytes = 64 << 10

// errorBody is the API's error format (API.md "Errors").
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if v == nil {
		return
	}
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes the API error format.
func writeError(w http.ResponseWriter, status int, code, message string, fields map[string]string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message, Fields: fields}})
}

// writeServiceError maps a service error to the API's status codes; anything
// unexpected is logged and answered 500 without internals.
func (a *API) writeServiceError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		verr validate.Errors
		rl   *accounts.RateLimitedError
	)
	switch {
	case errors.As(err, &verr):
		writeError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid", verr)
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "not found", nil)
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", conflictMessage(err), nil)
	case errors.Is(err, accounts.ErrInvalidCredentials):
		writeError(w, http.StatusUnauthorized, "invalid_credentials", "email or password is not correct", nil)
	case errors.Is(err, accounts.ErrEmailNotVerified):
		writeError(w, http.StatusForbidden, "email_not_verified", "verify your email address before signing in; we sent you a link", nil)
	case errors.Is(err, accounts.ErrUnauthenticated):
		writeError(w, http.StatusUnauthorized, "unauthenticated", "sign in or send a personal access token", nil)
	case errors.As(err, &rl):
		secs := int(rl.Wait.Round(time.Second) / time.Second)
		if secs < 1 {
			secs = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many attempts; try again later", nil)
	default:
		a.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
		writeError(w, http.StatusInternalServerError, "internal", "something went wrong on our side", nil)
	}
}

func conflictMessage(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "+store.ErrConflict.Error()); i > 0 {
		return msg[:i]
	}
	return "conflict"
}

// decodeJSON reads a JSON object into dst: unknown fields are rejected,
// trailing data is an error, and bodies over limit bytes answer 413. It
// writes the error response itself and reports whether decoding succeeded.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, limit int64) bool {
	if limit <= 0 {
		limit = MaxBodyBytes
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send a JSON body with Content-Type: application/json", nil)
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		writeDecodeError(w, err)
		return false
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		writeError(w, http.StatusBadRequest, "malformed_json", "the body must hold exactly one JSON object", nil)
		return false
	}
	return true
}

func writeDecodeError(w http.ResponseWriter, err error) {
	var (
		tooBig  *http.MaxBytesError
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		writeError(w, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body must be at most %d bytes", tooBig.Limit), nil)
	case errors.As(err, &typeErr) && typeErr.Field != "":
		writeError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid",
			map[string]string{typeErr.Field: "must be " + jsonKind(typeErr.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		writeError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid", map[string]string{field: "is not a known field"})
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		writeError(w, http.StatusBadRequest, "malformed_json", "the body is not valid JSON", nil)
	default:
		writeError(w, http.StatusBadRequest, "malformed_json", "the body could not be read as JSON", nil)
	}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return "a number"
	}
}
