-- Availability: weekly shifts, time off, and who stands in for whom.

-- Weekly shifts in the dealership's local time; weekday 0 = Monday.
CREATE TABLE staff_shifts (
    id       TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL REFERENCES staff (id),
    weekday  INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    starts   TEXT NOT NULL,
    ends     TEXT NOT NULL
);
CREATE INDEX staff_shifts_staff ON staff_shifts (staff_id);

CREATE TABLE staff_time_off (
    id         TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    starts_at  TIMESTAMP NOT NULL,
    ends_at    TIMESTAMP NOT NULL,
    reason     TEXT,
    created_at TIMESTAMP NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX staff_time_off_staff ON staff_time_off (staff_id, ends_at);

-- An advisor's standing delegates, in the order they are asked.
CREATE TABLE staff_delegates (
    staff_id    TEXT NOT NULL REFERENCES staff (id),
    position    INTEGER NOT NULL,
    delegate_id TEXT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (staff_id, position)
);

-- An RO's own delegates, used instead of the advisor's standing ones.
CREATE TABLE ro_delegates (
    ro_id       TEXT NOT NULL REFERENCES repair_orders (id),
    position    INTEGER NOT NULL,
    delegate_id TEXT NOT NULL REFERENCES staff (id),
    PRIMARY KEY (ro_id, position)
);
