package analysis

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

func TestParseRetryAfterReadsSecondsAndDates(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"7":                             7 * time.Second,
		" 1.5 ":                         1500 * time.Millisecond,
		"Thu, 26 Nov 2026 12:00:30 GMT": 30 * time.Second,
		"Thu, 26 Nov 2026 11:00:00 GMT": 0, // in the past
		"999999999":                     24 * time.Hour,
		"0":                             0,
		"-3":                            0,
		"soon":                          0,
		"":                              0,
	} {
		if got := ParseRetryAfter(in, now); got != want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestStatusErrorClassifiesProviderAnswers(t *testing.T) {
	for status, want := range map[int]ErrorKind{
		429: KindRateLimit, 408: KindTimeout, 401: KindAuth, 403: KindAuth,
		400: KindInvalid, 404: KindInvalid, 422: KindInvalid,
		500: KindServer, 502: KindServer, 503: KindServer, 504: KindServer,
	} {
		e := StatusError(status, 5*time.Second, errors.New("x"))
		if e.Kind != want || e.StatusCode != status {
			t.Errorf("StatusError(%d) = %s, want %s", status, e.Kind, want)
		}
		if keeps := want == KindRateLimit || want == KindServer; (e.RetryAfter != 0) != keeps {
			t.Errorf("StatusError(%d).RetryAfter = %v", status, e.RetryAfter)
		}
	}
}

func TestTransportErrorRetriesEverythingButSaysWhy(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want ErrorKind
	}{
		{fmt.Errorf("post: %w", context.DeadlineExceeded), KindTimeout},
		{fmt.Errorf("post: %w", context.Canceled), KindTimeout},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, KindTimeout},
		{fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), KindTimeout},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, KindServer},
	} {
		e := TransportError(tc.err)
		if e.Kind != tc.want || !e.Retryable() || !errors.Is(e, tc.err) {
			t.Errorf("TransportError(%v) = %s", tc.err, e.Kind)
		}
	}
}
