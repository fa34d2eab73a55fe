package offline

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestGroundTruthFile measures Pearson r and 3-class accuracy on an ID<TAB>MEAN<TAB>TEXT
// file named by RESONANT_GROUND_TRUTH (EmoBank or VADER's tweets, which are not shipped
// here), the same figures as /work/shared/eval/eval.py without building the binary.
func TestGroundTruthFile(t *testing.T) {
	path := os.Getenv("RESONANT_GROUND_TRUTH")
	if path == "" {
		t.Skip("RESONANT_GROUND_TRUTH not set")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var gold, pred []float64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) < 3 {
			continue
		}
		g, err := strconv.ParseFloat(parts[1], 64)
		if err != nil {
			continue
		}
		gold = append(gold, g)
		pred = append(pred, shared.Analyze(parts[2]).SentimentScore)
	}
	ok := 0
	for i := range gold {
		gc := 0
		switch {
		case gold[i]/4 >= 0.05:
			gc = 1
		case gold[i]/4 <= -0.05:
			gc = -1
		}
		if gc == class(pred[i]) {
			ok++
		}
	}
	t.Logf("%s: n=%d pearson %.3f accuracy(norm) %.3f", path, len(gold), pearson(gold, pred), float64(ok)/float64(len(gold)))
}

func pearson(x, y []float64) float64 {
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= float64(len(x))
	my /= float64(len(y))
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// TestExplain prints how each word of RESONANT_EXPLAIN was valued.
func TestExplain(t *testing.T) {
	text := os.Getenv("RESONANT_EXPLAIN")
	if text == "" {
		t.Skip("RESONANT_EXPLAIN not set")
	}
	a := New()
	a.explain = func(items []item, vals []float64) {
		for i := range items {
			t.Logf("%2d %-28q val %6.2f e.val %5.2f event %v neg %v clause %v quoted %v", items[i].sent, items[i].text, vals[i], items[i].e.val, items[i].e.event, items[i].negator, items[i].clause, items[i].quoted)
		}
	}
	t.Logf("score %.3f", a.Analyze(text).SentimentScore)
}

// TestDumpConfidenceEvidence writes, for every labelled row, the evidence confidence is
// built from, to RESONANT_DUMP (for choosing the calibration).
func TestDumpConfidenceEvidence(t *testing.T) {
	path := os.Getenv("RESONANT_DUMP")
	if path == "" {
		t.Skip("RESONANT_DUMP not set")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, r := range labelledRows(t) {
		toks, sents := shared.tokenize(r.text)
		s := shared.scoreSentiment(toks, sents)
		ok := labelOf(s.score) == r.label
		fmt.Fprintf(f, "%v\t%s\t%.4f\t%d\t%d\t%.3f\t%.3f\t%d\t%s\n", ok, r.label, s.score, s.hits, s.words, s.pos, s.neg, s.english, r.text)
	}
}
