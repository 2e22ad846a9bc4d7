-- Failed logins per (portal, login typed, client address): after five, a growing delay for that address only,
-- instead of a lock on the account that anyone could set off on someone else. A row goes with a successful login
-- or a day after its last failure. (staff/company_contacts.failed_logins and locked_until are no longer read; they
-- stay until every instance runs this version.)
CREATE TABLE login_throttles (
    account_kind   text        NOT NULL,
    login          text        NOT NULL,
    client_address text        NOT NULL,
    failures       integer     NOT NULL,
    blocked_until  timestamptz NULL,
    updated_at     timestamptz NOT NULL,
    PRIMARY KEY (account_kind, login, client_address)
);
CREATE INDEX ix_login_throttles_updated_at ON login_throttles (updated_at);

-- "Mot de passe oublié" queues at most one mail per account in ten minutes: the account's recent mails, found fast.
CREATE INDEX ix_outbox_messages_to_person ON outbox_messages (to_person_id, created_at) WHERE to_person_id IS NOT NULL;

-- The companies a school works with: those it created or added, and (for the existing data) those it has offers
-- or contacts at. A school sees only these (companies are shared by SIRET, their other schools' data is not).
CREATE TABLE school_companies (
    school_id  uuid NOT NULL REFERENCES schools (id),
    company_id uuid NOT NULL REFERENCES companies (id),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (school_id, company_id)
);
CREATE INDEX ix_school_companies_company ON school_companies (company_id);
INSERT INTO school_companies (school_id, company_id, created_at)
SELECT school_id, company_id, min(created_at) FROM (
    SELECT school_id, company_id, created_at FROM job_offers
    UNION ALL
    SELECT sc.school_id, c.company_id, sc.created_at FROM school_contacts sc JOIN company_contacts c ON c.id = sc.contact_id
) AS worked
GROUP BY school_id, company_id;

-- A school's invitation to a contact who already has an account: the school sees only the address it typed until the
-- contact accepts in Passerelle Entreprises (then a school_contacts row links them).
CREATE TABLE contact_invitations (
    id                  uuid NOT NULL PRIMARY KEY,
    school_id           uuid NOT NULL REFERENCES schools (id),
    company_id          uuid NOT NULL REFERENCES companies (id),
    contact_id          uuid NOT NULL REFERENCES company_contacts (id),
    email               TEXT NOT NULL,
    invited_by_staff_id uuid NOT NULL,
    created_at          timestamptz NOT NULL,
    answered_at         timestamptz NULL,
    accepted            boolean NOT NULL
);
CREATE INDEX ix_contact_invitations_contact ON contact_invitations (contact_id);
CREATE INDEX ix_contact_invitations_school_company ON contact_invitations (school_id, company_id);
