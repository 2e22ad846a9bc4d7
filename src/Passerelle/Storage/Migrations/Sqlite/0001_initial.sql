-- Passerelle schema, version 1 (SQLite). Written by hand: see docs/adr/0002-hand-written-sql-migrations.md.
-- Times are INTEGER UTC ticks (100 ns units since 0001-01-01) so they sort and compare; Guids are TEXT;
-- enums are stored by name; every school-owned table carries school_id.

CREATE TABLE schools (
    id                  TEXT        PRIMARY KEY,
    name                TEXT        NOT NULL,
    link_validity_days  INTEGER     NOT NULL DEFAULT 7 CHECK (link_validity_days BETWEEN 1 AND 60),
    created_at          INTEGER     NOT NULL
);

CREATE TABLE staff (
    id             TEXT        PRIMARY KEY,
    school_id      TEXT        NOT NULL REFERENCES schools (id),
    user_name      TEXT        NOT NULL,
    password_hash  TEXT        NOT NULL,
    last_name      TEXT        NOT NULL,
    first_name     TEXT        NOT NULL,
    email          TEXT        NOT NULL,
    role           TEXT        NOT NULL,
    created_at     INTEGER     NOT NULL
);
CREATE UNIQUE INDEX ux_staff_user_name ON staff (user_name COLLATE NOCASE);
CREATE INDEX ix_staff_school ON staff (school_id);

CREATE TABLE candidates (
    id          TEXT        PRIMARY KEY,
    school_id   TEXT        NOT NULL REFERENCES schools (id),
    last_name   TEXT        NOT NULL,
    first_name  TEXT        NOT NULL,
    email       TEXT        NOT NULL,
    phone       TEXT        NULL,
    created_at  INTEGER     NOT NULL
);
CREATE INDEX ix_candidates_school_name ON candidates (school_id, last_name, first_name);

CREATE TABLE documents (
    id            TEXT        PRIMARY KEY,
    school_id     TEXT        NOT NULL REFERENCES schools (id),
    candidate_id  TEXT        NOT NULL REFERENCES candidates (id),
    kind          TEXT        NOT NULL,
    title         TEXT        NOT NULL,
    content_type  TEXT        NOT NULL,
    size_bytes    INTEGER      NOT NULL,
    storage_key   TEXT        NOT NULL,
    uploaded_at   INTEGER     NOT NULL
);
CREATE INDEX ix_documents_candidate ON documents (candidate_id);

CREATE TABLE companies (
    id          TEXT        PRIMARY KEY,
    name        TEXT        NOT NULL,
    siret       TEXT        NOT NULL,
    created_at  INTEGER     NOT NULL
);
CREATE UNIQUE INDEX ux_companies_siret ON companies (siret);

CREATE TABLE company_contacts (
    id             TEXT        PRIMARY KEY,
    company_id     TEXT        NOT NULL REFERENCES companies (id),
    last_name      TEXT        NOT NULL,
    first_name     TEXT        NOT NULL,
    email          TEXT        NOT NULL,
    phone          TEXT        NULL,
    user_name      TEXT        NOT NULL,
    password_hash  TEXT        NOT NULL,
    created_at     INTEGER     NOT NULL
);
CREATE UNIQUE INDEX ux_company_contacts_user_name ON company_contacts (user_name COLLATE NOCASE);
CREATE INDEX ix_company_contacts_company ON company_contacts (company_id);

CREATE TABLE school_contacts (
    school_id   TEXT        NOT NULL REFERENCES schools (id),
    contact_id  TEXT        NOT NULL REFERENCES company_contacts (id),
    created_at  INTEGER     NOT NULL,
    PRIMARY KEY (school_id, contact_id)
);
CREATE INDEX ix_school_contacts_contact ON school_contacts (contact_id);

CREATE TABLE job_offers (
    id           TEXT        PRIMARY KEY,
    school_id    TEXT        NOT NULL REFERENCES schools (id),
    company_id   TEXT        NOT NULL REFERENCES companies (id),
    title        TEXT        NOT NULL,
    description  TEXT        NOT NULL,
    location     TEXT        NULL,
    starts_on    TEXT        NULL,
    is_active    INTEGER     NOT NULL,
    created_at   INTEGER     NOT NULL
);
CREATE INDEX ix_job_offers_school_company ON job_offers (school_id, company_id);

CREATE TABLE referrals (
    id                       TEXT        PRIMARY KEY,
    school_id                TEXT        NOT NULL REFERENCES schools (id),
    candidate_id             TEXT        NOT NULL REFERENCES candidates (id),
    job_offer_id             TEXT        NOT NULL REFERENCES job_offers (id),
    contact_id               TEXT        NOT NULL REFERENCES company_contacts (id),
    created_by_staff_id      TEXT        NOT NULL REFERENCES staff (id),
    created_at               INTEGER     NOT NULL,
    stage                    TEXT        NOT NULL,
    offer_answer             TEXT        NULL,
    offer_answered_at        INTEGER     NULL,
    company_answer           TEXT        NULL,
    company_answered_at      INTEGER     NULL,
    company_refusal_reason   TEXT        NULL,
    appointment_starts_at    INTEGER     NULL,
    appointment_location     TEXT        NULL,
    appointment_comment      TEXT        NULL,
    appointment_sequence     INTEGER     NOT NULL DEFAULT 0,
    appointment_answer       TEXT        NULL,
    appointment_answered_at  INTEGER     NULL,
    outcome                  TEXT        NULL,
    outcome_recorded_at      INTEGER     NULL,
    cancelled_at             INTEGER     NULL,
    cancellation_reason      TEXT        NULL,
    version                  INTEGER     NOT NULL
);
-- The company list: one contact's referrals in one school, newest first.
CREATE INDEX ix_referrals_school_contact_created ON referrals (school_id, contact_id, created_at DESC, id);
CREATE INDEX ix_referrals_school_stage ON referrals (school_id, stage);
CREATE INDEX ix_referrals_school_created ON referrals (school_id, created_at DESC);
CREATE INDEX ix_referrals_candidate ON referrals (candidate_id);
CREATE INDEX ix_referrals_job_offer ON referrals (job_offer_id);

CREATE TABLE referral_documents (
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    document_id  TEXT NOT NULL REFERENCES documents (id),
    school_id    TEXT NOT NULL REFERENCES schools (id),
    PRIMARY KEY (referral_id, document_id)
);
CREATE INDEX ix_referral_documents_document ON referral_documents (document_id);

CREATE TABLE referral_events (
    id                     TEXT        PRIMARY KEY,
    school_id              TEXT        NOT NULL REFERENCES schools (id),
    referral_id            TEXT        NOT NULL REFERENCES referrals (id),
    sequence               INTEGER     NOT NULL,
    occurred_at            INTEGER     NOT NULL,
    kind                   TEXT        NOT NULL,
    actor_kind             TEXT        NOT NULL,
    actor_id               TEXT        NOT NULL,
    actor_name             TEXT        NOT NULL,
    on_behalf_of           TEXT        NULL,
    channel                TEXT        NOT NULL,
    comment                TEXT        NULL,
    previous_answer        TEXT        NULL,
    appointment_starts_at  INTEGER     NULL,
    appointment_location   TEXT        NULL,
    reason                 TEXT        NULL
);
-- One event per referral version: a second writer of the same version cannot add a line.
CREATE UNIQUE INDEX ux_referral_events_referral_sequence ON referral_events (referral_id, sequence);
