package offline

import (
	"math"
	"strings"
)

// VADER's empirically derived constants (Hutto & Gilbert 2014).
const (
	boosterIncr    = 0.293
	capsIncr       = 0.733
	negationScalar = -0.74
	normAlpha      = 15.0
	exclaimAmp     = 0.292
	questionAmp    = 0.18

	// Affect density: a feeling word in a six-word sentence says more than the same word
	// in a forty-word one. Sums are scaled by sqrt(lengthRef/n) past lengthRef words.
	lengthRef = 6.0
	// neutralRaw is the raw compound score below which a text reads as neutral.
	neutralRaw = 0.06
)

// item is a scoring unit: a single token or a phrase from the event lexicon.
type item struct {
	text      string
	raw       string
	sent      int
	e         entry
	known     bool // in a lexicon
	booster   float64
	negator   bool
	canceller bool
	contrast  bool
	hedge     bool
	overcome  bool // "recovered", "survived": a hardship right after them is over
	emoji     bool
	clause    bool // last item before a comma, semicolon, colon or dash
	semi      bool // last item before a semicolon
	quoted    bool
	title     bool // written Capitalised
	elongated bool // "sooo", "yesss": letters repeated for emphasis
	innerNeg  bool // a frame matched across a negator ("wasn't picked")
}

// sentiment is the outcome of scoring one text.
type sentiment struct {
	score     float64
	sentences []float64 // per-sentence compound, for triggers
	hits      int       // items that carried valence
	words     int       // scoring items
	english   int       // items recognised as English (lexicon or function words)
	pos, neg  float64   // summed positive and negative valence
	keywords  []scored
}

type scored struct {
	text string
	val  float64
}

func (a *Analyzer) buildItems(toks []token) []item {
	items := make([]item, 0, len(toks))
	var buf []byte
	lemmas := make([]string, len(toks))
	for i := range toks {
		lemmas[i] = a.lex.lemma(toks[i].text)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		start, surfaceLen := i, 1
		it := item{text: t.text, raw: t.raw, sent: t.sent, clause: t.clause, semi: t.semi, quoted: t.quoted, title: isTitleCase(t.raw)}
		if t.emoji != 0 {
			it.e, it.known, it.emoji = a.lex.emoji[t.emoji], true, true
			items = append(items, it)
			continue
		}
		// Longest phrase first, never across a sentence boundary.
		if n := a.lex.phraseStart[t.text]; n > 1 {
			for l := min(n, len(toks)-i); l >= 2; l-- {
				if toks[i+l-1].sent != t.sent {
					continue
				}
				buf = buf[:0]
				for k := i; k < i+l; k++ {
					if k > i {
						buf = append(buf, ' ')
					}
					buf = append(buf, toks[k].text...)
				}
				if e, ok := a.lex.phrases[string(buf)]; ok {
					it.text, it.raw, it.e, it.known = a.lex.phraseKey(string(buf)), "", e, true
					i += l - 1
					surfaceLen = l
					break
				}
			}
		}
		if key, end, neg, ok := a.matchFrame(toks, lemmas, start, &buf); ok && (!it.known || end > start+surfaceLen-1) {
			// The longer reading wins: "came back negative" over "came back".
			it.text, it.raw, it.e, it.known, it.innerNeg = key, "", a.lex.frames[key], true, neg
			it.clause = toks[end].clause
			i = end
		}
		if !it.known {
			switch {
			case t.text == "no" && i+1 < len(toks) && (toks[i+1].text == "one" || toks[i+1].text == "longer"):
				it.text, it.negator = "no one", true
				if toks[i+1].text == "longer" {
					it.text = "no longer"
				}
				i++
			default:
				it.e, it.known = a.lex.lookup(t.text)
				it.negator = a.lex.negators[t.text] || strings.HasSuffix(t.text, "n't")
				it.booster = a.lex.boosters[t.text]
				if !it.known && !it.negator && it.booster == 0 {
					if w, ok := squeeze(t.text); ok {
						it.elongated = true
						if e, ok := a.lex.lookup(w); ok {
							it.text, it.e, it.known = w, e, true
						} else if w2, _ := squeezeTo(w, 1); w2 != w {
							if e, ok := a.lex.lookup(w2); ok {
								it.text, it.e, it.known = w2, e, true
							}
						}
					}
				}
			}
		}
		if len(it.text) <= 1 && !it.known {
			continue // VADER ignores single letters; they must not push negators out of reach
		}
		it.canceller = a.lex.cancellers[it.text] || counterfactual(it.text) || depriving(it.text)
		it.contrast = it.text == "but" || it.text == "however"
		it.hedge = a.lex.hedges[it.text]
		it.overcome = a.lex.overcomers[it.text]
		items = append(items, it)
	}
	return items
}

