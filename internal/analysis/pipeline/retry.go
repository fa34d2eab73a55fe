package pipeline

import (
	"math/rand/v2"
	"time"
)

// RetryPolicy is the spec's RetryConfig: after a retryable failure, wait
// min(Base × 2^retry, Cap) plus 0–MaxJitter, at most MaxRetries times.
type RetryPolicy struct {
	MaxRetries int
	Base       time.Duration
	Cap        time.Duration
	MaxJitter  time.Duration
	// MaxRetryAfter bounds how long a provider's Retry-After is honoured;
	// longer than this and the entry falls back to the offline analyzer
	// rather than keep the person waiting.
	MaxRetryAfter time.Duration
	// Jitter returns a duration in [0, max]; nil means uniform random.
	Jitter func(max time.Duration) time.Duration
}

// DefaultRetryPolicy is the spec's: 3 retries, 1 s doubling, capped at
// 30 s, plus up to 500 ms of jitter.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, Base: time.Second, Cap: 30 * time.Second, MaxJitter: 500 * time.Millisecond, MaxRetryAfter: 2 * time.Minute}
}

// Delay is the wait before retry number retry+1 (retry counts from 0).
func (p RetryPolicy) Delay(retry int) time.Duration {
	d := p.Cap
	if retry < 30 {
		if b := p.Base << retry; b < p.Cap {
			d = b
		}
	}
	if p.MaxJitter > 0 {
		if p.Jitter != nil {
			d += p.Jitter(p.MaxJitter)
		} else {
			d += rand.N(p.MaxJitter + 1)
		}
	}
	return d
}
