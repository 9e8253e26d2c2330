ALTER TABLE repair_orders DROP COLUMN discount_cents;
ALTER TABLE repair_orders DROP COLUMN shop_supplies_cap_cents;
ALTER TABLE repair_orders DROP COLUMN shop_supplies_bp;
ALTER TABLE repair_orders DROP COLUMN taxable_kinds;
ALTER TABLE repair_orders DROP COLUMN tax_rate_bp;
ALTER TABLE dealerships DROP COLUMN glossary;
ALTER TABLE dealerships DROP COLUMN currency;
ALTER TABLE dealerships DROP COLUMN opening_hours;
ALTER TABLE dealerships DROP COLUMN address;
ALTER TABLE dealerships DROP COLUMN shop_supplies_cap_cents;
ALTER TABLE dealerships DROP COLUMN shop_supplies_bp;
ALTER TABLE dealerships DROP COLUMN taxable_kinds;
CREATE TABLE estimate_lines_old (
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
    decided_ip          TEXT,
    decided_user_agent  TEXT,
    UNIQUE (ro_id, position)
);
INSERT INTO estimate_lines_old SELECT l.id, l.ro_id, l.position, l.estimate_version, l.description,
    CASE l.kind WHEN 'sublet' THEN 'fee' ELSE l.kind END, l.quantity_hundredths, l.unit_price_cents,
    j.pay_type, j.concern_id, j.approval, j.decided_at, j.decided_via, l.created_at, j.decided_ip,
    j.decided_user_agent
    FROM estimate_lines l JOIN repair_jobs j ON j.id = l.job_id;
DROP TABLE estimate_lines;
ALTER TABLE estimate_lines_old RENAME TO estimate_lines;
DROP TABLE repair_jobs;
