DROP INDEX idempotency_keys_created;
DROP INDEX provider_callbacks_received;
DROP INDEX provider_callbacks_once;
CREATE INDEX provider_callbacks_provider ON provider_callbacks (provider_id);
DROP INDEX jobs_finished;
UPDATE jobs SET state = 'cancelled' WHERE state = 'failed';
ALTER TABLE jobs DROP CONSTRAINT jobs_state_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_state_check
    CHECK (state IN ('pending', 'running', 'done', 'cancelled'));
