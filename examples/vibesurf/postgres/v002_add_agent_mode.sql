-- Migration: v002_add_agent_mode
-- Version:   2
-- Purpose:   Add tasks.agent_mode (which agent strategy ran the task),
--            defaulting to 'thinking'. PostgreSQL dialect.
-- Note: unlike SQLite, PostgreSQL has ADD COLUMN IF NOT EXISTS, so this
--       script is safe to re-run.

ALTER TABLE tasks ADD COLUMN IF NOT EXISTS agent_mode TEXT DEFAULT 'thinking';
