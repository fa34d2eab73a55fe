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
		query, args = sqliteSearch(p)
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
// The candidates come from the full-text index newest first (FTS5 walks
// its doclists backwards for ORDER BY rowid DESC, and stops at the LIMIT),
// so bm25 runs for at most searchCandidates rows.
// Snippets are computed only for the page, in the outer query: computing
// them for every match before sorting would cost a snippet per match.
// CROSS JOIN keeps the page as the outer loop, so the second MATCH is a
// rowid lookup per row rather than a second full-text scan per row.
func sqliteSearch(p SearchParams) (string, []any) {
	match := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		match[i] = `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
	}
	if p.PrefixLast {
		match[len(match)-1] += "*"
	}
	expr := strings.Join(match, " ")
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
