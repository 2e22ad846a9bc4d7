-- Webhooks (issue 15): a school's endpoints and the deliveries of its events, written in the transaction of the event and
-- delivered by their own dispatcher (Webhooks/WebhookSender.cs), in order per referral and endpoint.
CREATE TABLE webhook_endpoints (
    id                        uuid        PRIMARY KEY,
    school_id                 uuid        NOT NULL REFERENCES schools (id),
    url                       text        NOT NULL,
    -- The event types wanted, separated by spaces; '*' for all.
    events                    text        NOT NULL,
    -- The signing secrets, protected with the data-protection keys (never stored in clear); the previous one is still
    -- used for 24 hours after a rotation.
    secret                    text        NOT NULL,
    previous_secret           text        NULL,
    previous_secret_until     timestamptz NULL,
    created_at                timestamptz NOT NULL,
    created_by                text        NOT NULL,
    disabled_at               timestamptz NULL
);
CREATE INDEX ix_webhook_endpoints_school ON webhook_endpoints (school_id);

CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    school_id        uuid        NOT NULL REFERENCES schools (id),
    endpoint_id      uuid        NOT NULL REFERENCES webhook_endpoints (id),
    event_type       text        NOT NULL,
    -- The referral the event is about and its place in the referral's timeline: deliveries of one referral to one
    -- endpoint go in that order.
    referral_id      uuid        NULL REFERENCES referrals (id),
    event_sequence   integer     NOT NULL,
    payload          text        NOT NULL,
    created_at       timestamptz NOT NULL,
    state            text        NOT NULL,
    attempts         integer     NOT NULL,
    next_attempt_at  timestamptz NOT NULL,
    locked_until     timestamptz NULL,
    locked_by        text        NULL,
    sent_at          timestamptz NULL,
    last_status      integer     NULL,
    last_duration_ms integer     NULL,
    last_error       text        NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (endpoint_id, referral_id, event_sequence) WHERE state = 'Pending';
CREATE INDEX ix_webhook_deliveries_school ON webhook_deliveries (school_id, created_at);
