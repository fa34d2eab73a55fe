package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/resonant-journal/resonant/internal/frontdoor"
	"github.com/resonant-journal/resonant/internal/validate"
)

// MaxBodyBytes bounds a JSON request body unless a handler says otherwise.
// An entry is at most 10,000 characters (≤ 40 KB of UTF-8) plus fields.
const MaxBodyBytes = 64 << 10

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) { frontdoor.WriteJSON(w, status, v) }

// writeError writes the API error format.
func writeError(w http.ResponseWriter, status int, code, message string, fields map[string]string) {
	frontdoor.WriteJSONError(w, status, code, message, fields)
}

// writeServiceError answers a service error as frontdoor classifies it;
// anything unexpected is logged and answered 500 without internals.
func (a *API) writeServiceError(w http.ResponseWriter, r *http.Request, err error) {
	a.door.WriteError(w, r, err)
}

// decodeJSON reads a JSON object into dst: unknown fields are rejected,
// trailing data is an error, and bodies over limit bytes answer 413. It
// writes the error response itself and reports whether decoding succeeded.
func decodeJSON(w http.ResponseWriter, r *http.Request, dst any, limit int64) bool {
	return decodeBody(w, r, dst, limit, false)
}

// decodeOptionalJSON is decodeJSON for endpoints whose body may be left
// out: an empty body leaves dst as it is.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, dst any, limit int64) bool {
	return decodeBody(w, r, dst, limit, true)
}

func decodeBody(w http.ResponseWriter, r *http.Request, dst any, limit int64, optional bool) bool {
	if limit <= 0 {
		limit = MaxBodyBytes
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send a JSON body with Content-Type: application/json", nil)
		return false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeDecodeError(w, err)
		return false
	}
	if optional && len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	// Bad text is refused before encoding/json would replace it with
	// U+FFFD: text is stored exactly as sent or not at all.
	if errs := validate.JSONText(body); errs != nil {
		writeError(w, http.StatusBadRequest, "validation_failed", "some fields are not valid", errs)
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
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
