DROP TABLE service_secrets;
ALTER TABLE estimate_lines DROP COLUMN decided_user_agent;
ALTER TABLE estimate_lines DROP COLUMN decided_ip;
DROP INDEX repair_orders_status_token;
ALTER TABLE repair_orders DROP COLUMN status_token_hash;
ALTER TABLE repair_orders DROP COLUMN link_version;
