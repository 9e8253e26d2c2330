-- The customer pays from their status page on Stripe Checkout. A payment
-- made online has nobody at the counter: recorded_by is empty for it.
ALTER TABLE payments ALTER COLUMN recorded_by DROP NOT NULL;
ALTER TABLE payments ADD CONSTRAINT payments_online_or_staff
    CHECK (recorded_by IS NOT NULL OR method = 'online');

-- One Checkout Session per balance: reused while it is open and its amount
-- still right, expired at Stripe when the balance changes.
CREATE TABLE checkout_sessions (
    id           TEXT PRIMARY KEY,          -- Stripe's cs_…
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
    id          TEXT PRIMARY KEY,           -- evt_…
    kind        TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX stripe_events_received ON stripe_events (received_at);
