-- Migration: v006_add_credentials_table
-- Version:   6
-- Purpose:   Add credentials, a key/value store for encrypted secrets such as
--            third-party API keys, with an index and an updated_at trigger.
--            Values are encrypted by the application before insert.
--            MariaDB dialect (10.11); see v001 for why indexed strings are
--            VARCHAR(255) and the collation is binary.

CREATE TABLE IF NOT EXISTS credentials (
    id                  VARCHAR(255) PRIMARY KEY NOT NULL,
    key_name            VARCHAR(255) NOT NULL UNIQUE,
    encrypted_value     TEXT NOT NULL,
    description         TEXT,
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS idx_credentials_key_name ON credentials(key_name);

CREATE TRIGGER IF NOT EXISTS update_credentials_updated_at
BEFORE UPDATE ON credentials
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);
