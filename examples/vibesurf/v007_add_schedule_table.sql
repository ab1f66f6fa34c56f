-- Migration: v007_add_schedule_table
-- Version:   7
-- Purpose:   Add schedules for cron-based workflow runs, with indexes and an
--            updated_at trigger.
-- NOTE: this file intentionally ends without a trailing newline.

-- Foreign keys: strata turns them on for every migration (PRAGMA foreign_keys would be a no-op inside its transaction).

CREATE TABLE IF NOT EXISTS schedules (
    id                  TEXT PRIMARY KEY NOT NULL,
    flow_id             TEXT NOT NULL,
    cron_expression     TEXT,                         -- standard 5-field cron, e.g. '0 9 * * 1-5'
    is_enabled          BOOLEAN NOT NULL DEFAULT 1,
    description         TEXT,
    last_execution_at   DATETIME,
    next_execution_at   DATETIME,
    execution_count     INTEGER NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX IF NOT EXISTS idx_schedules_flow_id        ON schedules(flow_id);
CREATE INDEX IF NOT EXISTS idx_schedules_enabled        ON schedules(is_enabled);
CREATE INDEX IF NOT EXISTS idx_schedules_next_execution ON schedules(next_execution_at);

CREATE TRIGGER IF NOT EXISTS update_schedules_updated_at
AFTER UPDATE ON schedules
FOR EACH ROW
BEGIN
    UPDATE schedules SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;