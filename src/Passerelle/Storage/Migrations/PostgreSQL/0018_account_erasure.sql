-- Erasure of contacts and staff switched off for longer than the retention period (issue 16): when it happened.
ALTER TABLE company_contacts ADD COLUMN erased_at timestamptz NULL;
ALTER TABLE staff ADD COLUMN erased_at timestamptz NULL;
