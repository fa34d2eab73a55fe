package offline

import "strings"

// Scope tags say whether a word describes something that happened between the writer
// and the other person. A word after a negator ("I managed not to snap"), inside a
// hypothetical, wish or fear ("if she mocked me", "I'm scared he'll walk out"), or in a
// habit stated as over ("we used to bicker") is tagged, so the model reads "snap" there
// as a different feature from "snap" in "I snapped at him". Sentences about other
// people's relationships or about television are tagged whole when the writer is not in
// them. Tags end at clause punctuation and at conjunctions.
const (
	scopePlain byte = iota
	scopeNeg
	scopeHyp
	scopeOver
	scopeThird
)

var scopeNames = [...]string{"", "n", "h", "o", "3"}

// hypList opens a hypothetical, wished, feared or intended frame.
const hypList = `if unless wish wished wishing hope hoping hoped scared afraid worried worry worrying
dreading dread dreaded fear fearing imagine imagining would might may gonna nearly almost tempted urge
i'll he'll she'll they'll we'll you'll will i'd he'd she'd they'd we'd you'd should should've shouldve
could could've couldve planning plan rehearsing meant supposed`

// endersList closes a negated or framed clause.
const endersList = `but and so because cos cuz though although while until till then whereas yet
which who when after before`

// overList marks a habit described as ended ("that stopped last spring").
const overList = `anymore stopped ended`

// partnerList names a relationship a third party has ("my friend's husband").
const partnerList = `husband wife boyfriend girlfriend partner fiance fiancé fiancee fiancée bf gf ex
hubby wifey spouse`

// relationList names people; after a possessive ("Lena's neighbour") they are someone
// else's relationship.
const relationList = `husband wife boyfriend girlfriend partner fiance fiancé fiancee fiancée bf gf ex
hubby wifey spouse mum mom dad mother father sister brother son daughter kids kid neighbour neighbor boss
friend friends parents`

// mediaList places what follows on a screen or a page rather than in the writer's life.
const mediaList = `show shows film films movie movies documentary documentaries episode episodes series
character characters villain villains tv telly netflix novel podcast podcasts news sitcom drama soap
reality documentary`

// firstList puts the writer in a sentence.
// "my" is not among them: "my friend's husband mocks her" is not about the writer.
const firstList = `i i'm im i've ive i'd i'll me myself we we're we've we'd we'll us ourselves let's`

// scopeWords maps each word of the lists above to the classes it belongs to, so the
// tagger looks a word up once. Built once by New.
type scopeWords struct {
	class map[string]wordClass
}

type wordClass uint16

const (
	wcHyp wordClass = 1 << iota
	wcEnder
	wcOver
	wcPartner
	wcRelation
	wcMedia
	wcFirst
)

func newScopeWords() *scopeWords {
	sw := &scopeWords{class: map[string]wordClass{}}
	for _, l := range [...]struct {
		list string
		c    wordClass
	}{{hypList, wcHyp}, {endersList, wcEnder}, {overList, wcOver}, {partnerList, wcPartner},
		{relationList, wcRelation}, {mediaList, wcMedia}, {firstList, wcFirst}} {
		for w := range strings.FieldsSeq(l.list) {
			sw.class[w] |= l.c
		}
	}
	return sw
}

// scopes tags each word of one sentence and reports the sentence's framing.
func (a *Analyzer) scopes(words []token, tags []byte) (flags sentFlags) {
	sw := a.scope
	cur, left := scopePlain, 0
	var nextClass wordClass
	if len(words) > 0 {
		nextClass = sw.class[words[0].text]
	}
	for i := range words {
		w := words[i].text
		c := nextClass
		nextClass = 0
		next := ""
		if i+1 < len(words) {
			next = words[i+1].text
			nextClass = sw.class[next]
		}
		tags[i] = cur
		if left > 0 {
			left--
			if left == 0 {
				cur = scopePlain
			}
		}
		switch {
		case a.isNegator(w):
			cur, left = scopeNeg, 6
			flags.neg = true
		case c&wcHyp != 0 && !a.notHypothetical(words, i):
			cur, left = scopeHyp, 8
			flags.hyp = true
		case w == "used" && next == "to":
			cur, left = scopeOver, 8
			flags.over = true
		case c&wcOver != 0, w == "longer" && i > 0 && words[i-1].text == "no":
			flags.over = true
		}
		if words[i].brk || c&wcEnder != 0 {
			cur, left = scopePlain, 0
		}
		if c&wcFirst != 0 {
			flags.firstPerson = true
		}
		if c&wcMedia != 0 {
			flags.media = true
		}
		if nextClass&wcPartner != 0 && (strings.HasSuffix(w, "'s") || w == "her" || w == "his" || w == "their") ||
			nextClass&wcRelation != 0 && strings.HasSuffix(w, "'s") && w != "let's" {
			flags.third = true
		}
	}
	if (flags.third || flags.media) && !flags.firstPerson {
		for i := range words {
			tags[i] = scopeThird
		}
	}
	return flags
}

func (a *Analyzer) isNegator(w string) bool {
	return w == "no" || a.lex.negators[w] || strings.HasSuffix(w, "n't")
}

// sentFlags is what scopes learned about a whole sentence.
type sentFlags struct {
	neg, hyp, over, third, media, firstPerson bool
}

// notHypothetical tells the frame words that introduce a question or a request ("asked
// if she wanted", "could we talk") or another sense ("in May") from real framing.
func (a *Analyzer) notHypothetical(words []token, i int) bool {
	w, prev, next := words[i].text, "", ""
	if i > 0 {
		prev = words[i-1].text
	}
	if i+1 < len(words) {
		next = words[i+1].text
	}
	switch w {
	case "if":
		switch prev {
		case "asked", "ask", "asks", "asking", "wondered", "wondering", "see", "know", "checked", "check":
			return true
		}
	case "would", "could", "will":
		return next == "you" || next == "we" || next == "u"
	case "plan", "meant", "supposed":
		return next != "to"
	case "may":
		return prev == "in" || prev == "of" || prev == "since" || next == "i"
	}
	return false
}