// phraseKey returns the lexicon's own copy of a phrase so keywords do not keep a
// per-call buffer alive or allocate.
func (lx *lexicon) phraseKey(s string) string {
	if k, ok := lx.phraseKeys[s]; ok {
		return k
	}
	return s
}

func (a *Analyzer) scoreSentiment(toks []token, sents []sentenceInfo) sentiment {
	items := a.buildItems(toks)
	vals := make([]float64, len(items))
	capsDiff := hasCapsDiff(items)
	snubbedAt := make([]bool, len(sents))
	var res sentiment
	res.words = len(items)

	for i := range items {
		it := &items[i]
		if (it.known && !it.emoji) || a.lex.function[it.text] {
			res.english++
		}
		if it.negator && !it.known {
			// A negator carries no valence of its own ("No, the train leaves at six"): it
			// only turns the feeling word it reaches. Negating an act toward the writer
			// is an unmet expectation ("she told him not to see me", "he never wrote
			// to us"), as with the expected acts of the event lexicon.
			if a.towardWriter(items, i) {
				vals[i] = -1.0
			}
			continue
		}
		if it.elongated && !it.known {
			// "Todayyyy", "let's gooooo": stretching a plain word is excitement.
			if !a.lex.function[it.text] {
				vals[i] = 0.8
			}
			continue
		}
		if it.booster != 0 && !it.known {
			// "The concert was incredible": a booster with nothing to boost is the
			// adjective it also is.
			if v := boosterAdjective(it.text); v != 0 && !boostsNext(items, i) {
				vals[i] = v
			}
			continue
		}
		if !it.known {
			continue
		}
		if it.text == "kind" && i+1 < len(items) && items[i+1].text == "of" {
			continue
		}
		v := polysemous(items, i)
		if it.text == "no" && !a.standalone(items, i) {
			v = 0 // "No, the train leaves at six": an answer or a negator, not a feeling
		} else if v == 0 && it.e.alone != 0 && a.standalone(items, i) {
			v = it.e.alone // "Good luck!" on its own is a wish, inside a message a formula
		}
		if v != 0 && a.descriptive(items, i, v) {
			continue
		}
		if a.lex.usage.degree[it.text] && i+1 < len(items) && items[i+1].sent == it.sent && !it.clause {
			continue // "insanely tall", "terribly sorry": an intensifier, not a feeling
		}
		if it.elongated {
			v += math.Copysign(capsIncr, v)
		}
		if isAllCaps(it.raw) && capsDiff && v != 0 {
			v += math.Copysign(capsIncr, v)
		}
		negations := 0
		cancelled, overcome := false, false
		for k := 1; k <= 3; k++ {
			j := i - k
			if j < 0 || items[j].sent != it.sent || items[j].clause {
				break // negation and boosting stop at a comma: "No, I'm happy"
			}
			p := &items[j]
			boost := p.booster
			if k == 1 && boost == 0 && a.lex.usage.degree[p.text] {
				boost = boosterIncr
			}
			if (!p.known || boost != p.booster) && boost != 0 && v != 0 {
				s := boost
				if v < 0 {
					s = -s
				}
				if isAllCaps(p.raw) && capsDiff {
					s += math.Copysign(capsIncr, v)
				}
				switch k {
				case 2:
					s *= 0.95
				case 3:
					s *= 0.9
				}
				v += s
			}
			if p.negator {
				// VADER: "never so good" intensifies instead of negating.
				if p.text == "never" && k > 1 && (items[i-1].text == "so" || items[i-1].text == "this") {
					v *= 1.25
					continue
				}
				if p.text == "without" && k > 1 && items[i-1].text == "doubt" {
					continue
				}
				negations++
			}
			if p.canceller && (it.e.val > 0 || it.e.event) && !p.clause {
				cancelled = true
			}
			if p.overcome && v < 0 {
				overcome = true
			}
		}
		if overcome {
			continue // "she recovered from cancer": the illness is behind her
		}
		if i > 0 && items[i-1].text == "least" && items[i-1].sent == it.sent &&
			(i < 2 || (items[i-2].text != "at" && items[i-2].text != "very")) {
			v *= negationScalar
		}
		if snubbedAt[it.sent] && v > 0 {
			// "Nobody came to my party": once an expected act is missing, the good things
			// that follow in the sentence are what was missed.
			v *= negationScalar
		}
		if it.innerNeg {
			negations++
		}
		switch {
		case negations%2 == 1 && it.e.event:
			v = it.e.negVal
			if it.e.val >= 0 && v < 0 {
				snubbedAt[it.sent] = true
			}
		case negations%2 == 1:
			v *= negationScalar
		case cancelled && it.e.event:
			v = it.e.negVal
		case cancelled && v > 0:
			v *= negationScalar
		}
		vals[i] = v
	}

	a.context(items, vals)
	if a.explain != nil {
		a.explain(items, vals)
	}

	// Contrast: what follows "but" carries the sentence (VADER's but-check, per sentence).
	nSent := len(sents)
	sentSum := make([]float64, nSent)
	sentLen := make([]int, nSent)
	for s, i := 0, 0; s < nSent; s++ {
		j := i
		for j < len(items) && items[j].sent == s {
			j++
		}
		butAt, hedged, again := -1, false, false
		for k := i; k < j; k++ {
			if items[k].contrast && butAt < 0 {
				butAt = k
			}
			hedged = hedged || items[k].hedge
			again = again || items[k].text == "again"
		}
		if butAt < 0 {
			butAt = a.turnAt(items[i:j], vals[i:j])
			if butAt >= 0 {
				butAt += i
			}
		}
		for k := i; k < j; k++ {
			if butAt >= 0 {
				if k < butAt || (k == butAt && items[k].semi) {
					vals[k] *= 0.5
				} else if k > butAt {
					vals[k] *= 1.5
				}
			}
			if hedged {
				vals[k] *= 0.85
			}
			sentSum[s] += vals[k]
		}
		// "He forgot again": repetition is what makes an event hurt in a journal.
		if again && sentSum[s] < 0 {
			for k := i; k < j; k++ {
				vals[k] *= 1.25
			}
			sentSum[s] *= 1.25
		}
		if sentSum[s] == 0 && j > i && (sents[s].exclaims >= 2 || (sents[s].exclaims >= 1 && allCaps(items[i:j]))) {
			// "Guess who's going to Paris!!!": news announced with this much emphasis and
			// no feeling word is good news.
			sentSum[s] = 0.6
		}
		sentLen[s] = j - i
		i = j
	}

	res.sentences = make([]float64, nSent)
	var total float64
	var ex, qm int
	for s := range sentSum {
		total += sentSum[s]
		ex += sents[s].exclaims
		qm += sents[s].questions
		res.sentences[s] = normalize((sentSum[s] + emphasis(sentSum[s], sents[s].exclaims, sents[s].questions)) * lengthFactor(sentLen[s]))
	}
	if nSent <= 3 {
		res.score = normalize((total + emphasis(total, ex, qm)) * lengthFactor(len(items)))
	} else {
		// Long entries: VADER's summed score saturates at ±1 for any long text, which
		// says nothing. Average the sentences that carry feeling; neutral ones dilute a
		// little, as they do when a person reads the entry.
		var sum, w float64
		for s, c := range res.sentences {
			if sentSum[s] != 0 {
				sum += c
				w++
			} else {
				w += 0.25
			}
		}
		if w > 0 {
			res.score = sum / w
		}
	}

	res.score = calibrate(res.score)

	for i, v := range vals {
		if v == 0 {
			continue
		}
		res.hits++
		if v > 0 {
			res.pos += v
		} else {
			res.neg -= v
		}
		if math.Abs(v) >= 0.5 {
			res.keywords = addKeyword(res.keywords, items[i].text, v)
		}
	}
	return res
}

