package offline

import (
	"slices"
	"strings"
	"testing"
)

// TestLongEntryScoresLateWindowsAlike checks that a paragraph late in an entry long
// enough to wrap the model's one-byte feature stamps (more than 255 scoring windows)
// gives the behaviours it gives alone, wherever in the paragraph the stamps wrap.
func TestLongEntryScoresLateWindowsAlike(t *testing.T) {
	one := shared.Analyze(entry150).Patterns.Behaviours
	if len(one) == 0 {
		t.Fatal("the benchmark entry shows no behaviour")
	}
	// Each filler sentence is two windows (alone and with the one before it).
	for n := 100; n <= 140; n += 2 {
		filler := strings.Repeat("The weather was mild. ", n)
		long := shared.Analyze(filler + "\n\n" + entry150).Patterns.Behaviours
		if !slices.Equal(long, one) {
			t.Errorf("after %d sentences:\n%+v\nalone:\n%+v", n, long, one)
		}
	}
}
