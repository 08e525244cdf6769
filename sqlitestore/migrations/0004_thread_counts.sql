-- Each article keeps the counts its comment pages are cut from, raised and
-- lowered in the transaction of every change (tribune.Pager): the number
-- of approved comments and of approved top-level ones. The revision
-- triggers become one trigger a change, updating the revision and the
-- counts in one UPDATE.
ALTER TABLE articles ADD COLUMN approved_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN approved_top INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved' AND parent_id IS NULL);

-- The pages' own index: an article's top-level comments by status in
-- thread order, covering the page query (SQLite's planner prefers
-- comments_thread over a partial index here, and then reads every row).
CREATE INDEX comments_top ON comments (article_id, status, parent_id, created, id);

DROP TRIGGER comments_rev_insert;
DROP TRIGGER comments_rev_update;
DROP TRIGGER comments_rev_delete;
CREATE TRIGGER comments_rev_insert AFTER INSERT ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count + (NEW.status = 'approved'),
		approved_top = approved_top + (NEW.status = 'approved' AND NEW.parent_id IS NULL)
		WHERE id = NEW.article_id;
END;
CREATE TRIGGER comments_rev_update AFTER UPDATE ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count - (OLD.status = 'approved') + (NEW.status = 'approved'),
		approved_top = approved_top - (OLD.status = 'approved' AND OLD.parent_id IS NULL) + (NEW.status = 'approved' AND NEW.parent_id IS NULL)
		WHERE id = NEW.article_id;
END;
CREATE TRIGGER comments_rev_delete AFTER DELETE ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count - (OLD.status = 'approved'),
		approved_top = approved_top - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
		WHERE id = OLD.article_id;
END;
