package offline

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one whitespace-separated word (punctuation stripped) or one emoji.
type token struct {
	text  string // lower-case
	raw   string // as written, for ALL-CAPS emphasis
	sent  int    // sentence index
	emoji rune   // non-zero when the token is an emoji
	off   int    // byte offset of the word in the lower-cased text
	brk   bool   // clause punctuation (, ; : dash or a quote) follows the word
	// clause is set on the last token before a comma, semicolon, colon or dash inside a
	// sentence; quoted on tokens between quotation marks.
	clause bool
	semi   bool // the clause ends with a semicolon: often a turn in a story
	quoted bool
}

// sentenceInfo carries what the tokenizer learned about each sentence's punctuation.
type sentenceInfo struct {
	exclaims  int
	questions int
}

// tokenize splits text into tokens and sentences. It allocates the token slice and at
// most one lower-cased copy of the text; tokens are substrings of those.
func (a *Analyzer) tokenize(text string) ([]token, []sentenceInfo) {
	lower := text
	if needsLowering(text) {
		lower = strings.ToLower(text)
	}
	if strings.ContainsRune(lower, '’') {
		// Curly apostrophes come from phones; "didn’t" must negate like "didn't".
		lower = strings.ReplaceAll(lower, "’", "'")
	}
	raw := text
	if len(raw) != len(lower) {
		raw = lower // byte offsets no longer line up; give up on caps emphasis
	}

	toks := make([]token, 0, len(lower)/5+1)
	sents := make([]sentenceInfo, 1, len(lower)/60+1)
	sent := 0
	endSentence := false
	inQuote := false
	i := 0
	nextNL := 0 // where to look for the next line break in text (offsets differ from lower's when lowering changed lengths)
	for i < len(lower) {
		// skip whitespace
		r, size := utf8.DecodeRuneInString(lower[i:])
		if unicode.IsSpace(r) {
			if r == '\n' {
				nl := i
				if len(text) != len(lower) {
					nl = nextNL + strings.IndexByte(text[nextNL:], '\n') // the same line break: lowering keeps them all
				}
				nextNL = nl + 1
				if len(toks) > 0 && toks[len(toks)-1].sent == sent && !hardWrapped(text, nl) {
					endSentence = true // a line break ends a journal sentence even without a full stop
					inQuote = false
				}
			}
			i += size
			continue
		}
		start := i
		for i < len(lower) {
			r, size = utf8.DecodeRuneInString(lower[i:])
			if unicode.IsSpace(r) {
				break
			}
			i += size
		}
		if endSentence {
			sent++
			sents = append(sents, sentenceInfo{})
			endSentence = false
		}
		field := lower[start:i]
		if opensQuote(field) {
			inQuote = true
		}
		first := len(toks)
		// Split emoji out of the field: "great😀" is a word and an emoji.
		wstart := start
		for j := start; j < i; {
			r, size := utf8.DecodeRuneInString(lower[j:])
			if _, ok := a.lex.emoji[r]; ok {
				toks = a.appendWord(toks, lower, raw, wstart, j, sent)
				toks = append(toks, token{text: lower[j : j+size], raw: raw[j : j+size], sent: sent, emoji: r, off: j})
				wstart = j + size
			}
			j += size
		}
		n0 := len(toks)
		toks = a.appendWord(toks, lower, raw, wstart, i, sent)
		if n := len(toks); n > 0 {
			// A comma, colon, dash or quote ends a clause (negation and framing stop there).
			after := lower[start:i]
			if n > n0 {
				after = lower[toks[n-1].off+len(toks[n-1].text) : i]
			}
			if strings.ContainsAny(after, ",;:-—\"") {
				toks[n-1].brk = true
			}
			if n > n0 && n0 > 0 && strings.ContainsAny(lower[start:toks[n0].off], "\"(—-") {
				toks[n0-1].brk = true // an opening quote or dash
			}
		}
		if inQuote {
			for k := first; k < len(toks); k++ {
				toks[k].quoted = true
			}
		}
		if closesQuote(field) {
			inQuote = false
		}
		if n := len(toks); n > 0 && toks[n-1].sent == sent && endsClause(field) {
			toks[n-1].clause = true
			toks[n-1].semi = strings.HasSuffix(strings.TrimRight(field, "\"')”"), ";")
		}

		// Trailing punctuation closes a sentence and carries VADER's emphasis.
		trail := field[len(strings.TrimRight(field, "!?.…\"')")):]
		if strings.ContainsAny(trail, "!?.…") && !isEmoticon(field) {
			sents[sent].exclaims += strings.Count(trail, "!")
			sents[sent].questions += strings.Count(trail, "?")
			endSentence = true
		}
	}
	return toks, sents
}

