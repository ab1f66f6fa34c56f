-- Create the base execution_history table: one row per data-flow execution.
-- execution_id is the public identifier that child tables reference.
-- MariaDB dialect (10.11): InnoDB, utf8mb4 with a binary collation (strings
-- compare case-sensitively, as on SQLite and PostgreSQL), BIGINT
-- AUTO_INCREMENT instead of AUTOINCREMENT, DATETIME(6) DEFAULT
-- CURRENT_TIMESTAMP(6). MariaDB commits DDL implicitly, so a section cannot
-- be rolled back as a whole: every statement is guarded (IF [NOT] EXISTS) and
-- ordered so that running the section again after a failure is safe.

-- migrate:up
CREATE TABLE IF NOT EXISTS execution_history (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL UNIQUE,
    flow_name VARCHAR(255),
    status VARCHAR(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled')),
    total_steps INT NOT NULL DEFAULT 0 CHECK (total_steps >= 0),
    error_message TEXT,
    started_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),
    finished_at DATETIME(6),
    created_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX IF NOT EXISTS idx_execution_history_status ON execution_history(status);
CREATE INDEX IF NOT EXISTS idx_execution_history_started_at ON execution_history(started_at);

-- migrate:down
-- MariaDB's DROP INDEX needs the table; ALTER TABLE IF EXISTS keeps the
-- section safe to run again after a partial run.
ALTER TABLE IF EXISTS execution_history DROP INDEX IF EXISTS idx_execution_history_started_at;
ALTER TABLE IF EXISTS execution_history DROP INDEX IF EXISTS idx_execution_history_status;
DROP TABLE IF EXISTS execution_history;
