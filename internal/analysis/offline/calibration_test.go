package offline

import (
	"path/filepath"
	"testing"
)

// labelledRows returns every hand-labelled sentiment row shipped with the package.
func labelledRows(t *testing.T) []labelled {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "sentiment", "*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, filepath.Join("testdata", "episodes.tsv"), filepath.Join("testdata", "situations.tsv"))
	var rows []labelled
	for _, f := range files {
		rows = append(rows, readTSV(t, f)...)
	}
	return rows
}

// TestConfidenceIsCalibrated holds confidenceLevel to its documented meaning: on the
// labelled sets, results with confidence ≥ 0.7 have the right sign at least 85% of the
// time (docs/analyzer.md, "Confidence").
func TestConfidenceIsCalibrated(t *testing.T) {
	rows := labelledRows(t)
	type bin struct{ n, ok int }
	var bins [10]bin
	var high bin
	for _, r := range rows {
		res := shared.Analyze(r.text)
		right := labelOf(res.SentimentScore) == r.label
		b := &bins[min(9, int(res.ConfidenceLevel*10))]
		b.n++
		if right {
			b.ok++
		}
		if res.ConfidenceLevel >= 0.7 {
			high.n++
			if right {
				high.ok++
			}
		}
	}
	for i, b := range bins {
		if b.n > 0 {
			t.Logf("confidence %.1f-%.1f: n=%3d accuracy %.3f", float64(i)/10, float64(i+1)/10, b.n, float64(b.ok)/float64(b.n))
		}
	}
	if high.n < len(rows)/10 {
		t.Errorf("only %d of %d results reach confidence 0.7; the level says too little", high.n, len(rows))
	}
	acc := float64(high.ok) / float64(max(high.n, 1))
	t.Logf("confidence ≥ 0.7: n=%d of %d, accuracy %.3f", high.n, len(rows), acc)
	if acc < 0.85 {
		t.Errorf("results with confidence ≥ 0.7 are right %.3f of the time, want ≥ 0.85", acc)
	}
}
