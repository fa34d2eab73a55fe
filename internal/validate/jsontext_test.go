package validate_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/resonant-journal/resonant/internal/validate"
)

func TestJSONTextNamesTheFieldHoldingBadText(t *testing.T) {
	const utf8Msg = "must be valid UTF-8 text"
	const surrogateMsg = `must not contain an unpaired surrogate escape such as \ud800`
	for _, tc := range []struct {
		name, doc string
		want      validate.Errors
	}{
		{"valid text", `{"content":"héllo \u00e9 \ud83d\ude00 😀 \ufffd","tags":["a"]}`, nil},
		{"invalid UTF-8 bytes", "{\"content\":\"bad \xff\xfe bytes\"}", validate.Errors{"content": utf8Msg}},
		{"overlong encoding", "{\"email\":\"a\xc0\xafb@example.com\"}", validate.Errors{"email": utf8Msg}},
		{"lone high surrogate", `{"content":"x\ud800"}`, validate.Errors{"content": surrogateMsg}},
		{"lone low surrogate, upper case", `{"name":"\uDC00y"}`, validate.Errors{"name": surrogateMsg}},
		{"high surrogate followed by a non-surrogate", `{"content":"\ud83d\u0041"}`, validate.Errors{"content": surrogateMsg}},
		{"in an array element", `{"tags":["ok","\ud83d"]}`, validate.Errors{"tags": surrogateMsg}},
		{"nested object", "{\"preferences\":{\"timezone\":\"Europe/\xe9\"}}", validate.Errors{"preferences.timezone": utf8Msg}},
		{"in a member name at the top", "{\"\xff\":1}", validate.Errors{"body": utf8Msg}},
		{"in a nested member name", "{\"preferences\":{\"\xff\":1}}", validate.Errors{"preferences": utf8Msg}},
		{"only the first bad field is named", "{\"a\":\"\xff\",\"b\":\"\xff\"}", validate.Errors{"a": utf8Msg}},
		{"a syntax error is the decoder's to report", `{"content": x}`, nil},
		{"a syntax error before bad text", "{\"a\":1 x \"\xff\"}", nil},
		{"empty", ``, nil},
		{"truncated", `{"content":"abc`, nil},
		{"duplicate names are the decoder's business", `{"a":"1","a":"2"}`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := validate.JSONText([]byte(tc.doc)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("JSONText(%q) = %v, want %v", tc.doc, got, tc.want)
			}
		})
	}
}

// surrogateEscape finds \uD800–\uDFFF escapes (paired or not).
var surrogateEscape = regexp.MustCompile(`(?i)\\ud[89a-f][0-9a-f]{2}`)

// FuzzJSONText checks JSONText against what encoding/json does: whatever
// it lets through decodes without U+FFFD appearing from nowhere, and
// whatever it refuses really holds invalid UTF-8 or a surrogate escape.
func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`{"content":"plain"}`, "{\"content\":\"\xff\"}", `{"a":"\ud800"}`, `{"a":["\ud83d\ude00"]}`,
		`{"a":{"b":"\uDBFF\uDFFF"}}`, `{"a":"\ufffd"}`, "{\"a\":\"\xef\xbf\xbd\"}", `[1,"x",null,true]`, `"\udc00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		errs := validate.JSONText(doc)
		if errs != nil {
			if len(errs) != 1 {
				t.Fatalf("JSONText(%q) named %d fields, want 1", doc, len(errs))
			}
			if utf8.Valid(doc) && !surrogateEscape.Match(doc) {
				t.Fatalf("JSONText(%q) = %v, but the document is valid UTF-8 without surrogate escapes", doc, errs)
			}
			return
		}
		var v any
		if json.Unmarshal(doc, &v) != nil {
			return
		}
		if !utf8.Valid(doc) {
			t.Fatalf("JSONText(%q) let invalid UTF-8 through", doc)
		}
		replaced := strings.Count(jsonStrings(v), "\ufffd")
		sent := bytes.Count(doc, []byte("\ufffd")) + len(regexp.MustCompile(`(?i)\\ufffd`).FindAll(doc, -1))
		if replaced > sent {
			t.Fatalf("JSONText(%q) let through text that decodes with %d U+FFFD, %d sent", doc, replaced, sent)
		}
	})
}

// jsonStrings concatenates every string and member name in v.
func jsonStrings(v any) string {
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				b.WriteString(k)
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}
