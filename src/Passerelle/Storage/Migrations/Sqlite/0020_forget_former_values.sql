-- People erased before erasures forgot the former values of their fields (04/12/2026): their own histories keep which
-- identity fields were changed, and when, not the values, as for anyone erased since (ChangeHistory.ForgetValuesAsync,
-- PersonFields). A data fix, once: nothing of the schema changes.
UPDATE change_records
SET changes = (
    SELECT json_group_array(json(CASE
        WHEN json_extract(e.value, '$.field') IN ('Nom', 'Prénom', 'Téléphone', 'Adresse e-mail', 'Nouvelle adresse e-mail (à confirmer)', 'Identifiant', 'Identifiant externe')
             AND (json_extract(e.value, '$.before') IS NOT NULL OR json_extract(e.value, '$.after') IS NOT NULL)
        THEN json_object('field', json_extract(e.value, '$.field'), 'before', NULL, 'after', NULL, 'valuesErased', json('true'))
        ELSE e.value END))
    FROM (SELECT value FROM json_each(change_records.changes) ORDER BY key) AS e)
WHERE json_array_length(changes) > 0
  AND ((subject_kind = 'Candidate' AND EXISTS (SELECT 1 FROM candidates c WHERE c.id = change_records.subject_id AND c.erased_at IS NOT NULL))
    OR (subject_kind = 'CompanyContact' AND EXISTS (SELECT 1 FROM company_contacts c WHERE c.id = change_records.subject_id AND c.erased_at IS NOT NULL))
    OR (subject_kind = 'Staff' AND EXISTS (SELECT 1 FROM staff s WHERE s.id = change_records.subject_id AND s.erased_at IS NOT NULL)));