// minWrappedLine is the shortest line taken to be hard-wrapped rather than ended.
const minWrappedLine = 40

// hardWrapped reports whether the line break at text[nl] wraps a sentence rather than
// ending it: the line before it is long and the next goes on in lower case ("he went
// quiet and left the\nroom"), or with "I" after a word that cannot end a sentence
// ("and when\nI came back"). A blank line, a short line (a list, a heading) or a
// capital after a full line end the sentence; so does punctuation, before this is asked.
func hardWrapped(text string, nl int) bool {
	start := strings.LastIndexByte(text[:nl], '\n') + 1
	line := strings.TrimRight(text[start:nl], " \t\r")
	if len(line) < minWrappedLine {
		return false // sentence punctuation at the line's end has ended the sentence already
	}
	next := strings.TrimLeft(text[nl+1:], " \t")
	if next == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(next)
	if unicode.IsLower(r) {
		return true
	}
	if next[0] != 'I' || len(next) > 1 && next[1] != ' ' && next[1] != '\'' {
		return false
	}
	last := line[strings.LastIndexAny(line, " \t")+1:]
	switch strings.ToLower(last) {
	case "and", "but", "so", "then", "when", "because", "that", "until", "till", "as", "if", "while",
		"after", "before", "since", "what", "how", "why", "where", "than", "or", "though", "although", "which":
		return true
	}
	return false
}

func (a *Analyzer) appendWord(toks []token, lower, raw string, s, e, sent int) []token {
	if s >= e {
		return toks
	}
	w := lower[s:e]
	if _, ok := a.lex.words[w]; ok {
		// Emoticons such as ":)" and "<3" are lexicon entries made of punctuation.
		return append(toks, token{text: w, raw: raw[s:e], sent: sent, off: s})
	}
	ls := strings.IndexFunc(w, isWordRune)
	if ls < 0 {
		return toks // pure punctuation or symbols carries nothing
	}
	le := strings.LastIndexFunc(w, isWordRune)
	_, lsz := utf8.DecodeRuneInString(w[le:])
	le += lsz
	return append(toks, token{text: w[ls:le], raw: raw[s+ls : s+le], sent: sent, off: s + ls})
}

// opensQuote and closesQuote find straight or curly double quotes at a word's edges
// (apostrophes are left alone: they are also contractions).
func opensQuote(field string) bool {
	return strings.HasPrefix(field, "\"") || strings.HasPrefix(field, "“")
}

func closesQuote(field string) bool {
	f := strings.TrimRight(field, "!?.,;:…")
	return len(f) > 1 && (strings.HasSuffix(f, "\"") || strings.HasSuffix(f, "”")) ||
		f == "\"" || f == "”"
}

// endsClause reports a comma, semicolon, colon or dash that splits a sentence.
func endsClause(field string) bool {
	f := strings.TrimRight(field, "\"')”")
	return strings.HasSuffix(f, ",") || strings.HasSuffix(f, ";") || strings.HasSuffix(f, ":") ||
		f == "-" || f == "–" || f == "—"
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isEmoticon(field string) bool {
	return len(field) <= 4 && strings.ContainsAny(field, ":;=") && strings.ContainsAny(field, "()DPp/\\|][")
}

func needsLowering(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// isAllCaps reports whether a word is written in capitals for emphasis ("HATE").
func isAllCaps(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsUpper(r) {
			letters++
		}
	}
	return letters > 1
}
