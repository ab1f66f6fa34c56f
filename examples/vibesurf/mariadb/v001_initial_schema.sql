-- Migration: v001_initial_schema
-- Version:   1
-- Purpose:   Create the initial VibeSurf schema: llm_profiles, tasks,
--            uploaded_files and mcp_profiles, with their indexes and
--            updated_at maintenance triggers. MariaDB dialect (10.11).
-- All DDL is guarded (IF NOT EXISTS) so the script is idempotent. MariaDB
-- commits each DDL statement on its own: a failure part-way leaves the
-- earlier statements applied, and running the file again resumes safely.
-- Differences from the SQLite/PostgreSQL files, forced by MariaDB:
-- * A key or indexed column cannot be TEXT (an index on TEXT needs a prefix
--   length), so ids, names and other indexed strings are VARCHAR(255)
--   (utf8mb4: 1020 bytes, within InnoDB's 3072-byte key limit, also for the
--   two-column idx_tasks_session_status). Other strings stay TEXT.
-- * Tables use utf8mb4_bin so strings compare case-sensitively (UNIQUE
--   names, the status values) as on SQLite and PostgreSQL.
-- * An inline column REFERENCES clause is parsed and ignored by MariaDB, so
--   the tasks -> llm_profiles foreign key is a table constraint.
-- * JSON is MariaDB's alias for LONGTEXT with a json_valid() CHECK.
-- * updated_at is kept by a BEFORE UPDATE trigger whose body is a single SET
--   (no BEGIN ... END, so no DELIMITER is needed).

-- ---------------------------------------------------------------------------
-- LLM profiles: named provider/model configurations used by tasks.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS llm_profiles (
    profile_id          VARCHAR(255) PRIMARY KEY NOT NULL,
    profile_name        VARCHAR(255) NOT NULL UNIQUE,
    provider            VARCHAR(255) NOT NULL,
    model               TEXT NOT NULL,
    encrypted_api_key   TEXT,
    temperature         DOUBLE CHECK (temperature IS NULL OR (temperature >= 0 AND temperature <= 2)),
    max_tokens          INT CHECK (max_tokens IS NULL OR max_tokens > 0),
    top_p               DOUBLE CHECK (top_p IS NULL OR (top_p >= 0 AND top_p <= 1)),
    frequency_penalty   DOUBLE,
    seed                INT,
    provider_config     JSON,                         -- JSON object, validated by schemas.py
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    is_default          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at        DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ---------------------------------------------------------------------------
-- Tasks: one agent run per row.
-- status values (lowercase, see TaskStatus): pending; running; paused;
-- completed; failed; stopped
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS tasks (
    task_id             VARCHAR(255) PRIMARY KEY NOT NULL,
    session_id          VARCHAR(255) NOT NULL,
    task_description    TEXT NOT NULL,
    status              VARCHAR(255) NOT NULL DEFAULT 'pending',
    llm_profile_name    VARCHAR(255) NOT NULL,
    upload_files_path   TEXT,
    workspace_dir       TEXT,
    mcp_server_config   JSON,
    task_result         TEXT,
    error_message       TEXT,
    report_path         TEXT,
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    started_at          DATETIME(6),
    completed_at        DATETIME(6),
    task_metadata       JSON,
    FOREIGN KEY (llm_profile_name) REFERENCES llm_profiles(profile_name) ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ---------------------------------------------------------------------------
-- Uploaded files: soft-deleted via is_deleted/deleted_at, never updated_at.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS uploaded_files (
    file_id             VARCHAR(255) PRIMARY KEY NOT NULL,
    original_filename   VARCHAR(255) NOT NULL,
    stored_filename     TEXT NOT NULL,
    file_path           TEXT NOT NULL,
    session_id          VARCHAR(255),
    file_size           BIGINT NOT NULL DEFAULT 0 CHECK (file_size >= 0),
    mime_type           TEXT NOT NULL DEFAULT 'application/octet-stream',
    upload_time         DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    relative_path       TEXT,
    is_deleted          BOOLEAN NOT NULL DEFAULT FALSE,
    deleted_at          DATETIME(6),
    CHECK (NOT is_deleted OR deleted_at IS NOT NULL)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- ---------------------------------------------------------------------------
-- MCP server profiles.
-- ---------------------------------------------------------------------------
CREATE TABLE IF NOT EXISTS mcp_profiles (
    mcp_id              VARCHAR(255) PRIMARY KEY NOT NULL,
    display_name        VARCHAR(255) NOT NULL UNIQUE,
    mcp_server_name     VARCHAR(255) NOT NULL UNIQUE,
    mcp_server_params   JSON NOT NULL DEFAULT '{}', -- e.g. {"command": "npx", "args": ["-y", "server; --stdio"]}
    description         TEXT,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    updated_at          DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
    last_used_at        DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

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
CREATE TRIGGER IF NOT EXISTS update_llm_profiles_updated_at
BEFORE UPDATE ON llm_profiles
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);

CREATE TRIGGER IF NOT EXISTS update_tasks_updated_at
BEFORE UPDATE ON tasks
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);

CREATE TRIGGER IF NOT EXISTS update_mcp_profiles_updated_at
BEFORE UPDATE ON mcp_profiles
FOR EACH ROW
SET NEW.updated_at = CURRENT_TIMESTAMP(6);
