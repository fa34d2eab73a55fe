package insight

import (
	"encoding/json"
	"strings"
)

// rawPatterns is the stored patterns object. relationship_dynamics is a
// list of names; the offline analyzer (and an LLM that can) adds a
// behaviours list saying who did each behaviour and the sentence showing it:
//
//	{"label": "repair_attempt", "actor": "writer|other|both", "evidence": "I said sorry first"}
//
// Both are read; a name given both ways counts once, and a behaviour the
// writer and the other person each showed counts as both.
type rawPatterns struct {
	RecurringThemes      []string          `json:"recurring_themes"`
	EmotionalTriggers    []string          `json:"emotional_triggers"`
	CommunicationStyle   string            `json:"communication_style"`
	RelationshipDynamics []json.RawMessage `json:"relationship_dynamics"`
	Behaviours           []json.RawMessage `json:"behaviours"`
	Behaviors            []json.RawMessage `json:"behaviors"`
}

type rawBehaviour struct {
	Label    string `json:"label"`
	Pattern  string `json:"pattern"`
	Name     string `json:"name"`
	Dynamic  string `json:"dynamic"`
	Actor    string `json:"actor"`
	Evidence string `json:"evidence"`
	Span     string `json:"span"`
}

// ParsePatterns fills e's themes, triggers, style and behaviours from a
// stored patterns object. Malformed parts are skipped, never fatal: a
// score must not fail because one analyzer wrote an odd value.
func ParsePatterns(raw []byte, e *Evidence) {
	if len(raw) == 0 {
		return
	}
	// The common shape (names, and behaviour objects) decodes in one pass.
	var fast struct {
		RecurringThemes      []string       `json:"recurring_themes"`
		EmotionalTriggers    []string       `json:"emotional_triggers"`
		CommunicationStyle   string         `json:"communication_style"`
		RelationshipDynamics []string       `json:"relationship_dynamics"`
		Behaviours           []rawBehaviour `json:"behaviours"`
		Behaviors            []rawBehaviour `json:"behaviors"`
	}
	if json.Unmarshal(raw, &fast) == nil {
		e.Themes, e.Triggers, e.Style = fast.RecurringThemes, fast.EmotionalTriggers, fast.CommunicationStyle
		e.Behaviours = nil
		seen := map[string]int{}
		for _, name := range fast.RelationshipDynamics {
			e.addBehaviour(seen, Behaviour{Pattern: name})
		}
		for _, list := range [][]rawBehaviour{fast.Behaviours, fast.Behaviors} {
			for _, rb := range list {
				e.addBehaviour(seen, rb.behaviour())
			}
		}
		return
	}
	var p rawPatterns
	if json.Unmarshal(raw, &p) != nil {
		return
	}
	e.Themes = p.RecurringThemes
	e.Triggers = p.EmotionalTriggers
	e.Style = p.CommunicationStyle
	seen := map[string]int{}
	for _, list := range [][]json.RawMessage{p.RelationshipDynamics, p.Behaviours, p.Behaviors} {
		for _, item := range list {
			if b, ok := parseBehaviour(item); ok {
				e.addBehaviour(seen, b)
			}
		}
	}
}

// addBehaviour adds b unless its pattern is there already, in which case
// it keeps the richer description: a pattern the writer and the other
// person each showed is both.
func (e *Evidence) addBehaviour(seen map[string]int, b Behaviour) {
	b.Pattern = strings.TrimSpace(b.Pattern)
	if b.Pattern == "" {
		return
	}
	if i, ok := seen[b.Pattern]; ok {
		switch prev := e.Behaviours[i].Actor; {
		case prev == ActorUnknown:
			e.Behaviours[i].Actor = b.Actor
		case b.Actor != ActorUnknown && b.Actor != prev:
			e.Behaviours[i].Actor = ActorBoth
		}
		if e.Behaviours[i].Evidence == "" {
			e.Behaviours[i].Evidence = b.Evidence
		}
		return
	}
	seen[b.Pattern] = len(e.Behaviours)
	e.Behaviours = append(e.Behaviours, b)
}

func parseBehaviour(item json.RawMessage) (Behaviour, bool) {
	var name string
	if json.Unmarshal(item, &name) == nil {
		return Behaviour{Pattern: name}, name != ""
	}
	var rb rawBehaviour
	if json.Unmarshal(item, &rb) != nil {
		return Behaviour{}, false
	}
	b := rb.behaviour()
	return b, b.Pattern != ""
}

func (rb rawBehaviour) behaviour() Behaviour {
	b := Behaviour{Pattern: firstNonEmpty(rb.Label, rb.Pattern, rb.Name, rb.Dynamic), Evidence: firstNonEmpty(rb.Evidence, rb.Span)}
	switch Actor(strings.ToLower(rb.Actor)) {
	case ActorWriter:
		b.Actor = ActorWriter
	case ActorOther:
		b.Actor = ActorOther
	case ActorBoth:
		b.Actor = ActorBoth
	}
	return b
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
