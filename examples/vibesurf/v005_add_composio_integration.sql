-- Migration: v005_add_composio_integration
-- Version:   5
-- Purpose:   Add composio_toolkits, caching Composio toolkit metadata and
--            whether each toolkit is enabled, with indexes and an
--            updated_at trigger.

-- Foreign keys: strata turns them on for every migration (PRAGMA foreign_keys would be a no-op inside its transaction).

CREATE TABLE IF NOT EXISTS composio_toolkits (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    slug                TEXT NOT NULL UNIQUE,
    description         TEXT,
    logo                TEXT,
    app_url             TEXT,
    enabled             BOOLEAN NOT NULL DEFAULT 0,
    tools               JSON,                         -- JSON array of tool descriptors
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_composio_toolkits_slug    ON composio_toolkits(slug);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_enabled ON composio_toolkits(enabled);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_name    ON composio_toolkits(name);

CREATE TRIGGER IF NOT EXISTS update_composio_toolkits_updated_at
AFTER UPDATE ON composio_toolkits
FOR EACH ROW
BEGIN
    UPDATE composio_toolkits SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
