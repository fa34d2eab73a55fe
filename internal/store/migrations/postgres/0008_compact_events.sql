-- SQLite only (its event rows are stored more compactly, see SQLite's
-- 0008). PostgreSQL keeps its columns: timestamptz is 8 bytes already, and
-- its rows carry a fixed 24-byte header each whatever their columns. This
-- keeps the two engines' version numbers in step.
SELECT 1;
