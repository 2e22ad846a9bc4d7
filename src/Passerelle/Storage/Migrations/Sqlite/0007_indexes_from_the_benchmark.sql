-- Found by the benchmark (issue 6): see the PostgreSQL script of the same number.
CREATE INDEX ix_action_links_outbox_message ON action_links (outbox_message_id);

DROP INDEX ix_referrals_school_contact_created;
CREATE INDEX ix_referrals_school_contact_created ON referrals (school_id, contact_id, created_at DESC, id DESC);
