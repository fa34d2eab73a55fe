package insight

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Insight kinds.
const (
	KindRatio               = "positive_ratio"
	KindRecurringTrigger    = "recurring_trigger"
	KindHorseman            = "horseman"
	KindRepair              = "repair_noticed"
	KindQuiet               = "not_written_lately"
	KindScoreChange         = "score_change"
	KindConversationStarter = "conversation_starter"
)

// Rule thresholds (docs/scoring.md, "Insights").
const (
	// InsightWindow is the span of recent entries the rules read.
	InsightWindow = 30 * 24 * time.Hour
	// InsightTTL is how long an insight stays active unless dismissed;
	// StarterTTL for conversation starters.
	InsightTTL = 14 * 24 * time.Hour
	StarterTTL = 7 * 24 * time.Hour
	// RatioMinMoments is how many positive and negative moments the ratio
	// insight needs before it says anything.
	RatioMinMoments = 6
	// RepeatMin is how many recent entries a trigger or horseman must
	// appear in to count as recurring.
	RepeatMin = 3
	// QuietAfter is how long without an entry makes a relationship quiet.
	QuietAfter = 14 * 24 * time.Hour
	// ScoreChangeMin is the change (points) that makes a notable insight.
	ScoreChangeMin = 10
	// MaxEvidenceIDs bounds the entry ids an insight cites.
	MaxEvidenceIDs = 5
)

// Proposal is an insight a rule proposes; the service stores it unless an
// equal one (same Key) is active or dismissed and not yet expired.
type Proposal struct {
	Key              string
	RelationshipID   string
	Kind             string
	Title            string
	Body             string
	EvidenceEntryIDs []string
	TTL              time.Duration
}

// RuleInput is what the rules read about one relationship.
type RuleInput struct {
	RelationshipID   string
	RelationshipName string
	Recent           []Evidence // within InsightWindow of the newest, newest first
	Previous, Now    *Score     // the score before and after this recomputation
	Starters         bool       // the conversationStarters flag
}

// positives and negatives are the behaviours the ratio counts, after
// Gottman's coding of positive and negative interactions.
var (
	positiveBehaviours = []string{"gentle_startup", "appreciation", "taking_responsibility", "self_soothing", "repair_attempt",
		"bid_for_connection", "turning_toward", "mutual_support"}
	negativeBehaviours = []string{"criticism", "contempt", "defensiveness", "stonewalling", "turning_away"}
)

// antidotes pairs each horseman with what Gottman describes as its antidote.
var antidotes = map[string]struct{ name, antidote, hint string }{
	"criticism":     {"criticism", "a gentle start-up", "naming a feeling and a need (\u201cI feel \u2026, I need \u2026\u201d) instead of a flaw"},
	"contempt":      {"contempt", "appreciation", "noticing and saying what you value in each other"},
	"defensiveness": {"defensiveness", "taking responsibility", "accepting even a small part of the problem"},
	"stonewalling":  {"stonewalling", "self-soothing", "taking a short, agreed break and coming back to the conversation"},
}

// Rules runs every rule over one relationship's recent evidence.
func Rules(in RuleInput) []Proposal {
	var out []Proposal
	if p, ok := ratioRule(in); ok {
		out = append(out, p)
	}
	out = append(out, triggerRule(in)...)
	out = append(out, horsemanRule(in)...)
	if p, ok := repairRule(in); ok {
		out = append(out, p)
	}
	if p, ok := scoreChangeRule(in); ok {
		out = append(out, p)
	}
	if in.Starters {
		out = append(out, starterRule(in)...)
	}
	return out
}

func about(name string) string {
	if name == "" {
		return "this relationship"
	}
	return name
}

