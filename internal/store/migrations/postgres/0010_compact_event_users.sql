-- SQLite only (its event log stores user ids as 16 bytes and an analysis's
-- completion time as microseconds, see SQLite's 0010); PostgreSQL keeps its
-- text ids, its foreign key and timestamptz. This keeps the two engines'
-- version numbers in step.
SELECT 1;
