package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// nBehaviours is len(Behaviours()): the model's first labels are the behaviours.
const nBehaviours = 12

// maxEvidenceRunes bounds the quoted evidence of one behaviour.
const maxEvidenceRunes = 300

// maxBehaviours bounds how many behaviours one entry reports.
const maxBehaviours = 32

// addBehaviour records that model label k fired on sentences s0..s1: who did it, and
// the sentences as written. The actor is the subject of the clause whose words gave
// the label its weight (the speaker, when that clause is a quotation).
func (d *detection) addBehaviour(a *Analyzer, toks []token, text string, bounds []int, s0, s1, k int, pos, rows []int32, featAt []int) {
	if len(d.behaviours) >= maxBehaviours {
		return
	}
	m := a.model
	from, to := bounds[s0], bounds[s1+1]
	var contribBuf [64]float32
	contrib := contribBuf[:0]
	if to-from > len(contribBuf) {
		contrib = make([]float32, to-from)
	}
	contrib = contrib[:to-from]
	for i := featAt[s0]; i < featAt[s1+1]; i++ {
		if p := int(pos[i]); p >= from && p < to && rows[i] >= 0 {
			contrib[p-from] += m.weights[int(rows[i])*len(m.labels)+k]
		}
	}
	words := toks[from:to]
	ev := d.evidence(text, words)
	for _, o := range d.behaviours {
		if o.Label == m.labels[k] && o.Evidence == ev {
			return
		}
	}
	cs := clauses(words, d.quoteMask(text, words))
	c := chooseClause(cs, contrib, m.labels[k])
	d.behaviours = append(d.behaviours, Behaviour{Label: m.labels[k], Actor: c.actor, Evidence: ev})
	d.chosen = append(d.chosen, c)
}

// fixResponders settles a bid and its response described in the same sentence: they
// are acts of different people. When both point at the same person, the one whose
// clause carried more weight keeps them ("Mum didn't reply to my message": the
// missed reply is Mum's, so the bid is the writer's); when the clauses differ, the
// writer made the bid and the other person answered it, the usual story of a journal
// ("showed Imogen the listing and she asked about the commute").
func (d *detection) fixResponders() {
	flip := map[string]string{ActorWriter: ActorOther, ActorOther: ActorWriter}
	for i := range d.behaviours {
		b := &d.behaviours[i]
		if b.Label != DynamicTurningToward && b.Label != DynamicTurningAway {
			continue
		}
		for j := range d.behaviours {
			o := &d.behaviours[j]
			if o.Label != DynamicBidForConnection || o.Evidence != b.Evidence || o.Actor != b.Actor || o.Actor == ActorBoth {
				continue
			}
			if d.chosen[i].index == d.chosen[j].index && d.chosen[i].weight > d.chosen[j].weight ||
				d.chosen[i].index != d.chosen[j].index && o.Actor == ActorOther {
				o.Actor = flip[o.Actor]
			} else {
				b.Actor = flip[b.Actor]
			}
		}
	}
}

// clause is a stretch of words between clause punctuation or conjunctions, with the
// person it is about.
type clause struct {
	from, to int
	actor    string
	index    int
	first    string  // its first word
	weight   float32 // the label's contribution, once chosen
}

// clauses splits words at clause punctuation, quotation marks and conjunctions and
// gives each clause its actor: the speaker for a quotation, else its subject, else
// the previous clause's (diary style drops "I": "told Sam about the audition").
func clauses(words []token, quoted []bool) []clause {
	var cs []clause
	for i := 0; i < len(words); {
		j := i + 1
		sub := isSubordinator(words[i].text)
		for j < len(words) && !(words[j-1].brk || words[j-1].sent != words[j].sent || quoted[j] != quoted[j-1] ||
			isClauseWord(words[j].text) || sub && j-i >= 3 && isSubjectPronoun(words[j].text)) {
			j++
		}
		cs = append(cs, clause{from: i, to: j, index: len(cs), first: words[i].text})
		i = j
	}
	prev := ActorWriter
	for n := range cs {
		c := &cs[n]
		if quoted[c.from] {
			if c.actor = speaker(words, quoted, c.from, c.to); c.actor == "" {
				c.actor = prev
			}
			continue
		}
		if s := subjectOf(words[c.from:c.to]); s != "" {
			prev = s
		}
		c.actor = prev
	}
	for i := range words {
		if quoted[i] {
			continue
		}
		switch words[i].text {
		case "both", "each":
			if i+1 < len(words) && (words[i+1].text == "of" || words[i+1].text == "other") ||
				i > 0 && (words[i-1].text == "we" || words[i-1].text == "were") {
				for n := range cs {
					cs[n].actor = ActorBoth
				}
			}
		case "neither":
			for n := range cs {
				cs[n].actor = ActorBoth
			}
		}
	}
	return cs
}

