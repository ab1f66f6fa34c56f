-- Variable management tables (STORY-002): execution_variables stores values
-- produced by data-flow steps; variable_references records where they were
-- used. Version: 1.0, 2025-01-30. PostgreSQL dialect.
-- The runner wraps each section in a transaction and records the version,
-- so this file contains no BEGIN/COMMIT and no schema_migrations insert.
-- The foreign keys and the unique constraint are added with ALTER TABLE ...
-- ADD CONSTRAINT exactly as STORY-002 AC-5 writes them. PostgreSQL has no
-- ADD CONSTRAINT IF NOT EXISTS, so unlike the CREATE ... IF NOT EXISTS
-- statements these three fail if the constraint already exists; the runner
-- applies each version once. uk_execution_variable_name creates its own
-- unique index on (execution_id, variable_name), the same columns as
-- idx_execution_variable; both are kept as the story specifies them.

-- migrate:up
-- 1. execution_variables
CREATE TABLE IF NOT EXISTS execution_variables (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    variable_name VARCHAR(255) NOT NULL,
    variable_value TEXT,
    data_type VARCHAR(50) NOT NULL CHECK (data_type IN ('string', 'number', 'boolean', 'object', 'array')),
    source_step_index INTEGER NOT NULL CHECK (source_step_index >= 0),
    source_api_method VARCHAR(100),
    source_api_params TEXT,
    created_at TIMESTAMPTZ DEFAULT now(),
    is_encrypted BOOLEAN DEFAULT FALSE
);

-- 2. variable_references
CREATE TABLE IF NOT EXISTS variable_references (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    step_index INTEGER NOT NULL CHECK (step_index >= 0),
    variable_name VARCHAR(255) NOT NULL,
    reference_path VARCHAR(500),
    parameter_name VARCHAR(255),
    original_expression VARCHAR(500),
    resolved_value TEXT,
    resolution_status VARCHAR(20) DEFAULT 'success' CHECK (resolution_status IN ('success', 'failed', 'pending')),
    error_message TEXT,
    created_at TIMESTAMPTZ DEFAULT now()
);

-- 3. indexes
CREATE INDEX IF NOT EXISTS idx_execution_variable ON execution_variables(execution_id, variable_name);
CREATE INDEX IF NOT EXISTS idx_execution_step ON execution_variables(execution_id, source_step_index);
CREATE INDEX IF NOT EXISTS idx_variable_type ON execution_variables(execution_id, data_type);

CREATE INDEX IF NOT EXISTS idx_reference_execution_step ON variable_references(execution_id, step_index);
CREATE INDEX IF NOT EXISTS idx_reference_variable ON variable_references(execution_id, variable_name);
CREATE INDEX IF NOT EXISTS idx_reference_status ON variable_references(execution_id, resolution_status);

-- 4. foreign keys
ALTER TABLE execution_variables
ADD CONSTRAINT fk_execution_variables_execution_id
FOREIGN KEY (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

ALTER TABLE variable_references
ADD CONSTRAINT fk_variable_references_execution_id
FOREIGN KEY (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

-- 5. unique constraint
ALTER TABLE execution_variables
ADD CONSTRAINT uk_execution_variable_name
UNIQUE (execution_id, variable_name);

-- migrate:down
ALTER TABLE IF EXISTS execution_variables DROP CONSTRAINT IF EXISTS uk_execution_variable_name;
ALTER TABLE IF EXISTS variable_references DROP CONSTRAINT IF EXISTS fk_variable_references_execution_id;
ALTER TABLE IF EXISTS execution_variables DROP CONSTRAINT IF EXISTS fk_execution_variables_execution_id;
DROP INDEX IF EXISTS idx_reference_status;
DROP INDEX IF EXISTS idx_reference_variable;
DROP INDEX IF EXISTS idx_reference_execution_step;
DROP INDEX IF EXISTS idx_variable_type;
DROP INDEX IF EXISTS idx_execution_step;
DROP INDEX IF EXISTS idx_execution_variable;
DROP TABLE IF EXISTS variable_references;
DROP TABLE IF EXISTS execution_variables;
