-- Deleting and replacing documents (issue 16): a removed document's file is deleted from storage; its row stays so that the
-- referrals and pushed profiles that shared it can say "document retiré".
ALTER TABLE documents ADD COLUMN removed_at INTEGER NULL;
