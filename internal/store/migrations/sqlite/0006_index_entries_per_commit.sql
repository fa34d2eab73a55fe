-- Index new entries once per commit, not once per entry (issue 16).
--
-- FTS5 writes the rows it has been given to disk as a new index segment at
-- every SAVEPOINT, and the group commit (store/groupcommit.go) opens one per
-- caller: each published entry became a segment of its own, merged again
-- later, at ~10% of a publish's CPU. Now the insert trigger only notes the
-- entry's seq here, and the committer indexes every noted entry in one
-- statement after the batch's savepoints, just before COMMIT (so the table
-- is empty between transactions). Updates and deletes of entries indexed
-- already work as before; a noted entry needs no index change of its own.
CREATE TABLE journal_entries_fts_pending (seq INTEGER PRIMARY KEY);

DROP TRIGGER journal_entries_fts_insert;
CREATE TRIGGER journal_entries_fts_insert AFTER INSERT ON journal_entries BEGIN
    INSERT INTO journal_entries_fts_pending (seq) VALUES (new.seq);
END;

DROP TRIGGER journal_entries_fts_delete;
CREATE TRIGGER journal_entries_fts_delete AFTER DELETE ON journal_entries BEGIN
    INSERT INTO journal_entries_fts (journal_entries_fts, rowid, content, tags)
    SELECT 'delete', old.seq, old.content, old.tags
    WHERE NOT EXISTS (SELECT 1 FROM journal_entries_fts_pending WHERE seq = old.seq);
    DELETE FROM journal_entries_fts_pending WHERE seq = old.seq;
END;

DROP TRIGGER journal_entries_fts_update;
CREATE TRIGGER journal_entries_fts_update AFTER UPDATE OF content, tags ON journal_entries
WHEN (old.content IS NOT new.content OR old.tags IS NOT new.tags)
    AND NOT EXISTS (SELECT 1 FROM journal_entries_fts_pending WHERE seq = old.seq) BEGIN
    INSERT INTO journal_entries_fts (journal_entries_fts, rowid, content, tags) VALUES ('delete', old.seq, old.content, old.tags);
    INSERT INTO journal_entries_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;
