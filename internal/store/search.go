package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Snippets mark matched words with these two private-use characters; the
// journal turns them into highlight segments, so no markup ever reaches a
// client through the snippet text.
const (
	HighlightStart = "\uE000"
	HighlightEnd   = "\uE001"
)

// SearchParams is a full-text search over one user's entries. Terms are
// plain words (letters and digits only, as journal.ParseQuery produces
// them); every term must match, and the last one also matches as a prefix
// when PrefixLast is set. English stemming applies on both engines.
type SearchParams struct {
	UserID         string
	RelationshipID string // optional
	Status         string // optional: draft or published
	Terms          []string
	PrefixLast     bool
	Offset, Limit  int
}

// SearchHit is one ranked result with a snippet of its content in which
// matches are wrapped in HighlightStart and HighlightEnd.
type SearchHit struct {
	Entry
	Snippet string
}

// SearchEntries returns the best-ranked entries matching p, best first.
func (q *Queries) SearchEntries(ctx context.Context, p SearchParams) ([]SearchHit, error) {
	if len(p.Terms) == 0 {
		return nil, nil
	}
	var query string
	var args []any
	if q.d.engine() == Postgres {
		query, args = postgresSearch(p)
	} else {
		var words []string
		if p.PrefixLast {
			var expanded bool
			var err error
			if words, expanded, err = q.sqlitePrefixWords(ctx, p.Terms[len(p.Terms)-1]); err != nil {
				return nil, fmt.Errorf("search entries: %w", err)
			}
			if expanded && len(words) == 0 {
				return nil, nil // no indexed word starts with the prefix
			}
		}
		query, args = sqliteSearch(p, words)
	}
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search entries: %w", err)
	}
	defer rows.Close()
	var out []SearchHit
	for rows.Next() {
		var h SearchHit
		if h.Entry, err = scanEntry(rows, &h.Snippet); err != nil {
			return nil, fmt.Errorf("search entries: %w", err)
		}
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search entries: %w", err)
	}
	return out, nil
}

// filter returns the optional conditions on e and args extended with theirs.
func (p SearchParams) filter(args []any) (string, []any) {
	var b strings.Builder
	if p.RelationshipID != "" {
		b.WriteString(` AND e.relationship_id = ?`)
		args = append(args, p.RelationshipID)
	}
	if p.Status != "" {
		b.WriteString(` AND e.status = ?`)
		args = append(args, p.Status)
	}
	return b.String(), args
}

// searchCandidates bounds the matches that are ranked: the most recently
// written ones (highest seq), newest first. A query whose words appear in
// most of a large journal ("felt") would otherwise rank every entry of the
// user on every keystroke — over 100,000 entries that costs hundreds of
// milliseconds on either engine. The price: when more entries than this
// match, the best-ranked older ones are not found and paging ends after
// this many results; a query with fewer matches (almost every specific
// query) ranks all of them, exactly as before. docs/performance.md has
// the measurements.
const searchCandidates = 1000

// sqliteSearch ranks with FTS5's bm25 (content weighted over tags). Each term
// is an FTS5 string, so nothing a person types is read as query syntax.
// When prefixWords is not nil, the last term (a prefix) is replaced by the
// OR of those whole words (see sqlitePrefixWords); otherwise a last term
// with PrefixLast is an FTS5 prefix query.
// The candidates come from the full-text index newest first (FTS5 walks
// its doclists backwards for ORDER BY rowid DESC, and stops at the LIMIT),
// so bm25 runs for at most searchCandidates rows.
// Snippets are computed only for the page, in the outer query: computing
// them for every match before sorting would cost a snippet per match.
// CROSS JOIN keeps the page as the outer loop, so the second MATCH is a
// rowid lookup per row rather than a second full-text scan per row.
func sqliteSearch(p SearchParams, prefixWords []string) (string, []any) {
	match := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		match[i] = fts5String(t)
	}
	switch {
	case prefixWords != nil:
		alt := make([]string, len(prefixWords))
		for i, w := range prefixWords {
			alt[i] = fts5String(w)
		}
		match[len(match)-1] = "(" + strings.Join(alt, " OR ") + ")"
	case p.PrefixLast:
		match[len(match)-1] += "*"
	}
	// FTS5 needs an explicit AND before a bracketed group.
	expr := strings.Join(match, " AND ")
	filter, args := p.filter([]any{expr, p.UserID})
	args = append(args, searchCandidates, p.Limit, p.Offset, expr)
	cols := "e." + strings.ReplaceAll(entryColumns, ", ", ", e.")
	return `SELECT ` + cols + `, snippet(journal_entries_fts, 0, char(57344), char(57345), '…', 24)
FROM (
	SELECT seq, rank FROM (
		SELECT e.seq, bm25(journal_entries_fts, 1.0, 0.5) AS rank
		FROM journal_entries_fts CROSS JOIN journal_entries e ON e.seq = journal_entries_fts.rowid
		WHERE journal_entries_fts MATCH ? AND e.user_id = ?` + filter + `
		ORDER BY journal_entries_fts.rowid DESC LIMIT ?
	)
	ORDER BY rank, seq DESC LIMIT ? OFFSET ?
) top
CROSS JOIN journal_entries_fts ON journal_entries_fts.rowid = top.seq
CROSS JOIN journal_entries e ON e.seq = top.seq
WHERE journal_entries_fts MATCH ?
ORDER BY top.rank, top.seq DESC`, args
}

