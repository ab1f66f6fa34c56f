-- Migration: v001_initial_schema
-- Version:   1
-- Purpose:   Create the initial VibeSurf schema: llm_profiles, tasks,
--            uploaded_files and mcp_profiles, with their indexes and
--            updated_at maintenance triggers.
-- All DDL is guarded with IF NOT EXISTS so the script is idempotent.

-- Foreign keys: strata turns them on for every migration (PRAGMA foreign_keys would be a no-op inside its transaction).

-- ---------------------------------------------------------------------------
-- LLM profiles: named provider/model configurations used by tasks.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS llm_profiles (
    profile_id          TEXT PRIMARY KEY NOT NULL,
    profile_name        TEXT NOT NULL UNIQUE,
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,
    encrypted_api_key   TEXT,
    temperature         REAL CHECK (temperature IS NULL OR (temperature >= 0 AND temperature <= 2)),
    max_tokens          INTEGER CHECK (max_tokens IS NULL OR max_tokens > 0),
    top_p               REAL CHECK (top_p IS NULL OR (top_p >= 0 AND top_p <= 1)),
    frequency_penalty   REAL,
    seed                INTEGER,
    provider_config     JSON,                         -- JSON object, validated by schemas.py
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    is_default          BOOLEAN NOT NULL DEFAULT 0,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at        DATETIME
);

-- ---------------------------------------------------------------------------
-- Tasks: one agent run per row.
-- status values (lowercase, see TaskStatus): pending; running; paused;
-- completed; failed; stopped
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS tasks (
    task_id             TEXT PRIMARY KEY NOT NULL,
    session_id          TEXT NOT NULL,
    task_description    TEXT NOT NULL,
    status              TEXT NOT NULL DEFAULT 'pending',
    llm_profile_name    TEXT NOT NULL
                        REFERENCES llm_profiles(profile_name) ON UPDATE CASCADE,
    upload_files_path   TEXT,
    workspace_dir       TEXT,
    mcp_server_config   JSON,
    task_result         TEXT,
    error_message       TEXT,
    report_path         TEXT,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    started_at          DATETIME,
    completed_at        DATETIME,
    task_metadata       JSON
);

-- ---------------------------------------------------------------------------
-- Uploaded files: soft-deleted via is_deleted/deleted_at, never updated_at.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS uploaded_files (
    file_id             TEXT PRIMARY KEY NOT NULL,
    original_filename   TEXT NOT NULL,
    stored_filename     TEXT NOT NULL,
    file_path           TEXT NOT NULL,
    session_id          TEXT,
    file_size           INTEGER NOT NULL DEFAULT 0 CHECK (file_size >= 0),
    mime_type           TEXT NOT NULL DEFAULT 'application/octet-stream',
    upload_time         DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    relative_path       TEXT,
    is_deleted          BOOLEAN NOT NULL DEFAULT 0,
    deleted_at          DATETIME,
    CHECK (is_deleted = 0 OR deleted_at IS NOT NULL)
);

-- ---------------------------------------------------------------------------
-- MCP server profiles.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS mcp_profiles (
    mcp_id              TEXT PRIMARY KEY NOT NULL,
    display_name        TEXT NOT NULL UNIQUE,
    mcp_server_name     TEXT NOT NULL UNIQUE,
    mcp_server_params   JSON NOT NULL DEFAULT '{}', -- e.g. {"command": "npx", "args": ["-y", "server; --stdio"]}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT 1,
    created_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at          DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    last_used_at        DATETIME
);

-- ---------------------------------------------------------------------------
-- Indexes
-- ---------------------------------------------------------------------------
CREATE INDEX IF NOT EXISTS idx_llm_profiles_name      ON llm_profiles(profile_name);
CREATE INDEX IF NOT EXISTS idx_llm_profiles_active    ON llm_profiles(is_active);
CREATE INDEX IF NOT EXISTS idx_llm_profiles_default   ON llm_profiles(is_default);
CREATE INDEX IF NOT EXISTS idx_llm_profiles_provider  ON llm_profiles(provider);

CREATE INDEX IF NOT EXISTS idx_tasks_status           ON tasks(status);
CREATE INDEX IF NOT EXISTS idx_tasks_session          ON tasks(session_id);
CREATE INDEX IF NOT EXISTS idx_tasks_llm_profile      ON tasks(llm_profile_name);
CREATE INDEX IF NOT EXISTS idx_tasks_created          ON tasks(created_at);
CREATE INDEX IF NOT EXISTS idx_tasks_session_status   ON tasks(session_id, status);

CREATE INDEX IF NOT EXISTS idx_uploaded_files_session ON uploaded_files(session_id);
CREATE INDEX IF NOT EXISTS idx_uploaded_files_deleted ON uploaded_files(is_deleted);
CREATE INDEX IF NOT EXISTS idx_uploaded_files_time    ON uploaded_files(upload_time);
CREATE INDEX IF NOT EXISTS idx_uploaded_files_name    ON uploaded_files(original_filename);

CREATE INDEX IF NOT EXISTS idx_mcp_profiles_server    ON mcp_profiles(mcp_server_name);
CREATE INDEX IF NOT EXISTS idx_mcp_profiles_active    ON mcp_profiles(is_active);

-- ---------------------------------------------------------------------------
-- updated_at triggers (trigger bodies contain ';' -- statement splitters must
-- treat BEGIN ... END; as a single statement)
-- ---------------------------------------------------------------------------
CREATE TRIGGER IF NOT EXISTS update_llm_profiles_updated_at
AFTER UPDATE ON llm_profiles
FOR EACH ROW
BEGIN
    UPDATE llm_profiles SET updated_at = CURRENT_TIMESTAMP WHERE profile_id = NEW.profile_id;
END;

CREATE TRIGGER IF NOT EXISTS update_tasks_updated_at
AFTER UPDATE ON tasks
FOR EACH ROW
BEGIN
    UPDATE tasks SET updated_at = CURRENT_TIMESTAMP WHERE task_id = NEW.task_id;
END;

CREATE TRIGGER IF NOT EXISTS update_mcp_profiles_updated_at
AFTER UPDATE ON mcp_profiles
FOR EACH ROW
BEGIN
    UPDATE mcp_profiles SET updated_at = CURRENT_TIMESTAMP WHERE mcp_id = NEW.mcp_id;
END;
