package offline

import (
	"fmt"
	"slices"
	"strings"
)

// Labels are numbered across the three vocabularies so one sentence's findings fit in a
// uint64 bit set: themes first, then triggers, then dynamics.
const (
	nThemes   = 10 // len(Themes()), checked by a test
	nTriggers = 14 // len(Triggers()), checked by a test
)

type labelSet uint64

func (s labelSet) has(id int) bool { return s&(1<<id) != 0 }

// element is one position in a pattern.
type element struct {
	words    []string
	set      map[string]bool // words, when there are many
	prefixes []string
	any      bool
	gap      int // > 0: skip zero to gap words
}

func (e *element) matches(w string) bool {
	if e.any {
		return true
	}
	if e.set != nil {
		if e.set[w] {
			return true
		}
	} else {
		for _, x := range e.words {
			if x == w {
				return true
			}
		}
	}
	for _, p := range e.prefixes {
		if strings.HasPrefix(w, p) {
			return true
		}
	}
	return false
}

type rule struct {
	label     int
	negLabel  int // -1: a negated match is dropped
	negOK     bool
	cue       bool // a cue rule: a feature for the model, never a label of its own
	notPosSen bool // only where the sentence does not read as positive
	negSen    bool // only where the sentence reads as negative
	elems     []element
}

// ruleSet indexes rules by their first word so a sentence is scanned once.
type ruleSet struct {
	labels []string
	nVocab int        // labels[:nVocab] are the vocabularies; the rest name cues
	groups []cueGroup // by label id: the act groups a cue belongs to
	// topical marks the theme-lexicon cues (lexicon_themes.go), whose matches are
	// features whatever their scope.
	topical []bool
	// topic is, by label id, the theme a rule, cue or lexicon class names the topic of
	// (its words, not their other senses), or -1.
	topic  []int8
	ids    map[string]int
	byWord map[string][]*rule
	// byPrefix holds rules whose first element is a prefix ("thank*"), keyed by the
	// prefix's first two bytes so each word only tries the few that can match.
	byPrefix map[string][]*rule
}

func newRuleSet() *ruleSet {
	rs := &ruleSet{ids: map[string]int{}, byWord: map[string][]*rule{}, byPrefix: map[string][]*rule{}}
	rs.labels = append(append(append(rs.labels, Themes()...), Triggers()...), Dynamics()...)
	for i, l := range rs.labels {
		rs.ids[l] = i
	}
	rs.nVocab = len(rs.labels)
	rs.parse(patternRules, false)
	rs.parse(cueRules, true)
	rs.parse(themeLexicon, true)
	rs.groups = make([]cueGroup, len(rs.labels))
	rs.topical = make([]bool, len(rs.labels))
	rs.topic = make([]int8, len(rs.labels))
	for id, l := range rs.labels {
		rs.topical[id] = strings.HasPrefix(l, "lex_")
		rs.topic[id] = -1
		name, ok := strings.CutPrefix(l, "lex_")
		if t, known := rs.ids[name]; ok && known && t < nThemes {
			rs.topic[id] = int8(t)
		}
	}
	for name, g := range cueGroups() {
		rs.groups[rs.id(name)] |= g
	}
	return rs
}

