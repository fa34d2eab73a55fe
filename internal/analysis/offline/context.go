package offline

import (
	"math"
	"strings"
)

// This file holds the second pass over a sentence's valued items: who did what to whom
// and in which voice. Descriptive uses score nothing, reported and quoted speech little,
// a bad thing that ends is good news, hardship in an "after ..." phrase is over, and an
// ironic opener before bad news means the opposite.

// matchFrame tries the lemma-keyed event frames at token i, longest first. A negator
// inside the frame ("I wasn't picked", "they didn't choose me") is skipped over and
// reported, and so are -ly adverbs after the first word ("was finally chosen").
func (a *Analyzer) matchFrame(toks []token, lemmas []string, i int, buf *[]byte) (key string, end int, neg, ok bool) {
	n := a.lex.frameStart[lemmas[i]]
	if n == 0 {
		return "", 0, false, false
	}
	// The words as written first ("should never have" is a frame of its own), then,
	// if a negator or an adverb stands in the way, skipping over it.
	k1, e1, n1, ok1 := a.matchFrameFrom(toks, lemmas, i, n, buf, false)
	skippable := false
	for k := i + 1; k < len(toks) && k <= i+n && toks[k].sent == toks[i].sent; k++ {
		if a.skippable(toks[k].text, lemmas[k]) {
			skippable = true
			break
		}
	}
	if !skippable {
		return k1, e1, n1, ok1
	}
	k2, e2, n2, ok2 := a.matchFrameFrom(toks, lemmas, i, n, buf, true)
	if ok1 && (!ok2 || e1 >= e2) {
		return k1, e1, n1, true
	}
	return k2, e2, n2, ok2
}

// skippable reports a negator or an -ly adverb inside a frame ("wasn't picked", "was
// finally chosen").
func (a *Analyzer) skippable(w, lemma string) bool {
	return a.lex.negators[w] || strings.HasSuffix(w, "n't") ||
		(strings.HasSuffix(w, "ly") && len(w) > 4 && lemma == w && a.lex.lemmas[w] == "")
}

func (a *Analyzer) matchFrameFrom(toks []token, lemmas []string, i, n int, buf *[]byte, skip bool) (key string, end int, neg, ok bool) {
	lx := a.lex
	var idx, negAt [8]int
	cnt, skippedNeg := 0, 0
	for k := i; k < len(toks) && cnt < n && cnt < len(idx) && toks[k].sent == toks[i].sent; k++ {
		w := toks[k].text
		if skip && k > i && a.skippable(w, lemmas[k]) {
			if lx.negators[w] || strings.HasSuffix(w, "n't") {
				skippedNeg++
			}
			continue
		}
		idx[cnt] = k
		negAt[cnt] = skippedNeg
		cnt++
		if toks[k].clause {
			break
		}
	}
	for l := cnt; l >= 1; l-- {
		if l == 1 {
			if _, known := lx.words[toks[i].text]; known {
				break // a word the surface lexicons know keeps its own reading
			}
		}
		b := (*buf)[:0]
		for m := 0; m < l; m++ {
			if m > 0 {
				b = append(b, ' ')
			}
			b = append(b, lemmas[idx[m]]...)
		}
		*buf = b
		if _, found := lx.frames[string(b)]; found {
			// A negator the frame spells out ("not invite", "without me") is part of
			// it; one hidden in a lemma ("wasn't picked" = "be pick") negates it.
			first := toks[i].text
			inner := negAt[l-1] > 0 || ((lx.negators[first] || strings.HasSuffix(first, "n't")) && l > 1 &&
				lemmas[i] != first)
			return lx.phraseKey(string(b)), idx[l-1], inner, true
		}
	}
	return "", 0, false, false
}

// squeeze shortens letters repeated three or more times to two ("yesss" → "yess",
// "soooo" → "soo"); ok is false when nothing was repeated.
func squeeze(w string) (string, bool) { return squeezeTo(w, 2) }

