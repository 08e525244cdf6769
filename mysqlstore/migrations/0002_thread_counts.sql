-- Each article keeps the counts its comment pages are cut from, and each
-- approved top-level comment its position among them (tribune.Pager),
-- kept by the store in the transaction of every change: a page is then a
-- range of positions, whatever the size of the thread.
ALTER TABLE articles ADD COLUMN approved_count BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN approved_top BIGINT NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE comments.article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE comments.article_id = articles.id AND status = 'approved' AND parent_id IS NULL);
-- top_pos: 0, 1, 2… in thread order for an article's approved top-level
-- comments, NULL for every other comment.
ALTER TABLE comments ADD COLUMN top_pos BIGINT NULL;
UPDATE comments c JOIN (
	SELECT id, ROW_NUMBER() OVER (PARTITION BY article_id ORDER BY created, id) - 1 AS p
	FROM comments WHERE status = 'approved' AND parent_id IS NULL) r ON c.id = r.id
	SET c.top_pos = r.p;
CREATE INDEX comments_pos ON comments (article_id, top_pos);
-- An article's top-level comments by status in thread order (MySQL has no
-- partial index; IS NULL is an index look-up): finds the ones newer than
-- a comment, and counts those before one.
CREATE INDEX comments_top ON comments (article_id, status, parent_id, created, id);
