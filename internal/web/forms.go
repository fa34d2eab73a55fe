package web

import (
	"net/http"
	"strings"

	"github.com/resonant-journal/resonant/internal/validate"
)

// maxFormBytes bounds a form body: an entry of 10,000 characters of
// four-byte UTF-8, percent-encoded, is about 120 KB.
const maxFormBytes = 256 << 10

// parseForm reads a POSTed form into p.Form (kept for redisplay). It
// reports false when the body is too large or malformed, with p.Error set.
func parseForm(rw http.ResponseWriter, r *http.Request, p *page) bool {
	r.Body = http.MaxBytesReader(rw, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.Error = "The form could not be read: it may be too long. Shorten what you wrote and send it again."
		return false
	}
	for k, v := range r.PostForm {
		p.Form[k] = v
	}
	return true
}

// checkbox reports whether a checkbox named name was ticked.
func checkbox(r *http.Request, name string) bool {
	v := r.PostFormValue(name)
	return v == "on" || v == "true" || v == "1"
}

// unprefix renames the fields of a validation error from a service's
// nested names ("preferences.timezone") to the form's ("timezone").
func unprefix(err error, prefix string) error {
	verr, ok := err.(validate.Errors)
	if !ok {
		return err
	}
	out := validate.Errors{}
	for k, v := range verr {
		out[strings.TrimPrefix(k, prefix)] = v
	}
	return out
}

func validateField(field, msg string) error { return validate.Field(field, msg) }

// renameField renames one field of a validation error.
func renameField(err error, from, to string) error {
	verr, ok := err.(validate.Errors)
	if !ok {
		return err
	}
	out := validate.Errors{}
	for k, v := range verr {
		if k == from {
			k = to
		}
		out[k] = v
	}
	return out
}
