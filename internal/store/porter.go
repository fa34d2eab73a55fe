package store

// porterStem returns the token SQLite FTS5's porter tokenizer makes of tok,
// a token as unicode61 emits it (lowercase, diacritics removed). The search
// needs it to predict what FTS5 does to a query word (it re-stems every
// quoted term, the typed prefix included) and whether a stored token can be
// queried as a whole word (only if stemming it again leaves it unchanged).
//
// It is the classic Porter (1980) algorithm as FTS5 implements it
// (ext/fts5/fts5_tokenize.c), quirks included: tokens shorter than 3 or
// longer than 64 bytes pass through, the input is treated as bytes, and the
// *v* condition counts a 'y' as a vowel anywhere but first.
// TestPorterStemMatchesSQLite compares it with SQLite on a few thousand
// words.
func porterStem(tok string) string {
	if len(tok) < 3 || len(tok) > porterMaxToken {
		return tok
	}
	b := []byte(tok)
	b = porterStep1A(b)
	if r := porterApply(&b, porterStep1B); r != nil && r.suffix != "eed" {
		if porterApply(&b, porterStep1B2) == nil {
			n := len(b)
			c := b[n-1]
			if !porterIsVowel(c, false) && c != 'l' && c != 's' && c != 'z' && n >= 2 && c == b[n-2] {
				b = b[:n-1]
			} else if porterMEq1(b) && porterOStar(b) {
				b = append(b, 'e')
			}
		}
	}
	// Step 1c.
	if n := len(b); b[n-1] == 'y' && porterHasVowel(b[:n-1]) {
		b[n-1] = 'i'
	}
	porterApply(&b, porterStep2)
	porterApply(&b, porterStep3)
	porterApply(&b, porterStep4)
	// Step 5a.
	if n := len(b); b[n-1] == 'e' {
		if s := b[:n-1]; porterMGt1(s) || (porterMEq1(s) && !porterOStar(s)) {
			b = s
		}
	}
	// Step 5b.
	if n := len(b); n > 1 && b[n-1] == 'l' && b[n-2] == 'l' && porterMGt1(b[:n-1]) {
		b = b[:n-1]
	}
	return string(b)
}

// porterPreimage returns a word that FTS5's porter tokenizer turns into
// exactly tok, an indexed token: tok itself when stemming leaves it
// unchanged, or tok with a final e restored (the indexed token of "agreed",
// agre, is searched as agr, but "agree" is searched as agre). ok is false
// when neither is such a word.
func porterPreimage(tok string) (word string, ok bool) {
	for _, w := range [...]string{tok, tok + "e"} {
		if porterStem(w) == tok {
			return w, true
		}
	}
	return "", false
}

// porterMaxToken is FTS5_PORTER_MAX_TOKEN: longer tokens are not stemmed.
const porterMaxToken = 64

// porterRule replaces suffix with repl when the stem before the suffix
// meets cond (nil: always).
type porterRule struct {
	suffix, repl string
	cond         func(stem []byte) bool
}

// porterApply applies the first rule of rules whose suffix ends b (leaving
// a non-empty stem) if its condition holds, and returns that rule, or nil
// when none matched or the condition failed. Only the first matching
// suffix is tried, as in FTS5 (whose rules are listed longest first where
// one suffix ends another).
func porterApply(b *[]byte, rules []porterRule) *porterRule {
	w := *b
	for i := range rules {
		r := &rules[i]
		n := len(w) - len(r.suffix)
		if n <= 0 || string(w[n:]) != r.suffix {
			continue
		}
		if r.cond != nil && !r.cond(w[:n]) {
			return nil
		}
		*b = append(w[:n], r.repl...)
		return r
	}
	return nil
}

func porterStep1A(b []byte) []byte {
	n := len(b)
	if b[n-1] != 's' {
		return b
	}
	switch {
	case b[n-2] == 'e' && ((n > 4 && b[n-4] == 's' && b[n-3] == 's') || (n > 3 && b[n-3] == 'i')):
		return b[:n-2] // sses → ss, ies → i
	case b[n-2] == 'e' || b[n-2] != 's':
		return b[:n-1]
	}
	return b // ss
}

