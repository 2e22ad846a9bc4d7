-- Erasure (issue 16): when the school erased the candidate (identity, contact details, free text, documents and the copies of
-- their mails are gone; the referrals stay, anonymous, for the statistics).
ALTER TABLE candidates ADD COLUMN erased_at timestamptz NULL;
