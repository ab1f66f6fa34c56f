-- Migration: v007_add_schedule_table
-- Version:   7
-- Purpose:   Add schedules for cron-based workflow runs, with indexes and an
--            updated_at trigger. PostgreSQL dialect; set_updated_at() is
--            created in v001.
-- NOTE: this file intentionally ends without a trailing newline.

CREATE TABLE IF NOT EXISTS schedules (
    id                  TEXT PRIMARY KEY NOT NULL,
    flow_id             TEXT NOT NULL,
    cron_expression     TEXT,                         -- standard 5-field cron, e.g. '0 9 * * 1-5'
    is_enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    description         TEXT,
    last_execution_at   TIMESTAMPTZ,
    next_execution_at   TIMESTAMPTZ,
    execution_count     INTEGER NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_schedules_flow_id        ON schedules(flow_id);
CREATE INDEX IF NOT EXISTS idx_schedules_enabled        ON schedules(is_enabled);
CREATE INDEX IF NOT EXISTS idx_schedules_next_execution ON schedules(next_execution_at);

DROP TRIGGER IF EXISTS update_schedules_updated_at ON schedules;
CREATE TRIGGER update_schedules_updated_at
BEFORE UPDATE ON schedules
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();