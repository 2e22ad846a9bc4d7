-- The push CV module (optional, per school, off by default): a school proposes candidates' profiles to company contacts
-- without an offer; a contact who wants to meet one gets a referral already at the company step.
ALTER TABLE schools ADD COLUMN push_cv_enabled boolean NOT NULL DEFAULT false;

-- The candidate's consent to be pushed, dated, with who recorded it.
ALTER TABLE candidates ADD COLUMN push_consent_at timestamptz NULL;
ALTER TABLE candidates ADD COLUMN push_consent_recorded_by text NULL;
ALTER TABLE candidates ADD COLUMN push_consent_recorded_by_id uuid NULL;

-- "Candidature spontanée": one per company and school, created when a contact asks to meet a profile without an offer.
ALTER TABLE job_offers ADD COLUMN is_spontaneous boolean NOT NULL DEFAULT false;
CREATE UNIQUE INDEX ux_job_offers_spontaneous ON job_offers (school_id, company_id) WHERE is_spontaneous;

-- The first event of a referral born of a push says when the candidate's consent was recorded.
ALTER TABLE referral_events ADD COLUMN consent_recorded_at timestamptz NULL;

CREATE TABLE cv_pushes (
    id                  uuid        PRIMARY KEY,
    school_id           uuid        NOT NULL REFERENCES schools (id),
    contact_id          uuid        NOT NULL REFERENCES company_contacts (id),
    created_by_staff_id uuid        NOT NULL REFERENCES staff (id),
    created_at          timestamptz NOT NULL,
    message             text        NULL
);
CREATE INDEX ix_cv_pushes_school_created ON cv_pushes (school_id, created_at);

CREATE TABLE pushed_profiles (
    id             uuid        PRIMARY KEY,
    school_id      uuid        NOT NULL REFERENCES schools (id),
    cv_push_id     uuid        NOT NULL REFERENCES cv_pushes (id),
    candidate_id   uuid        NOT NULL REFERENCES candidates (id),
    contact_id     uuid        NOT NULL REFERENCES company_contacts (id),
    pushed_at      timestamptz NOT NULL,
    state          text        NOT NULL,
    answered_at    timestamptz NULL,
    decline_reason text        NULL,
    referral_id    uuid        NULL REFERENCES referrals (id),
    version        integer     NOT NULL
);
CREATE INDEX ix_pushed_profiles_push ON pushed_profiles (cv_push_id);
-- The 90-day rule's look-up, and the candidate's page.
CREATE INDEX ix_pushed_profiles_candidate_contact ON pushed_profiles (candidate_id, contact_id, pushed_at);
-- The contact's "Profils proposés".
CREATE INDEX ix_pushed_profiles_contact ON pushed_profiles (school_id, contact_id, pushed_at);
-- One push of a profile to a contact at a time, even when two staff members push it at the same moment.
CREATE UNIQUE INDEX ux_pushed_profiles_pending ON pushed_profiles (candidate_id, contact_id) WHERE state = 'Pending';

CREATE TABLE pushed_profile_documents (
    school_id         uuid NOT NULL REFERENCES schools (id),
    pushed_profile_id uuid NOT NULL REFERENCES pushed_profiles (id),
    document_id       uuid NOT NULL REFERENCES documents (id),
    PRIMARY KEY (pushed_profile_id, document_id)
);

-- A push's mail lists its profiles; each profile's links name the pushed profile instead of a referral.
ALTER TABLE outbox_messages ADD COLUMN cv_push_id uuid NULL REFERENCES cv_pushes (id);
ALTER TABLE action_links ADD COLUMN pushed_profile_id uuid NULL REFERENCES pushed_profiles (id);
ALTER TABLE action_links ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE action_links ADD CONSTRAINT ck_action_links_one_subject CHECK ((referral_id IS NULL) <> (pushed_profile_id IS NULL));
CREATE INDEX ix_action_links_pushed_profile ON action_links (pushed_profile_id) WHERE pushed_profile_id IS NOT NULL;
