-- Storage per entry (issue 16): two indexes that no query needs.
-- journal_entries_by_user_and_private: no query filters on is_private (a
-- count of a user's entries reads journal_entries_by_user_created).
-- events_by_created: only the hourly prune used it, to find the newest event
-- older than the replay window; it now walks the log back from its end
-- (store.Tx.Prune), which it keeps in sequence order anyway.
DROP INDEX journal_entries_by_user_and_private;
DROP INDEX events_by_created;
