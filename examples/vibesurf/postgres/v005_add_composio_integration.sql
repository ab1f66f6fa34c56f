-- Migration: v005_add_composio_integration
-- Version:   5
-- Purpose:   Add composio_toolkits, caching Composio toolkit metadata and
--            whether each toolkit is enabled, with indexes and an
--            updated_at trigger. PostgreSQL dialect; set_updated_at() is
--            created in v001.

CREATE TABLE IF NOT EXISTS composio_toolkits (
    id                  TEXT PRIMARY KEY NOT NULL,
    name                TEXT NOT NULL,
    slug                TEXT NOT NULL UNIQUE,
    description         TEXT,
    logo                TEXT,
    app_url             TEXT,
    enabled             BOOLEAN NOT NULL DEFAULT FALSE,
    tools               JSONB,                        -- JSON array of tool descriptors
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_composio_toolkits_slug    ON composio_toolkits(slug);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_enabled ON composio_toolkits(enabled);
CREATE INDEX IF NOT EXISTS idx_composio_toolkits_name    ON composio_toolkits(name);

DROP TRIGGER IF EXISTS update_composio_toolkits_updated_at ON composio_toolkits;
CREATE TRIGGER update_composio_toolkits_updated_at
BEFORE UPDATE ON composio_toolkits
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();
