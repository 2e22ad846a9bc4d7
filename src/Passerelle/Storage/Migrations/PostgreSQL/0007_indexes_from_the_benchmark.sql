-- Found by the benchmark (issue 6).
-- Composing a mail revokes the links an earlier attempt of the same mail made (WHERE outbox_message_id = …):
-- without an index every mail read the whole action_links table (773 million rows read for 22,000 mails).
CREATE INDEX ix_action_links_outbox_message ON action_links (outbox_message_id);

-- The company list pages through one contact's referrals newest first, ties by id: the index now has the same
-- order, so PostgreSQL reads the page straight from it (and the oldest-first order backwards).
DROP INDEX ix_referrals_school_contact_created;
CREATE INDEX ix_referrals_school_contact_created ON referrals (school_id, contact_id, created_at DESC, id DESC);

-- A contact works with few schools: school and contact are far from independent, and without this the planner
-- guessed 6 referrals where there were 200 (and chose to sort them all).
CREATE STATISTICS st_referrals_school_contact (dependencies, ndistinct) ON school_id, contact_id FROM referrals;
ANALYZE referrals;
