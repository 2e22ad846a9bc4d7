-- Who saw what, for pushed profiles too: a look at a profile pushed to a contact, or one of its documents, names the pushed
-- profile instead of a referral.
ALTER TABLE profile_views ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE profile_views ADD COLUMN pushed_profile_id uuid NULL REFERENCES pushed_profiles (id);
ALTER TABLE profile_views ADD CONSTRAINT ck_profile_views_subject CHECK ((referral_id IS NULL) <> (pushed_profile_id IS NULL));
CREATE INDEX ix_profile_views_pushed_profile_id_viewed_at ON profile_views (pushed_profile_id, viewed_at) WHERE pushed_profile_id IS NOT NULL;
