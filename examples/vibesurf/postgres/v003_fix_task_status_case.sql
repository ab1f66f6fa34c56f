-- Migration: v003_fix_task_status_case
-- Version:   3
-- Purpose:   Normalise tasks.status to lowercase so stored values match the
--            TaskStatus enum (e.g. 'RUNNING' -> 'running',
--            'COMPLETED' -> 'completed'). Data-only migration, safe to re-run.
--            PostgreSQL dialect (the statement is the same as for SQLite).

UPDATE tasks SET status = lower(status) WHERE status <> lower(status);
