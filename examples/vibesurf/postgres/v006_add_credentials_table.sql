-- Migration: v006_add_credentials_table
-- Version:   6
-- Purpose:   Add credentials, a key/value store for encrypted secrets such as
--            third-party API keys, with an index and an updated_at trigger.
--            Values are encrypted by the application before insert.
--            PostgreSQL dialect; set_updated_at() is created in v001.

CREATE TABLE IF NOT EXISTS credentials (
    id                  TEXT PRIMARY KEY NOT NULL,
    key_name            TEXT NOT NULL UNIQUE,
    encrypted_value     TEXT NOT NULL,
    description         TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_credentials_key_name ON credentials(key_name);

DROP TRIGGER IF EXISTS update_credentials_updated_at ON credentials;
CREATE TRIGGER update_credentials_updated_at
BEFORE UPDATE ON credentials
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();
