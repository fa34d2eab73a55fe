-- SQLite only (its full-text index is now written once per group commit);
-- PostgreSQL's generated tsvector column needs no change. This keeps the
-- two engines' version numbers in step.
SELECT 1;
