-- Passerelle schema, version 1 (PostgreSQL). Written by hand: see docs/adr/0002-hand-written-sql-migrations.md.
-- Times are timestamptz (UTC); enums are stored by name; every school-owned table carries school_id.

CREATE TABLE schools (
    id                  uuid        PRIMARY KEY,
    name                text        NOT NULL,
    link_validity_days  integer     NOT NULL DEFAULT 7 CHECK (link_validity_days BETWEEN 1 AND 60),
    created_at          timestamptz NOT NULL
);

CREATE TABLE staff (
    id             uuid        PRIMARY KEY,
    school_id      uuid        NOT NULL REFERENCES schools (id),
    user_name      text        NOT NULL,
    password_hash  text        NOT NULL,
    last_name      text        NOT NULL,
    first_name     text        NOT NULL,
    email          text        NOT NULL,
    role           text        NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_staff_user_name ON staff (lower(user_name));
CREATE INDEX ix_staff_school ON staff (school_id);

CREATE TABLE candidates (
    id          uuid        PRIMARY KEY,
    school_id   uuid        NOT NULL REFERENCES schools (id),
    last_name   text        NOT NULL,
    first_name  text        NOT NULL,
    email       text        NOT NULL,
    phone       text        NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX ix_candidates_school_name ON candidates (school_id, last_name, first_name);

CREATE TABLE documents (
    id            uuid        PRIMARY KEY,
    school_id     uuid        NOT NULL REFERENCES schools (id),
    candidate_id  uuid        NOT NULL REFERENCES candidates (id),
    kind          text        NOT NULL,
    title         text        NOT NULL,
    content_type  text        NOT NULL,
    size_bytes    bigint      NOT NULL,
    storage_key   text        NOT NULL,
    uploaded_at   timestamptz NOT NULL
);
CREATE INDEX ix_documents_candidate ON documents (candidate_id);

CREATE TABLE companies (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    siret       char(14)    NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_companies_siret ON companies (siret);

CREATE TABLE company_contacts (
    id             uuid        PRIMARY KEY,
    company_id     uuid        NOT NULL REFERENCES companies (id),
    last_name      text        NOT NULL,
    first_name     text        NOT NULL,
    email          text        NOT NULL,
    phone          text        NULL,
    user_name      text        NOT NULL,
    password_hash  text        NOT NULL,
    created_at     timestamptz NOT NULL
);
CREATE UNIQUE INDEX ux_company_contacts_user_name ON company_contacts (lower(user_name));
CREATE INDEX ix_company_contacts_company ON company_contacts (company_id);

CREATE TABLE school_contacts (
    school_id   uuid        NOT NULL REFERENCES schools (id),
    contact_id  uuid        NOT NULL REFERENCES company_contacts (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (school_id, contact_id)
);
CREATE INDEX ix_school_contacts_contact ON school_contacts (contact_id);

CREATE TABLE job_offers (
    id           uuid        PRIMARY KEY,
    school_id    uuid        NOT NULL REFERENCES schools (id),
    company_id   uuid        NOT NULL REFERENCES companies (id),
    title        text        NOT NULL,
    description  text        NOT NULL,
    location     text        NULL,
    starts_on    date        NULL,
    is_active    boolean     NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX ix_job_offers_school_company ON job_offers (school_id, company_id);

CREATE TABLE referrals (
    id                       uuid        PRIMARY KEY,
    school_id                uuid        NOT NULL REFERENCES schools (id),
    candidate_id             uuid        NOT NULL REFERENCES candidates (id),
    job_offer_id             uuid        NOT NULL REFERENCES job_offers (id),
    contact_id               uuid        NOT NULL REFERENCES company_contacts (id),
    created_by_staff_id      uuid        NOT NULL REFERENCES staff (id),
    created_at               timestamptz NOT NULL,
    stage                    text        NOT NULL,
    offer_answer             text        NULL,
    offer_answered_at        timestamptz NULL,
    company_answer           text        NULL,
    company_answered_at      timestamptz NULL,
    company_refusal_reason   text        NULL,
    appointment_starts_at    timestamptz NULL,
    appointment_location     text        NULL,
    appointment_comment      text        NULL,
    appointment_sequence     integer     NOT NULL DEFAULT 0,
    appointment_answer       text        NULL,
    appointment_answered_at  timestamptz NULL,
    outcome                  text        NULL,
    outcome_recorded_at      timestamptz NULL,
    cancelled_at             timestamptz NULL,
    cancellation_reason      text        NULL,
    version                  integer     NOT NULL
);
-- The company list: one contact's referrals in one school, newest first.
CREATE INDEX ix_referrals_school_contact_created ON referrals (school_id, contact_id, created_at DESC, id);
CREATE INDEX ix_referrals_school_stage ON referrals (school_id, stage);
CREATE INDEX ix_referrals_school_created ON referrals (school_id, created_at DESC);
CREATE INDEX ix_referrals_candidate ON referrals (candidate_id);
CREATE INDEX ix_referrals_job_offer ON referrals (job_offer_id);

CREATE TABLE referral_documents (
    referral_id  uuid NOT NULL REFERENCES referrals (id),
    document_id  uuid NOT NULL REFERENCES documents (id),
    school_id    uuid NOT NULL REFERENCES schools (id),
    PRIMARY KEY (referral_id, document_id)
);
CREATE INDEX ix_referral_documents_document ON referral_documents (document_id);

CREATE TABLE referral_events (
    id                     uuid        PRIMARY KEY,
    school_id              uuid        NOT NULL REFERENCES schools (id),
    referral_id            uuid        NOT NULL REFERENCES referrals (id),
    sequence               integer     NOT NULL,
    occurred_at            timestamptz NOT NULL,
    kind                   text        NOT NULL,
    actor_kind             text        NOT NULL,
    actor_id               uuid        NOT NULL,
    actor_name             text        NOT NULL,
    on_behalf_of           text        NULL,
    channel                text        NOT NULL,
    comment                text        NULL,
    previous_answer        text        NULL,
    appointment_starts_at  timestamptz NULL,
    appointment_location   text        NULL,
    reason                 text        NULL
);
-- One event per referral version: a second writer of the same version cannot add a line.
CREATE UNIQUE INDEX ux_referral_events_referral_sequence ON referral_events (referral_id, sequence);
