DROP TABLE stripe_events;
DROP TABLE checkout_sessions;
DELETE FROM payments WHERE recorded_by IS NULL;
ALTER TABLE payments DROP CONSTRAINT payments_online_or_staff;
ALTER TABLE payments ALTER COLUMN recorded_by SET NOT NULL;
