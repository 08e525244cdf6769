-- When the author last edited a comment (NULL: never).
ALTER TABLE comments ADD COLUMN edited DATETIME(6) NULL;

-- The outbox: mails kept until the server took them.
CREATE TABLE mail_outbox (
	id            CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	mail_key      VARCHAR(255) NOT NULL, -- one mail per event
	kind          VARCHAR(32) NOT NULL,
	recipient     VARCHAR(255) NOT NULL,
	recipient_key VARCHAR(255) NOT NULL, -- the address in lower case, for erasure
	sender        TEXT NOT NULL,
	subject       TEXT NOT NULL,
	text_body     MEDIUMTEXT NOT NULL,
	html_body     MEDIUMTEXT NOT NULL,
	lang          VARCHAR(64) NOT NULL,
	unsubscribe   TEXT NOT NULL,
	state         VARCHAR(8) CHARACTER SET ascii NOT NULL,
	queued        DATETIME(6) NOT NULL,
	due           DATETIME(6) NOT NULL,
	attempts      INT NOT NULL,
	sent          DATETIME(6) NULL,
	last_error    TEXT NOT NULL,
	UNIQUE KEY mail_outbox_key (mail_key),
	KEY mail_outbox_due (state, due, id),
	KEY mail_outbox_state (state, queued, id),
	KEY mail_outbox_recipient (recipient_key),
	CONSTRAINT mail_outbox_state_check CHECK (state IN ('queued', 'sent', 'failed'))
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

-- Addresses whose owners proved them theirs, and reply subscriptions.
CREATE TABLE mail_addresses (
	id           CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	email_key    VARCHAR(255) NOT NULL,
	verified     DATETIME(6) NULL,
	confirm_sent DATETIME(6) NULL,
	UNIQUE KEY mail_addresses_key (email_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE mail_subscriptions (
	comment_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	email_key  VARCHAR(255) NOT NULL,
	created    DATETIME(6) NOT NULL,
	active     BOOLEAN NOT NULL,
	KEY mail_subscriptions_email (email_key)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