var (
	porterStep1B = []porterRule{
		{"eed", "ee", porterMGt0},
		{"ed", "", porterHasVowel},
		{"ing", "", porterHasVowel},
	}
	porterStep1B2 = []porterRule{
		{"at", "ate", nil},
		{"bl", "ble", nil},
		{"iz", "ize", nil},
	}
	porterStep2 = []porterRule{
		{"ational", "ate", porterMGt0},
		{"tional", "tion", porterMGt0},
		{"enci", "ence", porterMGt0},
		{"anci", "ance", porterMGt0},
		{"izer", "ize", porterMGt0},
		{"logi", "log", porterMGt0},
		{"bli", "ble", porterMGt0},
		{"alli", "al", porterMGt0},
		{"entli", "ent", porterMGt0},
		{"eli", "e", porterMGt0},
		{"ousli", "ous", porterMGt0},
		{"ization", "ize", porterMGt0},
		{"ation", "ate", porterMGt0},
		{"ator", "ate", porterMGt0},
		{"alism", "al", porterMGt0},
		{"iveness", "ive", porterMGt0},
		{"fulness", "ful", porterMGt0},
		{"ousness", "ous", porterMGt0},
		{"aliti", "al", porterMGt0},
		{"iviti", "ive", porterMGt0},
		{"biliti", "ble", porterMGt0},
	}
	porterStep3 = []porterRule{
		{"ical", "ic", porterMGt0},
		{"ness", "", porterMGt0},
		{"icate", "ic", porterMGt0},
		{"iciti", "ic", porterMGt0},
		{"ful", "", porterMGt0},
		{"ative", "", porterMGt0},
		{"alize", "al", porterMGt0},
	}
	porterStep4 = []porterRule{
		{"al", "", porterMGt1},
		{"ance", "", porterMGt1},
		{"ence", "", porterMGt1},
		{"er", "", porterMGt1},
		{"ic", "", porterMGt1},
		{"able", "", porterMGt1},
		{"ible", "", porterMGt1},
		{"ant", "", porterMGt1},
		{"ement", "", porterMGt1},
		{"ment", "", porterMGt1},
		{"ent", "", porterMGt1},
		{"ion", "", porterMGt1SorT},
		{"ou", "", porterMGt1},
		{"ism", "", porterMGt1},
		{"ate", "", porterMGt1},
		{"iti", "", porterMGt1},
		{"ous", "", porterMGt1},
		{"ive", "", porterMGt1},
		{"ize", "", porterMGt1},
	}
)

// porterIsVowel: y is a vowel when it follows a consonant (yIsVowel).
func porterIsVowel(c byte, yIsVowel bool) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || (yIsVowel && c == 'y')
}

// porterGobbleVC returns the length of the shortest prefix of s made of
// consonants, then vowels, then one consonant (one [C]VC), or 0 if there
// is none. prevCons tells whether the letter before s was a consonant.
func porterGobbleVC(s []byte, prevCons bool) int {
	cons := prevCons
	i := 0
	for ; i < len(s); i++ {
		if cons = !porterIsVowel(s[i], cons); !cons {
			break
		}
	}
	for i++; i < len(s); i++ {
		if cons = !porterIsVowel(s[i], cons); cons {
			return i + 1
		}
	}
	return 0
}

// porterMGt0 is the condition m > 0.
func porterMGt0(s []byte) bool { return porterGobbleVC(s, false) != 0 }

// porterMGt1 is the condition m > 1.
func porterMGt1(s []byte) bool {
	n := porterGobbleVC(s, false)
	return n != 0 && porterGobbleVC(s[n:], true) != 0
}

// porterMEq1 is the condition m = 1.
func porterMEq1(s []byte) bool {
	n := porterGobbleVC(s, false)
	return n != 0 && porterGobbleVC(s[n:], true) == 0
}

// porterMGt1SorT is the condition m > 1 and (*S or *T).
func porterMGt1SorT(s []byte) bool {
	n := len(s)
	return n > 0 && (s[n-1] == 's' || s[n-1] == 't') && porterMGt1(s)
}

// porterOStar is the condition *o: s ends consonant-vowel-consonant, the
// last consonant not w, x or y.
func porterOStar(s []byte) bool {
	n := len(s)
	if n < 3 || s[n-1] == 'w' || s[n-1] == 'x' || s[n-1] == 'y' {
		return false
	}
	var mask uint
	cons := false
	for _, c := range s {
		cons = !porterIsVowel(c, cons)
		mask <<= 1
		if cons {
			mask |= 1
		}
	}
	return mask&7 == 5
}

// porterHasVowel is the condition *v* as FTS5 tests it: a vowel, or a 'y'
// that is not the first letter.
func porterHasVowel(s []byte) bool {
	for i, c := range s {
		if porterIsVowel(c, i > 0) {
			return true
		}
	}
	return false
}
