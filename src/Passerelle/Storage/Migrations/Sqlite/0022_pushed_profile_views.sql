-- Who saw what, for pushed profiles too: a look at a profile pushed to a contact, or one of its documents, names the pushed
-- profile instead of a referral. SQLite cannot drop a NOT NULL: profile_views is rebuilt with referral_id nullable.
CREATE TABLE profile_views_new (
    id                TEXT    PRIMARY KEY,
    school_id         TEXT    NOT NULL REFERENCES schools (id),
    referral_id       TEXT    NULL REFERENCES referrals (id),
    pushed_profile_id TEXT    NULL REFERENCES pushed_profiles (id),
    contact_id        TEXT    NOT NULL REFERENCES company_contacts (id),
    document_id       TEXT    NULL REFERENCES documents (id),
    channel           TEXT    NOT NULL,
    viewed_at         INTEGER NOT NULL,
    CHECK ((referral_id IS NULL) <> (pushed_profile_id IS NULL))
);
INSERT INTO profile_views_new (id, school_id, referral_id, contact_id, document_id, channel, viewed_at)
SELECT id, school_id, referral_id, contact_id, document_id, channel, viewed_at FROM profile_views;
DROP TABLE profile_views;
ALTER TABLE profile_views_new RENAME TO profile_views;
CREATE INDEX ix_profile_views_referral_id_viewed_at ON profile_views (referral_id, viewed_at);
CREATE INDEX ix_profile_views_pushed_profile_id_viewed_at ON profile_views (pushed_profile_id, viewed_at) WHERE pushed_profile_id IS NOT NULL;
