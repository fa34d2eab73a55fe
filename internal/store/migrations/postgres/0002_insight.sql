-- Health scores, insights, trends and reminders (issue 12).

-- basis fingerprints the analyses a score was computed from, so the same
-- evidence never adds a second history row (a retried job, a recompute
-- with nothing new); entry_count and as_of say what it rests on.
ALTER TABLE health_scores ADD COLUMN basis TEXT NOT NULL DEFAULT '';
ALTER TABLE health_scores ADD COLUMN entry_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE health_scores ADD COLUMN as_of TIMESTAMPTZ;

-- An insight is shown until it expires; one row per dedupe key, so an
-- equal insight is never duplicated (a dismissed one stays dismissed
-- until it expires).
ALTER TABLE insights ADD COLUMN expires_at TIMESTAMPTZ;
CREATE INDEX insights_by_expiry ON insights (expires_at);

-- One row per user and local date: claiming it is what makes a reminder
-- go out at most once that day, whatever the number of instances.
CREATE TABLE reminder_sends (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    local_date      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('claimed', 'sending', 'sent', 'skipped')),
    relationship_id TEXT NOT NULL DEFAULT '',
    claimed_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    PRIMARY KEY (user_id, local_date)
);
CREATE INDEX reminder_sends_by_claimed ON reminder_sends (claimed_at);

-- Random keys generated once and shared by every instance (HMAC of
-- emailed one-click links).
CREATE TABLE server_secrets (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- Trend cache validity: a cached trend is served only while its version is
-- the user's current one; a new analysis (or a deleted entry) bumps the
-- user's version. A counter, not a time, so instances' clocks never matter.
ALTER TABLE users ADD COLUMN trend_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE trend_cache ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
