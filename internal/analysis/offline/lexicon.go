package offline

import (
	"bufio"
	_ "embed"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The lexicons ship inside the binary so the analyzer works on a fresh self-hosted
// install with no files and no network. See lexicon/LICENSE-VADER.txt.
var (
	//go:embed lexicon/vader_lexicon.txt
	vaderLexiconText string
	//go:embed lexicon/emoji_lexicon.txt
	emojiLexiconText string
	//go:embed lexicon/events.txt
	eventLexiconText string
	//go:embed lexicon/usage.txt
	usageLexiconText string
	//go:embed lexicon/frames.txt
	frameLexiconText string
)

// entry is one scored unit of the lexicon: a word, an emoticon, an emoji or a phrase.
type entry struct {
	val    float64 // valence on VADER's -4..+4 scale
	negVal float64 // valence when negated or cancelled
	event  bool    // from the event lexicon: negation uses negVal instead of VADER's scalar
	alone  float64 // a formula's valence when it is the whole sentence ("Good luck!")
}

// lexicon is built once by New and only read afterwards, which is what makes an
// *Analyzer safe for concurrent use.
type lexicon struct {
	words   map[string]entry // single tokens (VADER words and emoticons, event overrides)
	phrases map[string]entry // multi-token phrases keyed by space-joined tokens
	// phraseStart maps a first token to the longest phrase length starting with it, so
	// the tokenizer only tries joins where a phrase can begin.
	phraseStart map[string]int
	emoji       map[rune]entry
	phraseKeys  map[string]string

	boosters   map[string]float64 // VADER's intensity modifiers ("very", "barely")
	negators   map[string]bool
	cancellers map[string]bool // words that undo a following good event ("forgot our anniversary")
	hedges     map[string]bool
	overcomers map[string]bool // "recovered from cancer": the hardship after them is over
	function   map[string]bool // common English function words, to tell English from other text

	// Event frames are keyed by lemmas (lexicon/frames.txt); lemmas maps every inflected
	// form of a word used there (and the irregular verbs) to its lemma.
	frames     map[string]entry
	frameStart map[string]int
	lemmas     map[string]string
	usage      *usageLists
}

var possessives = []string{"my", "his", "her", "their", "our", "your", "the", "a"}
var objects = []string{"me", "him", "her", "them", "us", "you"}
var selves = []string{"me", "us", "my", "our"}

func newLexicon() *lexicon {
	lx := &lexicon{
		words:       make(map[string]entry, 8000),
		phrases:     make(map[string]entry, 512),
		phraseStart: make(map[string]int, 256),
		emoji:       make(map[rune]entry, 512),
		phraseKeys:  make(map[string]string, 512),
		boosters:    make(map[string]float64, 96),
		negators:    setOf(negatorWords),
		cancellers:  setOf(cancellerWords),
		hedges:      setOf(hedgeWords),
		overcomers:  setOf(overcomerWords),
		function:    setOf(functionWords),
		frames:      make(map[string]entry, 1024),
		frameStart:  make(map[string]int, 512),
		lemmas:      make(map[string]string, 4096),
		usage:       newUsageLists(),
	}
	for w := range strings.FieldsSeq(boostUpWords) {
		lx.boosters[w] = boosterIncr
	}
	for w := range strings.FieldsSeq(boostDownWords) {
		lx.boosters[w] = -boosterIncr
	}
	eachLine(vaderLexiconText, func(fields []string) {
		if len(fields) < 2 {
			return
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return
		}
		lx.add(fields[0], entry{val: v, negVal: v * negationScalar})
	})
	eachEvent(eventLexiconText, func(p string, e entry) { lx.add(p, e) })
	eachEvent(usageLexiconText, func(p string, e entry) {
		e.event = e.val != 0 || e.negVal != 0
		if e.val == 0 {
			for w := range strings.FieldsSeq(p) {
				e.alone += lx.words[w].val
			}
			e.alone *= 0.8
		}
		lx.add(p, e)
	})
	eachEvent(frameLexiconText, func(p string, e entry) {
		words := strings.Fields(p)
		for _, w := range words {
			lx.addLemma(w)
		}
		lx.frames[p] = e
		lx.phraseKeys[p] = p
		if len(words) > lx.frameStart[words[0]] {
			lx.frameStart[words[0]] = len(words)
		}
	})
	lx.addIrregulars()
	// VADER replaces an emoji by its English description and scores the words; doing
	// that once here keeps the per-entry path free of string building.
	eachLine(emojiLexiconText, func(fields []string) {
		if len(fields) < 2 {
			return
		}
		r, size := utf8.DecodeRuneInString(fields[0])
		if r == utf8.RuneError || size != len(fields[0]) {
			return // multi-rune sequences (flags, skin tones) are scored by their base rune
		}
		var sum float64
		for w := range strings.FieldsSeq(fields[1]) {
			if e, ok := lx.words[w]; ok {
				sum += e.val
			}
		}
		if sum != 0 {
			lx.emoji[r] = entry{val: sum, negVal: sum * negationScalar}
		}
	})
	return lx
}

// eachEvent parses a file in the event lexicon format and expands its templates.
func eachEvent(text string, fn func(phrase string, e entry)) {
	eachLine(text, func(fields []string) {
		if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
			return
		}
		v, err := strconv.ParseFloat(fields[1], 64)
		if err != nil {
			return
		}
		e := entry{val: v, negVal: -0.5 * v, event: true}
		if len(fields) >= 3 {
			if nv, err := strconv.ParseFloat(fields[2], 64); err == nil {
				e.negVal = nv
			}
		}
		for _, p := range expandTemplate(fields[0]) {
			fn(p, e)
		}
	})
}