// parse adds rules in the patternRules syntax. Pattern rules may only name vocabulary
// labels; cue rules (cues.go) name their own, numbered after the vocabulary.
func (rs *ruleSet) parse(text string, cue bool) {
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		if !ok {
			panic("offline: rule without label: " + line)
		}
		base := rule{negLabel: -1, cue: cue}
		if strings.HasPrefix(head, "!") {
			base.negOK, head = true, head[1:]
		}
		if strings.HasSuffix(head, "<") {
			base.notPosSen, head = true, head[:len(head)-1]
		}
		if strings.HasSuffix(head, "-") {
			base.negSen, head = true, head[:len(head)-1]
		}
		if _, known := rs.ids[head]; cue && !known {
			rs.ids[head] = len(rs.labels)
			rs.labels = append(rs.labels, head)
		}
		if l, neg, ok := strings.Cut(head, "~"); ok {
			head = l
			base.negLabel = rs.id(neg)
		}
		base.label = rs.id(head)
		for pat := range strings.SplitSeq(body, "|") {
			r := base
			pat = strings.TrimSpace(pat)
			if strings.HasPrefix(pat, "!") {
				r.negOK, pat = true, pat[1:]
			}
			for f := range strings.FieldsSeq(pat) {
				r.elems = append(r.elems, parseElement(f))
			}
			if len(r.elems) == 0 || r.elems[0].gap > 0 || r.elems[0].any {
				panic("offline: rule must start with a word: " + line)
			}
			rp := &r
			for _, p := range r.elems[0].prefixes {
				if len(p) < 2 {
					panic("offline: prefix too short in rule: " + line)
				}
				if k := p[:2]; !slices.Contains(rs.byPrefix[k], rp) {
					rs.byPrefix[k] = append(rs.byPrefix[k], rp)
				}
			}
			for _, w := range r.elems[0].words {
				rs.byWord[w] = append(rs.byWord[w], rp)
			}
		}
	}
}

func (rs *ruleSet) id(label string) int {
	id, ok := rs.ids[label]
	if !ok {
		panic("offline: rule uses undocumented label " + label)
	}
	return id
}

func parseElement(f string) element {
	switch f {
	case "_":
		return element{any: true}
	case "..":
		return element{gap: 3}
	case "...":
		return element{gap: 6}
	}
	var e element
	for alt := range strings.SplitSeq(f, "/") {
		if p, ok := strings.CutSuffix(alt, "*"); ok {
			e.prefixes = append(e.prefixes, p)
		} else {
			e.words = append(e.words, alt)
		}
	}
	if len(e.words) > 8 {
		e.set = make(map[string]bool, len(e.words))
		for _, w := range e.words {
			e.set[w] = true
		}
	}
	return e
}

// matchEnd reports whether elems match words starting at pos, and where the match ends.
func matchEnd(elems []element, words []token, pos int) (int, bool) {
	if len(elems) == 0 {
		return pos, true
	}
	e := &elems[0]
	if e.gap > 0 {
		for g := 0; g <= e.gap && pos+g <= len(words); g++ {
			if end, ok := matchEnd(elems[1:], words, pos+g); ok {
				return end, true
			}
		}
		return 0, false
	}
	if pos >= len(words) || !e.matches(words[pos].text) {
		return 0, false
	}
	return matchEnd(elems[1:], words, pos+1)
}

// detection accumulates what the rules and the model found in one entry.
type detection struct {
	rs         *ruleSet
	counts     []int // by label id: sentences showing the label
	we, you    int
	direct     int
	hasLabel   labelSet
	behaviours []Behaviour
	textASCII  int8     // 0 not yet known, 1 ASCII, 2 not
	chosen     []clause // beside behaviours: the clause each was read from
}

func (d *detection) count() int {
	n := 0
	for id := nThemes + nTriggers; id < len(d.counts); id++ {
		n += d.counts[id]
	}
	return n
}

