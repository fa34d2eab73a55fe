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
// the label most of its weight.
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
	b := Behaviour{
		Label:    m.labels[k],
		Actor:    clauseActor(toks[from:to], contrib),
		Evidence: d.evidence(text, toks[from:to]),
	}
	for _, o := range d.behaviours {
		if o.Label == b.Label && o.Evidence == b.Evidence {
			return
		}
	}
	d.behaviours = append(d.behaviours, b)
}

// fixResponders makes a response to a bid the other person's act: in "I told him
// about the audition and he asked three questions" the bid is the writer's, so
// turning toward is the other's, whatever clause carried the most weight.
func (d *detection) fixResponders(m *patternModel) {
	for i := range d.behaviours {
		b := &d.behaviours[i]
		if b.Label != DynamicTurningToward && b.Label != DynamicTurningAway {
			continue
		}
		for _, o := range d.behaviours {
			if o.Label == DynamicBidForConnection && o.Evidence == b.Evidence && o.Actor == b.Actor && o.Actor != ActorBoth {
				b.Actor = map[string]string{ActorWriter: ActorOther, ActorOther: ActorWriter}[o.Actor]
			}
		}
	}
}

// clauseActor splits words into clauses (at clause punctuation and conjunctions),
// picks the clause with the largest contribution and returns its subject.
func clauseActor(words []token, contrib []float32) string {
	for i := range words {
		switch words[i].text {
		case "both", "each":
			if i+1 < len(words) && (words[i+1].text == "of" || words[i+1].text == "other") ||
				i > 0 && (words[i-1].text == "we" || words[i-1].text == "were") {
				return ActorBoth
			}
		case "neither":
			return ActorBoth
		}
	}
	best, bestSum := 0, float32(-1e9)
	start, sum := 0, float32(0)
	subject := ActorWriter // diary style drops "I": "told Sam about the audition"
	var subjects []string
	clauseStart := func(i int) bool {
		if i == 0 {
			return true
		}
		if words[i-1].brk || words[i-1].sent != words[i].sent {
			return true
		}
		switch words[i].text {
		case "and", "but", "so", "then", "while", "when", "after", "before", "because", "till", "until":
			return true
		}
		return false
	}
	for i := range words {
		if i > 0 && clauseStart(i) {
			if sum > bestSum {
				best, bestSum = len(subjects)-1, sum
			}
			sum = 0
			start = i
		}
		if i == start {
			if s := subjectOf(words[i:]); s != "" {
				subject = s
			}
			subjects = append(subjects, subject)
		}
		sum += contrib[i]
	}
	if sum > bestSum {
		best = len(subjects) - 1
	}
	return subjects[best]
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
			"again", "basically", "honestly", "like", "oh", "that", "the", "a", "instead":
			continue
		case "i", "i'm", "im", "i've", "ive", "i'd", "i'll", "me", "myself":
			return ActorWriter
		case "we", "we're", "we've", "we'd", "we'll", "us", "let's", "both":
			return ActorBoth
		case "he", "she", "they", "he's", "she's", "they're", "he'd", "she'd", "they'd", "he'll", "she'll",
			"you", "you're", "your", "u", "ur", "you've", "you'd", "him", "her", "them", "my", "his":
			return ActorOther
		}
		r, _ := utf8.DecodeRuneInString(words[i].raw)
		if unicode.IsUpper(r) && !looksLikeVerb(w) {
			return ActorOther // a name: "Jake told me …"
		}
		if looksLikeVerb(w) {
			return ""
		}
		return ""
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
		switch lr := unicode.ToLower(r); {
		case r == utf8.RuneError && size == 1:
			n += 3
		case lr == '’':
			n++
		case r < utf8.RuneSelf:
			n++
		default:
			n += utf8.RuneLen(lr)
		}
		i += size
	}
	return len(text)
}
