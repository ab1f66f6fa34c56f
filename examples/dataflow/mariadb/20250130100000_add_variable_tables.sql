-- Variable management tables (STORY-002): execution_variables stores values
-- produced by data-flow steps; variable_references records where they were
-- used. Version: 1.0, 2025-01-30. MariaDB dialect (10.11).
-- The file contains no BEGIN/COMMIT and no schema_migrations insert: the
-- runner records the version. MariaDB commits each DDL statement on its own,
-- so a failure part-way leaves the earlier statements applied; every
-- statement is therefore guarded (IF [NOT] EXISTS) and one concern each, so
-- the section can be run again from the start after a fix.
-- The foreign keys and the unique constraint are added with ALTER TABLE ...
-- ADD CONSTRAINT as STORY-002 AC-5 writes them (MariaDB's IF NOT EXISTS for
-- them stands after FOREIGN KEY / UNIQUE KEY). InnoDB needs an index on the
-- referencing column: idx_execution_variable and idx_reference_execution_step
-- start with execution_id, so they are created first and serve the foreign
-- keys. uk_execution_variable_name is a unique index on the same columns as
-- idx_execution_variable; both are kept as the story specifies them.

-- migrate:up
-- 1. execution_variables
CREATE TABLE IF NOT EXISTS execution_variables (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    variable_name VARCHAR(255) NOT NULL,
    variable_value TEXT,
    data_type VARCHAR(50) NOT NULL CHECK (data_type IN ('string', 'number', 'boolean', 'object', 'array')),
    source_step_index INT NOT NULL CHECK (source_step_index >= 0),
    source_api_method VARCHAR(100),
    source_api_params TEXT,
    created_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6),
    is_encrypted BOOLEAN DEFAULT FALSE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- 2. variable_references
CREATE TABLE IF NOT EXISTS variable_references (
    id BIGINT AUTO_INCREMENT PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    step_index INT NOT NULL CHECK (step_index >= 0),
    variable_name VARCHAR(255) NOT NULL,
    reference_path VARCHAR(500),
    parameter_name VARCHAR(255),
    original_expression VARCHAR(500),
    resolved_value TEXT,
    resolution_status VARCHAR(20) DEFAULT 'success' CHECK (resolution_status IN ('success', 'failed', 'pending')),
    error_message TEXT,
    created_at DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

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
FOREIGN KEY IF NOT EXISTS (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

ALTER TABLE variable_references
ADD CONSTRAINT fk_variable_references_execution_id
FOREIGN KEY IF NOT EXISTS (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

-- 5. unique constraint
ALTER TABLE execution_variables
ADD CONSTRAINT uk_execution_variable_name
UNIQUE KEY IF NOT EXISTS (execution_id, variable_name);

-- migrate:down
ALTER TABLE IF EXISTS execution_variables DROP INDEX IF EXISTS uk_execution_variable_name;
ALTER TABLE IF EXISTS variable_references DROP FOREIGN KEY IF EXISTS fk_variable_references_execution_id;
ALTER TABLE IF EXISTS execution_variables DROP FOREIGN KEY IF EXISTS fk_execution_variables_execution_id;
ALTER TABLE IF EXISTS variable_references DROP INDEX IF EXISTS idx_reference_status;
ALTER TABLE IF EXISTS variable_references DROP INDEX IF EXISTS idx_reference_variable;
ALTER TABLE IF EXISTS variable_references DROP INDEX IF EXISTS idx_reference_execution_step;
ALTER TABLE IF EXISTS execution_variables DROP INDEX IF EXISTS idx_variable_type;
ALTER TABLE IF EXISTS execution_variables DROP INDEX IF EXISTS idx_execution_step;
ALTER TABLE IF EXISTS execution_variables DROP INDEX IF EXISTS idx_execution_variable;
DROP TABLE IF EXISTS variable_references;
DROP TABLE IF EXISTS execution_variables;
