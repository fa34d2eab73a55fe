-- Resonant schema, version 1 (SQLite). Timestamps are fixed-width RFC 3339
-- UTC text (see store.DBTime), which sorts chronologically. JSON columns are
-- TEXT. Every user-owned table carries user_id, and every index behind a
-- user-facing query leads with it.

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL,
    email_normalized     TEXT NOT NULL UNIQUE,
    clerk_id             TEXT UNIQUE,
    name                 TEXT NOT NULL DEFAULT '',
    password_hash        TEXT,
    email_verified_at    TEXT,
    tier                 TEXT NOT NULL DEFAULT 'free',
    preferences          TEXT NOT NULL DEFAULT '{}',
    onboarding_completed BOOLEAN NOT NULL DEFAULT FALSE,
    session_epoch        INTEGER NOT NULL DEFAULT 0,
    last_active_at       TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);
CREATE INDEX users_by_clerk_id ON users (clerk_id);
CREATE INDEX users_by_tier ON users (tier);
CREATE INDEX users_by_last_active ON users (last_active_at);

CREATE TABLE feature_flags (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    flags      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- scs sessions; user_id lets sign-out-everywhere and password changes revoke.
CREATE TABLE sessions (
    token   TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    data    BLOB NOT NULL,
    expiry  TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expiry);

-- Single-use tokens sent by email (verification, password reset); only a hash is kept.
CREATE TABLE email_tokens (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX email_tokens_by_user ON email_tokens (user_id, purpose);
CREATE INDEX email_tokens_by_expiry ON email_tokens (expires_at);

-- Personal access tokens for the JSON API; only a hash is kept.
CREATE TABLE access_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    last_used_at TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX access_tokens_by_user ON access_tokens (user_id, created_at);

CREATE TABLE relationships (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('partner', 'family', 'friend', 'colleague', 'other')),
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX relationships_by_user_created ON relationships (user_id, created_at);

-- seq is an explicit INTEGER PRIMARY KEY so the rowid the FTS index points at
-- never changes (VACUUM may renumber implicit rowids).
CREATE TABLE journal_entries (
    seq             INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship_id TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    content         TEXT NOT NULL,
    mood            TEXT NOT NULL DEFAULT '',
    tags            TEXT NOT NULL DEFAULT '[]',
    is_private      BOOLEAN NOT NULL DEFAULT FALSE,
    word_count      INTEGER NOT NULL DEFAULT 0,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX journal_entries_by_user_created ON journal_entries (user_id, created_at DESC, id DESC);
CREATE INDEX journal_entries_by_user_and_private ON journal_entries (user_id, is_private);
CREATE INDEX journal_entries_by_user_relationship ON journal_entries (user_id, relationship_id, created_at DESC, id DESC);
CREATE INDEX journal_entries_by_relationship ON journal_entries (relationship_id);

-- Full-text index over content and tags, English stemming (porter).
-- prefix = '1': a one-letter prefix (the first key typed in a search) would
-- otherwise merge the doclists of every word with that letter (~200 ms over
-- 100,000 entries). Longer prefixes are expanded into whole words through
-- journal_entries_vocab (store.sqlitePrefixWords); indexing them too would
-- cost index size and auto-save time (docs/performance.md).
CREATE VIRTUAL TABLE journal_entries_fts USING fts5 (
    content, tags,
    content = 'journal_entries', content_rowid = 'seq',
    tokenize = 'porter unicode61 remove_diacritics 2',
    prefix = '1'
);
-- The indexed words, for expanding a search word still being typed into the
-- whole words it can become (store.sqlitePrefixWords): FTS5 streams whole
-- words newest first but must merge every doclist of a prefix first.
CREATE VIRTUAL TABLE journal_entries_vocab USING fts5vocab (journal_entries_fts, 'row');
CREATE TRIGGER journal_entries_fts_insert AFTER INSERT ON journal_entries BEGIN
    INSERT INTO journal_entries_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;
CREATE TRIGGER journal_entries_fts_delete AFTER DELETE ON journal_entries BEGIN
    INSERT INTO journal_entries_fts (journal_entries_fts, rowid, content, tags) VALUES ('delete', old.seq, old.content, old.tags);
END;
-- Auto-save rewrites the row every few seconds; re-index only when the text changed.
CREATE TRIGGER journal_entries_fts_update AFTER UPDATE OF content, tags ON journal_entries
WHEN old.content IS NOT new.content OR old.tags IS NOT new.tags BEGIN
    INSERT INTO journal_entries_fts (journal_entries_fts, rowid, content, tags) VALUES ('delete', old.seq, old.content, old.tags);
    INSERT INTO journal_entries_fts (rowid, content, tags) VALUES (new.seq, new.content, new.tags);
END;

CREATE TABLE analysis_status (
    entry_id              TEXT PRIMARY KEY REFERENCES journal_entries (id) ON DELETE CASCADE,
    user_id               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status                TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'fallback', 'failed')),
    queued_at             TEXT NOT NULL,
    started_at            TEXT,
    completed_at          TEXT,
    retry_count           INTEGER NOT NULL DEFAULT 0,
    circuit_breaker_state TEXT NOT NULL DEFAULT 'closed' CHECK (circuit_breaker_state IN ('closed', 'open', 'half_open')),
    error_message         TEXT NOT NULL DEFAULT '',
    fallback_reason       TEXT NOT NULL DEFAULT '',
    updated_at            TEXT NOT NULL
);
CREATE INDEX analysis_status_by_user_status ON analysis_status (user_id, status);
CREATE INDEX analysis_status_by_status_queued ON analysis_status (status, queued_at);

CREATE TABLE analyses (
    entry_id           TEXT PRIMARY KEY REFERENCES journal_entries (id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship_id    TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    sentiment_score    REAL NOT NULL CHECK (sentiment_score BETWEEN -1 AND 1),
    emotional_keywords TEXT NOT NULL DEFAULT '[]',
    confidence_level   REAL NOT NULL CHECK (confidence_level BETWEEN 0 AND 1),
    reasoning          TEXT NOT NULL DEFAULT '',
    patterns           TEXT NOT NULL DEFAULT '{}',
    processing_source  TEXT NOT NULL CHECK (processing_source IN ('external_api', 'fallback_analysis')),
    analysis_method    TEXT NOT NULL CHECK (analysis_method IN ('ai_powered', 'rule_based_fallback')),
    model              TEXT NOT NULL DEFAULT '',
    api_response_time  INTEGER NOT NULL DEFAULT 0,
    completed_at       TEXT NOT NULL
);
CREATE INDEX analyses_by_user_completed ON analyses (user_id, completed_at);
CREATE INDEX analyses_by_user_relationship ON analyses (user_id, relationship_id, completed_at);

-- Health score history: one row per recalculation, for charts.
CREATE TABLE health_scores (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship_id    TEXT NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
    score              INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    factor_breakdown   TEXT NOT NULL,
    trend_direction    TEXT NOT NULL CHECK (trend_direction IN ('improving', 'stable', 'declining')),
    confidence         REAL NOT NULL CHECK (confidence BETWEEN 0 AND 1),
    calculation_method TEXT NOT NULL CHECK (calculation_method IN ('full_ai_analysis', 'partial_analysis', 'fallback_scoring')),
    calculated_at      TEXT NOT NULL
);
CREATE INDEX health_scores_by_user_relationship ON health_scores (user_id, relationship_id, calculated_at DESC);
CREATE INDEX health_scores_by_relationship ON health_scores (relationship_id);

CREATE TABLE insights (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    relationship_id    TEXT REFERENCES relationships (id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
    title              TEXT NOT NULL,
    body               TEXT NOT NULL,
    evidence_entry_ids TEXT NOT NULL DEFAULT '[]',
    dedupe_key         TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'dismissed')),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX insights_by_user_and_active ON insights (user_id, status, created_at DESC);
CREATE INDEX insights_by_relationship ON insights (relationship_id);
CREATE UNIQUE INDEX insights_by_user_dedupe ON insights (user_id, dedupe_key) WHERE dedupe_key <> '';

-- Trend analytics cache, 24 h expiry, invalidated when an analysis lands.
CREATE TABLE trend_cache (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    cache_key   TEXT NOT NULL,
    data        TEXT NOT NULL,
    computed_at TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    PRIMARY KEY (user_id, cache_key)
);
CREATE INDEX trend_cache_by_expiry ON trend_cache (expires_at);

-- Circuit-breaker state shared by every instance; updated atomically.
CREATE TABLE circuit_breakers (
    name            TEXT PRIMARY KEY,
    state           TEXT NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half_open')),
    failure_count   INTEGER NOT NULL DEFAULT 0,
    success_count   INTEGER NOT NULL DEFAULT 0,
    probes_in_flight INTEGER NOT NULL DEFAULT 0,
    opened_at       TEXT,
    updated_at      TEXT NOT NULL
);

-- Real-time event log: replay for reconnecting tabs (Last-Event-ID).
CREATE TABLE events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type            TEXT NOT NULL,
    entity_id       TEXT NOT NULL DEFAULT '',
    relationship_id TEXT NOT NULL DEFAULT '',
    data            TEXT NOT NULL DEFAULT '{}',
    created_at      TEXT NOT NULL
);
CREATE INDEX events_by_user_seq ON events (user_id, seq);
CREATE INDEX events_by_created ON events (created_at);

-- Processed webhook deliveries (Svix message ids): a replay is answered
-- without being applied again. Pruned with the event log.
CREATE TABLE webhook_deliveries (
    id          TEXT PRIMARY KEY,
    received_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_by_received ON webhook_deliveries (received_at);