// depriving reports frames that take a good thing away from the writer, so a good thing
// right after them is what was lost: "passed over for promotion", "turned down for
// the job", "denied the scholarship".
func depriving(text string) bool {
	for _, p := range [...]string{"pass over", "turn down", "turn me down", "reject", "deny", "not pick", "not choose", "not invite",
		"lose ", "take credit", "miss the", "(last", "cut "} {
		if strings.HasPrefix(text, p) {
			return true
		}
	}
	return false
}

// counterfactual reports the frames of regret ("should have", "if only"), which turn
// the good things after them into what was missed.
func counterfactual(text string) bool {
	return strings.HasPrefix(text, "should ") || text == "if only" || strings.HasPrefix(text, "i wish i")
}

// turnAt finds a turn inside a sentence ("until", "then", "when" after the first words,
// "only to") where the feeling before it and after it differ in sign, or -1.
func (a *Analyzer) turnAt(items []item, vals []float64) int {
	for k := 1; k < len(items); k++ {
		if !a.lex.usage.turns[items[k].text] {
			continue
		}
		var pre, post float64
		for m := range vals {
			if m < k {
				pre += vals[m]
			} else if m > k {
				post += vals[m]
			}
		}
		if w := items[k].text; (w == "until" || w == "till") && laughedBefore(items[:k]) {
			continue // "we laughed until we cried": a measure of the laughter, not a turn
		}
		if pre > 0 && post <= 0 && a.interrupts(items, k) {
			// "The party was going great until the police showed up": what follows
			// "until" spoils the set-up even when it names no feeling; the set-up is
			// what was lost.
			for m := 0; m < k; m++ {
				if vals[m] > 0 {
					vals[m] *= -0.5
				}
			}
			return k
		}
		if pre*post < 0 && items[k].text != "when" && items[k].text != "suddenly" {
			return k
		}
	}
	// A semicolon between a good and a bad clause is a turn too: "The food was
	// delicious; I was sick all night afterwards."
	for k := 0; k+1 < len(items); k++ {
		if !items[k].semi {
			continue
		}
		var pre, post float64
		for m := range vals {
			if m <= k {
				pre += vals[m]
			} else {
				post += vals[m]
			}
		}
		if pre*post < 0 {
			return k
		}
	}
	return -1
}