// detect finds the entry's patterns in three steps: the phrase rules run over each
// sentence (recording where they matched); the model scores every sentence and every
// pair of neighbouring sentences from the words, their scope and the rule matches, and
// decides the behaviours and themes; triggers follow from what was found.
func (a *Analyzer) detect(toks []token, text string, nSent int, sentScores []float64) detection {
	rs := a.rules
	m := a.model
	d := detection{rs: rs, counts: make([]int, len(rs.labels)), behaviours: []Behaviour{}}
	if nSent == 0 || len(toks) == 0 {
		return d
	}
	bounds := make([]int, 0, nSent+1) // token index where each sentence starts
	ruleFound := make([]labelSet, 0, nSent)
	var matches []match
	for i := 0; i < len(toks); {
		s := toks[i].sent
		j := i
		for j < len(toks) && toks[j].sent == s {
			j++
		}
		score := 0.0
		if s < len(sentScores) {
			score = sentScores[s]
		}
		bounds = append(bounds, i)
		ruleFound = append(ruleFound, a.scanSentence(toks[i:j], score, len(bounds)-1, &d, &matches))
		i = j
	}
	bounds = append(bounds, len(toks))
	n := len(bounds) - 1 // sentences with words

	// Features of each sentence, then the model's scores for each sentence alone and
	// with the sentence before it ("I told him about the audition. He kept scrolling.").
	fb := featBuf{h: make([]uint64, 0, len(toks)*3), pos: make([]int32, 0, len(toks)*3)}
	featAt := make([]int, n+1)
	var tagBuf [64]byte
	for s, mi := 0, 0; s < n; s++ {
		words := toks[bounds[s]:bounds[s+1]]
		tags := tagBuf[:0]
		if len(words) > len(tagBuf) {
			tags = make([]byte, len(words))
		}
		tags = tags[:len(words)]
		mj := mi
		for mj < len(matches) && matches[mj].sentence == s {
			mj++
		}
		featAt[s] = len(fb.h)
		a.sentenceFeatures(words, bounds[s], matches[mi:mj], tags, &fb)
		mi = mj
	}
	featAt[n] = len(fb.h)
	nl := len(m.labels)
	rows := make([]int32, len(fb.h)) // each feature's row in the model, -1 if unknown
	for i, h := range fb.h {
		rows[i] = m.row(h)
	}
	// Stamps: a feature counts once per window. One byte per feature keeps the
	// table small to clear; after 255 windows it is cleared and the stamps restart.
	seen := make([]uint8, m.nRows())
	stamp := uint8(0)
	score := func(from, to int, out []float32) {
		stamp++
		if stamp == 0 {
			clear(seen)
			stamp = 1
		}
		copy(out, m.bias)
		for _, r := range rows[from:to] {
			if r >= 0 && seen[r] != stamp {
				seen[r] = stamp
				m.addRow(r, out)
			}
		}
	}
	single := make([]float32, n*nl)
	pair := make([]float32, n*nl)
	for s := range n {
		score(featAt[s], featAt[s+1], single[s*nl:(s+1)*nl])
		if s > 0 {
			score(featAt[s-1], featAt[s+1], pair[s*nl:(s+1)*nl])
		}
	}
	modelFound := make([]labelSet, n)
	var modelMask labelSet
	for k := range nl {
		id := m.ruleIDs[k]
		modelMask |= 1 << id
		thr := m.threshold[k]
		for s := range n {
			if single[s*nl+k] >= thr {
				modelFound[s] |= 1 << id
				if k < nBehaviours {
					d.addBehaviour(a, toks, text, bounds, s, s, k, fb.pos, rows, featAt)
				}
				continue
			}
			if s > 0 && pair[s*nl+k] >= thr && single[(s-1)*nl+k] < thr && !modelFound[s-1].has(id) {
				at := s
				if single[(s-1)*nl+k] > single[s*nl+k] {
					at = s - 1
				}
				modelFound[at] |= 1 << id
				if k < nBehaviours {
					d.addBehaviour(a, toks, text, bounds, s-1, s, k, fb.pos, rows, featAt)
				}
			}
		}
	}
	d.fixResponders()

	for s := range n {
		found := ruleFound[s]&^modelMask | modelFound[s]
		score := 0.0
		if s < len(sentScores) {
			score = sentScores[toks[bounds[s]].sent]
		}
		// Themes in a painful sentence become that theme's trigger.
		if score <= -0.05 {
			for _, tt := range themeTriggers {
				if found.has(rs.ids[tt[0]]) {
					found |= 1 << rs.ids[tt[1]]
				}
			}
		}
		for _, dt := range dynamicTriggers {
			if found.has(rs.ids[dt[0]]) {
				found |= 1 << rs.ids[dt[1]]
			}
		}
		for id := range rs.nVocab {
			if found.has(id) {
				d.counts[id]++
			}
		}
		d.hasLabel |= found
	}
	return d
}

