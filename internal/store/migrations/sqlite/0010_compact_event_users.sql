-- Storage per entry (issue 16), after 0008 and 0009: the event log's user
-- ids, and an analysis's completion time, stored compactly on SQLite.
--
-- events.user_id holds a UUID as its 16 bytes, like entity_id and
-- relationship_id since 0008 (any other id stays text; store/eventcodec.go):
-- 20 bytes less in the row and again in events_by_user_seq. No foreign key
-- can compare those bytes with users.id, so the log has none now: deleting
-- a user deletes their events in the same transaction (store.Tx.DeleteUser),
-- and an event is only inserted while its user exists (insertBatchEvents),
-- as the cascade and the key did. Ids of rows written before 0010 are
-- converted here, so a user's replay finds every one of their events.
--
-- analyses.completed_at is microseconds since 1970 (8 bytes, not 27
-- characters); the store reads both forms.
CREATE TABLE events_compact (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         NOT NULL,
    type            TEXT NOT NULL,
    entity_id       NOT NULL DEFAULT '',
    relationship_id NOT NULL DEFAULT '',
    data,
    created_at      INTEGER NOT NULL
);
INSERT INTO events_compact (seq, user_id, type, entity_id, relationship_id, data, created_at)
SELECT seq,
    CASE WHEN typeof(user_id) = 'text' AND user_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' THEN unhex(replace(user_id, '-', '')) ELSE user_id END,
    type,
    CASE WHEN typeof(entity_id) = 'text' AND entity_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' THEN unhex(replace(entity_id, '-', '')) ELSE entity_id END,
    CASE WHEN typeof(relationship_id) = 'text' AND relationship_id GLOB '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f]-[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]' THEN unhex(replace(relationship_id, '-', '')) ELSE relationship_id END,
    data, created_at
FROM events ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'events_compact';
INSERT INTO sqlite_sequence (name, seq) SELECT 'events_compact', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_compact RENAME TO events;
CREATE INDEX events_by_user_seq ON events (user_id, seq);

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
    completed_at       INTEGER NOT NULL
);
INSERT INTO analyses_compact (entry_seq, sentiment_score, emotional_keywords, confidence_level, reasoning, patterns,
    processing_source, analysis_method, model, api_response_time, completed_at)
SELECT entry_seq, sentiment_score, emotional_keywords, confidence_level, reasoning, patterns,
    processing_source, analysis_method, model, api_response_time,
    CASE WHEN typeof(completed_at) = 'text'
        THEN CAST(strftime('%s', completed_at) AS INTEGER) * 1000000 + CAST(substr(completed_at, 21, 6) AS INTEGER)
        ELSE completed_at END
FROM analyses ORDER BY entry_seq;
DROP TABLE analyses;
ALTER TABLE analyses_compact RENAME TO analyses;
