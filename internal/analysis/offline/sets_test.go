package offline

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type labelled struct {
	label, text string
}

func readTSV(t testing.TB, path string) []labelled {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []labelled
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok {
			t.Fatalf("%s: malformed line %q", path, line)
		}
		out = append(out, labelled{label, text})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSentimentAccuracyOnFirstPersonSanitySets reports 3-class accuracy (neutral band
// ±0.05, as in the evaluation harness) on the hand-written first-person sets. They are
// a regression guard, not the held-out measurement: see docs/analyzer.md.
func TestSentimentAccuracyOnFirstPersonSanitySets(t *testing.T) {
	for _, set := range []string{"testdata/episodes.tsv", "testdata/situations.tsv"} {
		rows := readTSV(t, set)
		correct := 0
		for _, r := range rows {
			got := [...]string{"neg", "neu", "pos"}[class(shared.Analyze(r.text).SentimentScore)+1]
			if got == r.label {
				correct++
			} else if testing.Verbose() {
				t.Logf("%s: want %s got %s: %s", set, r.label, got, r.text)
			}
		}
		acc := float64(correct) / float64(len(rows))
		t.Logf("%s: 3-class accuracy %.3f (n=%d)", set, acc, len(rows))
		if acc < 0.75 {
			t.Errorf("%s: accuracy %.3f below 0.75", set, acc)
		}
	}
}