func squeezeTo(w string, keep int) (string, bool) {
	run, found := 1, false
	for i := 1; i < len(w); i++ {
		if w[i] == w[i-1] {
			run++
			if run >= 3 && w[i] < 0x80 {
				found = true
			}
		} else {
			run = 1
		}
	}
	if !found && keep == 2 {
		return w, false
	}
	b := make([]byte, 0, len(w))
	run = 0
	for i := 0; i < len(w); i++ {
		if i > 0 && w[i] == w[i-1] && w[i] < 0x80 {
			run++
		} else {
			run = 1
		}
		if run <= keep {
			b = append(b, w[i])
		}
	}
	return string(b), true
}

// descriptive reports a feeling word used to name something rather than to feel it: a
// capitalised name or title ("the Dead Sea", "Happy Death Day"), a noun modifying a
// head noun ("a cancer nurse", "the killer whale show"), a word mentioned ("the word
// happy"), an answer particle or discourse marker before a comma ("Yes, ...").
func (a *Analyzer) descriptive(items []item, i int, v float64) bool {
	it := &items[i]
	u := a.lex.usage
	sameSent := func(j int) bool { return j >= 0 && j < len(items) && items[j].sent == it.sent }
	if it.title && sameSent(i-1) && !items[i-1].clause && !it.emoji && !headline(items, i) {
		// A name or title: capitalised in mid-sentence next to another capitalised word
		// that is not itself sentence- or clause-initial.
		if (items[i-1].title && items[i-1].text != "i" && sameSent(i-2) && !items[i-2].clause) ||
			(sameSent(i+1) && items[i+1].title && items[i+1].text != "i" && !it.clause) {
			return true
		}
	}
	if v > 0 && it.e.event {
		// "after the wedding", "before Christmas", "at a friend's party": an occasion
		// named as a time or place says nothing about how it felt.
		for k := i - 1; k >= max(0, i-3) && sameSent(k); k-- {
			if w := items[k].text; w == "after" || w == "before" || w == "during" || w == "since" || w == "at" {
				return true
			}
			if !a.lex.function[items[k].text] && !strings.HasSuffix(items[k].text, "'s") {
				break
			}
		}
	}
	if u.speech[it.text] && i > 0 && items[i-1].quoted && !it.quoted {
		return true // "“Marvelous!” cried the woman": the verb reports speech
	}
	if sameSent(i - 1) {
		switch items[i-1].text {
		case "the word", "called", "named", "titled", "entitled":
			if it.quoted || it.title || items[i-1].text == "the word" {
				return true
			}
		}
	}
	if v < 0 && !it.clause && sameSent(i+1) && u.headNouns[items[i+1].text] && nounLike(it.text) &&
		!strings.Contains(it.text, " ") {
		return true
	}
	if !sameSent(i-1) && u.discourse[it.text] && (it.clause || (sameSent(i+1) && u.discourse[items[i+1].text])) {
		return true
	}
	if sameSent(i-1) && u.discourse[it.text] && it.clause && u.discourse[items[i-1].text] && !sameSent(i-2) {
		return true // "Ah yes, ..."
	}
	return false
}

// headline reports a sentence written in title case ("Yankee Dies in Plane Crash"),
// where capitals mark nothing.
func headline(items []item, i int) bool {
	s, e := i, i
	for s > 0 && items[s-1].sent == items[i].sent {
		s--
	}
	for e < len(items) && items[e].sent == items[i].sent {
		e++
	}
	titled := 0
	for k := s; k < e; k++ {
		if items[k].title || isAllCaps(items[k].raw) {
			titled++
		}
	}
	return e-s >= 3 && titled*2 >= e-s
}

// context applies the sentence-level readings to the item values in place.
func (a *Analyzer) context(items []item, vals []float64) {
	u := a.lex.usage
	for s, e := 0, 0; s < len(items); s = e {
		e = s
		for e < len(items) && items[e].sent == items[s].sent {
			e++
		}
		a.readingScopes(items[s:e], vals[s:e])
		abate(items[s:e], vals[s:e], u)
		irony(items[s:e], vals[s:e], u)
		afterPhrase(items[s:e], vals[s:e])
	}
}

