package validate

import (
	"bytes"
	"errors"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// JSONText checks the text of a JSON document before encoding/json reads
// it: encoding/json silently replaces invalid UTF-8 and escapes of unpaired
// UTF-16 surrogates ("\ud800") with U+FFFD, which would store text other
// than what was sent. It returns nil when every string (names included) is
// valid Unicode, and also when doc is not JSON at all, since reporting
// syntax is the decoder's job. Otherwise it returns Errors naming the field
// that holds the bad string, spelled as encoding/json names fields in its
// errors ("preferences.timezone"; array indexes are left out, so a bad tag
// is "tags"); bad text at the top level, such as in a member name there, is
// "body".
//
// jsontext is encoding/json/v2's syntax layer (experimental in the Go 1.26
// standard library, stable from Go 1.27): it validates strings strictly by
// default, which is exactly this check, and says where it failed.
func JSONText(doc []byte) Errors {
	strict := firstError(doc, false)
	if strict == nil {
		return nil
	}
	// A document that fails at the same place with invalid text allowed
	// has a syntax error there, not bad text: leave it to the decoder.
	if lax := firstError(doc, true); lax != nil && lax.ByteOffset == strict.ByteOffset {
		return nil
	}
	msg := "must be valid UTF-8 text"
	if off := strict.ByteOffset; off >= 0 && off < int64(len(doc)) && bytes.HasPrefix(doc[off:], []byte(`\u`)) {
		// jsontext reports an unpaired surrogate at its escape.
		msg = `must not contain an unpaired surrogate escape such as \ud800`
	}
	return Errors{fieldName(strict.JSONPointer): msg}
}

// firstError reads one JSON value and returns where it went wrong, or nil.
func firstError(doc []byte, allowInvalid bool) *jsontext.SyntacticError {
	d := jsontext.NewDecoder(bytes.NewReader(doc), jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(allowInvalid))
	_, err := d.ReadValue()
	var se *jsontext.SyntacticError
	if errors.As(err, &se) {
		return se
	}
	if err != nil {
		// io.ErrUnexpectedEOF and the like: a syntax matter.
		return &jsontext.SyntacticError{ByteOffset: -1}
	}
	return nil
}

// fieldName turns a JSON Pointer into encoding/json's dotted field path,
// leaving out array indexes.
func fieldName(p jsontext.Pointer) string {
	var parts []string
	for tok := range p.Tokens() {
		if tok != "" && strings.Trim(tok, "0123456789") == "" {
			continue
		}
		parts = append(parts, tok)
	}
	if len(parts) == 0 {
		return "body"
	}
	return strings.Join(parts, ".")
}
