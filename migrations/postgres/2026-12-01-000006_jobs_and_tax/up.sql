-- An estimate is a set of jobs (operations), each approved or declined as a
-- whole; its lines are labor, parts, fees and sublet work. Every existing
-- line becomes a job of one line (the job takes the line's id, title and
-- decision). Dealerships say which kinds are taxed, whether a shop-supplies
-- fee applies, where they are and when they are open; an RO keeps the rules
-- it was written under.

CREATE TABLE repair_jobs (
    id                 TEXT PRIMARY KEY,
    ro_id              TEXT NOT NULL REFERENCES repair_orders (id),
    position           INTEGER NOT NULL,
    estimate_version   INTEGER NOT NULL,
    title              TEXT NOT NULL,
    concern_id         TEXT REFERENCES concerns (id),
    pay_type           TEXT NOT NULL CHECK (pay_type IN ('customer', 'warranty', 'internal')),
    approval           TEXT NOT NULL CHECK (approval IN ('not_required', 'pending', 'approved', 'declined')),
    discount_cents     BIGINT NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    decided_at         TIMESTAMP,
    decided_via        TEXT,
    decided_ip         TEXT,
    decided_user_agent TEXT,
    created_at         TIMESTAMP NOT NULL,
    UNIQUE (ro_id, position)
);
INSERT INTO repair_jobs (id, ro_id, position, estimate_version, title, concern_id, pay_type,
        approval, decided_at, decided_via, decided_ip, decided_user_agent, created_at)
    SELECT id, ro_id, position, estimate_version, description, concern_id, pay_type, approval,
        decided_at, decided_via, decided_ip, decided_user_agent, created_at
    FROM estimate_lines;

ALTER TABLE estimate_lines ADD COLUMN job_id TEXT REFERENCES repair_jobs (id);
UPDATE estimate_lines SET job_id = id;
ALTER TABLE estimate_lines ALTER COLUMN job_id SET NOT NULL;
ALTER TABLE estimate_lines
    DROP COLUMN pay_type, DROP COLUMN concern_id, DROP COLUMN approval,
    DROP COLUMN decided_at, DROP COLUMN decided_via, DROP COLUMN decided_ip,
    DROP COLUMN decided_user_agent;
ALTER TABLE estimate_lines DROP CONSTRAINT estimate_lines_kind_check;
ALTER TABLE estimate_lines ADD CONSTRAINT estimate_lines_kind_check
    CHECK (kind IN ('labor', 'part', 'fee', 'sublet'));
CREATE INDEX estimate_lines_job ON estimate_lines (job_id);

ALTER TABLE dealerships ADD COLUMN taxable_kinds TEXT NOT NULL DEFAULT 'labor,part,fee,sublet';
ALTER TABLE dealerships ADD COLUMN shop_supplies_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dealerships ADD COLUMN shop_supplies_cap_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dealerships ADD COLUMN address TEXT;
ALTER TABLE dealerships ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';
ALTER TABLE dealerships ADD COLUMN currency TEXT NOT NULL DEFAULT 'usd';
-- Shop words the dealership adds to the built-in glossary (JSON list).
ALTER TABLE dealerships ADD COLUMN glossary TEXT NOT NULL DEFAULT '[]';

ALTER TABLE repair_orders ADD COLUMN tax_rate_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE repair_orders ADD COLUMN taxable_kinds TEXT NOT NULL DEFAULT 'labor,part,fee,sublet';
ALTER TABLE repair_orders ADD COLUMN shop_supplies_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE repair_orders ADD COLUMN shop_supplies_cap_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE repair_orders ADD COLUMN discount_cents BIGINT NOT NULL DEFAULT 0;
UPDATE repair_orders r SET tax_rate_bp = d.tax_rate_bp FROM dealerships d WHERE d.id = r.dealership_id;