// readingScopes discounts what follows a topic ("a novel about a war widow"), an occupation
// ("she works in disaster recovery"), a report ("the article says", "apparently"), an
// embedded question ("he asked whether I was happy") or a condition ("if the weather is
// good"), up to the end of the clause.
func (a *Analyzer) readingScopes(items []item, vals []float64) {
	u := a.lex.usage
	scaleTo := func(from int, f float64, clauseOnly bool) {
		for k := from; k < len(items); k++ {
			vals[k] *= f
			if clauseOnly && items[k].clause {
				return
			}
		}
	}
	for i := range items {
		w := items[i].text
		next := ""
		if i+1 < len(items) {
			next = items[i+1].text
		}
		switch {
		case u.topicNouns[w] && u.topicPreps[next]:
			scaleTo(i+2, 0, true)
		case u.topicNouns[w] && i+2 < len(items) && u.topicPreps[items[i+2].text]:
			scaleTo(i+3, 0, true)
		case u.occupationVerbs[w] && (next == "at" || next == "in" || next == "for" || next == "as"):
			scaleTo(i+2, 0, true)
		case u.report[w] || (w == "according" && next == "to"):
			scaleTo(i+1, 0.4, false)
		case (w == "news" || w == "article" || w == "report" || w == "forecast" || w == "paper" ||
			w == "study" || w == "they") && (next == "says" || next == "said" || next == "reported" ||
			next == "reports" || next == "shows" || next == "showed"):
			scaleTo(i+2, 0.4, false)
		case (w == "i" || w == "we") && (next == "thought" || next == "feared" || next == "worried"):
			scaleTo(i+2, 0.3, true) // "the exam I thought I'd failed": a belief, then the fact
		case w == "whether" || ((w == "if") && i > 0 && (items[i-1].text == "asked" ||
			items[i-1].text == "ask" || items[i-1].text == "asks" || items[i-1].text == "wonder" ||
			items[i-1].text == "wondered" || items[i-1].text == "know" || items[i-1].text == "sure")):
			scaleTo(i+1, 0, true)
		case w == "if" && i == 0:
			scaleTo(1, 0.3, true)
		}
	}
}

// abate turns a bad thing that stops, ends, shrinks or is fixed into good news. A bad
// thing before the verb is its subject ("the pain stopped", "the charges were
// dropped"); after it only for verbs that act on an object ("they fixed the leak"), so
// "stopped answering my messages" stays a loss.
func abate(items []item, vals []float64, u *usageLists) {
	for i := range items {
		if !u.abaters[items[i].text] {
			continue
		}
		if i+1 < len(items) && (items[i+1].text == "up" || items[i+1].text == "in" || items[i+1].text == "with") {
			continue // "ended up in hospital", "ends in tragedy"
		}
		if i > 0 && (items[i-1].text == "to" || items[i-1].text == "must" || items[i-1].text == "should") {
			continue // "we need to stop animal cruelty": a goal, not an outcome
		}
		negated := false
		for k := max(0, i-2); k < i; k++ {
			negated = negated || items[k].negator
		}
		if negated {
			continue
		}
		flipped := false
		hi := i
		if u.transitiveAbaters[items[i].text] {
			hi = min(len(items)-1, i+4) // "they fixed the leak"
		}
		for k := max(0, i-4); k <= hi; k++ {
			if k == i || vals[k] >= 0 || clauseBetween(items, k, i) {
				continue
			}
			vals[k] = 0.5 * -vals[k]
			flipped = true
		}
		if flipped && vals[i] < 0 {
			vals[i] = 0
		}
	}
}

func clauseBetween(items []item, a, b int) bool {
	if a > b {
		a, b = b, a
	}
	for k := a; k < b; k++ {
		if items[k].clause {
			return true
		}
	}
	return false
}

