-- The execution history that the variable tables of STORY-002 (seed 000) reference, written so
-- that SQLite and PostgreSQL run it unchanged.

-- migrate:up
CREATE TABLE execution_history (
    id INTEGER PRIMARY KEY,
    execution_id VARCHAR(50) NOT NULL UNIQUE,
    flow_name VARCHAR(255),
    status VARCHAR(20) NOT NULL DEFAULT 'pending',
    started_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

-- migrate:down
DROP TABLE execution_history;
