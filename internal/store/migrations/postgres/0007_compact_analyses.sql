-- Storage per entry (issue 16): the same as SQLite's 0007 (the comments
-- there say why). analyses is keyed by its entry's seq (journal_entries.seq,
-- an identity column that never changes), without the ids its entry holds
-- and without its two unused indexes; processing_source and analysis_method
-- are stored as 1 (external_api, ai_powered) or 0.
CREATE TABLE analyses_compact (
    entry_seq          BIGINT PRIMARY KEY REFERENCES journal_entries (seq) ON DELETE CASCADE,
    sentiment_score    DOUBLE PRECISION NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
    emotional_keywords TEXT NOT NULL DEFAULT '[]',
    confidence_level   DOUBLE PRECISION NOT NULL CHECK (confidence_level BETWEEN 0 AND 1),
    reasoning          TEXT NOT NULL DEFAULT '',
    patterns           TEXT NOT NULL DEFAULT '{}',
    processing_source  SMALLINT NOT NULL CHECK (processing_source IN (0, 1)),
    analysis_method    SMALLINT NOT NULL CHECK (analysis_method IN (0, 1)),
    model              TEXT NOT NULL DEFAULT '',
    api_response_time  INTEGER NOT NULL DEFAULT 0,
    completed_at       TIMESTAMPTZ NOT NULL
);
INSERT INTO analyses_compact (entry_seq, sentiment_score, emotional_keywords, confidence_level, reasoning, patterns,
    processing_source, analysis_method, model, api_response_time, completed_at)
SELECT e.seq, a.sentiment_score, a.emotional_keywords, a.confidence_level, a.reasoning, a.patterns,
    (a.processing_source = 'external_api')::int, (a.analysis_method = 'ai_powered')::int, a.model, a.api_response_time, a.completed_at
FROM analyses a JOIN journal_entries e ON e.id = a.entry_id
ORDER BY e.seq;
DROP TABLE analyses;
ALTER TABLE analyses_compact RENAME TO analyses;
ALTER INDEX analyses_compact_pkey RENAME TO analyses_pkey;

DROP INDEX journal_entries_by_user_relationship;
DROP INDEX journal_entries_by_relationship;
CREATE INDEX journal_entries_by_relationship_created ON journal_entries (relationship_id, created_at, id);
DROP INDEX journal_entries_by_user_created;
CREATE INDEX journal_entries_by_user_created ON journal_entries (user_id, created_at, id);

DROP INDEX analysis_status_by_status_queued;
CREATE INDEX analysis_status_pending ON analysis_status (queued_at) WHERE status IN ('queued', 'processing');
