package web

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever a visitor puts in ?next=, the redirect after
// sign-in stays on this site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/entries?q=x", "//evil.example", `/\evil`, "https://evil.example", "/%2F%2Fevil", "javascript:x", "/\t/evil", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got == "" {
			return
		}
		if got != next || !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, `/\`) {
			t.Fatalf("safeNext(%q) = %q", next, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("safeNext(%q) = %q leaves the site", next, got)
		}
	})
}

// FuzzSplitTags: tags come back trimmed and non-empty, in order.
func FuzzSplitTags(f *testing.F) {
	for _, s := range []string{"a, b ,c", ",,,", " walks , plans ", "émoji 💛, x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, tag := range splitTags(s) {
			if tag == "" || tag != strings.TrimSpace(tag) || strings.Contains(tag, ",") {
				t.Fatalf("splitTags(%q) gave %q", s, tag)
			}
		}
	})
}
