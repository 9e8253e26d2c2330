-- Staff sign in to the desk with an email and a password (argon2id), set
-- through a one-time invitation link; sessions are kept here, so signing out
-- or deactivating an account ends them at once. A deactivated account's API
-- token stops working too. Failed sign-ins are counted per account and per
-- address to slow down guessing.
ALTER TABLE staff ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE staff ADD COLUMN deactivated_at TIMESTAMP;
ALTER TABLE staff ADD COLUMN password_hash TEXT;
-- Sign-in is by email alone (in any case): one account per address.
CREATE UNIQUE INDEX staff_email ON staff (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE staff_invitations (
    token_hash TEXT PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP
);
CREATE INDEX staff_invitations_staff ON staff_invitations (staff_id);

CREATE TABLE desk_sessions (
    id_hash      TEXT PRIMARY KEY,
    staff_id     TEXT NOT NULL REFERENCES staff (id),
    csrf_token   TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX desk_sessions_staff ON desk_sessions (staff_id);

CREATE TABLE sign_in_failures (
    id  TEXT PRIMARY KEY,
    -- "account:<email>" or "address:<ip>".
    key TEXT NOT NULL,
    at  TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at);
