-- Consent before mail: an address may opt out of all mail, a subscription
-- is confirmed before it sends anything, and uses of keys are counted
-- across instances (single-use links, per-recipient budgets).
ALTER TABLE mail_addresses ADD COLUMN opted_out timestamptz;
ALTER TABLE mail_subscriptions ADD COLUMN confirmed timestamptz;
-- Subscriptions made before this rule by an address its owner proved
-- stay live.
UPDATE mail_subscriptions SET confirmed = created
	WHERE active AND email_key IN (SELECT email_key FROM mail_addresses WHERE verified IS NOT NULL);

CREATE TABLE limits (
	key   text PRIMARY KEY,
	n     integer NOT NULL,
	reset timestamptz NOT NULL
);
CREATE INDEX limits_reset ON limits (reset);
