-- Migration: v002_add_agent_mode
-- Version:   2
-- Purpose:   Add tasks.agent_mode (which agent strategy ran the task),
--            defaulting to 'thinking'. MariaDB dialect (10.11).
-- Note: MariaDB has ADD COLUMN IF NOT EXISTS (and a TEXT column may have a
--       literal default since 10.2), so this script is safe to re-run.

ALTER TABLE tasks ADD COLUMN IF NOT EXISTS agent_mode TEXT DEFAULT 'thinking';
