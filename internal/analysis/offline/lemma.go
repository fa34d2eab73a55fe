package offline

import "strings"

// The event frames (lexicon/frames.txt) are written as lemmas so that one entry covers
// every tense and number: "reject" matches "rejected", "be choose" matches "was chosen".
// Rather than stemming on the per-entry path, New derives the regular inflections of
// every word a frame uses and adds the irregular verbs, so finding a token's lemma is
// one map lookup with no allocation.

// irregularForms lists lemma first, then its irregular forms, one verb per line.
const irregularForms = `be am is are was were been being 's 're 'm
have has had having 've 'd
do does did done doing
get got gotten gets getting
go went gone goes going
take took taken taking
give gave given giving
lose lost losing
win won winning
choose chose chosen choosing
come came coming
see saw seen seeing
meet met meeting
leave left leaving
fall fell fallen falling
break broke broken breaking
steal stole stolen stealing
hit hits hitting
run ran running runs
fly flew flown flies flying
find found finding
tell told telling
say said saying
make made making
beat beaten beating
bite bit bitten biting
throw threw thrown throwing
shrink shrank shrunk shrinking
spin spun spinning
send sent sending
keep kept keeping
put puts putting
cut cuts cutting
hurt hurts hurting
shut shuts shutting
drive drove driven driving
wake woke woken waking
hold held holding
hang hung hanging
bring brought bringing
buy bought buying
catch caught catching
fight fought fighting
feel felt feeling
sell sold selling
sleep slept sleeping
stand stood standing
tear tore torn tearing
forget forgot forgotten forgetting
begin began begun beginning
speak spoke spoken speaking
lead led leading
grow grew grown growing
know knew known knowing
blow blew blown blowing
pay paid paying
lay laid laying
spend spent spending
build built building
rise rose risen rising
sink sank sunk sinking
swim swam swum swimming
ride rode ridden riding
write wrote written writing
eat ate eaten eating
drink drank drunk drinking
hide hid hidden hiding
shoot shot shooting
stick stuck sticking
strike struck striking
swear swore sworn swearing
die died dying dies
lie lied lying lies
tie tied tying ties
set sets setting
let lets letting
quit quits quitting
bury buried burying buries`

// addLemma registers a frame word and its regular inflections.
func (lx *lexicon) addLemma(w string) {
	if _, ok := lx.lemmas[w]; !ok {
		lx.lemmas[w] = w
	}
	if len(w) < 3 || strings.ContainsAny(w, "'-.") || lx.function[w] {
		return
	}
	forms := []string{w + "s", w + "ed", w + "ing"}
	last := w[len(w)-1]
	switch {
	case last == 'e':
		forms = append(forms, w+"d", w[:len(w)-1]+"ing")
	case last == 'y' && !isVowel(w[len(w)-2]):
		stem := w[:len(w)-1]
		forms = append(forms, stem+"ies", stem+"ied")
	case last == 's' || last == 'x' || last == 'z' || last == 'h':
		forms = append(forms, w+"es")
	}
	if n := len(w); n >= 3 && !isVowel(last) && last != 'w' && last != 'x' && last != 'y' &&
		isVowel(w[n-2]) && !isVowel(w[n-3]) {
		forms = append(forms, w+string(last)+"ed", w+string(last)+"ing")
	}
	for _, f := range forms {
		if _, ok := lx.lemmas[f]; !ok {
			lx.lemmas[f] = w
		}
	}
}

// addIrregulars maps irregular forms to their lemma; they win over derived forms.
func (lx *lexicon) addIrregulars() {
	for line := range strings.SplitSeq(irregularForms, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		for _, f := range fields {
			lx.lemmas[f] = fields[0]
		}
	}
	// Contracted negations keep their verb: "wasn't" is "be" + a negator.
	for _, f := range []string{"isn't", "wasn't", "aren't", "weren't"} {
		lx.lemmas[f] = "be"
	}
}

// lemma returns a token's lemma for frame matching, or the token itself.
func (lx *lexicon) lemma(w string) string {
	if l, ok := lx.lemmas[w]; ok {
		return l
	}
	return w
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}
