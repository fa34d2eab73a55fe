package offline

import (
	_ "embed"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The behaviours and themes are decided by a small linear model (one logistic
// regression per label) over features the rules and the scope tagger compute: the
// words of a sentence tagged with their scope, word pairs, and which rules matched and
// in what scope. Its weights are trained by TestTrainPatternModel on the development
// half of the independent pattern set and on testdata/patterns.tsv, never on the test
// half, and embedded here; New parses them once.
//
//go:embed patternmodel.txt
var patternModelText string

// modelLabels are the labels the model decides: the behaviours, then the themes.
func modelLabels() []string { return append(Behaviours(), Themes()...) }

// match is one rule match inside a sentence.
type match struct {
	label    int // rule-set label id
	pos      int // first word, within the sentence
	negated  bool
	sentence int
}

// patternModel is the parsed weight table. Immutable after construction.
type patternModel struct {
	labels    []string
	ruleIDs   []int // the rule-set id of each model label
	index     map[uint64]int32
	weights   []float32 // one row of len(labels) per feature
	bias      []float32
	threshold []float32 // in logits
}

func newPatternModel(text string, rs *ruleSet) (*patternModel, error) {
	// Size the table and its index for every feature line at once: grown by appends,
	// 59,000 rows left twice their size in garbage at every start.
	nFeat := strings.Count(text, "\nf\t")
	m := &patternModel{labels: modelLabels(), index: make(map[uint64]int32, nFeat)}
	n := len(m.labels)
	m.weights = make([]float32, 0, nFeat*n)
	for _, l := range m.labels {
		m.ruleIDs = append(m.ruleIDs, rs.id(l))
	}
	m.bias = make([]float32, n)
	m.threshold = make([]float32, n)
	for i := range m.threshold {
		m.threshold[i] = 0
	}
	for line := range strings.SplitSeq(text, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		kind, rest, _ := strings.Cut(line, "\t")
		name, ws, _ := strings.Cut(rest, "\t")
		var row []float32
		switch kind {
		case "labels":
			if got := strings.Fields(name); !slices.Equal(got, m.labels) {
				return nil, fmt.Errorf("model labels %v, want %v", got, m.labels)
			}
			continue
		case "bias":
			row = m.bias
			ws = name
		case "threshold":
			row = m.threshold
			ws = name
		case "f":
			m.index[hashFeature(name)] = int32(len(m.weights) / n)
			m.weights = append(m.weights, make([]float32, n)...)
			row = m.weights[len(m.weights)-n:]
		default:
			return nil, fmt.Errorf("model line of unknown kind %q", kind)
		}
		for kv := range strings.FieldsSeq(ws) {
			k, v, ok := strings.Cut(kv, "=")
			i, err1 := strconv.Atoi(k)
			f, err2 := strconv.ParseFloat(v, 32)
			if !ok || err1 != nil || err2 != nil || i < 0 || i >= n {
				return nil, fmt.Errorf("model line %q: bad weight %q", line, kv)
			}
			if kind == "threshold" {
				f = math.Log(f / (1 - f)) // stored as probabilities, compared as logits
			}
			row[i] = float32(f)
		}
	}
	return m, nil
}

// row returns a feature's row in the weight table, or -1 when the model does not know it.
func (m *patternModel) row(h uint64) int32 {
	if r, ok := m.index[h]; ok {
		return r
	}
	return -1
}

func (m *patternModel) nRows() int { return len(m.weights) / len(m.labels) }

// addRow adds one feature's weights to out (len(m.labels)).
func (m *patternModel) addRow(r int32, out []float32) {
	n := len(m.labels)
	row := m.weights[int(r)*n : int(r)*n+n]
	for k := range out {
		out[k] += row[k]
	}
}

// weight is one feature's weight for one label, 0 when the model does not know it.
func (m *patternModel) weight(h uint64, label int) float32 {
	if r := m.row(h); r >= 0 {
		return m.weights[int(r)*len(m.labels)+label]
	}
	return 0
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// hashFeature hashes a feature name; featBuf.add hashes its parts joined by "|" the
// same way without building the string.
func hashFeature(name string) uint64 {
	h := uint64(fnvOffset)
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= fnvPrime
	}
	return h
}

// featBuf collects hashed features and the word each one came from. When names is
// set (training), it also records each feature's readable name.
type featBuf struct {
	h     []uint64
	pos   []int32 // the word (index into the entry's tokens) the feature points at
	names map[uint64]string
}

func (f *featBuf) add(pos int, parts ...string) {
	h := uint64(fnvOffset)
	for k, p := range parts {
		if k > 0 {
			h ^= '|'
			h *= fnvPrime
		}
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= fnvPrime
		}
	}
	f.h = append(f.h, h)
	f.pos = append(f.pos, int32(pos))
	if f.names != nil {
		if _, ok := f.names[h]; !ok {
			f.names[h] = strings.Join(parts, "|")
		}
	}
}

// stem folds the commonest English inflections so "snapped", "snapping" and "snaps"
// share a feature. It is deliberately crude: the model only needs consistency.
func stem(w string) string {
	w = strings.TrimSuffix(w, "'s")
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		return w[:len(w)-3]
	case len(w) > 4 && strings.HasSuffix(w, "ied"):
		return w[:len(w)-3] + "y"
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		return w[:len(w)-2]
	case len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us"):
		return w[:len(w)-1]
	}
	return w
}

