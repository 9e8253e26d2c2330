DROP TABLE jobs;
DROP TABLE messages;
DROP TABLE sms_opt_outs;
DROP TABLE provider_callbacks;
DROP TABLE notification_events;
DROP TABLE notifications;
ALTER TABLE customers DROP COLUMN notify_by;
