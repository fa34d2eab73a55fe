package accounts

import (
	"fmt"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time          { return c.t }
func (c *fakeClock) Advance(d time.Duration) { c.t = c.t.Add(d) }

func TestLimiterAllowsABurstThenRefillsEvenly(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.Now, 100)
	r := Rate{N: 3, Per: time.Minute}
	for i := range 3 {
		if ok, _ := l.allow("k", r); !ok {
			t.Fatalf("attempt %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("k", r)
	if ok || wait != 20*time.Second {
		t.Fatalf("4th attempt = %v, wait %v; want refused for 20s", ok, wait)
	}
	if ok, _ := l.allow("other", r); !ok {
		t.Fatal("another key was limited")
	}
	clock.Advance(19 * time.Second)
	if ok, _ := l.allow("k", r); ok {
		t.Fatal("allowed before the wait was over")
	}
	clock.Advance(time.Second)
	if ok, _ := l.allow("k", r); !ok {
		t.Fatal("refused after the wait")
	}
	clock.Advance(time.Hour)
	for i := range 3 {
		if ok, _ := l.allow("k", r); !ok {
			t.Fatalf("after an idle hour attempt %d refused", i+1)
		}
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.Now, 50)
	r := Rate{N: 5, Per: time.Hour}
	for i := range 10_000 {
		l.allow(fmt.Sprintf("ip-%d", i), r)
		if len(l.tats) > 50 {
			t.Fatalf("%d keys held, bound is 50", len(l.tats))
		}
	}
}

func TestLimiterRefundGivesAnAttemptBack(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l := newLimiter(clock.Now, 100)
	r := Rate{N: 2, Per: time.Minute}
	for range 2 {
		if ok, _ := l.allow("k", r); !ok {
			t.Fatal("burst refused")
		}
	}
	l.refund("k", r)
	if ok, _ := l.allow("k", r); !ok {
		t.Fatal("a refunded attempt was not given back")
	}
	if ok, _ := l.allow("k", r); ok {
		t.Fatal("more than the burst allowed after one refund")
	}
	l.refund("unknown", r) // nothing to give back, and no key created
	if _, ok := l.tats["unknown"]; ok {
		t.Error("refund created a key")
	}
}