func ratioRule(in RuleInput) (Proposal, bool) {
	var pos, neg int
	var ids []string
	for _, e := range in.Recent {
		hit := false
		for _, b := range e.Behaviours {
			switch {
			case slices.Contains(positiveBehaviours, b.Pattern):
				pos++
				hit = true
			case slices.Contains(negativeBehaviours, b.Pattern):
				neg++
				hit = true
			}
		}
		if hit {
			ids = append(ids, e.EntryID)
		}
	}
	if pos+neg < RatioMinMoments {
		return Proposal{}, false
	}
	p := Proposal{RelationshipID: in.RelationshipID, Kind: KindRatio, EvidenceEntryIDs: firstIDs(ids), TTL: InsightTTL}
	ratio := "no"
	if neg > 0 {
		ratio = fmt.Sprintf("about %s", formatRatio(float64(pos)/float64(neg)))
	}
	switch {
	case neg == 0 || float64(pos)/float64(neg) >= GottmanRatio:
		p.Key = "ratio:" + in.RelationshipID + ":above"
		p.Title = "Warm moments outnumber hard ones"
		p.Body = fmt.Sprintf("In the last month of entries about %s you described %d warm moments and %d hard ones (%s to one). "+
			"Research on couples by John Gottman found stable relationships keep roughly five positive interactions for every negative one during conflict; your entries sit at or above that.",
			about(in.RelationshipName), pos, neg, strings.TrimPrefix(ratio, "about "))
		if neg == 0 {
			p.Body = fmt.Sprintf("In the last month of entries about %s you described %d warm moments and no hard ones. "+
				"Research on couples by John Gottman found stable relationships keep roughly five positive interactions for every negative one; your entries are well above that.",
				about(in.RelationshipName), pos)
		}
	default:
		p.Key = "ratio:" + in.RelationshipID + ":below"
		p.Title = "Fewer warm moments than hard ones lately"
		p.Body = fmt.Sprintf("In the last month of entries about %s you described %d warm moments and %d hard ones, %s to one. "+
			"Gottman's research suggests stable relationships keep roughly five positive interactions for every negative one. "+
			"This is a reflection of what you wrote, not a verdict: small moments of appreciation or turning toward each other count.",
			about(in.RelationshipName), pos, neg, strings.TrimPrefix(ratio, "about "))
	}
	return p, true
}

func formatRatio(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.0f", r)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", math.Round(r*10)/10), ".0")
}

func triggerRule(in RuleInput) []Proposal {
	counts := map[string][]string{}
	for _, e := range in.Recent {
		for _, t := range dedupe(e.Triggers) {
			counts[t] = append(counts[t], e.EntryID)
		}
	}
	var out []Proposal
	for _, t := range sortedKeys(counts) {
		ids := counts[t]
		if len(ids) < RepeatMin {
			continue
		}
		label := strings.ReplaceAll(t, "_", " ")
		out = append(out, Proposal{
			Key: "trigger:" + in.RelationshipID + ":" + t, RelationshipID: in.RelationshipID, Kind: KindRecurringTrigger,
			Title: "A recurring theme: " + label,
			Body: fmt.Sprintf("\u201c%s\u201d came up in %d of your recent entries about %s. "+
				"Noticing what keeps returning can make it easier to talk about it calmly, at a moment you choose.",
				capitalize(label), len(ids), about(in.RelationshipName)),
			EvidenceEntryIDs: firstIDs(ids), TTL: InsightTTL,
		})
	}
	return out
}

