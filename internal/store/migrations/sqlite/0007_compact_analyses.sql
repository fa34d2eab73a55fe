-- Storage per entry (issue 16): an analysis row without what its entry
-- already says, and indexes no query needs.
--
-- analyses is keyed by its entry's seq (journal_entries' INTEGER PRIMARY
-- KEY, which never changes): the key is the row id itself, so the table
-- needs no index of its own, and user_id, relationship_id and entry_id
-- (three 36-character ids, ~110 bytes a row) are read from the entry. Its
-- two indexes (by user and completion, by user and relationship) served no
-- query. processing_source and analysis_method are stored as 1 (external_api,
-- ai_powered) or 0 (fallback_analysis, rule_based_fallback); the store maps
-- them back to the API's words.
--
-- journal_entries_by_relationship_created replaces two indexes: the
-- user's entries of one relationship (every query that filters by
-- relationship also has its user, and a relationship has one user) and the
-- lookup that deleting a relationship cascades through.
--
-- Both entry indexes are now ascending: the newest-first lists read them
-- backwards just as well, and a new entry (the newest) then lands at the end
-- of its user's (or relationship's) range. Descending, it landed at the
-- start, and SQLite splits a page it prepends to in half: in a load run the
-- two descending indexes were half empty (228 and 315 bytes per entry).
--
-- analysis_status_pending replaces analysis_status_by_status_queued: only
-- unfinished rows are looked up by status (the in-process queue's claim, the
-- hand-over to River), and they are few at rest.
CREATE TABLE analyses_compact (
    entry_seq          INTEGER PRIMARY KEY REFERENCES journal_entries (seq) ON DELETE CASCADE,
    sentiment_score    REAL NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
    emotional_keywords TEXT NOT NULL DEFAULT '[]',
    confidence_level   REAL NOT NULL CHECK (confidence_level BETWEEN 0 AND 1),
    reasoning          TEXT NOT NULL DEFAULT '',
    patterns           TEXT NOT NULL DEFAULT '{}',
    processing_source  INTEGER NOT NULL CHECK (processing_source IN (0, 1)),
    analysis_method    INTEGER NOT NULL CHECK (analysis_method IN (0, 1)),
    model              TEXT NOT NULL DEFAULT '',
    api_response_time  INTEGER NOT NULL DEFAULT 0,
    completed_at       TEXT NOT NULL
);
INSERT INTO analyses_compact (entry_seq, sentiment_score, emotional_keywords, confidence_level, reasoning, patterns,
    processing_source, analysis_method, model, api_response_time, completed_at)
SELECT e.seq, a.sentiment_score, a.emotional_keywords, a.confidence_level, a.reasoning, a.patterns,
    a.processing_source = 'external_api', a.analysis_method = 'ai_powered', a.model, a.api_response_time, a.completed_at
FROM analyses a JOIN journal_entries e ON e.id = a.entry_id
ORDER BY e.seq;
DROP TABLE analyses;
ALTER TABLE analyses_compact RENAME TO analyses;

DROP INDEX journal_entries_by_user_relationship;
DROP INDEX journal_entries_by_relationship;
CREATE INDEX journal_entries_by_relationship_created ON journal_entries (relationship_id, created_at, id);
DROP INDEX journal_entries_by_user_created;
CREATE INDEX journal_entries_by_user_created ON journal_entries (user_id, created_at, id);

DROP INDEX analysis_status_by_status_queued;
CREATE INDEX analysis_status_pending ON analysis_status (queued_at) WHERE status IN ('queued', 'processing');
