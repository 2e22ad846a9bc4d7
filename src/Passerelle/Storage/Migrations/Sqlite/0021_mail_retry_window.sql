-- A mail that cannot go is retried for a period (Email:RetryHours), counted from its first failure, instead of a number of
-- attempts: an SMTP server down for an hour delayed mail, then failed it for good. "Renvoyer" starts a new period.
ALTER TABLE outbox_messages ADD COLUMN failing_since INTEGER NULL;
