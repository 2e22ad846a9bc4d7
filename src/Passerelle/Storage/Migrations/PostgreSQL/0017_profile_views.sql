-- Who saw what (issue 16): each look of a company contact at a candidate's profile or document, for the school's referral page.
CREATE TABLE profile_views (
    id           uuid        PRIMARY KEY,
    school_id    uuid        NOT NULL REFERENCES schools (id),
    referral_id  uuid        NOT NULL REFERENCES referrals (id),
    contact_id   uuid        NOT NULL REFERENCES company_contacts (id),
    document_id  uuid        NULL REFERENCES documents (id),
    channel      text        NOT NULL,
    viewed_at    timestamptz NOT NULL
);
CREATE INDEX ix_profile_views_referral_id_viewed_at ON profile_views (referral_id, viewed_at);
