-- Who saw what (issue 16): each look of a company contact at a candidate's profile or document, for the school's referral page.
CREATE TABLE profile_views (
    id           TEXT        PRIMARY KEY,
    school_id    TEXT        NOT NULL REFERENCES schools (id),
    referral_id  TEXT        NOT NULL REFERENCES referrals (id),
    contact_id   TEXT        NOT NULL REFERENCES company_contacts (id),
    document_id  TEXT        NULL REFERENCES documents (id),
    channel      TEXT        NOT NULL,
    viewed_at    INTEGER NOT NULL
);
CREATE INDEX ix_profile_views_referral_id_viewed_at ON profile_views (referral_id, viewed_at);
