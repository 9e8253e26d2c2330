-- Every table has a stated lifetime (docs/ARCHITECTURE.md); the worker
-- purges what has outlived it. Jobs that keep failing end as 'failed'.
-- A provider callback is stored once per (message, status).

ALTER TABLE jobs DROP CONSTRAINT IF EXISTS jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('pending', 'running', 'done', 'cancelled', 'failed'));
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;

DELETE FROM provider_callbacks a USING provider_callbacks b
    WHERE a.provider_id = b.provider_id AND a.status = b.status AND a.id > b.id;
DROP INDEX provider_callbacks_provider;
CREATE UNIQUE INDEX provider_callbacks_once ON provider_callbacks (provider_id, status);
CREATE INDEX provider_callbacks_received ON provider_callbacks (received_at);

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
