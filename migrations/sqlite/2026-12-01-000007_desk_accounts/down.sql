DROP TABLE sign_in_failures;
DROP TABLE desk_sessions;
DROP TABLE staff_invitations;
DROP INDEX staff_email;
ALTER TABLE staff DROP COLUMN password_hash;
ALTER TABLE staff DROP COLUMN deactivated_at;
ALTER TABLE staff DROP COLUMN active;
