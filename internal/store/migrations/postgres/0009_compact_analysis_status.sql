-- Storage per entry (issue 16), as SQLite's 0009 where it applies here:
-- analysis_status without user_id (the entry's says whose it is) and its
-- index by user and status; entry indexes without the entry id. Its times
-- are timestamptz (8 bytes) already, and PostgreSQL has no WITHOUT ROWID.
ALTER TABLE analysis_status DROP COLUMN user_id;

DROP INDEX journal_entries_by_user_created;
CREATE INDEX journal_entries_by_user_created ON journal_entries (user_id, created_at);
DROP INDEX journal_entries_by_relationship_created;
CREATE INDEX journal_entries_by_relationship_created ON journal_entries (relationship_id, created_at);
