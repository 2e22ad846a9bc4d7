-- Retention (issue 16): each school keeps its candidates this many months after their last activity (default 24, at least 6),
-- warns them by mail 30 days before unless it turned the warning off, and a daily job erases them.
ALTER TABLE schools ADD COLUMN retention_months integer NOT NULL DEFAULT 24;
ALTER TABLE schools ADD COLUMN retention_warning INTEGER NOT NULL DEFAULT 1;
-- When the candidate was warned (for the activity before it: new activity makes a new warning due).
ALTER TABLE candidates ADD COLUMN retention_warned_at INTEGER NULL;
