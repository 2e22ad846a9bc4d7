-- The integration API (issue 15): keys per school, the platform's own ids, replayable creations, and when a referral
-- last changed.

-- A key is shown once; only the SHA-256 of its secret is kept. It acts for its school, in the name of the staff member
-- who created it (a referral or a push needs one).
CREATE TABLE api_keys (
    id                  TEXT        PRIMARY KEY,
    school_id           TEXT        NOT NULL REFERENCES schools (id),
    name                TEXT        NOT NULL,
    secret_hash         BLOB        NOT NULL,
    created_at          INTEGER     NOT NULL,
    created_by_staff_id TEXT        NOT NULL REFERENCES staff (id),
    created_by          TEXT        NOT NULL,
    last_used_at        INTEGER     NULL,
    revoked_at          INTEGER     NULL
);
CREATE INDEX ix_api_keys_school ON api_keys (school_id, created_at);

-- "Same Idempotency-Key, same body → the first answer again": the answer is stored in the transaction that created
-- what it tells of; a concurrent second call waits for the write lock, then replays it.
CREATE TABLE api_idempotency (
    api_key_id      TEXT        NOT NULL REFERENCES api_keys (id),
    idempotency_key TEXT        NOT NULL,
    school_id       TEXT        NOT NULL REFERENCES schools (id),
    request_hash    BLOB        NOT NULL,
    status          INTEGER     NOT NULL,
    response        TEXT        NOT NULL,
    created_at      INTEGER     NOT NULL,
    PRIMARY KEY (api_key_id, idempotency_key)
);

-- The platform's ids, unique per school. Companies and contacts are shared between schools: their id at a school lives
-- on the school's link to them.
ALTER TABLE candidates ADD COLUMN external_id TEXT NULL;
CREATE UNIQUE INDEX ux_candidates_external_id ON candidates (school_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE job_offers ADD COLUMN external_id TEXT NULL;
CREATE UNIQUE INDEX ux_job_offers_external_id ON job_offers (school_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE school_companies ADD COLUMN external_id TEXT NULL;
CREATE UNIQUE INDEX ux_school_companies_external_id ON school_companies (school_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE school_contacts ADD COLUMN external_id TEXT NULL;
CREATE UNIQUE INDEX ux_school_contacts_external_id ON school_contacts (school_id, external_id) WHERE external_id IS NOT NULL;

-- When a referral last changed (its last event): the API's updatedSince filter.
ALTER TABLE referrals ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
UPDATE referrals SET updated_at = coalesce((SELECT max(e.occurred_at) FROM referral_events e WHERE e.referral_id = referrals.id), created_at);
CREATE INDEX ix_referrals_school_updated ON referrals (school_id, updated_at);
-- The API lists a school's referrals by id (a cursor that new rows never move).
CREATE INDEX ix_referrals_school_id ON referrals (school_id, id);