// scanSentence applies every rule that can start at each word of one sentence and
// records where each matched (negated matches too: the model reads them).
func (a *Analyzer) scanSentence(words []token, score float64, sent int, d *detection, matches *[]match) labelSet {
	rs := a.rules
	var found labelSet
	try := func(r *rule, i int) {
		if (r.notPosSen && score >= 0.05) || (r.negSen && score > -0.05) {
			return
		}
		// The first element matched already: the word or prefix index chose the rule.
		end, ok := matchEnd(r.elems[1:], words, i+1)
		if !ok {
			return
		}
		if !r.negOK && (a.negatedAt(words, i) || a.negatedWithin(words[i:end])) {
			*matches = append(*matches, match{label: r.label, pos: i, negated: true, sentence: sent})
			if r.negLabel >= 0 && !r.cue {
				found |= 1 << r.negLabel
			}
			return
		}
		*matches = append(*matches, match{label: r.label, pos: i, sentence: sent})
		if !r.cue {
			found |= 1 << r.label
		}
	}
	for i := range words {
		w := words[i].text
		for _, r := range rs.byWord[w] {
			try(r, i)
		}
		for _, r := range rs.byPrefix[w[:min(2, len(w))]] {
			for _, p := range r.elems[0].prefixes {
				if strings.HasPrefix(w, p) {
					try(r, i)
					break
				}
			}
		}
		switch w {
		case "we", "us", "our", "ours", "ourselves", "let's", "we're", "we've", "we'll", "we'd":
			d.we++
			found |= 1 << rs.ids[DynamicWeLanguage]
		case "you", "you're", "your", "you've", "you'll", "you'd", "yourself":
			if isYouStatement(words, i) {
				d.you++
				found |= 1 << rs.ids[DynamicYouLanguage]
			}
		case "i":
			if i+1 < len(words) {
				switch words[i+1].text {
				case "told", "said", "asked", "explained", "need", "needed", "want", "wanted", "feel", "felt":
					d.direct++
				}
			}
		}
	}
	return found
}

// themeTriggers and dynamicTriggers are read-only tables: a theme met in a painful
// sentence, or a pattern met anywhere, names what set the feeling off.
var themeTriggers = [...][2]string{
	{ThemeMoney, TriggerMoneyWorries},
	{ThemeChores, TriggerHouseholdLoad},
	{ThemeFamily, TriggerFamilyPressure},
	{ThemeHealth, TriggerHealthWorries},
	{ThemeQualityTime, TriggerLackOfTime},
	{ThemeWorkStress, TriggerStress},
}

var dynamicTriggers = [...][2]string{
	{DynamicTurningAway, TriggerFeelingIgnored},
	{DynamicStonewalling, TriggerFeelingIgnored},
	{DynamicCriticism, TriggerFeelingCriticized},
	{DynamicContempt, TriggerFeelingCriticized},
}

// negatedAt reports whether a negator stands in the three words before pos, stopping at
// a clause break so "I was tired but he thanked me" is not negated by "tired".
func (a *Analyzer) negatedAt(words []token, pos int) bool {
	for k := 1; k <= 3 && pos-k >= 0; k++ {
		w := words[pos-k].text
		switch w {
		case "but", "and", "so", "because", "however":
			return false
		case "no":
			return true
		}
		if a.lex.negators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
	}
	return false
}

// negatedWithin reports a negator inside a match ("he was not selfish"). Rules whose
// own words are negations are marked negOK and never get here.
func (a *Analyzer) negatedWithin(words []token) bool {
	for i := range words {
		if w := words[i].text; w == "no" || a.lex.negators[w] || strings.HasSuffix(w, "n't") {
			return true
		}
	}
	return false
}

