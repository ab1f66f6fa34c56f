-- Migration: v002_add_agent_mode
-- Version:   2
-- Purpose:   Add tasks.agent_mode (which agent strategy ran the task),
--            defaulting to 'thinking'.
-- Note: SQLite has no ADD COLUMN IF NOT EXISTS; this relies on the
--       migration runner applying each version exactly once.

ALTER TABLE tasks ADD COLUMN agent_mode TEXT DEFAULT 'thinking';
