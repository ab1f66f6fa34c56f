-- Create the base execution_history table: one row per data-flow execution.
-- execution_id is the public identifier that child tables reference.
-- PostgreSQL dialect (the production database is PostgreSQL/Supabase):
-- identity column instead of AUTOINCREMENT, TIMESTAMPTZ DEFAULT now().

-- migrate:up
CREATE TABLE IF NOT EXISTS execution_history (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL UNIQUE,
    flow_name VARCHAR(255),
    status VARCHAR(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'success', 'failed', 'cancelled')),
    total_steps INTEGER NOT NULL DEFAULT 0 CHECK (total_steps >= 0),
    error_message TEXT,
    started_at TIMESTAMPTZ DEFAULT now(),
    finished_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ DEFAULT now()
);

CREATE INDEX IF NOT EXISTS idx_execution_history_status ON execution_history(status);
CREATE INDEX IF NOT EXISTS idx_execution_history_started_at ON execution_history(started_at);

-- migrate:down
DROP INDEX IF EXISTS idx_execution_history_started_at;
DROP INDEX IF EXISTS idx_execution_history_status;
DROP TABLE IF EXISTS execution_history;