// irony reads the opposite of an opener's praise when bad news follows it: "Oh great,
// another cancelled train", "Love how my phone dies at 40%", "Thanks a lot for telling
// everyone", praise in scare quotes ("the "help""), praise attributed to someone else
// before bad news ("Best wishes, they wrote, at the bottom of my redundancy notice"),
// and "... said no one ever".
func irony(items []item, vals []float64, u *usageLists) {
	n := len(items)
	if n == 0 {
		return
	}
	// "... said no one (ever)": everything good in the sentence is meant the other way.
	for i := 0; i+1 < n; i++ {
		if items[i].text == "said" && (items[i+1].text == "no one" || items[i+1].text == "nobody" ||
			items[i+1].text == "noone") {
			for k := range vals {
				if vals[k] > 0 {
					vals[k] *= negationScalar
				}
			}
			vals[i+1] = 0
			break
		}
	}
	// The opener: the first clause (at most five items) or the first three words.
	openEnd := -1
	for i := 0; i < n && i < 8; i++ {
		if items[i].clause {
			openEnd = i
			break
		}
	}
	if openEnd < 0 && u.ironyOpeners[items[0].text] {
		openEnd = min(n-1, 2)
	}
	// Attributed speech: "<praise>, they wrote, <bad news>" or "<praise>," she said.
	attributed := false
	if openEnd >= 0 && openEnd+3 < n {
		for k := openEnd + 1; k <= openEnd+3 && k < n; k++ {
			if u.speech[items[k].text] {
				attributed = true
				break
			}
		}
	}
	if openEnd >= 0 && (u.ironyOpeners[items[0].text] || attributed || items[0].quoted) {
		var open, rest float64
		for k := range vals {
			if k <= openEnd {
				open += max(vals[k], 0)
			} else if !u.speech[items[k].text] {
				rest += vals[k]
			}
		}
		repeated := false
		for k := openEnd + 1; k < n; k++ {
			repeated = repeated || items[k].text == "again" || items[k].text == "another" || items[k].text == "in a row"
		}
		switch {
		case open > 0 && rest <= -0.5:
			for k := 0; k <= openEnd; k++ {
				if vals[k] > 0 {
					vals[k] *= -0.5
				}
			}
		case repeated && rest <= 0 && u.ironyOpeners[items[0].text]:
			// "Oh great, another Monday", "Sure, I'll cover your shift again": praise
			// for a repetition is a complaint about it.
			for k := 0; k <= openEnd; k++ {
				vals[k] = min(-vals[k]*0.5, 0)
			}
			vals[0] = min(vals[0], -1.2)
		}
	}
	// Scare quotes: praise quoted in a sentence that is otherwise bad news.
	var quotedPos, plain float64
	quotedLen := 0
	for k := range vals {
		if items[k].quoted {
			quotedLen++
			quotedPos += max(vals[k], 0)
		} else {
			plain += vals[k]
		}
	}
	if quotedPos > 0 && plain < 0 && quotedLen <= 6 && quotedLen < n {
		for k := range vals {
			if items[k].quoted && vals[k] > 0 {
				vals[k] *= -0.5
			}
		}
	}
}

// afterPhrase treats hardship inside an "after ..." phrase as over when the rest of the
// sentence is good news: "after two years of physio I can run again", "the plane landed
// safely after the engine scare".
func afterPhrase(items []item, vals []float64) {
	var in []bool
	var rest float64
	for i := range items {
		if items[i].text != "after" {
			continue
		}
		if in == nil {
			in = make([]bool, len(items))
		}
		for k := i + 1; k < len(items); k++ {
			switch items[k].text {
			case "i", "we", "he", "she", "they", "you", "it", "my", "our":
				if k > i+1 {
					k = len(items)
					continue
				}
			}
			in[k] = true
			if items[k].clause {
				break
			}
		}
	}
	if in == nil {
		return
	}
	for k := range vals {
		if !in[k] {
			rest += vals[k]
		}
	}
	if rest <= 0 {
		return
	}
	for k := range vals {
		if in[k] && vals[k] < 0 {
			vals[k] *= 0.25
		}
	}
}

// calibrate maps the raw compound score onto the reported scale so that the ±0.05
// neutral band holds what readers call neutral: raw scores inside ±neutralRaw (one mild
// word in passing) are compressed into the band, the rest is stretched to keep the
// scale continuous and monotonic.
func calibrate(x float64) float64 {
	ax := math.Abs(x)
	if ax < neutralRaw {
		return x * 0.049 / neutralRaw
	}
	return math.Copysign(0.05+(ax-neutralRaw)*(1-0.05)/(1-neutralRaw), x)
}
