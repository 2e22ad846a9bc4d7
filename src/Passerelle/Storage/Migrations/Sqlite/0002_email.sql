-- E-mail: the transactional outbox, the e-mail action links (hashed secrets only) and the schools' templates.

CREATE TABLE outbox_messages (
    id               TEXT        PRIMARY KEY,
    school_id        TEXT        NULL REFERENCES schools (id),
    referral_id      TEXT        NULL REFERENCES referrals (id),
    event_sequence   INTEGER     NULL,
    template_key     TEXT        NOT NULL,
    recipient        TEXT        NOT NULL,
    to_address       TEXT        NULL,
    to_name          TEXT        NULL,
    to_person_id     TEXT        NULL,
    calendar         TEXT        NOT NULL,
    data             TEXT        NULL,
    state            TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER     NOT NULL,
    locked_until     INTEGER     NULL,
    locked_by        TEXT        NULL,
    last_error       TEXT        NULL,
    created_at       INTEGER     NOT NULL,
    sent_at          INTEGER     NULL,
    message_id       TEXT        NOT NULL,
    subject          TEXT        NULL,
    html_body        TEXT        NULL,
    text_body        TEXT        NULL
);
-- The dispatcher's queue: only pending rows, oldest due first.
CREATE INDEX ix_outbox_messages_due ON outbox_messages (next_attempt_at) WHERE state = 'Pending';
CREATE INDEX ix_outbox_messages_referral ON outbox_messages (referral_id);
CREATE INDEX ix_outbox_messages_school_state ON outbox_messages (school_id, state);

CREATE TABLE action_links (
    id                  TEXT        PRIMARY KEY,
    school_id           TEXT        NOT NULL REFERENCES schools (id),
    referral_id         TEXT        NOT NULL REFERENCES referrals (id),
    outbox_message_id   TEXT        NULL REFERENCES outbox_messages (id),
    recipient           TEXT        NOT NULL,
    recipient_id        TEXT        NOT NULL,
    step                TEXT        NOT NULL,
    secret_hash         BLOB        NOT NULL,
    created_at          INTEGER     NOT NULL,
    expires_at          INTEGER     NOT NULL,
    revoked_at          INTEGER     NULL,
    reminded_at         INTEGER     NULL
);
CREATE INDEX ix_action_links_referral ON action_links (referral_id, step);
-- The reminder job's look-up: company links still open and not yet reminded.
CREATE INDEX ix_action_links_to_remind ON action_links (expires_at)
    WHERE step = 'Company' AND revoked_at IS NULL AND reminded_at IS NULL;

CREATE TABLE email_templates (
    school_id   TEXT        NOT NULL REFERENCES schools (id),
    key         TEXT        NOT NULL,
    subject     TEXT        NOT NULL,
    body        TEXT        NOT NULL,
    enabled     INTEGER     NOT NULL,
    updated_at  INTEGER     NOT NULL,
    PRIMARY KEY (school_id, key)
);
