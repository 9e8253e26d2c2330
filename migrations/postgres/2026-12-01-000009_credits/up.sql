-- A billing mistake found later is credited and the customer told; the
-- credit is paid back the way the money came (one refund per payment it
-- draws on). Credits never exceed what was paid.
CREATE TABLE credits (
    id                    TEXT PRIMARY KEY,
    ro_id                 TEXT NOT NULL REFERENCES repair_orders (id),
    amount_cents          BIGINT NOT NULL CHECK (amount_cents > 0),
    reason                TEXT NOT NULL,
    corrected_tax_rate_bp INTEGER,
    created_by            TEXT NOT NULL REFERENCES staff (id),
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX credits_ro ON credits (ro_id);

-- Online refunds are an outbox of their own: claimed under a lease by the
-- worker, sent to Stripe with the refund's id as Idempotency-Key, so a
-- crash neither loses nor doubles one.
CREATE TABLE refunds (
    id              TEXT PRIMARY KEY,
    credit_id       TEXT NOT NULL REFERENCES credits (id),
    ro_id           TEXT NOT NULL REFERENCES repair_orders (id),
    payment_id      TEXT NOT NULL REFERENCES payments (id),
    method          TEXT NOT NULL CHECK (method IN ('card_present', 'cash', 'check', 'online', 'account')),
    amount_cents    BIGINT NOT NULL CHECK (amount_cents > 0),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'with_cashier', 'refunded')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    last_error      TEXT,
    reference       TEXT,
    refunded_by     TEXT REFERENCES staff (id),
    refunded_at     TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE INDEX refunds_ro ON refunds (ro_id);
CREATE INDEX refunds_due ON refunds (state, next_attempt_at);
