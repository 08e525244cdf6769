-- Every change to an article or to one of its comments raises the
-- article's revision in the same transaction, so caches keyed on it are
-- never stale and never see it go back.
ALTER TABLE articles ADD COLUMN comments_rev bigint NOT NULL DEFAULT 0;

-- The idempotency key of the submission that made a comment, and the key
-- that makes two comments the same comment: both unique, so a form sent
-- twice or the same text twice is refused by the index itself, whatever
-- the race.
ALTER TABLE comments ADD COLUMN idem_key text NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN dup_key text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX comments_idem ON comments (idem_key) WHERE idem_key <> '';
CREATE UNIQUE INDEX comments_dup ON comments (dup_key) WHERE dup_key <> '';

CREATE FUNCTION tribune_bump_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR TG_OP = 'UPDATE' THEN
		UPDATE articles SET comments_rev = comments_rev + 1 WHERE id = OLD.article_id;
	END IF;
	IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.article_id <> OLD.article_id) THEN
		UPDATE articles SET comments_rev = comments_rev + 1 WHERE id = NEW.article_id;
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER comments_rev AFTER INSERT OR UPDATE OR DELETE ON comments
	FOR EACH ROW EXECUTE FUNCTION tribune_bump_rev();
