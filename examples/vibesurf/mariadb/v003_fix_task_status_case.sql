-- Migration: v003_fix_task_status_case
-- Version:   3
-- Purpose:   Normalise tasks.status to lowercase so stored values match the
--            TaskStatus enum (e.g. 'RUNNING' -> 'running',
--            'COMPLETED' -> 'completed'). Data-only migration, safe to re-run.
--            MariaDB dialect: the comparison is made in utf8mb4_bin
--            explicitly. Under a case-insensitive collation (MariaDB's
--            default, utf8mb4_general_ci) 'RUNNING' <> 'running' is false
--            and the statement would silently change nothing.

UPDATE tasks SET status = LOWER(status) WHERE status COLLATE utf8mb4_bin <> LOWER(status);
