package offline

import "strings"

// Descriptive use: a feeling word that names a thing, a title, a topic or someone's job
// ("a cancer nurse", "the Dead Sea", "a documentary about the Great Depression", "she
// works in disaster recovery") says nothing about how the writer feels. These lists are
// the closed classes the rules in sentiment.go use to see that; they are constants so
// there is no package state, and New turns them into sets once.

const (
	// Head nouns that make a preceding negative noun a modifier: "funeral home",
	// "killer whale", "crime statistics", "war memorial".
	headNounWords = `nurse nurses doctor doctors ward unit home homes porter pilot pilots foundation
charity charities center centre clinic department museum memorial memorials statistics stats
rate rates section show shows whale whales exhibit exhibition insurance research awareness
survivor survivors film films movie movies documentary documentaries game games novel novels
book books series story stories podcast class classes course courses scene zone drill car
park lot team unit squad shop store song songs band album week month day fund appeal
department victims victim support services service helpline hotline ward wards`

	// Nouns whose "about/on/called" phrase is a topic, not an experience.
	topicNounWords = `documentary film movie book novel article lecture talk song show series podcast
game story report class course thesis dissertation paper essay play episode video documentaries
films movies books novels articles lectures talks songs shows stories reports papers essays
plays episodes videos study research exhibition museum`

	topicPrepWords = `about on called named titled entitled`

	// Verbs that introduce someone's occupation or field: what follows is descriptive.
	occupationVerbWords = `work works worked working volunteer volunteers volunteered specialise
specialises specialize specializes specialised specialized`

	// Discourse markers and answer particles: at the start of a sentence, before a comma,
	// they carry no feeling ("Yes, the shop is open", "Seriously, how many grams ...").
	discourseWords = `yes yeah yep yup ok okay sure well so seriously honestly literally actually
basically like right alright fine no nope nah true`

	// Degree words VADER scores as feelings: before a word they are intensifiers
	// ("insanely tall", "super close", "terribly sorry"), not feelings of their own.
	degreeWords = `super insanely terribly awfully seriously crazy crazily ridiculously wicked
mad real freaking stupidly`

	// Words that report rather than experience: what follows is someone else's account.
	reportWords = `apparently reportedly allegedly supposedly`

	// Speech verbs that close a quotation ("Best wishes, they wrote").
	speechVerbWords = `said says say wrote writes write texted texts told tells asked asks replied
replies answered answers began begins signed signs added adds kept saying joked shouted yelled
whispered explained announced cried sobbed screamed sighed snapped groaned muttered`

	// Verbs that end a bad thing when they act on it: "the pain stopped", "they fixed the
	// leak", "the charges were dropped", "the tumour shrank".
	abaterWords = `stop stopped stops end ended ends ease eased eases drop dropped drops dismiss
dismissed reverse reversed fix fixed fixes cure cured clear cleared lift lifted
subside subsided disappear disappeared vanish
vanished fade faded heal healed shrink shrank shrunk shrinking withdraw withdrew withdrawn
overturn overturned resolve resolved solve solved passed settled rescued rescue saved
benign`

	// Abaters that act on an object after them.
	transitiveAbaterWords = `fix fixed fixes cure cured reverse reversed dismiss dismissed resolve resolved
solve solved lift lifted clear cleared overturn overturned settle settled withdraw withdrew withdrawn
rescue rescued save saved`

	// Markers of a turn inside a sentence: what follows carries it, as after "but".
	turnWords = `until till then when afterwards later only anyway suddenly`

	// Openers that, before a bad event, are said with a straight face and mean the
	// opposite ("Oh great, another Monday"; "Love how my phone dies").
	ironyOpenerWords = `great wonderful perfect fantastic brilliant awesome nice lovely love loving
thanks thank cheers congrats congratulations glad yay sure yeah good well super amazing
excellent fabulous marvellous marvelous terrific splendid best favourite favorite real oh ah
what how just so`
)

type usageLists struct {
	headNouns, topicNouns, topicPreps, occupationVerbs, discourse, degree, report, speech,
	abaters, transitiveAbaters, turns, ironyOpeners map[string]bool
}

func newUsageLists() *usageLists {
	return &usageLists{
		headNouns:         setOf(headNounWords),
		topicNouns:        setOf(topicNounWords),
		topicPreps:        setOf(topicPrepWords),
		occupationVerbs:   setOf(occupationVerbWords),
		discourse:         setOf(discourseWords),
		degree:            setOf(degreeWords),
		report:            setOf(reportWords),
		speech:            setOf(speechVerbWords),
		abaters:           setOf(abaterWords),
		transitiveAbaters: setOf(transitiveAbaterWords),
		turns:             setOf(turnWords),
		ironyOpeners:      setOf(ironyOpenerWords),
	}
}

// isTitleCase reports a capitalised word ("Cancer", "Dead") as written.
func isTitleCase(raw string) bool {
	if raw == "" || raw[0] < 'A' || raw[0] > 'Z' {
		return false
	}
	for i := 1; i < len(raw); i++ {
		if raw[i] >= 'A' && raw[i] <= 'Z' {
			return false
		}
	}
	return true
}

// nounLike guesses that a lexicon word is a noun ("cancer", "war", "killer") rather than
// an adjective ("bad", "worst", "horrible"), from its ending and a short list: only
// nouns become modifiers of a following head noun.
func nounLike(w string) bool {
	switch w {
	case "bad", "sad", "worst", "awful", "terrible", "horrible", "poor", "evil", "ugly",
		"stupid", "boring", "dumb", "crap", "shit", "sick", "mad", "great", "good", "best",
		"nice", "fun", "lovely", "happy", "dead", "lonely", "angry", "fake", "rude", "cruel":
		return false
	}
	for _, suf := range []string{"est", "ful", "ous", "ive", "ble", "ly", "ing", "ed", "ic", "y"} {
		if strings.HasSuffix(w, suf) {
			return false
		}
	}
	return true
}
