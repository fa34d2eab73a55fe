package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestMemoryIsTrimmedOncePerQuietSpell: the trimmer trims at the first
// quiet tick after start-up, not again while the server stays quiet, never
// at a tick that saw requests, and once more after the next burst.
func TestMemoryIsTrimmedOncePerQuietSpell(t *testing.T) {
	tr := &memoryTrimmer{}
	h := tr.wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	q := quietSpell{}
	var got []bool
	for _, requests := range []int{0, 0, 3, 0, 0, 1, 1, 0} {
		for range requests {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		}
		got = append(got, q.next(tr.requests.Load()))
	}
	want := []bool{true, false, false, true, false, false, false, true}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("trims per tick %v, want %v", got, want)
		}
	}
}

// TestMemoryTrimmerRunsUntilCancelled drives run with ticks: a quiet tick
// trims, and cancelling the context ends it.
func TestMemoryTrimmerRunsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	frees := make(chan struct{}, 1)
	tr := &memoryTrimmer{free: func() { frees <- struct{}{} }}
	tick := make(chan time.Time)
	done := make(chan struct{})
	go func() { defer close(done); tr.run(ctx, tick) }()
	tick <- time.Time{}
	<-frees
	cancel()
	<-done
}
