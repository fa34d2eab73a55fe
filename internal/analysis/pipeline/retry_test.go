package pipeline

import (
	"testing"
	"time"
)

func TestRetryDelaysFollowTheSpec(t *testing.T) {
	p := DefaultRetryPolicy()
	p.Jitter = func(time.Duration) time.Duration { return 0 }
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for i, w := range want {
		if got := p.Delay(i); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i, got, w)
		}
	}
	if got := p.Delay(100); got != 30*time.Second {
		t.Errorf("Delay(100) = %v, want the 30 s cap", got)
	}
}

func TestRetryJitterStaysWithinHalfASecond(t *testing.T) {
	p := DefaultRetryPolicy()
	for range 1000 {
		d := p.Delay(0)
		if d < time.Second || d > time.Second+500*time.Millisecond {
			t.Fatalf("Delay(0) = %v, want 1 s + [0, 500 ms]", d)
		}
	}
}
