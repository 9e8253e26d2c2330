-- Colleagues ask each other (the cashier asks the advisor, parts asks the
-- manager), routed to whoever is there now, answered within the
-- dealership's internal target of business time, never past 24 hours.
ALTER TABLE dealerships ADD COLUMN internal_response_target_minutes INTEGER NOT NULL DEFAULT 120;

CREATE TABLE staff_requests (
    id              TEXT PRIMARY KEY,
    dealership_id   TEXT NOT NULL REFERENCES dealerships (id),
    ro_id           TEXT REFERENCES repair_orders (id),
    asked_by        TEXT NOT NULL REFERENCES staff (id),
    -- Addressed to a person or to a role, never both.
    to_staff_id     TEXT REFERENCES staff (id),
    to_role         TEXT CHECK (to_role IN ('advisor', 'technician', 'cashier', 'manager')),
    -- Who has it now, and their role (for "open by role").
    routed_to       TEXT NOT NULL REFERENCES staff (id),
    routed_role     TEXT NOT NULL CHECK (routed_role IN ('advisor', 'technician', 'cashier', 'manager')),
    -- Nobody was there: it waits for routed_to, expected at expected_at.
    waiting         BOOLEAN NOT NULL,
    expected_at     TIMESTAMP,
    -- Who was passed over on the way, and why (JSON list).
    skipped         TEXT NOT NULL,
    body            TEXT NOT NULL,
    blocking        BOOLEAN NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'answered')),
    due_at          TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    acknowledged_at TIMESTAMP,
    answered_at     TIMESTAMP,
    answered_by     TEXT REFERENCES staff (id),
    answer          TEXT,
    -- The text message that carried the answer (Twilio retries a webhook).
    answer_sid      TEXT UNIQUE,
    escalated_at    TIMESTAMP,
    CHECK ((to_staff_id IS NULL) <> (to_role IS NULL))
);
CREATE INDEX staff_requests_routed ON staff_requests (routed_to, status, created_at);
CREATE INDEX staff_requests_asked ON staff_requests (asked_by, status);
CREATE INDEX staff_requests_ro ON staff_requests (ro_id, status);
CREATE INDEX staff_requests_report ON staff_requests (dealership_id, created_at);