// isSubordinator opens a clause whose subject is not the sentence's ("when she
// started shouting I walked out"): the main clause starts at the next subject.
func isSubordinator(w string) bool {
	switch w {
	case "when", "whenever", "after", "before", "while", "because", "if", "once", "since", "as", "every":
		return true
	}
	return false
}

func isSubjectPronoun(w string) bool {
	switch w {
	case "i", "he", "she", "we", "they", "i'd", "he'd", "she'd", "we'd", "they'd":
		return true
	}
	return false
}

func isClauseWord(w string) bool {
	switch w {
	case "and", "but", "so", "then", "while", "when", "after", "before", "because", "till", "until":
		return true
	}
	return false
}

// chooseClause picks the clause that shows the label: a bid is usually told first
// and a response last, so among clauses carrying at least half the best weight a bid
// takes the earliest and a response the latest; any other label the heaviest.
func chooseClause(cs []clause, contrib []float32, label string) clause {
	sums := make([]float32, len(cs))
	best := 0
	for n, c := range cs {
		for i := c.from; i < c.to; i++ {
			sums[n] += contrib[i]
		}
		if sums[n] > sums[best] {
			best = n
		}
	}
	pick := best
	if sums[best] > 0 {
		switch label {
		case DynamicBidForConnection:
			for n := range cs {
				if sums[n] >= sums[best]/2 {
					pick = n
					break
				}
			}
		case DynamicTurningToward, DynamicTurningAway, DynamicDefensiveness:
			for n := len(cs) - 1; n >= 0; n-- {
				if sums[n] >= sums[best]/2 {
					pick = n
					break
				}
			}
		}
	}
	if label != DynamicBidForConnection && isSubordinator(cs[pick].first) {
		// "when I raised it, she said I'm overthinking it": a clause that sets the
		// scene is not the act when a main clause carries weight too.
		alt := -1
		for n := range cs {
			if n != pick && !isSubordinator(cs[n].first) && sums[n] >= sums[pick]/4 && (alt < 0 || sums[n] > sums[alt]) {
				alt = n
			}
		}
		if alt >= 0 {
			pick = alt
		}
	}
	c := cs[pick]
	c.weight = sums[pick]
	return c
}

// isSpeechVerb reports a verb that opens or closes a quotation.
func isSpeechVerb(w string) bool {
	switch w {
	case "said", "says", "say", "asked", "asks", "replied", "replies", "whispered", "shouted", "yelled",
		"screamed", "texted", "messaged", "wrote", "snapped", "muttered", "sighed", "told", "tells",
		"sneered", "laughed", "whined", "added", "admitted", "announced", "answered", "barked", "went",
		"goes", "like", "saying", "typed", "replying", "asking", "telling":
		return true
	}
	return false
}

// speechWords introduce or follow a quotation ("she said", "he was like").
func isSpeechWord(w string) bool {
	switch w {
	case "said", "says", "say", "went", "goes", "asked", "asks", "replied", "replies", "whispered",
		"shouted", "yelled", "screamed", "texted", "messaged", "wrote", "snapped", "muttered", "sighed",
		"told", "tells", "like", "was", "is", "just", "then", "and", "me", "him", "her", "to", "back",
		"immediately", "basically", "literally", "kept", "saying", "keeps", "sneered", "laughed",
		"whined", "added", "admitted", "announced", "answered", "barked", "called":
		return true
	}
	return false
}

