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
	var p rawPatterns
	if len(raw) == 0 || json.Unmarshal(raw, &p) != nil {
		return
	}
	e.Themes = p.RecurringThemes
	e.Triggers = p.EmotionalTriggers
	e.Style = p.CommunicationStyle
	seen := map[string]int{}
	add := func(b Behaviour) {
		b.Pattern = strings.TrimSpace(b.Pattern)
		if b.Pattern == "" {
			return
		}
		if i, ok := seen[b.Pattern]; ok {
			// Keep the richer description of a pattern given twice.
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
	for _, list := range [][]json.RawMessage{p.RelationshipDynamics, p.Behaviours, p.Behaviors} {
		for _, item := range list {
			if b, ok := parseBehaviour(item); ok {
				add(b)
			}
		}
	}
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
	b := Behaviour{Pattern: firstNonEmpty(rb.Label, rb.Pattern, rb.Name, rb.Dynamic), Evidence: firstNonEmpty(rb.Evidence, rb.Span)}
	switch Actor(strings.ToLower(rb.Actor)) {
	case ActorWriter:
		b.Actor = ActorWriter
	case ActorOther:
		b.Actor = ActorOther
	case ActorBoth:
		b.Actor = ActorBoth
	}
	return b, b.Pattern != ""
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
