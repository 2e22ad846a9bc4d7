-- Correcting the data (issue 16): the fields an edit needed, and the record of every change (who, when, what).
ALTER TABLE companies ADD COLUMN address text NULL;
-- The kind of contract of an offer (ContractKind by name: Apprenticeship, Professionalisation, Internship, FixedTerm,
-- Permanent), when the school says it.
ALTER TABLE job_offers ADD COLUMN contract text NULL;
-- A contact's new address is used only once its owner has confirmed it by the link mailed to it.
ALTER TABLE company_contacts ADD COLUMN pending_email text NULL;
ALTER TABLE company_contacts ADD COLUMN pending_email_requested_at timestamptz NULL;

-- One edit of an offer, a company, a contact or a staff member: its fields before and after (JSON), who made it and when.
-- Companies and contacts are shared: a school sees its own records with names, other schools' without.
CREATE TABLE change_records (
    id            uuid        PRIMARY KEY,
    school_id     uuid        NOT NULL REFERENCES schools (id),
    subject_kind  text        NOT NULL,
    subject_id    uuid        NOT NULL,
    changed_at    timestamptz        NOT NULL,
    staff_id      uuid        NULL REFERENCES staff (id),
    actor_name    text        NOT NULL,
    changes       text        NOT NULL
);
CREATE INDEX ix_change_records_subject ON change_records (subject_id, changed_at);
