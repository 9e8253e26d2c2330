-- The customer's status page: a link per RO (its token is derived from a
-- secret and the RO; only its hash is stored), and who decided what there.

ALTER TABLE repair_orders ADD COLUMN link_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE repair_orders ADD COLUMN status_token_hash TEXT;
CREATE UNIQUE INDEX repair_orders_status_token ON repair_orders (status_token_hash) WHERE status_token_hash IS NOT NULL;

ALTER TABLE estimate_lines ADD COLUMN decided_ip TEXT;
ALTER TABLE estimate_lines ADD COLUMN decided_user_agent TEXT;

-- Secrets the service makes for itself when none is configured.
CREATE TABLE service_secrets (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
