-- The customer pays from their status page on Stripe Checkout. A payment
-- made online has nobody at the counter: recorded_by is empty for it.
-- (SQLite cannot drop NOT NULL: the table is rebuilt; nothing refers to it.)
CREATE TABLE payments_new (
    id           TEXT PRIMARY KEY,
    ro_id        TEXT NOT NULL REFERENCES repair_orders (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    method       TEXT NOT NULL CHECK (method IN ('card_present', 'cash', 'check', 'online', 'account')),
    reference    TEXT,
    recorded_by  TEXT REFERENCES staff (id),
    recorded_at  TIMESTAMP NOT NULL,
    CHECK (recorded_by IS NOT NULL OR method = 'online')
);
INSERT INTO payments_new SELECT id, ro_id, amount_cents, method, reference, recorded_by, recorded_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_ro ON payments (ro_id);

-- One Checkout Session per balance: reused while it is open and its amount
-- still right, expired at Stripe when the balance changes.
CREATE TABLE checkout_sessions (
    id           TEXT PRIMARY KEY,
    ro_id        TEXT NOT NULL REFERENCES repair_orders (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency     TEXT NOT NULL,
    url          TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('open', 'completed', 'expired')),
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX checkout_sessions_ro ON checkout_sessions (ro_id, state);

-- Each Stripe event is handled once: a replay finds its id here.
CREATE TABLE stripe_events (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX stripe_events_received ON stripe_events (received_at);
