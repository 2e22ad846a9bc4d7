-- Switching off, not deleting (issue 16): a school deactivates a company contact, a company (its link to the school:
-- both are shared with other schools) or a staff member; null while active. A contact or company keeps working with
-- the other schools.
ALTER TABLE school_contacts ADD COLUMN deactivated_at INTEGER NULL;
ALTER TABLE school_companies ADD COLUMN deactivated_at INTEGER NULL;
ALTER TABLE staff ADD COLUMN deactivated_at INTEGER NULL;
