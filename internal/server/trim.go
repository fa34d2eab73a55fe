package server

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// trimInterval is how long the server must go without a new request before
// the memory a burst left behind is returned to the OS.
const trimInterval = 2 * time.Second

// memoryTrimmer gives the operating system back the heap a burst of work
// left behind once the server goes quiet. The Go runtime returns freed
// heap on its own, but slowly and not all of it: a minute after 20
// sign-ins (argon2id takes 19 MiB per hash) 4 MiB of freed heap was still
// resident, a third of a fresh server's anonymous memory. One forced
// collection and release per quiet spell costs a few milliseconds, when
// nothing is waiting for them.
type memoryTrimmer struct {
	requests atomic.Uint64 // requests started
	free     func()        // debug.FreeOSMemory; a counter in tests
}

func newMemoryTrimmer() *memoryTrimmer { return &memoryTrimmer{free: debug.FreeOSMemory} }

// wrap counts the requests that reach next.
func (t *memoryTrimmer) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.requests.Add(1)
		next.ServeHTTP(w, r)
	})
}

// run trims at the first tick that finds no request started since the
// previous one, once per quiet spell (an open event stream is one request
// and does not keep the server busy). It returns when ctx ends.
func (t *memoryTrimmer) run(ctx context.Context, tick <-chan time.Time) {
	q := quietSpell{seen: t.requests.Load()}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if q.next(t.requests.Load()) {
				t.free()
			}
		}
	}
}

// quietSpell decides, tick by tick, when to trim.
type quietSpell struct {
	seen    uint64 // requests started at the previous tick
	trimmed bool   // already trimmed in this quiet spell
}

// next takes the count of requests started so far and says whether to trim.
func (q *quietSpell) next(requests uint64) bool {
	if requests != q.seen {
		q.seen, q.trimmed = requests, false
		return false
	}
	if q.trimmed {
		return false
	}
	q.trimmed = true
	return true
}
