-- Consent before mail: an address may opt out of all mail, a subscription
-- is confirmed before it sends anything, and uses of keys are counted
-- across instances (single-use links, per-recipient budgets).
ALTER TABLE mail_addresses ADD COLUMN opted_out INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_subscriptions ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
-- Subscriptions made before this rule by an address its owner proved
-- stay live.
UPDATE mail_subscriptions SET confirmed = created
	WHERE active = 1 AND email_key IN (SELECT email_key FROM mail_addresses WHERE verified <> 0);

CREATE TABLE limits (
	key   TEXT PRIMARY KEY,
	n     INTEGER NOT NULL,
	reset INTEGER NOT NULL
) STRICT;
CREATE INDEX limits_reset ON limits (reset);
