-- When the author last edited a comment (Unix microseconds, 0 = never).
ALTER TABLE comments ADD COLUMN edited INTEGER NOT NULL DEFAULT 0;

-- The outbox: mails kept until the server took them.
CREATE TABLE mail_outbox (
	id          TEXT PRIMARY KEY,
	mail_key    TEXT NOT NULL UNIQUE, -- one mail per event
	kind        TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	recipient_key TEXT NOT NULL,      -- the address in lower case, for erasure
	sender      TEXT NOT NULL,
	subject     TEXT NOT NULL,
	text_body   TEXT NOT NULL,
	html_body   TEXT NOT NULL,
	lang        TEXT NOT NULL,
	unsubscribe TEXT NOT NULL,
	state       TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
	queued      INTEGER NOT NULL,
	due         INTEGER NOT NULL,
	attempts    INTEGER NOT NULL,
	sent        INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT ''
) STRICT;
-- Workers claim the due mails in due order: only queued ones are indexed.
CREATE INDEX mail_outbox_due ON mail_outbox (due, id) WHERE state = 'queued';
CREATE INDEX mail_outbox_state ON mail_outbox (state, queued DESC, id DESC);
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient_key);

-- Addresses whose owners proved them theirs, and reply subscriptions.
CREATE TABLE mail_addresses (
	id           TEXT PRIMARY KEY,
	email_key    TEXT NOT NULL UNIQUE,
	verified     INTEGER NOT NULL DEFAULT 0,
	confirm_sent INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE mail_subscriptions (
	comment_id TEXT PRIMARY KEY,
	email_key  TEXT NOT NULL,
	created    INTEGER NOT NULL,
	active     INTEGER NOT NULL
) STRICT;
CREATE INDEX mail_subscriptions_email ON mail_subscriptions (email_key);