func (lx *lexicon) add(phrase string, e entry) {
	n := strings.Count(phrase, " ") + 1
	if n == 1 {
		lx.words[phrase] = e
		return
	}
	lx.phrases[phrase] = e
	lx.phraseKeys[phrase] = phrase
	first, _, _ := strings.Cut(phrase, " ")
	if n > lx.phraseStart[first] {
		lx.phraseStart[first] = n
	}
}

// expandTemplate turns "lost {poss} job" into one phrase per possessive, and
// "(read|reading|reads) {poss} diary" into one phrase per alternative, so inflected
// forms of a phrase's words match without a lemmatizer on the per-entry path.
func expandTemplate(p string) []string {
	out := []string{p}
	for {
		var next []string
		changed := false
		for _, s := range out {
			open := strings.IndexByte(s, '(')
			end := strings.IndexByte(s, ')')
			if open < 0 || end < open {
				next = append(next, s)
				continue
			}
			changed = true
			for alt := range strings.SplitSeq(s[open+1:end], "|") {
				next = append(next, strings.Join(strings.Fields(s[:open]+alt+s[end+1:]), " "))
			}
		}
		out = next
		if !changed {
			break
		}
	}
	for _, slot := range []struct {
		name  string
		words []string
	}{{"{poss}", possessives}, {"{obj}", objects}, {"{self}", selves}} {
		var next []string
		for _, s := range out {
			if !strings.Contains(s, slot.name) {
				next = append(next, s)
				continue
			}
			for _, w := range slot.words {
				next = append(next, strings.Replace(s, slot.name, w, 1))
			}
		}
		out = next
	}
	return out
}

func eachLine(text string, fn func(fields []string)) {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			continue
		}
		fn(strings.Split(line, "\t"))
	}
}

func setOf(words string) map[string]bool {
	m := make(map[string]bool, 64)
	for w := range strings.FieldsSeq(words) {
		m[w] = true
	}
	return m
}

// Word lists are constants (not package-level maps) so there is no package state to
// mutate; New turns them into sets once.
const (
	// VADER's negations, plus the ones journal writers use for people ("nobody came").
	negatorWords = `aint arent cannot cant couldnt darent didnt doesnt ain't aren't can't couldn't
daren't didn't doesn't dont hadnt hasnt havent isnt mightnt mustnt neither don't hadn't hasn't
haven't isn't mightn't mustn't neednt needn't never none nope nor not nothing nowhere oughtnt
shant shouldnt uhuh wasnt werent oughtn't shan't shouldn't uh-uh wasn't weren't without wont
wouldnt won't wouldn't rarely seldom despite nobody noone no-one no`

	boostUpWords = `absolutely amazingly awfully completely considerable considerably decidedly deeply
effing enormous enormously entirely especially exceptional exceptionally extreme extremely
fabulously flipping flippin frackin fracking fricking frickin frigging friggin fully fuckin
fucking fuggin fugging greatly hella highly hugely incredible incredibly intensely major majorly
more most particularly purely quite really remarkably so substantially thoroughly total totally
tremendous tremendously uber unbelievably unusually utter utterly very`

	boostDownWords = `almost barely hardly kinda kindof kind-of less little marginal marginally
occasional occasionally partly scarce scarcely slight slightly somewhat sorta sortof sort-of bit`

	cancellerWords = `forgot forget forgets forgotten forgetting missed skipped skip cancelled canceled
cancels cancel cancelling canceling ruined ruin lost instead failed stopped betrayed refused broke`

	hedgeWords = `maybe perhaps guess suppose probably possibly somehow`

	// Verbs of getting through something: the hardship named after them is what was
	// overcome ("she recovered from cancer", "we survived the storm").
	overcomerWords = `recovered recovering recover recovers survived survive survives surviving
overcame overcome overcoming cured healed escaped`

	functionWords = `the a an and or but if then so of to in on at by for with from about as into
like through after over between out against during without before under around among i me my
mine we us our ours you your yours he him his she her hers it its they them their theirs this
that these those am is are was were be been being have has had do does did will would shall
should can could may might must not no yes all any both each few more most other some such only
own same than too very just now here there when where why how what which who whom again once
today yesterday tonight tomorrow week day time because while until up down off got get went go
said told asked i'm i've i'd it's he's she's we're they're don't didn't can't won't`
)

// lookup finds a word, falling back to its stem for regular inflections the VADER
// lexicon lacks ("bombing", "deaths", "ignoring"). Stems are only tried when at least
// four letters remain, so "fund" never becomes "fun". Inflected forms score a little
// lower than their stem because inflection often shifts meaning.
func (lx *lexicon) lookup(w string) (entry, bool) {
	if e, ok := lx.words[w]; ok {
		return e, true
	}
	for _, sf := range stemRules {
		base, ok := strings.CutSuffix(w, sf.suffix)
		if !ok || len(base) < 3 || (len(base) < 4 && sf.suffix != "s") {
			continue
		}
		if e, ok := lx.words[base+sf.add]; ok {
			if sf.add != "" && base+sf.add == w {
				continue
			}
			e.val *= 0.8
			e.negVal *= 0.8
			return e, true
		}
	}
	return entry{}, false
}

var stemRules = [...]struct{ suffix, add string }{
	{"ies", "y"}, {"ied", "y"}, {"ing", ""}, {"ing", "e"}, {"ed", ""}, {"ed", "e"}, {"es", ""}, {"s", ""},
}
