package accounts

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"
)

// hashGate runs the argon2id hashes. Each needs 19 MiB of working memory
// (DefaultPasswordParams), which the Go runtime keeps after the hash: a
// burst of sign-ins left an idle server at ~100 MiB. The gate lets at most
// one hash per CPU run at once (more would not finish sooner, only hold
// more memory), and once no hash has run for quiet it hands the memory back
// to the operating system (release: debug.FreeOSMemory in production).
type hashGate struct {
	slots   chan struct{}
	quiet   time.Duration
	release func()

	mu      sync.Mutex
	running int
	timer   *time.Timer
}

// hashQuiet is how long after the last hash the memory is released.
const hashQuiet = 2 * time.Second

func newHashGate(slots int, quiet time.Duration, release func()) *hashGate {
	if slots < 1 {
		slots = 1
	}
	return &hashGate{slots: make(chan struct{}, slots), quiet: quiet, release: release}
}

func newDefaultHashGate() *hashGate {
	return newHashGate(runtime.GOMAXPROCS(0), hashQuiet, debug.FreeOSMemory)
}

// do runs fn (a hash) when a slot is free.
func (g *hashGate) do(fn func()) {
	g.slots <- struct{}{}
	g.mu.Lock()
	g.running++
	if g.timer != nil {
		g.timer.Stop()
	}
	g.mu.Unlock()
	defer func() {
		<-g.slots
		g.mu.Lock()
		defer g.mu.Unlock()
		g.running--
		if g.running == 0 {
			g.timer = time.AfterFunc(g.quiet, g.releaseIfQuiet)
		}
	}()
	fn()
}

// releaseIfQuiet releases the memory unless a hash started meanwhile.
func (g *hashGate) releaseIfQuiet() {
	g.mu.Lock()
	busy := g.running > 0
	g.mu.Unlock()
	if !busy {
		g.release()
	}
}

// hashPassword and verifyPassword are HashPassword and VerifyPassword
// through the gate.
func (s *Service) hashPassword(password string) (hash string, err error) {
	s.hashes.do(func() { hash, err = HashPassword(password, s.pw) })
	return hash, err
}

func (s *Service) verifyPassword(password, encoded string) (ok bool, err error) {
	s.hashes.do(func() { ok, err = VerifyPassword(password, encoded) })
	return ok, err
}
