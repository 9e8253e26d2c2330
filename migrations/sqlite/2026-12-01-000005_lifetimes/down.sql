DROP INDEX idempotency_keys_created;
DROP INDEX provider_callbacks_received;
DROP INDEX provider_callbacks_once;
CREATE INDEX provider_callbacks_provider ON provider_callbacks (provider_id);
UPDATE jobs SET state = 'cancelled' WHERE state = 'failed';
CREATE TABLE jobs_old (
    id            TEXT PRIMARY KEY,
    dealership_id TEXT NOT NULL REFERENCES dealerships (id),
    ro_id         TEXT REFERENCES repair_orders (id),
    kind          TEXT NOT NULL,
    dedupe_key    TEXT NOT NULL UNIQUE,
    due_at        TIMESTAMP NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'cancelled')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TIMESTAMP,
    payload       TEXT NOT NULL,
    last_error    TEXT,
    created_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);
INSERT INTO jobs_old SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_old RENAME TO jobs;
CREATE INDEX jobs_pending ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