// speaker finds who says the quotation words[from:to]: the subject of the speech verb
// that opens it ("he said \"…\"", "I told my boss, \"…\""; none, as in "said to Mia:
// \"…\"", leaves it to the clause before, "" here), a person named just before it
// ("Me: \"…\"", "Him: \"…\""; "to my flatmate: \"…\"" is the writer speaking), else
// the one after it ("\"…\" she said", "\"…\" — from him", "\"…\" — Dad"). A
// quotation nobody is named for is the other person's, the usual case in a journal.
func speaker(words []token, quoted []bool, from, to int) string {
	for from > 0 && quoted[from-1] {
		from-- // the start of the quotation
	}
	for to < len(words) && quoted[to] {
		to++
	}
	for v := from - 1; v >= 0 && v >= from-8; v-- {
		if quoted[v] || words[v].sent != words[from].sent {
			break
		}
		if !isSpeechVerb(words[v].text) {
			continue
		}
		for i := v - 1; i >= 0 && i >= v-4; i-- {
			if quoted[i] || words[i].brk || words[i].sent != words[v].sent {
				break
			}
			if s := personOf(words[i]); s != "" && !isObjectPronoun(words[i].text) {
				return s
			}
			if isSpeechWord(words[i].text) || strings.HasSuffix(words[i].text, "ly") {
				continue // "then said", "was like", "softly said"
			}
			break
		}
		return ""
	}
	for i := from - 1; i >= 0 && i >= from-3; i-- {
		if quoted[i] || words[i].sent != words[from].sent {
			break
		}
		if words[i].text == "to" {
			return ActorWriter // "to my flatmate: \"…\""
		}
	}
	if i := from - 1; i >= 0 && !quoted[i] && words[i].sent == words[from].sent {
		if s := personOf(words[i]); s != "" {
			return s
		}
	}
	for i := to; i < len(words) && i < to+4; i++ {
		if quoted[i] {
			break
		}
		w := words[i].text
		if w == "from" || w == "was" || w == "how" || w == "said" || w == "says" || isSpeechWord(w) && w != "me" {
			continue
		}
		if s := personOf(words[i]); s != "" {
			return s
		}
	}
	return ActorOther
}

// personOf classifies one word as the writer, the other person or both, or "".
func personOf(t token) string {
	switch t.text {
	case "i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "myself":
		return ActorWriter
	case "we", "we're", "we've", "we'd", "we'll", "us", "let's", "both":
		return ActorBoth
	case "he", "she", "they", "he's", "she's", "they're", "he'd", "she'd", "they'd", "he'll", "she'll",
		"you", "you're", "your", "u", "ur", "you've", "you'd", "him", "her", "them", "my", "his":
		return ActorOther
	}
	if relationNoun(t.text) {
		return ActorOther
	}
	r, _ := utf8.DecodeRuneInString(t.raw)
	if unicode.IsUpper(r) && !looksLikeVerb(t.text) {
		return ActorOther // a name
	}
	return ""
}

// relationNoun reports a word naming the other person ("mum", "my boss", "a colleague").
func relationNoun(w string) bool {
	switch strings.TrimSuffix(w, "'s") {
	case "mum", "mom", "dad", "mother", "father", "mummy", "daddy", "parents", "sister", "brother", "sis", "bro",
		"son", "daughter", "kid", "kids", "grandad", "grandpa", "grandma", "gran", "granny", "nan", "nana",
		"aunt", "auntie", "uncle", "cousin", "niece", "nephew", "husband", "wife", "partner", "boyfriend",
		"girlfriend", "bf", "gf", "fiance", "fiancé", "fiancee", "ex", "friend", "mate", "bestie", "roommate",
		"flatmate", "housemate", "colleague", "coworker", "co-worker", "boss", "manager", "supervisor",
		"teacher", "neighbour", "neighbor", "baby", "toddler", "teenager", "stepdad", "stepmum", "stepmom",
		"mother-in-law", "father-in-law", "sister-in-law", "brother-in-law", "team", "lead", "hubby":
		return true
	}
	return false
}

