-- Webhooks (issue 15): a school's endpoints and the deliveries of its events, written in the transaction of the event and
-- delivered by their own dispatcher (Webhooks/WebhookSender.cs), in order per referral and endpoint.
CREATE TABLE webhook_endpoints (
    id                        TEXT        PRIMARY KEY,
    school_id                 TEXT        NOT NULL REFERENCES schools (id),
    url                       TEXT        NOT NULL,
    -- The event types wanted, separated by spaces; '*' for all.
    events                    TEXT        NOT NULL,
    -- The signing secrets, protected with the data-protection keys (never stored in clear); the previous one is still
    -- used for 24 hours after a rotation.
    secret                    TEXT        NOT NULL,
    previous_secret           TEXT        NULL,
    previous_secret_until     INTEGER     NULL,
    created_at                INTEGER     NOT NULL,
    created_by                TEXT        NOT NULL,
    disabled_at               INTEGER     NULL
);
CREATE INDEX ix_webhook_endpoints_school ON webhook_endpoints (school_id);

CREATE TABLE webhook_deliveries (
    id               TEXT        PRIMARY KEY,
    school_id        TEXT        NOT NULL REFERENCES schools (id),
    endpoint_id      TEXT        NOT NULL REFERENCES webhook_endpoints (id),
    event_type       TEXT        NOT NULL,
    -- The referral the event is about and its place in the referral's timeline: deliveries of one referral to one
    -- endpoint go in that order.
    referral_id      TEXT        NULL REFERENCES referrals (id),
    event_sequence   INTEGER     NOT NULL,
    payload          TEXT        NOT NULL,
    created_at       INTEGER     NOT NULL,
    state            TEXT        NOT NULL,
    attempts         INTEGER     NOT NULL,
    next_attempt_at  INTEGER     NOT NULL,
    locked_until     INTEGER     NULL,
    locked_by        TEXT        NULL,
    sent_at          INTEGER     NULL,
    last_status      INTEGER     NULL,
    last_duration_ms INTEGER     NULL,
    last_error       TEXT        NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (endpoint_id, referral_id, event_sequence) WHERE state = 'Pending';
CREATE INDEX ix_webhook_deliveries_school ON webhook_deliveries (school_id, created_at);
