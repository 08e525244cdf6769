-- The host's ID of a signed-in author (widget.WithIdentity), or ''.
ALTER TABLE comments ADD COLUMN user_id text NOT NULL DEFAULT '';