// fts5String quotes s as an FTS5 string, which FTS5 tokenizes (and stems)
// but never reads as query syntax.
func fts5String(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sqlitePrefixMaxWords bounds the whole words a typed prefix expands to.
const sqlitePrefixMaxWords = 32

// sqlitePrefixWords expands prefix, the last word of a search that is still
// being typed, into the indexed words it matches, so that the search can
// ask FTS5 for those whole words instead of for the prefix. FTS5 answers a
// prefix query ("felt"*) by merging the doclists of every indexed word with
// that prefix, over every user's entries, before it returns the first row;
// the newest-first LIMIT of the candidate scan cannot stop it early. Whole
// words are streamed newest first and stop at the LIMIT: 5–30 times faster
// at 100,000 entries (docs/performance.md).
//
// The expansion must match exactly what the prefix query matches:
//   - FTS5 stems the quoted prefix like any query word ("walks"* is walk*),
//     so the vocabulary range starts at the stemmed prefix;
//   - each indexed word of the range is asked for as a quoted word, which
//     FTS5 stems again: "agreed" is indexed as agre, but "agre" is searched
//     as agr. So the word asked for is one that stems to exactly the
//     indexed word (porterPreimage): the indexed word itself when stemming
//     leaves it unchanged, otherwise usually the word with its e restored
//     ("agree" → agre, "house" → hous).
//
// expanded is false when the prefix query must be used: a one-letter prefix
// (the prefix = '1' index answers it quickly), a prefix with characters
// other than a–z and 0–9 (porterStem is checked against SQLite for ASCII
// words only), a range holding a word with no such preimage, or more than
// sqlitePrefixMaxWords words. expanded with no words means that nothing can
// match.
//
// The vocabulary (journal_entries_vocab) is that of the whole index, every
// user's words; it decides only which words are asked for, never which
// entries are returned. It is read in its own statement, so a word first
// written between the two statements is not asked for by that one search.
func (q *Queries) sqlitePrefixWords(ctx context.Context, prefix string) (words []string, expanded bool, err error) {
	if len(prefix) < 2 || !isLowerASCIIWord(prefix) {
		return nil, false, nil
	}
	lo := porterStem(prefix)
	if len(lo) < 2 {
		return nil, false, nil
	}
	// Every word that starts with lo sorts in [lo, hi): lo is a–z0–9, so
	// its last byte can be incremented without overflow.
	hi := lo[:len(lo)-1] + string(lo[len(lo)-1]+1)
	rows, err := q.query(ctx, `SELECT term FROM journal_entries_vocab WHERE term >= ? AND term < ? ORDER BY term LIMIT ?`,
		lo, hi, sqlitePrefixMaxWords+1)
	if err != nil {
		return nil, false, fmt.Errorf("prefix words: %w", err)
	}
	defer rows.Close()
	words = []string{}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, false, fmt.Errorf("prefix words: %w", err)
		}
		if len(words) == sqlitePrefixMaxWords || !isLowerASCIIWord(w) {
			return nil, false, nil
		}
		word, ok := porterPreimage(w)
		if !ok {
			return nil, false, nil
		}
		words = append(words, word)
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("prefix words: %w", err)
	}
	return words, true, nil
}

// isLowerASCIIWord reports whether s is made of a–z and 0–9 only.
func isLowerASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// postgresHeadline asks ts_headline for up to two fragments marked like FTS5's snippets.
const postgresHeadline = `StartSel=` + HighlightStart + `, StopSel=` + HighlightEnd +
	`, MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "`

// postgresSearch ranks with ts_rank_cd over the generated tsvector (GIN
// index), among the searchCandidates most recently written matches, and
// computes ts_headline for the returned page only. Terms are quoted tsquery
// lexemes, so punctuation and operators a person types never reach the
// tsquery parser as syntax.
//
// The candidates must be planned for the actual words: for a word in most
// entries, walking the seq index backwards finds 1,000 matches within a few
// thousand rows (~10 ms at 100,000 entries), while the GIN bitmap visits
// every match (~300 ms); for a rare word it is the other way round. So the
// tsquery is a plain parameter of the candidate scan (not a CTE, which hides
// it from the planner), the scan reads only seq (wide rows are fetched for
// the candidates alone), and the statement runs as an unnamed prepared
// statement (pgx.QueryExecModeExec), which PostgreSQL plans with the
// parameter values every time — a cached named statement would switch to a
// generic plan after five runs and then pick the bitmap for every word.
func postgresSearch(p SearchParams) (string, []any) {
	lexemes := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		t = strings.ReplaceAll(strings.ReplaceAll(t, `\`, `\\`), `'`, `''`)
		lexemes[i] = "'" + t + "'"
	}
	if p.PrefixLast {
		lexemes[len(lexemes)-1] += ":*"
	}
	tsquery := strings.Join(lexemes, " & ")
	filter, args := p.filter([]any{pgx.QueryExecModeExec, tsquery, postgresHeadline, tsquery, p.UserID})
	args = append(args, searchCandidates, p.Limit, p.Offset)
	cols := "top." + strings.ReplaceAll(entryColumns, ", ", ", top.")
	return `WITH q AS (SELECT to_tsquery('english', ?) AS query)
SELECT ` + cols + `, ts_headline('english', top.content, q.query, ?)
FROM (
	SELECT c.*, ts_rank_cd(c.search_vector, q.query) AS rank
	FROM (
		SELECT e.seq FROM journal_entries e
		WHERE e.search_vector @@ to_tsquery('english', ?) AND e.user_id = ?` + filter + `
		ORDER BY e.seq DESC LIMIT ?
	) m
	JOIN journal_entries c ON c.seq = m.seq, q
	ORDER BY rank DESC, c.seq DESC LIMIT ? OFFSET ?
) top, q
ORDER BY top.rank DESC, top.seq DESC`, args
}
