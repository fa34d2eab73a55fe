package analysis

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits that Sanitize enforces on a model's output. They keep stored analyses
// small and uniform whichever analyzer produced them.
const (
	MaxKeywords       = 10  // emotionalKeywords kept, in the model's order
	MaxKeywordRunes   = 40  // a longer "keyword" is a sentence, not a keyword: dropped
	MaxReasoningRunes = 500 // reasoning is cut at a word boundary and marked with "…"

	// scoreSlack is how far outside its range a score may stray and still be
	// clamped. Models emit 1.02 or -0.001 from rounding; anything further out
	// (1.5, 3.7, a 0–100 scale) means the model misread the scale, and guessing
	// which scale it meant would store a made-up number.
	scoreSlack = 0.05
)

// Sanitize validates and repairs an analyzer's result before it can be stored.
//
// The rule, for every analyzer:
//   - sentimentScore must be finite and within [-1-0.05, 1+0.05]; inside that
//     band it is clamped to [-1, 1] and rounded to 4 decimals, outside it the
//     result is rejected (KindMalformed). confidenceLevel likewise for [0, 1].
//   - emotionalKeywords are whitespace-collapsed, lower-cased, stripped of control
//     characters and invalid UTF-8, de-duplicated; empty ones and ones over 40
//     characters are dropped; at most 10 are kept.
//   - patterns keep only values of the vocabularies (vocab.go), after
//     normalising case, spaces and hyphens to snake_case ("Quality Time" →
//     "quality_time"); unknown values are dropped, an unknown or missing
//     communication_style becomes "neutral".
//   - patterns.behaviours keep only entries with a behaviour label, an actor of
//     writer, other or both, and non-empty evidence (cut to 300 characters); their
//     labels join relationship_dynamics. Analyzers that do not fill it leave it empty.
//   - reasoning is whitespace-collapsed and cut to 500 characters.
//
// Slices in the returned Result are never nil. A rejection is an *Error of kind
// KindMalformed.
func Sanitize(r Result) (Result, error) {
	score, err := unitRange("sentimentScore", r.SentimentScore, -1, 1)
	if err != nil {
		return Result{}, err
	}
	conf, err := unitRange("confidenceLevel", r.ConfidenceLevel, 0, 1)
	if err != nil {
		return Result{}, err
	}
	beh, dyn := behaviours(r.Patterns.Behaviours, inVocabulary(r.Patterns.RelationshipDynamics, dynamics))
	return Result{
		SentimentScore:    score,
		ConfidenceLevel:   conf,
		EmotionalKeywords: keywords(r.EmotionalKeywords),
		Reasoning:         truncate(cleanText(r.Reasoning), MaxReasoningRunes),
		Patterns: Patterns{
			RecurringThemes:      inVocabulary(r.Patterns.RecurringThemes, themes),
			EmotionalTriggers:    inVocabulary(r.Patterns.EmotionalTriggers, triggers),
			RelationshipDynamics: dyn,
			CommunicationStyle:   style(r.Patterns.CommunicationStyle),
			Behaviours:           beh,
		},
	}, nil
}

// MaxBehaviours and MaxEvidenceRunes bound patterns.behaviours.
const (
	MaxBehaviours    = 32
	MaxEvidenceRunes = 300
)

// behaviours keeps the entries whose label is a behaviour and whose actor is writer,
// other or both, with non-empty evidence (cleaned and cut to 300 characters),
// without repeats, at most 32. Their labels are added to relationship_dynamics so
// the two never disagree.
func behaviours(in []Behaviour, dyn []string) ([]Behaviour, []string) {
	out := make([]Behaviour, 0, min(len(in), MaxBehaviours))
	for _, b := range in {
		if len(out) == MaxBehaviours {
			break
		}
		b = Behaviour{Label: normalizeTerm(b.Label), Actor: normalizeTerm(b.Actor),
			Evidence: truncate(cleanText(b.Evidence), MaxEvidenceRunes)}
		if !slices.Contains(behaviourLabels, b.Label) || !slices.Contains(actors, b.Actor) ||
			b.Evidence == "" || slices.Contains(out, b) {
			continue
		}
		out = append(out, b)
		if !slices.Contains(dyn, b.Label) {
			dyn = append(dyn, b.Label)
		}
	}
	return out, dyn
}

// The vocabularies, read once: the exported functions return fresh slices
// on every call.
var (
	themes   = Themes()
	triggers = Triggers()
	dynamics = Dynamics()
	styles   = CommunicationStyles()

	behaviourLabels = Behaviours()
	actors          = Actors()
)

func malformed(format string, args ...any) *Error {
	return &Error{Kind: KindMalformed, Err: fmt.Errorf(format, args...)}
}

func unitRange(field string, v, lo, hi float64) (float64, error) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, malformed("%s is not a finite number", field)
	}
	if v < lo-scoreSlack || v > hi+scoreSlack {
		return 0, malformed("%s %g is outside [%g, %g]", field, v, lo, hi)
	}
	v = math.Round(min(hi, max(lo, v))*1e4) / 1e4
	if v == 0 {
		v = 0 // no negative zero in stored JSON
	}
	return v, nil
}

