-- Consent before mail: an address may opt out of all mail, a subscription
-- is confirmed before it sends anything, and uses of keys are counted
-- across instances (single-use links, per-recipient budgets).
ALTER TABLE mail_addresses ADD COLUMN opted_out DATETIME(6) NULL;
ALTER TABLE mail_subscriptions ADD COLUMN confirmed DATETIME(6) NULL;
-- Subscriptions made before this rule by an address its owner proved
-- stay live.
UPDATE mail_subscriptions SET confirmed = created
	WHERE active AND email_key IN (SELECT email_key FROM mail_addresses WHERE verified IS NOT NULL);

CREATE TABLE limits (
	`key`   VARCHAR(191) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	n       INT NOT NULL,
	`reset` DATETIME(6) NOT NULL,
	KEY limits_reset (`reset`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
