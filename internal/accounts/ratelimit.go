package accounts

import (
	"sync"
	"time"
)

// Rate allows N attempts per Per, refilled evenly (a burst of N, then one
// every Per/N).
type Rate struct {
	N   int
	Per time.Duration
}

// limiter is a GCRA rate limiter over string keys with a bounded map.
//
// Limits are per process: with several instances behind a load balancer
// each enforces its own, so the effective limit is N × instances. That is
// acceptable for slowing down guessing; a shared limit would need the
// database on every attempt.
type limiter struct {
	mu   sync.Mutex
	now  func() time.Time
	max  int
	tats map[string]time.Time // theoretical arrival time per key
}

func newLimiter(now func() time.Time, maxKeys int) *limiter {
	return &limiter{now: now, max: maxKeys, tats: make(map[string]time.Time)}
}

// allow takes one attempt for key under r; when denied it returns how long
// until the next attempt would be allowed.
func (l *limiter) allow(key string, r Rate) (ok bool, wait time.Duration) {
	if r.N <= 0 || r.Per <= 0 {
		return true, 0
	}
	interval := r.Per / time.Duration(r.N)
	tolerance := r.Per - interval
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	tat, seen := l.tats[key]
	if !seen || tat.Before(now) {
		tat = now
	}
	if d := tat.Sub(now); d > tolerance {
		return false, d - tolerance
	}
	if !seen && len(l.tats) >= l.max {
		l.evict(now)
	}
	l.tats[key] = tat.Add(interval)
	return true, 0
}

// refund gives back one attempt taken for key under r, for attempts that
// turned out not to count (a correct password).
func (l *limiter) refund(key string, r Rate) {
	if r.N <= 0 || r.Per <= 0 {
		return
	}
	interval := r.Per / time.Duration(r.N)
	l.mu.Lock()
	defer l.mu.Unlock()
	if tat, ok := l.tats[key]; ok {
		l.tats[key] = tat.Add(-interval)
	}
}

// evict drops keys whose budget has fully refilled (they carry no state);
// when every key is still limited it drops an arbitrary tenth, so memory
// stays bounded under a flood of distinct keys at the cost of forgetting
// some of them early.
func (l *limiter) evict(now time.Time) {
	for k, tat := range l.tats {
		if !tat.After(now) {
			delete(l.tats, k)
		}
	}
	if len(l.tats) < l.max {
		return
	}
	drop := max(1, l.max/10)
	for k := range l.tats {
		delete(l.tats, k)
		drop--
		if drop == 0 {
			break
		}
	}
}
