-- The transaction behind PUT /api/v1/repair-orders/{id}/promised-at, without
-- the service around it: lock and read the RO, move its promised time and
-- version, append its event, write the customer's text to the outbox.
-- Run by pgbench with -D ros=<number of seeded ROs> (bench_ros maps n → RO).
-- Its texts carry context '{"baseline":"pgbench"}' so the harness retires
-- them after each run: left pending, they would be the service's to retire
-- (and its worker's to send) in the parts that follow.
\set n random(1, :ros)
BEGIN;
SELECT r.id, r.status, r.version, r.promised_at, r.customer_id
  FROM bench_ros b JOIN repair_orders r ON r.id = b.id WHERE b.n = :n FOR UPDATE OF r;
UPDATE repair_orders
   SET promised_at = promised_at + interval '1 second', version = version + 1,
       updated_at = now() AT TIME ZONE 'utc'
 WHERE id = (SELECT id FROM bench_ros WHERE n = :n);
INSERT INTO ro_events (id, ro_id, at, actor_kind, actor_id, kind, detail)
  SELECT gen_random_uuid()::text, id, now() AT TIME ZONE 'utc', 'staff', NULL, 'promised_at_changed',
         '{"from":"2026-11-24T10:00:00Z","to":"2026-11-24T10:00:01Z","reason":"We are waiting on a part from the distributor"}'
    FROM bench_ros WHERE n = :n;
INSERT INTO notifications (id, dealership_id, ro_id, dedupe_key, kind, recipient_kind, channel, to_address,
                           body_text, language, context, routine, supersede_key, state, attempts,
                           next_attempt_at, created_at, updated_at)
  SELECT gen_random_uuid()::text, r.dealership_id, r.id, gen_random_uuid()::text, 'promised_changed', 'customer', 'sms',
         b.phone, 'Bench Motors: your Honda Accord (RO 1234) will now be ready Tue, Nov 24 at 10:00 AM. Why: We are waiting on a part from the distributor.',
         'en', '{"baseline":"pgbench"}', true, 'promised_at', 'pending', 0,
         now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc'
    FROM bench_ros b JOIN repair_orders r ON r.id = b.id WHERE b.n = :n;
END;
