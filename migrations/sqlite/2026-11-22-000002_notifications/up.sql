-- Notifications: the outbox written with each change, its delivery history,
-- opt-outs, the conversation with the customer, and timed jobs.

-- How the customer wants to be told: sms, email or both.
ALTER TABLE customers ADD COLUMN notify_by TEXT NOT NULL DEFAULT 'sms';

CREATE TABLE notifications (
    id                 TEXT PRIMARY KEY,
    dealership_id      TEXT NOT NULL REFERENCES dealerships (id),
    ro_id              TEXT REFERENCES repair_orders (id),
    -- (RO, event, recipient, channel): a change can enqueue a message once.
    dedupe_key         TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL,
    recipient_kind     TEXT NOT NULL CHECK (recipient_kind IN ('customer', 'staff')),
    recipient_staff_id TEXT REFERENCES staff (id),
    channel            TEXT NOT NULL CHECK (channel IN ('sms', 'email')),
    to_address         TEXT NOT NULL,
    -- The dealership's own number or address; empty: the configured default.
    from_address       TEXT,
    reply_to           TEXT,
    subject            TEXT,
    body_text          TEXT NOT NULL,
    body_html          TEXT,
    -- What the message was rendered from, so a fallback email says the same.
    language           TEXT NOT NULL,
    context            TEXT NOT NULL,
    -- Routine messages wait out the dealership's quiet hours.
    routine            BOOLEAN NOT NULL,
    -- A newer pending message with the same key on the same RO and
    -- recipient replaces this one before it goes.
    supersede_key      TEXT,
    fallback_of        TEXT REFERENCES notifications (id),
    state              TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed', 'superseded')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TIMESTAMP NOT NULL,
    claimed_at         TIMESTAMP,
    lease_until        TIMESTAMP,
    -- Set when a claim finds the row left 'sending' by a worker that died:
    -- the provider is asked what it already has since this time.
    recheck_since      TIMESTAMP,
    provider_id        TEXT,
    provider_status    TEXT,
    last_error         TEXT,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL,
    sent_at            TIMESTAMP,
    delivered_at       TIMESTAMP
);
-- The worker's queries: due pending rows, and expired leases.
CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE state = 'pending';
CREATE INDEX notifications_leased ON notifications (lease_until) WHERE state = 'sending';
CREATE INDEX notifications_ro ON notifications (ro_id, created_at);
CREATE UNIQUE INDEX notifications_provider ON notifications (provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE notification_events (
    id              TEXT PRIMARY KEY,
    notification_id TEXT NOT NULL REFERENCES notifications (id),
    at              TIMESTAMP NOT NULL,
    state           TEXT NOT NULL,
    provider_status TEXT,
    detail          TEXT
);
CREATE INDEX notification_events_notification ON notification_events (notification_id, at);

-- Every status callback as it arrived. A callback can beat the worker's own
-- record of the send; it waits here and is applied when the send is recorded.
CREATE TABLE provider_callbacks (
    id          TEXT PRIMARY KEY,
    provider_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    error_code  TEXT,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX provider_callbacks_provider ON provider_callbacks (provider_id);

CREATE TABLE sms_opt_outs (
    dealership_id TEXT NOT NULL REFERENCES dealerships (id),
    phone         TEXT NOT NULL,
    opted_out_at  TIMESTAMP NOT NULL,
    keyword       TEXT NOT NULL,
    PRIMARY KEY (dealership_id, phone)
);

-- The conversation: what customers wrote in, what staff wrote back.
CREATE TABLE messages (
    id            TEXT PRIMARY KEY,
    dealership_id TEXT NOT NULL REFERENCES dealerships (id),
    ro_id         TEXT REFERENCES repair_orders (id),
    direction     TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    channel       TEXT NOT NULL,
    from_address  TEXT,
    staff_id      TEXT REFERENCES staff (id),
    body          TEXT NOT NULL,
    provider_id   TEXT,
    at            TIMESTAMP NOT NULL,
    answered_at   TIMESTAMP,
    escalated_at  TIMESTAMP
);
CREATE INDEX messages_ro ON messages (ro_id, at);
-- Twilio retries webhooks; a message is stored once.
CREATE UNIQUE INDEX messages_provider ON messages (provider_id) WHERE provider_id IS NOT NULL;

-- Work due at a time (escalations, progress updates), claimed like the
-- outbox so it runs once across instances and survives restarts.
CREATE TABLE jobs (
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
CREATE INDEX jobs_pending ON jobs (due_at) WHERE state = 'pending';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
