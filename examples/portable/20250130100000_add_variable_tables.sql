-- STORY-002 (seed 000) as the story writes it: the tables first, then their keys with ALTER TABLE
-- ... ADD CONSTRAINT. PostgreSQL runs this as it is; on SQLite, which has no ADD CONSTRAINT, strata
-- rebuilds each table with its new constraints (docs/migrations.md, "What strata rewrites on
-- SQLite"), so the same file serves both engines.

-- migrate:up
CREATE TABLE execution_variables (
    id INTEGER PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    variable_name VARCHAR(255) NOT NULL,
    variable_value TEXT,
    data_type VARCHAR(50) NOT NULL,
    source_step_index INTEGER NOT NULL,
    source_api_method VARCHAR(100),
    source_api_params TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    is_encrypted BOOLEAN DEFAULT FALSE
);

CREATE TABLE variable_references (
    id INTEGER PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL,
    step_index INTEGER NOT NULL,
    variable_name VARCHAR(255) NOT NULL,
    reference_path VARCHAR(500),
    parameter_name VARCHAR(255),
    original_expression VARCHAR(500),
    resolved_value TEXT,
    resolution_status VARCHAR(20) DEFAULT 'success',
    error_message TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_execution_variable ON execution_variables(execution_id, variable_name);
CREATE INDEX idx_execution_step ON execution_variables(execution_id, source_step_index);
CREATE INDEX idx_variable_type ON execution_variables(execution_id, data_type);
CREATE INDEX idx_reference_execution_step ON variable_references(execution_id, step_index);
CREATE INDEX idx_reference_variable ON variable_references(execution_id, variable_name);
CREATE INDEX idx_reference_status ON variable_references(execution_id, resolution_status);

ALTER TABLE execution_variables
ADD CONSTRAINT fk_execution_variables_execution_id
FOREIGN KEY (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

ALTER TABLE variable_references
ADD CONSTRAINT fk_variable_references_execution_id
FOREIGN KEY (execution_id) REFERENCES execution_history(execution_id)
ON DELETE CASCADE;

ALTER TABLE execution_variables
ADD CONSTRAINT uk_execution_variable_name
UNIQUE (execution_id, variable_name);

-- migrate:down
DROP TABLE variable_references;
DROP TABLE execution_variables;
