package store

import (
	"context"
	"fmt"
	"strings"
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

// sqliteSearch ranks with FTS5's bm25 (content weighted over tags). Each term
// is an FTS5 string, so nothing a person types is read as query syntax.
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
	args = append(args, p.Limit, p.Offset, expr)
	cols := "e." + strings.ReplaceAll(entryColumns, ", ", ", e.")
	return `SELECT ` + cols + `, snippet(journal_entries_fts, 0, char(57344), char(57345), '…', 24)
FROM (
	SELECT e.seq, bm25(journal_entries_fts, 1.0, 0.5) AS rank
	FROM journal_entries_fts JOIN journal_entries e ON e.seq = journal_entries_fts.rowid
	WHERE journal_entries_fts MATCH ? AND e.user_id = ?` + filter + `
	ORDER BY rank, e.seq DESC LIMIT ? OFFSET ?
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
// index). Terms are quoted tsquery lexemes, so punctuation and operators a
// person types never reach the tsquery parser as syntax.
func postgresSearch(p SearchParams) (string, []any) {
	lexemes := make([]string, len(p.Terms))
	for i, t := range p.Terms {
		t = strings.ReplaceAll(strings.ReplaceAll(t, `\`, `\\`), `'`, `''`)
		lexemes[i] = "'" + t + "'"
	}
	if p.PrefixLast {
		lexemes[len(lexemes)-1] += ":*"
	}
	filter, args := p.filter([]any{strings.Join(lexemes, " & "), postgresHeadline, p.UserID})
	args = append(args, p.Limit, p.Offset)
	cols := "top." + strings.ReplaceAll(entryColumns, ", ", ", top.")
	return `WITH q AS (SELECT to_tsquery('english', ?) AS query)
SELECT ` + cols + `, ts_headline('english', top.content, q.query, ?)
FROM (
	SELECT e.*, ts_rank_cd(e.search_vector, q.query) AS rank
	FROM journal_entries e, q
	WHERE e.search_vector @@ q.query AND e.user_id = ?` + filter + `
	ORDER BY rank DESC, e.seq DESC LIMIT ? OFFSET ?
) top, q
ORDER BY top.rank DESC, top.seq DESC`, args
}
