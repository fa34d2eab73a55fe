package analysis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime/debug"
	"unicode/utf8"
)

// MaxResponseBytes bounds how much of a provider's answer is read: a
// reading of one entry is a few kilobytes, so anything near this is not one.
const MaxResponseBytes = 4 << 20

// NewHTTPClient returns a copy of c (a zero client when nil: the caller's
// keeps its own settings) whose redirects stay on the endpoint's scheme and
// host: the LLM adapters send their keys in headers that net/http would
// forward anywhere. A redirect elsewhere is not followed, and its 3xx
// answer fails the call.
func NewHTTPClient(c *http.Client) *http.Client {
	hc := &http.Client{}
	if c != nil {
		*hc = *c
	}
	next := hc.CheckRedirect
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if o := via[0].URL; req.URL.Scheme != o.Scheme || req.URL.Host != o.Host {
			return http.ErrUseLastResponse
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return hc
}

// UserAgent names this program to providers: "resonant" and its module
// version when the build knows one.
func UserAgent() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return "resonant/" + bi.Main.Version
	}
	return "resonant"
}

// Truncate shortens a provider's message to at most n bytes (on a rune
// boundary) for an error.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// PostJSON sends body to url with the JSON content headers, the user agent
// and header, and returns the answer with at most MaxResponseBytes of its
// body. A failure without an HTTP answer, and a successful answer over the
// limit, come back as an *Error; an error status is the caller's to
// classify, with what was read of its body.
func PostJSON(ctx context.Context, c *http.Client, url string, header http.Header, body []byte) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, &Error{Kind: KindInvalid, Err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent())
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, transportErrorOf(ctx, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, nil, transportErrorOf(ctx, fmt.Errorf("read response: %w", err))
	}
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 && len(raw) > MaxResponseBytes {
		return nil, nil, &Error{Kind: KindMalformed, StatusCode: resp.StatusCode,
			Err: fmt.Errorf("response larger than %d bytes", MaxResponseBytes)}
	}
	return resp, raw, nil
}

// transportErrorOf classifies a failure without an HTTP answer. Once the
// call's context is done, its error is what happened, whatever the
// transport made of it.
func transportErrorOf(ctx context.Context, err error) *Error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		err = fmt.Errorf("%w (%w)", ctxErr, err)
	}
	return TransportError(err)
}
