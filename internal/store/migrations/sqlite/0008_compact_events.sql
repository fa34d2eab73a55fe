-- Storage per entry (issue 16): a smaller real-time event row. Every
-- published entry leaves 3–4 events, each kept for the 72 h replay window,
-- so in a burst of writing the log is a third of the database.
--
-- What the row holds, and how the store reads it back (store/eventcodec.go),
-- is unchanged; how it is stored on SQLite is smaller:
-- - created_at is microseconds since 1970 (8 bytes, not 27 characters);
-- - entity_id and relationship_id hold a UUID as its 16 bytes (a BLOB; any
--   other id stays text), 20 bytes less each;
-- - data is NULL for {}, a number for one of the few payloads most events
--   carry (store.eventDataCodes, an append-only list), else the JSON text.
-- Columns without a declared type keep whichever of these they are given.
-- Rows written before this migration keep their text; the store reads both.
-- The AUTOINCREMENT counter is carried over, so no sequence number is
-- handed out twice (a stream's Last-Event-ID may name a pruned event).
CREATE TABLE events_compact (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    entity_id       NOT NULL DEFAULT '',
    relationship_id NOT NULL DEFAULT '',
    data,
    created_at      INTEGER NOT NULL
);
INSERT INTO events_compact (seq, user_id, type, entity_id, relationship_id, data, created_at)
SELECT seq, user_id, type, entity_id, relationship_id, NULLIF(data, '{}'),
    CAST(strftime('%s', created_at) AS INTEGER) * 1000000 + CAST(substr(created_at, 21, 6) AS INTEGER)
FROM events ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'events_compact';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_compact', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_compact RENAME TO events;
CREATE INDEX events_by_user_seq ON events (user_id, seq);