func keywords(in []string) []string {
	out := make([]string, 0, min(len(in), MaxKeywords))
	for _, k := range in {
		if len(out) == MaxKeywords {
			break
		}
		k = strings.ToLower(cleanText(k))
		if k == "" || utf8.RuneCountInString(k) > MaxKeywordRunes || slices.Contains(out, k) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func inVocabulary(in []string, vocab []string) []string {
	out := make([]string, 0, min(len(in), len(vocab)))
	for _, v := range in {
		v = normalizeTerm(v)
		if slices.Contains(vocab, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func style(s string) string {
	if s = normalizeTerm(s); slices.Contains(styles, s) {
		return s
	}
	return StyleNeutral
}

// normalizeTerm turns "Quality Time", "quality-time" and " QUALITY_TIME " into
// "quality_time".
func normalizeTerm(s string) string {
	if len(s) > 64 { // longer than any vocabulary word: not worth normalising
		return ""
	}
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '_' || r == '-' || unicode.IsSpace(r)
	})
	return strings.Join(f, "_")
}

// cleanText makes model text safe to store and show: valid UTF-8, no control
// characters, runs of whitespace collapsed to one space.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n runes, preferring the last word boundary in the
// final fifth, and marks the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	cut := len(runes)
	for i := cut - 1; i > n*4/5; i-- {
		if runes[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(runes[:cut]), " ") + "…"
}

// modelOutput is the wire shape LLMs are asked for. Scores are pointers so a
// missing field is told apart from 0; lists accept a lone string as well, a
// common small-model slip.
type modelOutput struct {
	SentimentScore    *float64   `json:"sentimentScore"`
	EmotionalKeywords stringList `json:"emotionalKeywords"`
	ConfidenceLevel   *float64   `json:"confidenceLevel"`
	Reasoning         string     `json:"reasoning"`
	Patterns          struct {
		RecurringThemes      stringList      `json:"recurring_themes"`
		EmotionalTriggers    stringList      `json:"emotional_triggers"`
		CommunicationStyle   string          `json:"communication_style"`
		RelationshipDynamics stringList      `json:"relationship_dynamics"`
		Behaviours           json.RawMessage `json:"behaviours"` // optional; unreadable is empty
	} `json:"patterns"`
}

// modelBehaviours reads an LLM's optional patterns.behaviours leniently: anything that
// is not a list of {label, actor, evidence} objects is treated as absent rather than
// failing the whole analysis.
func modelBehaviours(raw json.RawMessage) []Behaviour {
	var out []Behaviour
	if len(raw) == 0 || json.Unmarshal(raw, &out) != nil {
		return nil
	}
	return out
}

type stringList []string

func (l *stringList) UnmarshalJSON(b []byte) error {
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte(`"`)) {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = stringList{s}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(l))
}

// ParseOutput reads an LLM's text answer into a sanitized Result. When the text
// is not a valid JSON object it makes exactly one repair attempt — the first
// balanced {...} object in the text, which drops Markdown code fences and prose
// around it — before giving up. Every failure is an *Error of kind
// KindMalformed; the model's text is never stored as-is.
func ParseOutput(text string) (Result, error) {
	res, err := parseOutput(text)
	if err == nil {
		return res, nil
	}
	var e *Error
	if errors.As(err, &e) {
		return Result{}, err // valid JSON that breaks the rules: repairing the text cannot help
	}
	obj, ok := firstObject(text)
	if !ok || obj == strings.TrimSpace(text) {
		return Result{}, malformed("output is not a JSON object: %w", err)
	}
	res, err2 := parseOutput(obj)
	if err2 != nil {
		if errors.As(err2, &e) {
			return Result{}, err2
		}
		return Result{}, malformed("output is not a JSON object, even after repair: %w", err2)
	}
	return res, nil
}

// parseOutput returns a plain error for text that is not the expected JSON and
// an *Error for JSON that violates the rules.
func parseOutput(text string) (Result, error) {
	var out modelOutput
	dec := json.NewDecoder(strings.NewReader(text))
	if err := dec.Decode(&out); err != nil {
		return Result{}, err
	}
	if dec.More() {
		return Result{}, errors.New("trailing data after the JSON object")
	}
	if out.SentimentScore == nil {
		return Result{}, malformed("sentimentScore is missing")
	}
	if out.ConfidenceLevel == nil {
		return Result{}, malformed("confidenceLevel is missing")
	}
	return Sanitize(Result{
		SentimentScore:    *out.SentimentScore,
		ConfidenceLevel:   *out.ConfidenceLevel,
		EmotionalKeywords: out.EmotionalKeywords,
		Reasoning:         out.Reasoning,
		Patterns: Patterns{
			RecurringThemes:      out.Patterns.RecurringThemes,
			EmotionalTriggers:    out.Patterns.EmotionalTriggers,
			CommunicationStyle:   out.Patterns.CommunicationStyle,
			RelationshipDynamics: out.Patterns.RelationshipDynamics,
			Behaviours:           modelBehaviours(out.Patterns.Behaviours),
		},
	})
}

// firstObject returns the first balanced {...} span of text, honouring JSON
// strings so braces inside them do not count.
func firstObject(text string) (string, bool) {
	start := strings.IndexByte(text, '{')
	if start < 0 {
		return "", false
	}
	depth, inString, escaped := 0, false, false
	for i := start; i < len(text); i++ {
		c := text[i]
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return text[start : i+1], true
			}
		}
	}
	return "", false
}
