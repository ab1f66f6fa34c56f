-- Migration: v005_add_composio_integration
-- Version:   5
-- Purpose:   Add composio_toolkits, caching Composio toolkit metadata and
--            whether each toolkit is enabled, with indexes and an
--            updated_at trigger. MariaDB dialect (10.11); see v001 for why
--            indexed strings are VARCHAR(255) and the collation is binary.

CREATE TABLE IF NOT EXISTS composio_toolkits (
    id                  VARCHAR(255) PRIMARY KEY NOT NULL,
    name                VARCHAR(255) NOT NULL,
    slug                VARCHAR(255) NOT NULL UNIQUE,
    description         TEXT,
    logo                TEXT,
    app_url             TEXT,
    enabled             BOOLEAN NOT NULL DEFAULT FALSE,
    tools               JSON,                         -- JSON array of tool descriptors
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS idx_composio_toolkits_slug    ON composio_toolkits(slug);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_enabled ON composio_toolkits(enabled);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_name    ON composio_toolkits(name);

CREATE TRIGGER IF NOT EXISTS update_composio_toolkits_updated_at
BEFORE UPDATE ON composio_toolkits
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);