// prefixLen is how many leading bytes of a longer word make its prefix feature.
const prefixLen = 5

// sentenceFeatures adds the features of one sentence (words starts at token base of
// the entry) to f. tags is scratch space of at least len(words).
func (a *Analyzer) sentenceFeatures(words []token, base int, matches []match, tags []byte, f *featBuf) {
	flags := a.scopes(words, tags)
	prev := ""
	var back [2]string // the stems of words i-2 and i-1, by the parity of their index
	for i := range words {
		if words[i].emoji != 0 {
			prev = ""
			continue
		}
		s := stem(words[i].text)
		tag := scopeNames[tags[i]]
		f.add(base+i, "u", tag, s)
		if g := a.groups.of(words[i].text); g != "" {
			// The word's group of similar words (clusters.go), whatever its scope.
			f.add(base+i, "w", g)
		}
		if w := words[i].text; len(w) > prefixLen && utf8.RuneStart(w[prefixLen]) {
			// The word's first letters, whatever its scope: a word no training
			// sentence used often shares them with one that was ("physio" and
			// "physiotherapist", "mortgage" and "mortgaged", "therapy" and "therapist").
			f.add(base+i, "p", w[:prefixLen])
		}
		if prev != "" && tags[i] == scopePlain && tags[i-1] == scopePlain {
			f.add(base+i-1, "b", prev, s)
		}
		// A pair with one word between ("paid the rent", "told him about"): the
		// same two words around the fillers the training sentences varied.
		if i >= 2 && tags[i] == scopePlain && tags[i-2] == scopePlain && !words[i-1].brk && !words[i-2].brk && words[i-2].emoji == 0 {
			f.add(base+i-2, "b", back[i%2], "_", s)
		}
		back[i%2] = s
		prev = s
		if words[i].brk {
			prev = ""
		}
	}
	rs := a.rules
	var groups cueGroup
	for _, m := range matches {
		if !m.negated && tags[m.pos] == scopePlain {
			groups |= rs.groups[m.label]
		}
	}
	for _, c := range cueConjunctions {
		if groups&c.a != 0 && groups&c.b != 0 {
			f.add(-1, "x", c.name)
		}
	}
	for _, m := range matches {
		tag := scopeNames[tags[m.pos]]
		if m.negated {
			tag = "n"
		}
		kind := "r"
		if m.label >= rs.nVocab {
			kind = "c" // a cue rule
			if rs.topical[m.label] {
				tag = "" // a theme word counts whatever its scope
			}
		}
		f.add(base+m.pos, kind, rs.labels[m.label], tag)
	}
	// Several words of one theme (its rule, cue and lexicon classes) in a sentence:
	// the sentence dwells on the topic.
	var topicN [nThemes]uint8
	var topicAt [nThemes]int // 1 + the last word counted, so a word counts once
	for _, m := range matches {
		if t := rs.topic[m.label]; t >= 0 && topicN[t] < 255 && topicAt[t] != m.pos+1 {
			topicN[t]++
			topicAt[t] = m.pos + 1
		}
	}
	for t, n := range topicN {
		if n >= 2 {
			f.add(-1, "k", rs.labels[t], "2")
		}
		if n >= 3 {
			f.add(-1, "k", rs.labels[t], "3")
		}
	}
	for _, fl := range [...]struct {
		on   bool
		name string
	}{{flags.neg, "neg"}, {flags.hyp, "hyp"}, {flags.over, "over"}, {flags.third, "third"},
		{flags.media, "media"}, {flags.firstPerson, "first"}} {
		if fl.on {
			f.add(-1, "s", fl.name)
		}
	}
}
