-- Accounts: lockout counters, the company contact's last chosen school, single-use account tokens
-- (password reset, first password), and the data-protection key ring shared by every instance.

ALTER TABLE company_contacts ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE company_contacts ADD COLUMN locked_until INTEGER     NULL;
ALTER TABLE company_contacts ADD COLUMN last_school_id TEXT NULL REFERENCES schools (id);

-- An appointment mail's links answer that appointment only: a newer proposal makes them stale.
ALTER TABLE action_links ADD COLUMN appointment_sequence INTEGER NULL;

ALTER TABLE staff ADD COLUMN failed_logins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until INTEGER     NULL;

CREATE TABLE account_tokens (
    id            TEXT        PRIMARY KEY,
    account_kind  TEXT        NOT NULL,
    account_id    TEXT        NOT NULL,
    purpose       TEXT        NOT NULL,
    secret_hash   BLOB        NOT NULL,
    created_at    INTEGER     NOT NULL,
    expires_at    INTEGER     NOT NULL,
    used_at       INTEGER     NULL
);
CREATE INDEX ix_account_tokens_account ON account_tokens (account_kind, account_id);

CREATE TABLE data_protection_keys (
    name        TEXT        PRIMARY KEY,
    xml         TEXT        NOT NULL,
    created_at  INTEGER     NOT NULL
);
