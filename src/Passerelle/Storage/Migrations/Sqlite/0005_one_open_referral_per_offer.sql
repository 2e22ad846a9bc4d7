-- A candidate is referred once per offer (unless the referral was cancelled): two clicks on "Créer" at the
-- same moment cannot make two referrals and two offer mails.
CREATE UNIQUE INDEX ux_referrals_open_candidate_offer ON referrals (candidate_id, job_offer_id) WHERE cancelled_at IS NULL;
