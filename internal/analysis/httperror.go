package analysis

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StatusError classifies an HTTP error answer from an external provider.
func StatusError(status int, retryAfter time.Duration, err error) *Error {
	e := &Error{StatusCode: status, Err: err}
	switch {
	case status == http.StatusTooManyRequests:
		e.Kind, e.RetryAfter = KindRateLimit, retryAfter
	case status == http.StatusRequestTimeout:
		e.Kind = KindTimeout
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		e.Kind = KindAuth
	case status >= 500:
		e.Kind, e.RetryAfter = KindServer, retryAfter // 503 may carry Retry-After too
	default:
		e.Kind = KindInvalid
	}
	return e
}

// TransportError classifies an error that came without an HTTP answer: the
// deadline passed, the connection dropped mid-call, or none could be made.
// Every such failure is worth another attempt; only the kind differs.
func TransportError(err error) *Error {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled),
		errors.As(err, &ne) && ne.Timeout(),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return &Error{Kind: KindTimeout, Err: err}
	}
	return &Error{Kind: KindServer, Err: err}
}

// maxRetryAfter bounds what a provider can ask for: a day-long pause from a
// misconfigured proxy should not park an analysis for longer than that.
const maxRetryAfter = 24 * time.Hour

// ParseRetryAfter reads a Retry-After header: delay-seconds or an HTTP date.
// It returns 0 when the value is absent, unreadable or in the past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, maxRetryAfter.Seconds()) * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), maxRetryAfter)
	}
	return 0
}
