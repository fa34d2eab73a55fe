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
	prefixes []string
	any      bool
	gap      int // > 0: skip zero to gap words
}

func (e *element) matches(w string) bool {
	if e.any {
		return true
	}
	for _, x := range e.words {
		if x == w {
			return true
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
	notPosSen bool // only where the sentence does not read as positive
	negSen    bool // only where the sentence reads as negative
	elems     []element
}

// ruleSet indexes rules by their first word so a sentence is scanned once.
type ruleSet struct {
	labels []string
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
	for line := range strings.SplitSeq(patternRules, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		head, body, ok := strings.Cut(line, ":")
		if !ok {
			panic("offline: rule without label: " + line)
		}
		base := rule{negLabel: -1}
		if strings.HasPrefix(head, "!") {
			base.negOK, head = true, head[1:]
		}
		if strings.HasSuffix(head, "<") {
			base.notPosSen, head = true, head[:len(head)-1]
		}
		if strings.HasSuffix(head, "-") {
			base.negSen, head = true, head[:len(head)-1]
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
	return rs
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

// detection accumulates what the rules found in one entry.
type detection struct {
	rs       *ruleSet
	counts   []int // by label id
	we, you  int
	direct   int
	hasLabel labelSet
}

func (d *detection) count() int {
	n := 0
	for id := nThemes + nTriggers; id < len(d.counts); id++ {
		n += d.counts[id]
	}
	return n
}

func (a *Analyzer) detect(toks []token, nSent int, sentScores []float64) detection {
	rs := a.rules
	d := detection{rs: rs, counts: make([]int, len(rs.labels))}
	ss := rs.ids[DynamicSelfSoothing]
	sw := rs.ids[DynamicStonewalling]
	for s, i := 0, 0; s < nSent && i <= len(toks); s++ {
		j := i
		for j < len(toks) && toks[j].sent == s {
			j++
		}
		score := 0.0
		if s < len(sentScores) {
			score = sentScores[s]
		}
		found := a.scanSentence(toks[i:j], score, &d)
		// Leaving to calm down is self-soothing, not stonewalling (Gottman's
		// distinction is whether the person intends to come back).
		if found.has(ss) && found.has(sw) {
			found &^= 1 << sw
			d.counts[sw]--
		}
		d.hasLabel |= found
		i = j
	}
	return d
}

// scanSentence applies every rule that can start at each word of one sentence.
func (a *Analyzer) scanSentence(words []token, score float64, d *detection) labelSet {
	rs := a.rules
	var found labelSet
	mark := func(id int) {
		if !found.has(id) {
			found |= 1 << id
			d.counts[id]++
		}
	}
	try := func(r *rule, i int) {
		if (r.notPosSen && score >= 0.05) || (r.negSen && score > -0.05) {
			return
		}
		end, ok := matchEnd(r.elems, words, i)
		if !ok {
			return
		}
		if !r.negOK && (a.negatedAt(words, i) || a.negatedWithin(words[i:end])) {
			if r.negLabel >= 0 {
				mark(r.negLabel)
			}
			return
		}
		mark(r.label)
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
			mark(rs.ids[DynamicWeLanguage])
		case "you", "you're", "your", "you've", "you'll", "you'd", "yourself":
			if isYouStatement(words, i) {
				d.you++
				mark(rs.ids[DynamicYouLanguage])
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
	// Themes in a painful sentence become that theme's trigger.
	if score <= -0.05 {
		for _, tt := range themeTriggers {
			if found.has(rs.ids[tt[0]]) {
				mark(rs.ids[tt[1]])
			}
		}
	}
	for _, dt := range dynamicTriggers {
		if found.has(rs.ids[dt[0]]) {
			mark(rs.ids[dt[1]])
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
		Behaviours:           []Behaviour{},
		CommunicationStyle:   d.style(),
	}
	for id, l := range d.rs.labels {
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
