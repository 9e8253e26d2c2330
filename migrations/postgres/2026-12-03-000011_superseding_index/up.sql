-- A new message to a customer retires the pending one it replaces (same RO,
-- supersede key, state pending: `db::notifications::write_message`). By
-- `notifications_ro` that meant reading every message the RO ever had, so a
-- busy RO's changes grew slower with its history. The state is in the key,
-- not a partial-index predicate, so a prepared statement with the state bound
-- can use it.
CREATE INDEX notifications_superseding ON notifications (ro_id, supersede_key, state);
