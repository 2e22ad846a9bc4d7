-- The push CV module (optional, per school, off by default): a school proposes candidates' profiles to company contacts
-- without an offer; a contact who wants to meet one gets a referral already at the company step.
ALTER TABLE schools ADD COLUMN push_cv_enabled INTEGER NOT NULL DEFAULT 0;

-- The candidate's consent to be pushed, dated, with who recorded it.
ALTER TABLE candidates ADD COLUMN push_consent_at INTEGER     NULL;
ALTER TABLE candidates ADD COLUMN push_consent_recorded_by TEXT NULL;
ALTER TABLE candidates ADD COLUMN push_consent_recorded_by_id TEXT NULL;

-- "Candidature spontanée": one per company and school, created when a contact asks to meet a profile without an offer.
ALTER TABLE job_offers ADD COLUMN is_spontaneous INTEGER NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX ux_job_offers_spontaneous ON job_offers (school_id, company_id) WHERE is_spontaneous = 1;

-- The first event of a referral born of a push says when the candidate's consent was recorded.
ALTER TABLE referral_events ADD COLUMN consent_recorded_at INTEGER     NULL;

CREATE TABLE cv_pushes (
    id                  TEXT        PRIMARY KEY,
    school_id           TEXT        NOT NULL REFERENCES schools (id),
    contact_id          TEXT        NOT NULL REFERENCES company_contacts (id),
    created_by_staff_id TEXT        NOT NULL REFERENCES staff (id),
    created_at          INTEGER     NOT NULL,
    message             TEXT        NULL
);
CREATE INDEX ix_cv_pushes_school_created ON cv_pushes (school_id, created_at);

CREATE TABLE pushed_profiles (
    id             TEXT        PRIMARY KEY,
    school_id      TEXT        NOT NULL REFERENCES schools (id),
    cv_push_id     TEXT        NOT NULL REFERENCES cv_pushes (id),
    candidate_id   TEXT        NOT NULL REFERENCES candidates (id),
    contact_id     TEXT        NOT NULL REFERENCES company_contacts (id),
    pushed_at      INTEGER     NOT NULL,
    state          TEXT        NOT NULL,
    answered_at    INTEGER     NULL,
    decline_reason TEXT        NULL,
    referral_id    TEXT        NULL REFERENCES referrals (id),
    version        INTEGER     NOT NULL
);
CREATE INDEX ix_pushed_profiles_push ON pushed_profiles (cv_push_id);
-- The 90-day rule's look-up, and the candidate's page.
CREATE INDEX ix_pushed_profiles_candidate_contact ON pushed_profiles (candidate_id, contact_id, pushed_at);
-- The contact's "Profils proposés".
CREATE INDEX ix_pushed_profiles_contact ON pushed_profiles (school_id, contact_id, pushed_at);
-- One push of a profile to a contact at a time, even when two staff members push it at the same moment.
CREATE UNIQUE INDEX ux_pushed_profiles_pending ON pushed_profiles (candidate_id, contact_id) WHERE state = 'Pending';

CREATE TABLE pushed_profile_documents (
    school_id         TEXT NOT NULL REFERENCES schools (id),
    pushed_profile_id TEXT NOT NULL REFERENCES pushed_profiles (id),
    document_id       TEXT NOT NULL REFERENCES documents (id),
    PRIMARY KEY (pushed_profile_id, document_id)
);

-- A push's mail lists its profiles; each profile's links name the pushed profile instead of a referral.
ALTER TABLE outbox_messages ADD COLUMN cv_push_id TEXT NULL REFERENCES cv_pushes (id);
-- SQLite cannot drop a NOT NULL: action_links is rebuilt with referral_id nullable.
CREATE TABLE action_links_new (
    id                   TEXT        PRIMARY KEY,
    school_id            TEXT        NOT NULL REFERENCES schools (id),
    referral_id          TEXT        NULL REFERENCES referrals (id),
    outbox_message_id    TEXT        NULL REFERENCES outbox_messages (id),
    recipient            TEXT        NOT NULL,
    recipient_id         TEXT        NOT NULL,
    step                 TEXT        NOT NULL,
    secret_hash          BLOB        NOT NULL,
    created_at           INTEGER     NOT NULL,
    expires_at           INTEGER     NOT NULL,
    revoked_at           INTEGER     NULL,
    reminded_at          INTEGER     NULL,
    appointment_sequence INTEGER     NULL,
    pushed_profile_id    TEXT        NULL REFERENCES pushed_profiles (id),
    CHECK ((referral_id IS NULL) <> (pushed_profile_id IS NULL))
);
INSERT INTO action_links_new (id, school_id, referral_id, outbox_message_id, recipient, recipient_id, step, secret_hash,
                              created_at, expires_at, revoked_at, reminded_at, appointment_sequence)
SELECT id, school_id, referral_id, outbox_message_id, recipient, recipient_id, step, secret_hash,
       created_at, expires_at, revoked_at, reminded_at, appointment_sequence FROM action_links;
DROP TABLE action_links;
ALTER TABLE action_links_new RENAME TO action_links;
CREATE INDEX ix_action_links_referral ON action_links (referral_id, step);
CREATE INDEX ix_action_links_to_remind ON action_links (expires_at)
    WHERE step = 'Company' AND revoked_at IS NULL AND reminded_at IS NULL;
CREATE INDEX ix_action_links_outbox_message ON action_links (outbox_message_id);
CREATE INDEX ix_action_links_pushed_profile ON action_links (pushed_profile_id) WHERE pushed_profile_id IS NOT NULL;