func horsemanRule(in RuleInput) []Proposal {
	seen := map[string][]string{}
	actors := map[string]map[Actor]bool{}
	quotes := map[string]string{}
	for _, e := range in.Recent {
		for _, b := range e.Behaviours {
			if _, ok := antidotes[b.Pattern]; !ok || slices.Contains(seen[b.Pattern], e.EntryID) {
				continue
			}
			seen[b.Pattern] = append(seen[b.Pattern], e.EntryID)
			if quotes[b.Pattern] == "" {
				quotes[b.Pattern] = b.Evidence // the newest entry's words
			}
			if actors[b.Pattern] == nil {
				actors[b.Pattern] = map[Actor]bool{}
			}
			actors[b.Pattern][b.Actor] = true
		}
	}
	var out []Proposal
	for _, h := range sortedKeys(seen) {
		ids := seen[h]
		if len(ids) < RepeatMin {
			continue
		}
		a := antidotes[h]
		who := "showed up"
		switch as := actors[h]; {
		case len(as) == 1 && as[ActorWriter]:
			who = "showed up in how you responded"
		case len(as) == 1 && as[ActorOther]:
			who = "showed up in how " + about(in.RelationshipName) + " responded"
		case as[ActorBoth] || (as[ActorWriter] && as[ActorOther]):
			who = "showed up on both sides"
		}
		out = append(out, Proposal{
			Key: "horseman:" + in.RelationshipID + ":" + h, RelationshipID: in.RelationshipID, Kind: KindHorseman,
			Title: "Noticing " + a.name + ", and its antidote",
			Body: fmt.Sprintf("Something that reads like %s %s in %d recent entries about %s%s. "+
				"Gottman's research pairs it with an antidote, %s: %s. It is a pattern in the words, not a judgement of anyone.",
				a.name, who, len(ids), about(in.RelationshipName), quote(quotes[h]), a.antidote, a.hint),
			EvidenceEntryIDs: firstIDs(ids), TTL: InsightTTL,
		})
	}
	return out
}

func repairRule(in RuleInput) (Proposal, bool) {
	var ids []string
	for _, e := range in.Recent {
		for _, b := range e.Behaviours {
			if b.Pattern == "repair_attempt" {
				ids = append(ids, e.EntryID)
				break
			}
		}
	}
	if len(ids) < 2 {
		return Proposal{}, false
	}
	return Proposal{
		Key: "repair:" + in.RelationshipID, RelationshipID: in.RelationshipID, Kind: KindRepair,
		Title: "Repair attempts noticed",
		Body: fmt.Sprintf("%d of your recent entries about %s describe a repair attempt: an apology, a joke that eased things, a reaching out after a hard moment. "+
			"In Gottman's studies, repair attempts that land are one of the strongest signs a relationship weathers conflict well.",
			len(ids), about(in.RelationshipName)),
		EvidenceEntryIDs: firstIDs(ids), TTL: InsightTTL,
	}, true
}

func scoreChangeRule(in RuleInput) (Proposal, bool) {
	if in.Previous == nil || in.Now == nil || in.Now.Confidence < 0.3 {
		return Proposal{}, false
	}
	d := in.Now.Score - in.Previous.Score
	if d > -ScoreChangeMin && d < ScoreChangeMin {
		return Proposal{}, false
	}
	var ids []string
	for _, e := range in.Recent {
		ids = append(ids, e.EntryID)
	}
	p := Proposal{RelationshipID: in.RelationshipID, Kind: KindScoreChange, EvidenceEntryIDs: firstIDs(ids), TTL: InsightTTL}
	if d > 0 {
		p.Key, p.Title = "score:"+in.RelationshipID+":up", "Your recent entries read warmer"
		p.Body = fmt.Sprintf("The health score for %s rose from %d to %d with your latest entries. It reflects the tone and patterns of what you wrote, nothing more.",
			about(in.RelationshipName), in.Previous.Score, in.Now.Score)
	} else {
		p.Key, p.Title = "score:"+in.RelationshipID+":down", "Your recent entries read heavier"
		p.Body = fmt.Sprintf("The health score for %s went from %d to %d with your latest entries. It reflects what you wrote lately, not where things are headed; a hard week is part of any relationship.",
			about(in.RelationshipName), in.Previous.Score, in.Now.Score)
	}
	return p, true
}

