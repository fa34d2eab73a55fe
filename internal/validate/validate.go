// Package validate collects per-field input errors. Services return them;
// the JSON API answers 400 with the fields named, the HTML pages show them
// beside the inputs.
package validate

import (
	"sort"
	"strings"
)

// Errors maps a field name (as the client spelled it) to what is wrong.
type Errors map[string]string

// Add records msg for field, keeping the first message per field.
func (e Errors) Add(field, msg string) {
	if _, ok := e[field]; !ok {
		e[field] = msg
	}
}

// Err returns e as an error, or nil when nothing was recorded.
func (e Errors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error lists the fields in a stable order.
func (e Errors) Error() string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("invalid input: ")
	for i, k := range keys {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k + " " + e[k])
	}
	return b.String()
}

// Field returns an Errors with one field set, for single-field failures.
func Field(field, msg string) error { return Errors{field: msg} }
