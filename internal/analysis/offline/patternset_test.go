package offline

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// The independent pattern set (testdata/patternset) was written by two annotators who
// had only the labelling guide (testdata/patternset/GUIDE.md), never the rules. It is
// frozen: these digests fail the tests if a line changes, so the figures in
// docs/analyzer.md stay comparable. Fix a label by adding a new file, never by editing.
var patternsetFiles = map[string]string{
	"themes.tsv":     "fec4cdce3daf4b8f3cd332e3f5aee0536bc1252c125d6290c4dd4b6026136b20",
	"behaviours.tsv": "7de297717fb514fab61f5a24138e9f168743ce747c926641d9843c2cc1d4faf3",
	"GUIDE.md":       "3f3574b9c5338234dafdd5eb158bf6aeaf558e52d9c07b269ee9fdce937579f8",
}

// psItem is one labelled line of the pattern set: labels without actors, and the
// actor the annotator gave each behaviour.
type psItem struct {
	text   string
	labels []string
	actors map[string]string // behaviour -> writer | other | both
	test   bool              // in the test half
}

func readPatternset(t testing.TB) []psItem {
	t.Helper()
	var items []psItem
	for _, name := range []string{"themes.tsv", "behaviours.tsv", "GUIDE.md"} {
		b, err := os.ReadFile("testdata/patternset/" + name)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != patternsetFiles[name] {
			t.Fatalf("testdata/patternset/%s changed (sha256 %s): the set is frozen", name, got)
		}
		if !strings.HasSuffix(name, ".tsv") {
			continue
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			lab, text, ok := strings.Cut(line, "\t")
			if !ok {
				t.Fatalf("%s:%d: no tab", name, n)
			}
			it := psItem{text: text, actors: map[string]string{}}
			if lab != "-" {
				for l := range strings.SplitSeq(lab, ",") {
					l, actor, _ := strings.Cut(l, "@")
					if !slices.Contains(Dynamics(), l) && !slices.Contains(Themes(), l) {
						t.Fatalf("%s:%d: unknown label %q", name, n, l)
					}
					it.labels = append(it.labels, l)
					if actor != "" {
						it.actors[l] = actor
					}
				}
			}
			items = append(items, it)
		}
	}
	splitPatternset(items)
	return items
}

// psBehaviours and psThemes are the labels the pattern set measures.
var psBehaviours = Behaviours()

var psThemes = Themes()

// splitPatternset marks half of the items as the test half, deterministically and
// stratified by label: each item is filed under its rarest label (or "-"), items within
// a stratum are ordered by the SHA-256 of their text, and every second one is test.
func splitPatternset(items []psItem) {
	freq := map[string]int{}
	for _, it := range items {
		for _, l := range it.labels {
			freq[l]++
		}
	}
	strata := map[string][]int{}
	for i, it := range items {
		key := "-"
		for _, l := range it.labels {
			if key == "-" || freq[l] < freq[key] || freq[l] == freq[key] && l < key {
				key = l
			}
		}
		strata[key] = append(strata[key], i)
	}
	for _, idx := range strata {
		hash := func(i int) string { s := sha256.Sum256([]byte(items[i].text)); return string(s[:]) }
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(hash(a), hash(b)) })
		for k, i := range idx {
			items[i].test = k%2 == 1
		}
	}
}

// psScore is one label's confusion counts.
type psScore struct{ tp, fp, fn int }

func (s psScore) p() float64  { return ratio(s.tp, s.tp+s.fp) }
func (s psScore) r() float64  { return ratio(s.tp, s.tp+s.fn) }
func (s psScore) f1() float64 { return f1(s.p(), s.r()) }

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// psMeasure analyses the items of one half and counts, per label, agreement with the
// gold labels, and for correctly found behaviours whether the actor agrees.
func psMeasure(items []psItem, test bool, onError func(kind, label string, it psItem)) (map[string]*psScore, int, int) {
	scores := map[string]*psScore{}
	for _, l := range append(slices.Clone(psBehaviours), psThemes...) {
		scores[l] = &psScore{}
	}
	actorOK, actorN := 0, 0
	for _, it := range items {
		if it.test != test {
			continue
		}
		res := shared.Analyze(it.text)
		got := append(slices.Clone(res.Patterns.RelationshipDynamics), res.Patterns.RecurringThemes...)
		for l, s := range scores {
			inGold, inGot := slices.Contains(it.labels, l), slices.Contains(got, l)
			switch {
			case inGold && inGot:
				s.tp++
				if a, ok := it.actors[l]; ok {
					actorN++
					for _, b := range res.Patterns.Behaviours {
						if b.Label == l && b.Actor == a {
							actorOK++
							break
						}
					}
				}
			case inGot:
				s.fp++
				if onError != nil {
					onError("false", l, it)
				}
			case inGold:
				s.fn++
				if onError != nil {
					onError("missed", l, it)
				}
			}
		}
	}
	return scores, actorOK, actorN
}

