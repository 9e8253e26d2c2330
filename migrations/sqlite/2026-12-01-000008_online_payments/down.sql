DROP TABLE stripe_events;
DROP TABLE checkout_sessions;
DELETE FROM payments WHERE recorded_by IS NULL;
CREATE TABLE payments_old (
    id           TEXT PRIMARY KEY,
    ro_id        TEXT NOT NULL REFERENCES repair_orders (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    method       TEXT NOT NULL CHECK (method IN ('card_present', 'cash', 'check', 'online', 'account')),
    reference    TEXT,
    recorded_by  TEXT NOT NULL REFERENCES staff (id),
    recorded_at  TIMESTAMP NOT NULL
);
INSERT INTO payments_old SELECT * FROM payments;
DROP TABLE payments;
ALTER TABLE payments_old RENAME TO payments;
CREATE INDEX payments_ro ON payments (ro_id);
