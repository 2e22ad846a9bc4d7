-- The API lists a school's companies and contacts in the order the school added them (issue 15): one index each.
CREATE INDEX ix_school_companies_added ON school_companies (school_id, created_at, company_id);
CREATE INDEX ix_school_contacts_added ON school_contacts (school_id, created_at, contact_id);
