-- Storage per entry (issue 16): a smaller analysis status row, and entry
-- indexes without the entry id.
--
-- analysis_status is keyed by entry_id alone, WITHOUT ROWID: the rows live
-- in the key's own b-tree, so there is no separate index of entry ids (52
-- bytes an entry). user_id goes (the entry's says whose it is; the store
-- joins it), and with it the index by user and status that only the list of
-- a user's statuses read. Its four times are microseconds since 1970 (8
-- bytes each, not 27 characters); the store reads both forms.
--
-- The two entry indexes lose their id column: a list is ordered by
-- (created_at, id), and entries written in the same microsecond, if any,
-- are put in id order after the index is read (37 bytes an entry each).
CREATE TABLE analysis_status_compact (
    entry_id              TEXT PRIMARY KEY REFERENCES journal_entries (id) ON DELETE CASCADE,
    status                TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'fallback', 'failed')),
    queued_at             INTEGER NOT NULL,
    started_at            INTEGER,
    completed_at          INTEGER,
    retry_count           INTEGER NOT NULL DEFAULT 0,
    circuit_breaker_state TEXT NOT NULL DEFAULT 'closed' CHECK (circuit_breaker_state IN ('closed', 'open', 'half_open')),
    error_message         TEXT NOT NULL DEFAULT '',
    fallback_reason       TEXT NOT NULL DEFAULT '',
    updated_at            INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO analysis_status_compact (entry_id, status, queued_at, started_at, completed_at, retry_count, circuit_breaker_state,
    error_message, fallback_reason, updated_at)
SELECT entry_id, status,
    CAST(strftime('%s', queued_at) AS INTEGER) * 1000000 + CAST(substr(queued_at, 21, 6) AS INTEGER),
    CAST(strftime('%s', started_at) AS INTEGER) * 1000000 + CAST(substr(started_at, 21, 6) AS INTEGER),
    CAST(strftime('%s', completed_at) AS INTEGER) * 1000000 + CAST(substr(completed_at, 21, 6) AS INTEGER),
    retry_count, circuit_breaker_state, error_message, fallback_reason,
    CAST(strftime('%s', updated_at) AS INTEGER) * 1000000 + CAST(substr(updated_at, 21, 6) AS INTEGER)
FROM analysis_status;
DROP TABLE analysis_status;
ALTER TABLE analysis_status_compact RENAME TO analysis_status;
CREATE INDEX analysis_status_pending ON analysis_status (queued_at) WHERE status IN ('queued', 'processing');

DROP INDEX journal_entries_by_user_created;
CREATE INDEX journal_entries_by_user_created ON journal_entries (user_id, created_at);
DROP INDEX journal_entries_by_relationship_created;
CREATE INDEX journal_entries_by_relationship_created ON journal_entries (relationship_id, created_at);
