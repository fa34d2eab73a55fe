package journal_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// corpus generates journal-like text for the benchmarks: sentences drawn
// from templates whose slots are filled with names, places, activities,
// feelings and numbers. Templates and fillers are picked with Zipf-like
// frequencies, so a few words are very common (as "today" and "felt" are in
// real journals) and most are rare — unlike a small uniform vocabulary, in
// which every word matches most entries.
type corpus struct {
	r        *rand.Rand
	sentence *rand.Zipf
	slots    map[string][]string
	zipfs    map[string]*rand.Zipf
}

// Worst-case query: words in most entries (see the openers below).
const benchCommonQuery = "felt"

// Realistic queries: a name, a place, an event, a word being typed.
var benchRealisticQueries = []string{"maya dinner", "lisbon", "anniversary plans", "apolog", "hospital visit", "budget talk", "hike ridge", "grandma birthday"}

var benchTemplates = []string{
	"we had {meal} at {place} with {person}",
	"{person} and I argued about {topic} again",
	"I apologised to {person} for {mistake}",
	"{person} apologised for {mistake} and I believed it",
	"we talked for {number} minutes about {topic}",
	"I felt {feeling} after the call with {person}",
	"{person} seemed {feeling} when we got back from {place}",
	"we went for a {activity} near {place}",
	"spent the {daypart} {activity} with {person}",
	"I should have listened when {person} brought up {topic}",
	"{person} surprised me with {gift}",
	"we are planning {plan} for {month}",
	"the {daypart} was {feeling} but the evening was better",
	"I keep thinking about what {person} said about {topic}",
	"work was {feeling} and I snapped at {person}",
	"{person} cooked {meal} and we ate on the balcony",
	"we finally booked the trip to {place} for {month}",
	"I forgot {event} and {person} was hurt",
	"{person} remembered {event} which meant a lot",
	"we did the {chore} together without arguing",
	"{person} fell asleep during {show} again",
	"our budget talk about {topic} went better than expected",
	"I noticed I was {feeling} before {person} even said anything",
	"{person} held my hand at {place}",
	"we laughed about {memory} for ages",
	"the kids were {feeling} so we skipped {activity}",
	"I took {number} deep breaths before answering {person}",
	"we visited {person} at the hospital",
	"{person} texted me {number} times during the meeting",
	"I felt unheard when we discussed {topic}",
	"we agreed to try {plan} next week",
	"{person} asked for more space and I tried not to take it personally",
	"we watched {show} and shared {meal}",
	"I wrote {person} a note to say thank you for {gift}",
	"therapy session {number} was about {topic}",
	"drove {number} kilometres to {place} and back",
	"{person} was late to {event} and I kept calm",
	"we talked about moving to {place}",
	"I was proud of how we handled {topic}",
	"missed {person} a lot while they were in {place}",
}

var benchOpeners = []string{"today", "today", "today", "this morning", "tonight", "yesterday"}

var benchFeelingsLead = []string{"felt", "felt", "felt", "felt", "was"}

var benchSlots = map[string][]string{
	"person": list(`Sam|Maya|Alex|Jordan|mum|dad|grandma|Priya|Tomás|Lena|Kenji|Noor|Ollie|Chloe|Ravi|Ines|Marco|Aisha|Ben|Hana|
		Diego|Fatima|Luca|Zoe|Ade|Mei|Jonas|Sofia|Yusuf|Clara|Erik|Leila|Nico|Amara|Felix|Rosa|Omar|Ingrid|Pablo|Sana`),
	"place": list(`home|Lisbon|Porto|the park|the beach|Berlin|the lake|the market|the cafe|Kyoto|the ridge|the river|
		Oslo|the cabin|Madrid|the hospital|the gym|the office|Galway|Naples|the bakery|the museum|Tallinn|the station|Bristol`),
	"meal": list(`dinner|lunch|breakfast|pizza|ramen|tacos|curry|pancakes|soup|dumplings|paella|sushi|risotto|stew|brunch`),
	"topic": list(`money|chores|the kids|work hours|holidays|the budget|his mother|her job|moving house|screen time|the wedding|
		sleep|the dog|boundaries|phones|our friends|religion|the car|savings|the garden|weekends|in-laws`),
	"mistake":  list(`being late|snapping|forgetting the keys|interrupting|sulking|overspending|cancelling plans|ignoring texts`),
	"feeling":  list(`happy|tired|grateful|anxious|calm|angry|hurt|relieved|proud|lonely|hopeful|frustrated|content|overwhelmed|restless|tender|defensive|peaceful|irritable|excited`),
	"activity": list(`walk|hike|swim|run|bike ride|picnic|gardening|yoga|climb|sail`),
	"daypart":  list(`morning|afternoon|evening|weekend`),
	"gift":     list(`flowers|a book|concert tickets|a scarf|coffee|a handwritten card|chocolate|a plant`),
	"plan":     list(`a weekly check-in|a date night|a budget review|a holiday|a phone-free dinner|counselling|a road trip`),
	"month":    list(`January|February|March|April|May|June|July|August|September|October|November|December`),
	"event":    list(`our anniversary|the birthday dinner|the school play|the appointment|grandma's birthday|the wedding|the recital`),
	"chore":    list(`laundry|dishes|shopping|cleaning|repairs|paperwork`),
	"show":     list(`the film|the series|the documentary|the match|the quiz show`),
	"memory":   list(`the camping disaster|our first date|the lost luggage|the burnt cake|the wrong train`),
	"number":   list(`2|3|5|10|15|20|30|45|90|120`),
}

// list splits a |-separated list of phrases.
func list(s string) []string {
	out := strings.Split(s, "|")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}

func newCorpus(seed uint64) *corpus {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	c := &corpus{r: r, slots: benchSlots, zipfs: map[string]*rand.Zipf{}}
	c.sentence = rand.NewZipf(r, 1.1, 4, uint64(len(benchTemplates)-1))
	for k, v := range benchSlots {
		c.zipfs[k] = rand.NewZipf(r, 1.2, 2, uint64(len(v)-1))
	}
	return c
}

func (c *corpus) pick(slot string) string {
	return c.slots[slot][c.zipfs[slot].Uint64()]
}

// text returns an entry of about words words.
func (c *corpus) text(words int) string {
	var b strings.Builder
	// Most entries open with "... I felt ...", the worst case for search.
	if c.r.IntN(10) < 8 {
		fmt.Fprintf(&b, "%s I %s %s. ", benchOpeners[c.r.IntN(len(benchOpeners))],
			benchFeelingsLead[c.r.IntN(len(benchFeelingsLead))], c.pick("feeling"))
	}
	for n := 0; n < words; {
		s := benchTemplates[c.sentence.Uint64()]
		for {
			i := strings.IndexByte(s, '{')
			if i < 0 {
				break
			}
			j := strings.IndexByte(s, '}')
			s = s[:i] + c.pick(s[i+1:j]) + s[j+1:]
		}
		b.WriteString(strings.ToUpper(s[:1]) + s[1:] + ". ")
		n += strings.Count(s, " ") + 1
	}
	return strings.TrimSpace(b.String())
}

// tag returns a tag as people use them: a few common ones, many rare.
func (c *corpus) tag() string {
	return c.pick("topic")
}
