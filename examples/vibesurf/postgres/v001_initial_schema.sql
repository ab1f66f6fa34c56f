-- Migration: v001_initial_schema
-- Version:   1
-- Purpose:   Create the initial VibeSurf schema: llm_profiles, tasks,
--            uploaded_files and mcp_profiles, with their indexes and
--            updated_at maintenance triggers. PostgreSQL dialect.
-- All DDL is guarded (IF NOT EXISTS, CREATE OR REPLACE, DROP TRIGGER
-- IF EXISTS before CREATE TRIGGER) so the script is idempotent.

-- ---------------------------------------------------------------------------
-- Shared updated_at maintenance: every table with an updated_at column gets
-- a BEFORE UPDATE trigger calling this function (the body contains ';' --
-- statement splitters must treat the $$ ... $$ body as part of one statement).
-- ---------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- ---------------------------------------------------------------------------
-- LLM profiles: named provider/model configurations used by tasks.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS llm_profiles (
    profile_id          TEXT PRIMARY KEY NOT NULL,
    profile_name        TEXT NOT NULL UNIQUE,
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,
    encrypted_api_key   TEXT,
    temperature         DOUBLE PRECISION CHECK (temperature IS NULL OR (temperature >= 0 AND temperature <= 2)),
    max_tokens          INTEGER CHECK (max_tokens IS NULL OR max_tokens > 0),
    top_p               DOUBLE PRECISION CHECK (top_p IS NULL OR (top_p >= 0 AND top_p <= 1)),
    frequency_penalty   DOUBLE PRECISION,
    seed                INTEGER,
    provider_config     JSONB,                        -- JSON object, validated by schemas.py
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    is_default          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at        TIMESTAMPTZ
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
    mcp_server_config   JSONB,
    task_result         TEXT,
    error_message       TEXT,
    report_path         TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at          TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,
    task_metadata       JSONB
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
    file_size           BIGINT NOT NULL DEFAULT 0 CHECK (file_size >= 0),
    mime_type           TEXT NOT NULL DEFAULT 'application/octet-stream',
    upload_time         TIMESTAMPTZ NOT NULL DEFAULT now(),
    relative_path       TEXT,
    is_deleted          BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at          TIMESTAMPTZ,
    CHECK (NOT is_deleted OR deleted_at IS NOT NULL)
);

-- ---------------------------------------------------------------------------
-- MCP server profiles.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS mcp_profiles (
    mcp_id              TEXT PRIMARY KEY NOT NULL,
    display_name        TEXT NOT NULL UNIQUE,
    mcp_server_name     TEXT NOT NULL UNIQUE,
    mcp_server_params   JSONB NOT NULL DEFAULT '{}'::jsonb, -- e.g. {"command": "npx", "args": ["-y", "server; --stdio"]}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_used_at        TIMESTAMPTZ
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
-- updated_at triggers (uploaded_files has no updated_at column)
-- ---------------------------------------------------------------------------
DROP TRIGGER IF EXISTS update_llm_profiles_updated_at ON llm_profiles;
CREATE TRIGGER update_llm_profiles_updated_at
BEFORE UPDATE ON llm_profiles
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

DROP TRIGGER IF EXISTS update_tasks_updated_at ON tasks;
CREATE TRIGGER update_tasks_updated_at
BEFORE UPDATE ON tasks
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();

DROP TRIGGER IF EXISTS update_mcp_profiles_updated_at ON mcp_profiles;
CREATE TRIGGER update_mcp_profiles_updated_at
BEFORE UPDATE ON mcp_profiles
FOR EACH ROW
EXECUTE FUNCTION set_updated_at();
