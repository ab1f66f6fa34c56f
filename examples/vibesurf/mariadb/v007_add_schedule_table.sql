-- Migration: v007_add_schedule_table
-- Version:   7
-- Purpose:   Add schedules for cron-based workflow runs, with indexes and an
--            updated_at trigger. MariaDB dialect (10.11); see v001 for why
--            indexed strings are VARCHAR(255) and the collation is binary.
-- NOTE: this file intentionally ends without a trailing newline.

CREATE TABLE IF NOT EXISTS schedules (
    id                  VARCHAR(255) PRIMARY KEY NOT NULL,
    flow_id             VARCHAR(255) NOT NULL,
    cron_expression     TEXT,                         -- standard 5-field cron, e.g. '0 9 * * 1-5'
    is_enabled          BOOLEAN NOT NULL DEFAULT TRUE,
    description         TEXT,
    last_execution_at   DATETIME(6),
    next_execution_at   DATETIME(6),
    execution_count     INT NOT NULL DEFAULT 0 CHECK (execution_count >= 0),
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS idx_schedules_flow_id        ON schedules(flow_id);
CREATE INDEX IF NOT EXISTS idx_schedules_enabled        ON schedules(is_enabled);
CREATE INDEX IF NOT EXISTS idx_schedules_next_execution ON schedules(next_execution_at);

CREATE TRIGGER IF NOT EXISTS update_schedules_updated_at
BEFORE UPDATE ON schedules
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);