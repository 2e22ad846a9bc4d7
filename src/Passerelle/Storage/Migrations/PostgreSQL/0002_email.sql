-- E-mail: the transactional outbox, the e-mail action links (hashed secrets only) and the schools' templates.

CREATE TABLE outbox_messages (
    id               uuid        PRIMARY KEY,
    school_id        uuid        NULL REFERENCES schools (id),
    referral_id      uuid        NULL REFERENCES referrals (id),
    event_sequence   integer     NULL,
    template_key     text        NOT NULL,
    recipient        text        NOT NULL,
    to_address       text        NULL,
    to_name          text        NULL,
    to_person_id     uuid        NULL,
    calendar         text        NOT NULL,
    data             text        NULL,
    state            text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    locked_until     timestamptz NULL,
    locked_by        text        NULL,
    last_error       text        NULL,
    created_at       timestamptz NOT NULL,
    sent_at          timestamptz NULL,
    message_id       text        NOT NULL,
    subject          text        NULL,
    html_body        text        NULL,
    text_body        text        NULL
);
-- The dispatcher's queue: only pending rows, oldest due first.
CREATE INDEX ix_outbox_messages_due ON outbox_messages (next_attempt_at) WHERE state = 'Pending';
CREATE INDEX ix_outbox_messages_referral ON outbox_messages (referral_id);
CREATE INDEX ix_outbox_messages_school_state ON outbox_messages (school_id, state);

CREATE TABLE action_links (
    id                  uuid        PRIMARY KEY,
    school_id           uuid        NOT NULL REFERENCES schools (id),
    referral_id         uuid        NOT NULL REFERENCES referrals (id),
    outbox_message_id   uuid        NULL REFERENCES outbox_messages (id),
    recipient           text        NOT NULL,
    recipient_id        uuid        NOT NULL,
    step                text        NOT NULL,
    secret_hash         bytea       NOT NULL,
    created_at          timestamptz NOT NULL,
    expires_at          timestamptz NOT NULL,
    revoked_at          timestamptz NULL,
    reminded_at         timestamptz NULL
);
CREATE INDEX ix_action_links_referral ON action_links (referral_id, step);
-- The reminder job's look-up: company links still open and not yet reminded.
CREATE INDEX ix_action_links_to_remind ON action_links (expires_at)
    WHERE step = 'Company' AND revoked_at IS NULL AND reminded_at IS NULL;

CREATE TABLE email_templates (
    school_id   uuid        NOT NULL REFERENCES schools (id),
    key         text        NOT NULL,
    subject     text        NOT NULL,
    body        text        NOT NULL,
    enabled     boolean     NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (school_id, key)
);