// towardWriter reports a negator whose clause goes on, within four words and before any
// feeling word, to the writer's side: "not to see me", "never called us".
func (a *Analyzer) towardWriter(items []item, i int) bool {
	for k := i + 1; k <= i+4 && k < len(items) && items[k].sent == items[i].sent; k++ {
		it := &items[k]
		if it.known && (it.e.val != 0 || it.e.event) {
			return false
		}
		switch it.text {
		case "me", "us", "my", "our":
			return k > i+1
		}
		if it.clause {
			return false
		}
	}
	return false
}

// interrupts reports a turn word that breaks off what came before: "until", or "when"
// after an ongoing activity ("we were laughing in the park when I got the call").
func (a *Analyzer) interrupts(items []item, k int) bool {
	switch items[k].text {
	case "until", "till":
		return true
	case "when", "suddenly":
		for m := 1; m < k; m++ {
			if (items[m-1].text == "was" || items[m-1].text == "were") && strings.HasSuffix(items[m].text, "ing") {
				return true
			}
		}
	}
	return false
}

func laughedBefore(items []item) bool {
	for i := range items {
		for _, p := range [...]string{"laugh", "smil", "giggl", "danc", "grinn", "sang", "sing"} {
			if strings.HasPrefix(items[i].text, p) {
				return true
			}
		}
	}
	return false
}

func allCaps(items []item) bool {
	n := 0
	for i := range items {
		if items[i].raw == "" {
			continue
		}
		if !isAllCaps(items[i].raw) {
			return false
		}
		n++
	}
	return n >= 2
}

func addKeyword(kw []scored, text string, v float64) []scored {
	for i := range kw {
		if kw[i].text == text {
			kw[i].val += v
			return kw
		}
	}
	return append(kw, scored{text, v})
}

