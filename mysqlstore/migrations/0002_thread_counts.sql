-- Each article keeps the counts its comment pages are cut from
-- (tribune.Pager), kept by the store in the transaction of every change:
-- the number of approved comments and of approved top-level ones.
ALTER TABLE articles ADD COLUMN approved_count BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN approved_top BIGINT NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE comments.article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE comments.article_id = articles.id AND status = 'approved' AND parent_id IS NULL);
-- The pages' index: an article's approved top-level comments in thread
-- order (MySQL has no partial index; IS NULL is an index look-up).
CREATE INDEX comments_top ON comments (article_id, status, parent_id, created, id);
