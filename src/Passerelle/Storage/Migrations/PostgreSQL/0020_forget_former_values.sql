-- People erased before erasures forgot the former values of their fields (04/12/2026): their own histories keep which
-- identity fields were changed, and when, not the values, as for anyone erased since (ChangeHistory.ForgetValuesAsync,
-- PersonFields). A data fix, once: nothing of the schema changes.
UPDATE change_records AS r
SET changes = (
    SELECT jsonb_agg(CASE
        WHEN f->>'field' IN ('Nom', 'Prénom', 'Téléphone', 'Adresse e-mail', 'Nouvelle adresse e-mail (à confirmer)', 'Identifiant', 'Identifiant externe')
             AND (f->>'before' IS NOT NULL OR f->>'after' IS NOT NULL)
        THEN jsonb_build_object('field', f->'field', 'before', NULL, 'after', NULL, 'valuesErased', true)
        ELSE f END ORDER BY e.n)
    FROM jsonb_array_elements(r.changes::jsonb) WITH ORDINALITY AS e(f, n))::text
WHERE jsonb_array_length(r.changes::jsonb) > 0
  AND ((r.subject_kind = 'Candidate' AND EXISTS (SELECT 1 FROM candidates c WHERE c.id = r.subject_id AND c.erased_at IS NOT NULL))
    OR (r.subject_kind = 'CompanyContact' AND EXISTS (SELECT 1 FROM company_contacts c WHERE c.id = r.subject_id AND c.erased_at IS NOT NULL))
    OR (r.subject_kind = 'Staff' AND EXISTS (SELECT 1 FROM staff s WHERE s.id = r.subject_id AND s.erased_at IS NOT NULL)));
