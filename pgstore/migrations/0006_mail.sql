-- When the author last edited a comment (NULL: never).
ALTER TABLE comments ADD COLUMN edited timestamptz;

-- The outbox: mails kept until the server took them.
CREATE TABLE mail_outbox (
	id            uuid PRIMARY KEY,
	mail_key      text NOT NULL UNIQUE, -- one mail per event
	kind          text NOT NULL,
	recipient     text NOT NULL,
	recipient_key text NOT NULL,        -- the address in lower case, for erasure
	sender        text NOT NULL,
	subject       text NOT NULL,
	text_body     text NOT NULL,
	html_body     text NOT NULL,
	lang          text NOT NULL,
	unsubscribe   text NOT NULL,
	state         text NOT NULL CHECK (state IN ('queued', 'sent', 'failed')),
	queued        timestamptz NOT NULL,
	due           timestamptz NOT NULL,
	attempts      integer NOT NULL,
	sent          timestamptz,
	last_error    text NOT NULL DEFAULT ''
);
-- Workers claim the due mails in due order: only queued ones are indexed.
CREATE INDEX mail_outbox_due ON mail_outbox (due, id) WHERE state = 'queued';
CREATE INDEX mail_outbox_state ON mail_outbox (state, queued DESC, id DESC);
CREATE INDEX mail_outbox_recipient ON mail_outbox (recipient_key);

-- Addresses whose owners proved them theirs, and reply subscriptions.
CREATE TABLE mail_addresses (
	id           uuid PRIMARY KEY,
	email_key    text NOT NULL UNIQUE,
	verified     timestamptz,
	confirm_sent timestamptz
);

CREATE TABLE mail_subscriptions (
	comment_id uuid PRIMARY KEY,
	email_key  text NOT NULL,
	created    timestamptz NOT NULL,
	active     boolean NOT NULL
);
CREATE INDEX mail_subscriptions_email ON mail_subscriptions (email_key);
