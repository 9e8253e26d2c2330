-- The foundation: dealerships, staff and their presence, customers, repair
-- orders with concerns, estimate lines, payments and an append-only event
-- log, and the idempotency record of POST requests.
-- Identifiers are UUIDv7 stored as text (portable across both stores); times
-- are UTC `timestamp`; money is integer cents.

CREATE TABLE dealerships (
    id                      TEXT PRIMARY KEY,
    name                    TEXT NOT NULL,
    timezone                TEXT NOT NULL,
    country                 TEXT NOT NULL,
    phone                   TEXT NOT NULL,
    sms_from                TEXT,
    email_from              TEXT,
    tax_rate_bp             INTEGER NOT NULL CHECK (tax_rate_bp BETWEEN 0 AND 5000),
    quiet_start             TEXT NOT NULL,
    quiet_end               TEXT NOT NULL,
    min_handover_minutes    INTEGER NOT NULL,
    response_target_minutes INTEGER NOT NULL,
    next_ro_number          BIGINT NOT NULL,
    created_at              TIMESTAMP NOT NULL
);
-- Inbound texts are routed by the number they were sent to.
CREATE UNIQUE INDEX dealerships_sms_from ON dealerships (sms_from) WHERE sms_from IS NOT NULL;

CREATE TABLE staff (
    id             TEXT PRIMARY KEY,
    dealership_id  TEXT NOT NULL REFERENCES dealerships (id),
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('advisor', 'technician', 'cashier', 'manager')),
    phone          TEXT,
    email          TEXT,
    -- SHA-256 of the bearer token; the token itself is shown once and never stored.
    token_hash     TEXT NOT NULL UNIQUE,
    presence       TEXT NOT NULL DEFAULT 'off' CHECK (presence IN ('off', 'on_duty', 'on_break')),
    presence_since TIMESTAMP,
    -- When a break ends (presence = on_break).
    break_until    TIMESTAMP,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX staff_dealership ON staff (dealership_id);

CREATE TABLE presence_events (
    id            TEXT PRIMARY KEY,
    dealership_id TEXT NOT NULL REFERENCES dealerships (id),
    staff_id      TEXT NOT NULL REFERENCES staff (id),
    kind          TEXT NOT NULL CHECK (kind IN ('clock_in', 'clock_out', 'break')),
    at            TIMESTAMP NOT NULL,
    recorded_by   TEXT NOT NULL REFERENCES staff (id),
    forced        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX presence_events_staff ON presence_events (staff_id, at);

CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    dealership_id      TEXT NOT NULL REFERENCES dealerships (id),
    name               TEXT NOT NULL,
    phone              TEXT,
    email              TEXT,
    language           TEXT NOT NULL CHECK (language IN ('en', 'es')),
    sms_consent_at     TIMESTAMP,
    sms_consent_method TEXT,
    created_at         TIMESTAMP NOT NULL,
    CHECK (phone IS NOT NULL OR email IS NOT NULL),
    CHECK (sms_consent_at IS NULL OR phone IS NOT NULL)
);
CREATE INDEX customers_phone ON customers (dealership_id, phone);

CREATE TABLE repair_orders (
    id                   TEXT PRIMARY KEY,
    dealership_id        TEXT NOT NULL REFERENCES dealerships (id),
    number               BIGINT NOT NULL,
    customer_id          TEXT NOT NULL REFERENCES customers (id),
    advisor_id           TEXT NOT NULL REFERENCES staff (id),
    status               TEXT NOT NULL,
    version              BIGINT NOT NULL,
    promised_at          TIMESTAMP NOT NULL,
    vin                  TEXT NOT NULL,
    vehicle_year         INTEGER,
    vehicle_make         TEXT,
    vehicle_model        TEXT,
    vehicle_plate        TEXT,
    vehicle_mileage      INTEGER,
    estimate_version     INTEGER NOT NULL DEFAULT 0,
    handover_staff_id    TEXT REFERENCES staff (id),
    handover_until       TIMESTAMP,
    handover_recorded_at TIMESTAMP,
    handover_recorded_by TEXT REFERENCES staff (id),
    ready_when_available BOOLEAN NOT NULL DEFAULT FALSE,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL,
    closed_at            TIMESTAMP,
    UNIQUE (dealership_id, number)
);
CREATE INDEX repair_orders_status ON repair_orders (dealership_id, status);
CREATE INDEX repair_orders_advisor ON repair_orders (advisor_id, status);
CREATE INDEX repair_orders_customer ON repair_orders (customer_id);

CREATE TABLE concerns (
    id          TEXT PRIMARY KEY,
    ro_id       TEXT NOT NULL REFERENCES repair_orders (id),
    position    INTEGER NOT NULL,
    description TEXT NOT NULL,
    outcome     TEXT CHECK (outcome IN ('fixed', 'deferred', 'declined', 'could_not_reproduce')),
    note        TEXT,
    UNIQUE (ro_id, position)
);

CREATE TABLE estimate_lines (
    id                  TEXT PRIMARY KEY,
    ro_id               TEXT NOT NULL REFERENCES repair_orders (id),
    position            INTEGER NOT NULL,
    estimate_version    INTEGER NOT NULL,
    description         TEXT NOT NULL,
    kind                TEXT NOT NULL CHECK (kind IN ('labor', 'part', 'fee')),
    quantity_hundredths BIGINT NOT NULL CHECK (quantity_hundredths > 0),
    unit_price_cents    BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    pay_type            TEXT NOT NULL CHECK (pay_type IN ('customer', 'warranty', 'internal')),
    concern_id          TEXT REFERENCES concerns (id),
    approval            TEXT NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'declined')),
    decided_at          TIMESTAMP,
    decided_via         TEXT,
    created_at          TIMESTAMP NOT NULL,
    UNIQUE (ro_id, position)
);

CREATE TABLE payments (
    id           TEXT PRIMARY KEY,
    ro_id        TEXT NOT NULL REFERENCES repair_orders (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    method       TEXT NOT NULL CHECK (method IN ('card_present', 'cash', 'check', 'online', 'account')),
    reference    TEXT,
    recorded_by  TEXT NOT NULL REFERENCES staff (id),
    recorded_at  TIMESTAMP NOT NULL
);
CREATE INDEX payments_ro ON payments (ro_id);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE ro_events (
    id          TEXT PRIMARY KEY,
    ro_id       TEXT NOT NULL REFERENCES repair_orders (id),
    at          TIMESTAMP NOT NULL,
    actor_kind  TEXT NOT NULL CHECK (actor_kind IN ('staff', 'customer', 'system')),
    actor_id    TEXT,
    kind        TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT,
    detail      TEXT NOT NULL
);
CREATE INDEX ro_events_ro ON ro_events (ro_id, at);

-- The first response to each (caller, Idempotency-Key), replayed on retry.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    body          TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
