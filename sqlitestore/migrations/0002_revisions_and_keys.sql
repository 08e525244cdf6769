-- Every change to an article or to one of its comments raises the
-- article's revision in the same transaction, so caches keyed on it are
-- never stale and never see it go back.
ALTER TABLE articles ADD COLUMN comments_rev INTEGER NOT NULL DEFAULT 0;

-- The idempotency key of the submission that made a comment, and the key
-- that makes two comments the same comment: both unique, so a form sent
-- twice or the same text twice is refused by the index itself.
ALTER TABLE comments ADD COLUMN idem_key TEXT NOT NULL DEFAULT '';
ALTER TABLE comments ADD COLUMN dup_key TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX comments_idem ON comments (idem_key) WHERE idem_key <> '';
CREATE UNIQUE INDEX comments_dup ON comments (dup_key) WHERE dup_key <> '';

CREATE TRIGGER comments_rev_insert AFTER INSERT ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1 WHERE id = NEW.article_id;
END;
CREATE TRIGGER comments_rev_update AFTER UPDATE ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1 WHERE id IN (OLD.article_id, NEW.article_id);
END;
CREATE TRIGGER comments_rev_delete AFTER DELETE ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1 WHERE id = OLD.article_id;
END;
