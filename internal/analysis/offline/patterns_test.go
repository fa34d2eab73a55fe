package offline

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestPatternDetectorsReachPrecisionAndRecallOnLabelledSet measures every dynamic and
// theme on testdata/patterns.tsv and fails if any falls below 0.8 precision or recall.
func TestPatternDetectorsReachPrecisionAndRecallOnLabelledSet(t *testing.T) {
	rows := readTSV(t, "testdata/patterns.tsv")
	if len(rows) < 200 {
		t.Fatalf("labelled set has %d sentences, want at least 200", len(rows))
	}
	labels := append(Dynamics(), Themes()...)
	tp, fp, fn := map[string]int{}, map[string]int{}, map[string]int{}
	for _, r := range rows {
		var gold []string
		if r.label != "-" {
			gold = strings.Split(r.label, ",")
		}
		for _, g := range gold {
			if !slices.Contains(labels, g) {
				t.Fatalf("unknown label %q in %q", g, r.text)
			}
		}
		res := shared.Analyze(r.text)
		got := append(slices.Clone(res.Patterns.RelationshipDynamics), res.Patterns.RecurringThemes...)
		for _, l := range labels {
			inGold, inGot := slices.Contains(gold, l), slices.Contains(got, l)
			switch {
			case inGold && inGot:
				tp[l]++
			case inGot:
				fp[l]++
				if testing.Verbose() {
					t.Logf("false %s: %s", l, r.text)
				}
			case inGold:
				fn[l]++
				if testing.Verbose() {
					t.Logf("missed %s: %s", l, r.text)
				}
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%-22s %4s %4s %4s %9s %6s\n", "pattern", "tp", "fp", "fn", "precision", "recall")
	sort.Strings(labels)
	for _, l := range labels {
		p, r := ratio(tp[l], tp[l]+fp[l]), ratio(tp[l], tp[l]+fn[l])
		fmt.Fprintf(&b, "%-22s %4d %4d %4d %9.2f %6.2f\n", l, tp[l], fp[l], fn[l], p, r)
		if tp[l]+fn[l] < 5 {
			t.Errorf("%s: only %d positive examples, want at least 5", l, tp[l]+fn[l])
		}
		if p < 0.8 || r < 0.8 {
			t.Errorf("%s: precision %.2f recall %.2f, want both >= 0.8", l, p, r)
		}
	}
	t.Log(b.String())
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
