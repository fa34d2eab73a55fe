package accounts

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestHashGateBoundsHashesAndReleasesMemoryOnceQuiet: no more hashes run
// at once than the gate has slots, every one runs, and the memory is
// released once after the burst, not during it.
func TestHashGateBoundsHashesAndReleasesMemoryOnceQuiet(t *testing.T) {
	released := make(chan struct{}, 10)
	g := newHashGate(2, 0, func() { released <- struct{}{} })
	var (
		running, most, ran atomic.Int32
		wg                 sync.WaitGroup
		start              = make(chan struct{})
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			g.do(func() {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				ran.Add(1)
				running.Add(-1)
			})
		}()
	}
	close(start)
	wg.Wait()
	if ran.Load() != 8 || most.Load() > 2 {
		t.Fatalf("ran %d hashes, at most %d at once; want 8, at most 2", ran.Load(), most.Load())
	}
	select {
	case <-released:
	case <-time.After(10 * time.Second):
		t.Fatal("memory not released after the burst")
	}
	// A hash in progress holds the release back.
	var calls atomic.Int32
	g = newHashGate(1, time.Hour, func() { calls.Add(1) })
	hold, holding := make(chan struct{}), make(chan struct{})
	go g.do(func() { close(holding); <-hold })
	<-holding
	g.releaseIfQuiet()
	if calls.Load() != 0 {
		t.Fatal("memory released while a hash was running")
	}
	close(hold)
}
