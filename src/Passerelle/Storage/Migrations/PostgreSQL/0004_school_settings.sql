-- School settings: the refusal reasons offered to companies (one per line) and the school notifications
-- turned off (template keys, comma-separated). Existing schools keep every notification and no reason.

ALTER TABLE schools ADD COLUMN refusal_reasons text NOT NULL DEFAULT '';
ALTER TABLE schools ADD COLUMN muted_notifications text NOT NULL DEFAULT '';
