-- Accounts: lockout counters, the company contact's last chosen school, single-use account tokens
-- (password reset, first password), and the data-protection key ring shared by every instance.

ALTER TABLE company_contacts ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE company_contacts ADD COLUMN locked_until timestamptz NULL;
ALTER TABLE company_contacts ADD COLUMN last_school_id uuid NULL REFERENCES schools (id);

-- An appointment mail's links answer that appointment only: a newer proposal makes them stale.
ALTER TABLE action_links ADD COLUMN appointment_sequence integer NULL;

ALTER TABLE staff ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until timestamptz NULL;

CREATE TABLE account_tokens (
    id            uuid        PRIMARY KEY,
    account_kind  text        NOT NULL,
    account_id    uuid        NOT NULL,
    purpose       text        NOT NULL,
    secret_hash   bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz NULL
);
CREATE INDEX ix_account_tokens_account ON account_tokens (account_kind, account_id);

CREATE TABLE data_protection_keys (
    name        text        PRIMARY KEY,
    xml         text        NOT NULL,
    created_at  timestamptz NOT NULL
);
