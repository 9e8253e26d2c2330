ALTER TABLE repair_orders DROP COLUMN discount_cents, DROP COLUMN shop_supplies_cap_cents,
    DROP COLUMN shop_supplies_bp, DROP COLUMN taxable_kinds, DROP COLUMN tax_rate_bp;
ALTER TABLE dealerships DROP COLUMN glossary, DROP COLUMN currency, DROP COLUMN opening_hours, DROP COLUMN address,
    DROP COLUMN shop_supplies_cap_cents, DROP COLUMN shop_supplies_bp, DROP COLUMN taxable_kinds;
ALTER TABLE estimate_lines ADD COLUMN pay_type TEXT, ADD COLUMN concern_id TEXT REFERENCES concerns (id),
    ADD COLUMN approval TEXT, ADD COLUMN decided_at TIMESTAMP, ADD COLUMN decided_via TEXT,
    ADD COLUMN decided_ip TEXT, ADD COLUMN decided_user_agent TEXT;
UPDATE estimate_lines l SET pay_type = j.pay_type, concern_id = j.concern_id, approval = j.approval,
    decided_at = j.decided_at, decided_via = j.decided_via, decided_ip = j.decided_ip,
    decided_user_agent = j.decided_user_agent
    FROM repair_jobs j WHERE j.id = l.job_id;
ALTER TABLE estimate_lines ALTER COLUMN pay_type SET NOT NULL, ALTER COLUMN approval SET NOT NULL;
DROP INDEX estimate_lines_job;
ALTER TABLE estimate_lines DROP COLUMN job_id;
DROP TABLE repair_jobs;