// quoteMask marks the words inside quotation marks. It walks the original text of
// the words once, mapping the tokenizer's lower-cased offsets back as it goes.
func (d *detection) quoteMask(text string, words []token) []bool {
	mask := make([]bool, len(words))
	if len(words) == 0 {
		return mask
	}
	i, n := words[0].off, words[0].off
	if d.textASCII == 2 {
		i = originalOffset(text, n)
	}
	// Back up over the punctuation glued to the first word (an opening quote).
	for i > 0 {
		r, size := utf8.DecodeLastRuneInString(text[:i])
		if unicode.IsSpace(r) {
			break
		}
		i -= size
		n -= lowerLen(r, size)
	}
	in := false
	for j := 0; j < len(words) && i < len(text); {
		for j < len(words) && words[j].off <= n {
			mask[j] = in
			j++
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch r {
		case '"':
			in = !in
		case '“', '«':
			in = true
		case '”', '»':
			in = false
		}
		n += lowerLen(r, size)
		i += size
	}
	return mask
}

// lowerLen is how many bytes rune r (size bytes in the original) takes in the
// tokenizer's lower-cased text.
func lowerLen(r rune, size int) int {
	switch lr := unicode.ToLower(r); {
	case r == utf8.RuneError && size == 1:
		return 3
	case lr == '’':
		return 1
	case r < utf8.RuneSelf:
		return 1
	default:
		return utf8.RuneLen(lr)
	}
}

// subjectOf reads the subject at the start of a clause: the writer ("I", or a verb
// with the "I" dropped), the other person ("he", "she", "you", "my mum", a name) or
// both ("we"). It returns "" when the clause has no subject of its own ("and went
// to bed"), which keeps the previous clause's.
func subjectOf(words []token) string {
	for i := 0; i < len(words) && i < 4; i++ {
		w := words[i].text
		switch w {
		case "and", "but", "so", "then", "while", "when", "after", "before", "because", "till", "until",
			"just", "also", "finally", "even", "literally", "actually", "still", "only", "lol", "ok", "okay",
			"yeah", "well", "anyway", "today", "tonight", "yesterday", "last", "night", "this", "morning",
			"again", "basically", "honestly", "like", "oh", "that", "the", "instead", "from":
			continue
		case "a", "an", "my", "our":
			if w == "my" && i+1 < len(words) && relationNoun(words[i+1].text) {
				return ActorOther
			}
			continue
		}
		if i > 0 && isObjectPronoun(w) {
			return "" // "and quietly lent me the difference": the verb before it has the subject
		}
		if s := personOf(words[i]); s != "" {
			return s
		}
		if looksLikeVerb(w) {
			return "" // "told him …": the writer's dropped "I", or the previous subject
		}
	}
	return ""
}

// looksLikeVerb guesses a past-tense or -ing verb, the usual opening of a diary line
// whose "I" was dropped ("told him", "asked if", "went quiet").
func looksLikeVerb(w string) bool {
	if strings.HasSuffix(w, "ed") || strings.HasSuffix(w, "ing") {
		return true
	}
	switch w {
	case "told", "said", "sent", "went", "got", "put", "did", "made", "gave", "took", "kept", "left",
		"rang", "ran", "came", "brought", "bought", "thought", "felt", "held", "sat", "saw", "found",
		"let", "tried", "heard", "showed", "spent", "had", "was", "wrote", "slipped", "cried":
		return true
	}
	return false
}

// evidence returns the words' sentences as written in text, trimmed and bounded.
func (d *detection) evidence(text string, words []token) string {
	if len(words) == 0 {
		return ""
	}
	last := words[len(words)-1]
	lo, hi := words[0].off, last.off+len(last.text)
	if d.textASCII == 0 {
		d.textASCII = 1
		for i := 0; i < len(text); i++ {
			if text[i] >= utf8.RuneSelf {
				d.textASCII = 2
				break
			}
		}
	}
	start, end := lo, hi // ASCII text: the tokenizer's offsets are the text's
	if d.textASCII == 2 {
		start, end = originalOffset(text, lo), originalOffset(text, hi)
	}
	// Keep the sentence's closing punctuation and quotes.
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		if unicode.IsSpace(r) || unicode.IsLetter(r) || unicode.IsDigit(r) {
			break
		}
		end += size
	}
	if start > end || end > len(text) {
		return ""
	}
	s := strings.Join(strings.Fields(text[start:end]), " ")
	if utf8.RuneCountInString(s) > maxEvidenceRunes {
		r := []rune(s)[:maxEvidenceRunes-1]
		s = strings.TrimRight(string(r), " ") + "…"
	}
	return strings.ToValidUTF8(s, "")
}

// originalOffset maps a byte offset in the tokenizer's lower-cased text back to text:
// lower-casing may change a rune's length, curly apostrophes became straight ones, and
// invalid bytes became U+FFFD.
func originalOffset(text string, lowerOff int) int {
	if lowerOff <= 0 {
		return 0
	}
	n := 0
	for i := 0; i < len(text); {
		if n >= lowerOff {
			return i
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		n += lowerLen(r, size)
		i += size
	}
	return len(text)
}

// isObjectPronoun is a pronoun that is never a subject: after the clause's first word
// it means the clause's verb came first, with a dropped or earlier subject.
func isObjectPronoun(w string) bool {
	switch w {
	case "me", "myself", "us", "him", "them":
		return true
	}
	return false
}