// starters are gentle openings, keyed by a theme, trigger or behaviour of
// recent entries, most specific first.
var starters = []struct{ key, prompt string }{
	{"repair_attempt", "After your last rough patch, what helped most in making up? Could you tell them?"},
	{"feeling_unappreciated", "What is one thing they did this week that you were glad of, and have you said so?"},
	{"feeling_ignored", "Is there a moment of the day you would like to have their full attention for, even ten minutes?"},
	{"lack_of_time", "What is one small, regular thing you could protect time for together?"},
	{"household_load", "If you split the week's chores from scratch, what would feel fair to each of you?"},
	{"money_worries", "What does feeling secure about money look like to each of you?"},
	{"plans_goals", "What is something you would both like to have done by this time next year?"},
	{"quality_time", "What was the best hour you spent together recently, and what made it good?"},
	{"work_stress", "How could you tell each other, on a hard work day, what kind of support you want?"},
	{"family", "Which family occasion coming up would you like to plan together, and how?"},
	{"trust", "What is something that makes you feel you can count on each other?"},
	{"intimacy", "When did you last feel really close? What was different that day?"},
	{"communication", "Is there a conversation you keep postponing? What would make it easier to start?"},
	{"health", "How are you each doing, really, and what would help this week?"},
}

func starterRule(in RuleInput) []Proposal {
	present := map[string][]string{}
	for _, e := range in.Recent {
		for _, k := range slices.Concat(e.Themes, e.Triggers) {
			present[k] = append(present[k], e.EntryID)
		}
		for _, b := range e.Behaviours {
			present[b.Pattern] = append(present[b.Pattern], e.EntryID)
		}
	}
	var out []Proposal
	for _, s := range starters {
		ids, ok := present[s.key]
		if !ok {
			continue
		}
		out = append(out, Proposal{
			Key: "starter:" + in.RelationshipID + ":" + s.key, RelationshipID: in.RelationshipID, Kind: KindConversationStarter,
			Title: "A conversation starter", Body: s.prompt, EvidenceEntryIDs: firstIDs(dedupe(ids)), TTL: StarterTTL,
		})
		if len(out) == 2 {
			break
		}
	}
	return out
}

// QuietRule proposes a "not written about lately" insight for each of the
// user's relationships whose newest entry is older than QuietAfter at now,
// when the user has written about another relationship since.
func QuietRule(now time.Time, rels []QuietInput) []Proposal {
	var newest time.Time
	for _, r := range rels {
		if r.LastEntryAt.After(newest) {
			newest = r.LastEntryAt
		}
	}
	var out []Proposal
	for _, r := range rels {
		if r.LastEntryAt.IsZero() || now.Sub(r.LastEntryAt) < QuietAfter || !newest.After(r.LastEntryAt) {
			continue
		}
		days := int(now.Sub(r.LastEntryAt).Hours() / 24)
		out = append(out, Proposal{
			// The key names the last entry's day: a new entry, then a new
			// quiet spell, is a new insight.
			Key:            "quiet:" + r.RelationshipID + ":" + r.LastEntryAt.UTC().Format(time.DateOnly),
			RelationshipID: r.RelationshipID, Kind: KindQuiet,
			Title: "You haven't written about " + about(r.Name) + " lately",
			Body: fmt.Sprintf("Your last entry about %s was %d days ago. If something happened since, good or hard, a few lines can help you see it more clearly.",
				about(r.Name), days),
			TTL: InsightTTL,
		})
	}
	return out
}

// QuietInput is one relationship's last entry time.
type QuietInput struct {
	RelationshipID string
	Name           string
	LastEntryAt    time.Time
}

// quote is ", for example: “…”" for an evidence sentence, shortened to
// maxQuoteRunes, or "" without one.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return ""
	}
	if r := []rune(s); len(r) > maxQuoteRunes {
		s = strings.TrimSpace(string(r[:maxQuoteRunes])) + "…"
	}
	return ", for example “" + s + "”"
}

const maxQuoteRunes = 140

func firstIDs(ids []string) []string {
	if len(ids) > MaxEvidenceIDs {
		ids = ids[:MaxEvidenceIDs]
	}
	return slices.Clone(ids)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
