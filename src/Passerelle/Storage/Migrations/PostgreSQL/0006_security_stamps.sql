-- A security stamp per account, kept in the session cookie: a new password changes it and ends every session.
ALTER TABLE company_contacts ADD COLUMN security_stamp text NOT NULL DEFAULT '';
ALTER TABLE staff ADD COLUMN security_stamp text NOT NULL DEFAULT '';
