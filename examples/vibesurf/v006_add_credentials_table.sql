-- Migration: v006_add_credentials_table
-- Version:   6
-- Purpose:   Add credentials, a key/value store for encrypted secrets such as
--            third-party API keys, with an index and an updated_at trigger.
--            Values are encrypted by the application before insert.

-- Foreign keys: strata turns them on for every migration (PRAGMA foreign_keys would be a no-op inside its transaction).

CREATE TABLE IF NOT EXISTS credentials (
    id                  TEXT PRIMARY KEY NOT NULL,
    key_name            TEXT NOT NULL UNIQUE,
    encrypted_value     TEXT NOT NULL,
    description         TEXT,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_credentials_key_name ON credentials(key_name);

CREATE TRIGGER IF NOT EXISTS update_credentials_updated_at
AFTER UPDATE ON credentials
FOR EACH ROW
BEGIN
    UPDATE credentials SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
