-- Every table has a stated lifetime (docs/ARCHITECTURE.md); the worker
-- purges what has outlived it. Jobs that keep failing end as 'failed'
-- (SQLite cannot alter a CHECK: the table is rebuilt; nothing refers to it).
-- A provider callback is stored once per (message, status).

CREATE TABLE jobs_new (
    id            TEXT PRIMARY KEY,
    dealership_id TEXT NOT NULL REFERENCES dealerships (id),
    ro_id         TEXT REFERENCES repair_orders (id),
    kind          TEXT NOT NULL,
    dedupe_key    TEXT NOT NULL UNIQUE,
    due_at        TIMESTAMP NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'cancelled', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    lease_until   TIMESTAMP,
    payload       TEXT NOT NULL,
    last_error    TEXT,
    created_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP
);
INSERT INTO jobs_new SELECT id, dealership_id, ro_id, kind, dedupe_key, due_at, state, attempts,
    lease_until, payload, last_error, created_at, finished_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_pending ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

DELETE FROM provider_callbacks WHERE EXISTS (
    SELECT 1 FROM provider_callbacks b
    WHERE b.provider_id = provider_callbacks.provider_id
      AND b.status = provider_callbacks.status AND b.id < provider_callbacks.id);
DROP INDEX provider_callbacks_provider;
CREATE UNIQUE INDEX provider_callbacks_once ON provider_callbacks (provider_id, status);
CREATE INDEX provider_callbacks_received ON provider_callbacks (received_at);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