func emphasis(sum float64, exclaims, questions int) float64 {
	if sum == 0 {
		return 0
	}
	amp := float64(min(exclaims, 4)) * exclaimAmp
	if questions > 1 {
		if questions <= 3 {
			amp += float64(questions) * questionAmp
		} else {
			amp += 0.96
		}
	}
	return math.Copysign(amp, sum)
}

func normalize(x float64) float64 {
	s := x / math.Sqrt(x*x+normAlpha)
	return max(-1, min(1, s))
}

func hasCapsDiff(items []item) bool {
	caps, other := false, false
	for i := range items {
		if isAllCaps(items[i].raw) {
			caps = true
		} else {
			other = true
		}
		if caps && other {
			return true
		}
	}
	return false
}

// polysemous returns a word's valence, or zero where VADER's lexicon word is being used
// in a sense that carries no feeling: "like" as a preposition, "well" and "pretty" as
// fillers or intensifiers, "kind" in "what kind", "care" in "health care".
func polysemous(items []item, i int) float64 {
	it := &items[i]
	prev, next := "", ""
	if i > 0 && items[i-1].sent == it.sent {
		prev = items[i-1].text
	}
	if i+1 < len(items) && items[i+1].sent == it.sent {
		next = items[i+1].text
	}
	switch it.text {
	case "like":
		switch prev {
		case "i", "we", "they", "you", "really", "would", "i'd", "we'd", "you'd", "also", "just",
			"do", "does", "did", "still", "truly", "genuinely", "actually", "definitely", "to":
			return it.e.val
		}
		if items[max(i-1, 0)].negator && prev != "" {
			return it.e.val
		}
		return 0
	case "well":
		if prev == "" || prev == "as" || next == "as" || next == "i" {
			return 0
		}
	case "pretty":
		if next != "" && (items[i+1].known || items[i+1].booster != 0 || next == "much" || next == "sure") {
			return 0 // "pretty bad": an intensifier, not praise
		}
	case "kind":
		switch prev {
		case "what", "this", "that", "some", "any", "every", "the", "a", "one", "same", "different", "all", "which":
			return 0
		}
	case "care":
		switch prev {
		case "health", "child", "day", "medical", "primary", "intensive", "skin", "foster", "elder", "patient", "hair":
			return 0
		}
	case "sure":
		if prev == "make" || prev == "makes" || prev == "made" || prev == "making" {
			return 0
		}
	case "block":
		switch prev {
		case "the", "a", "our", "my", "their", "city", "around", "next", "whole", "apartment", "office":
			return 0 // a street block, not an obstacle
		}
	case "clean", "cleaned":
		switch next {
		case "the", "my", "our", "his", "her", "their", "up", "out", "it", "everything":
			return 0 // a chore done, not a feeling
		}
	case "play", "plays", "played", "playing":
		if next == "the" || next == "a" {
			return 0 // "play the piano": an activity, not a feeling
		}
	case "dear":
		if prev == "" {
			return 0 // a letter's salutation
		}
	}
	return it.e.val
}

// standalone reports an item that is the only content word of its sentence ("No.",
// "Good luck!", "With best wishes,").
func (a *Analyzer) standalone(items []item, i int) bool {
	for k := i - 1; k >= 0 && items[k].sent == items[i].sent; k-- {
		if !a.lex.function[items[k].text] {
			return false
		}
	}
	for k := i + 1; k < len(items) && items[k].sent == items[i].sent; k++ {
		if !a.lex.function[items[k].text] {
			return false
		}
	}
	return true
}

func lengthFactor(n int) float64 {
	if float64(n) <= lengthRef {
		return 1
	}
	return math.Sqrt(lengthRef / float64(n))
}

// boosterAdjective is the valence of an intensifier used as a predicate adjective.
func boosterAdjective(w string) float64 {
	switch w {
	case "incredible", "exceptional":
		return 2.4
	case "tremendous":
		return 1.8
	}
	return 0
}

// boostsNext reports whether the word after a booster carries valence it can boost.
func boostsNext(items []item, i int) bool {
	if i+1 >= len(items) || items[i+1].sent != items[i].sent {
		return false
	}
	n := &items[i+1]
	return (n.known && n.e.val != 0) || n.booster != 0
}