// psTable formats per-label figures and returns the macro-F1 of each group.
func psTable(b *strings.Builder, scores map[string]*psScore) (behaviours, themes float64) {
	fmt.Fprintf(b, "\n%-22s %4s %4s %4s %6s %6s %6s\n", "label", "tp", "fp", "fn", "P", "R", "F1")
	macro := func(labels []string) float64 {
		sum := 0.0
		for _, l := range labels {
			s := scores[l]
			fmt.Fprintf(b, "%-22s %4d %4d %4d %6.2f %6.2f %6.2f\n", l, s.tp, s.fp, s.fn, s.p(), s.r(), s.f1())
			sum += s.f1()
		}
		return sum / float64(len(labels))
	}
	behaviours = macro(psBehaviours)
	themes = macro(psThemes)
	fmt.Fprintf(b, "macro-F1: behaviours %.3f, themes %.3f\n", behaviours, themes)
	return behaviours, themes
}

// TestPatternsetTestHalf reports per-label precision, recall and F1 on the frozen test
// half of the independent set and fails below the floors measured when the detectors
// were last changed, so a regression shows. The rules and the model never saw this half.
func TestPatternsetTestHalf(t *testing.T) {
	items := readPatternset(t)
	scores, actorOK, actorN := psMeasure(items, true, nil)
	var b strings.Builder
	beh, th := psTable(&b, scores)
	fmt.Fprintf(&b, "actor agrees on %d of %d correctly found behaviours with a gold actor\n", actorOK, actorN)
	t.Log(b.String())
	// Floors: what the detectors achieve, rounded down, so a regression fails. Issue 17's
	// fifth pass measured 0.862, 0.822 and 166 of 186 (0.892; the fourth 0.822, 0.783 and
	// 157 of 177), with every label's precision and recall at 0.6 or above (the lowest,
	// defensiveness's precision, 0.62).
	const behFloor, themeFloor, actorFloor, labelFloor = 0.84, 0.80, 0.87, 0.6
	for l, s := range scores {
		if s.p() < labelFloor || s.r() < labelFloor {
			t.Errorf("%s: precision %.2f, recall %.2f, below the floor %.1f", l, s.p(), s.r(), labelFloor)
		}
	}
	if actorN == 0 || float64(actorOK)/float64(actorN) < actorFloor {
		t.Errorf("actor agrees on %d of %d behaviours, below the floor %.2f", actorOK, actorN, actorFloor)
	}
	if beh < behFloor {
		t.Errorf("behaviours macro-F1 %.3f below the floor %.2f", beh, behFloor)
	}
	if th < themeFloor {
		t.Errorf("themes macro-F1 %.3f below the floor %.2f", th, themeFloor)
	}
}

// TestPatternsetSplitIsStratified checks that both halves hold every label.
func TestPatternsetSplitIsStratified(t *testing.T) {
	items := readPatternset(t)
	if len(items) < 600 {
		t.Fatalf("pattern set has %d items, want at least 600", len(items))
	}
	n := map[bool]map[string]int{true: {}, false: {}}
	for _, it := range items {
		n[it.test]["*"]++
		for _, l := range it.labels {
			n[it.test][l]++
		}
	}
	for _, l := range append(slices.Clone(psBehaviours), psThemes...) {
		d, s := n[false][l], n[true][l]
		if d < 8 || s < 8 || d-s > 3+d/4 || s-d > 3+s/4 {
			t.Errorf("%s: %d in the development half, %d in the test half", l, d, s)
		}
	}
	t.Logf("development half %d items, test half %d", n[false]["*"], n[true]["*"])
}

// TestPatternsetDevErrors lists the development half's errors with -v: the only errors
// anyone may read while changing rules or features.
func TestPatternsetDevErrors(t *testing.T) {
	items := readPatternset(t)
	scores, actorOK, actorN := psMeasure(items, false, func(kind, label string, it psItem) {
		if testing.Verbose() && os.Getenv("PATTERNSET_DEV_ERRORS") != "" {
			t.Logf("%s %s: %s", kind, label, it.text)
		}
	})
	var b strings.Builder
	psTable(&b, scores)
	fmt.Fprintf(&b, "actor agrees on %d of %d correctly found behaviours with a gold actor\n", actorOK, actorN)
	t.Log("development half:" + b.String())
}
