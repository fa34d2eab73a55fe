-- Secrets the server keeps for itself (the list-cursor signing key), made
-- once by whichever instance needs one first and shared by all after.
CREATE TABLE server_keys (
    name       TEXT PRIMARY KEY,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