// isYouStatement tells a you-statement about the partner ("you never listen") from
// courtesy and questions ("thank you", "love you", "can you", "you know").
func isYouStatement(words []token, i int) bool {
	if i+1 < len(words) && words[i+1].text == "know" {
		return false
	}
	if i == 0 {
		return true
	}
	if i+1 < len(words) {
		switch words[i+1].text {
		case "always", "never", "ever":
			return true // "why do you always": an accusation, though phrased as a question
		}
	}
	switch words[i-1].text {
	case "with":
		return i >= 2 && (words[i-2].text == "wrong" || words[i-2].text == "problem")
	case "thank", "thanks", "love", "miss", "see", "if", "are", "do", "did", "can", "could",
		"would", "will", "to", "for", "about", "meet", "told", "asked", "bless", "have", "need",
		"hear", "at", "when", "tell", "help":
		return false
	}
	return true
}

// patterns turns the detection into the API's Patterns with stable ordering.
func (d *detection) patterns() Patterns {
	p := Patterns{
		RecurringThemes:      []string{},
		EmotionalTriggers:    []string{},
		RelationshipDynamics: []string{},
		Behaviours:           d.behaviours,
		CommunicationStyle:   d.style(),
	}
	for id, l := range d.rs.labels[:d.rs.nVocab] {
		if d.counts[id] == 0 {
			continue
		}
		switch {
		case id < nThemes:
			p.RecurringThemes = append(p.RecurringThemes, l)
		case id < nThemes+nTriggers:
			p.EmotionalTriggers = append(p.EmotionalTriggers, l)
		case l == DynamicWeLanguage && d.we < d.you, l == DynamicYouLanguage && d.you <= d.we:
			// Report the pronoun stance that dominates the entry, not both.
		default:
			p.RelationshipDynamics = append(p.RelationshipDynamics, l)
		}
	}
	return p
}

func (d *detection) n(label string) int { return d.counts[d.rs.ids[label]] }

// style picks the one communication style with the most evidence. Ties go to the more
// specific Gottman reading, then to the spec's three plain values.
func (d *detection) style() string {
	cands := []struct {
		style string
		score int
	}{
		{StyleCritical, d.n(DynamicCriticism) + d.n(DynamicContempt)},
		{StyleDefensive, d.n(DynamicDefensiveness)},
		{StyleWithdrawn, d.n(DynamicStonewalling) + d.n(DynamicTurningAway)},
		{StyleCollaborative, d.n(DynamicGentleStartup) + d.n(DynamicRepairAttempt) +
			d.n(DynamicTakingResponsibility) + d.n(DynamicMutualSupport) + d.n(DynamicSelfSoothing) +
			min(d.we/3, 2)}, // one "our" is not a collaborative stance; several are
		{StyleAppreciative, d.n(DynamicAppreciation)},
		{StyleDirect, d.direct},
	}
	best, bestScore := StyleNeutral, 0
	for _, c := range cands {
		if c.score > bestScore {
			best, bestScore = c.style, c.score
		}
	}
	return best
}

// describe names up to two notable patterns in plain words for the reasoning text.
func (d *detection) describe() string {
	var names []string
	for _, l := range Dynamics() {
		if len(names) == 2 {
			break
		}
		if l == DynamicWeLanguage || l == DynamicYouLanguage || l == DynamicAbsolutistLanguage {
			continue
		}
		if d.n(l) > 0 {
			names = append(names, plainName(l))
		}
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("It describes %s.", names[0])
	}
	return fmt.Sprintf("It describes %s and %s.", names[0], names[1])
}

func plainName(dynamic string) string {
	switch dynamic {
	case DynamicContempt:
		return "moments of contempt"
	case DynamicStonewalling:
		return "someone shutting down"
	case DynamicGentleStartup:
		return "a concern raised gently"
	case DynamicTakingResponsibility:
		return "taking responsibility"
	case DynamicSelfSoothing:
		return "taking time to calm down"
	case DynamicRepairAttempt:
		return "an attempt to repair"
	case DynamicBidForConnection:
		return "a bid for connection"
	case DynamicTurningToward:
		return "turning toward each other"
	case DynamicTurningAway:
		return "a bid that was missed"
	case DynamicMutualSupport:
		return "support"
	}
	return strings.ReplaceAll(dynamic, "_", " ")
}
