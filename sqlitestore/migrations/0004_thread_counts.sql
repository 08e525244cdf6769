-- Each article keeps the counts its comment pages are cut from, and each
-- approved top-level comment its position among them (tribune.Pager),
-- both kept in the transaction of every change by the revision triggers,
-- which become one trigger a change. A page is then a range of positions:
-- what it costs does not grow with the thread.
ALTER TABLE articles ADD COLUMN approved_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE articles ADD COLUMN approved_top INTEGER NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved' AND parent_id IS NULL);

-- top_pos: 0, 1, 2… in thread order for an article's approved top-level
-- comments, NULL for every other comment.
ALTER TABLE comments ADD COLUMN top_pos INTEGER;
UPDATE comments SET top_pos = r.p FROM (
	SELECT id, ROW_NUMBER() OVER (PARTITION BY article_id ORDER BY created, id) - 1 AS p
	FROM comments WHERE status = 'approved' AND parent_id IS NULL) AS r
	WHERE comments.id = r.id;
CREATE INDEX comments_pos ON comments (article_id, top_pos) WHERE top_pos IS NOT NULL;
-- An article's top-level comments by status in thread order: finds the
-- ones newer than a comment, and counts those before one.
CREATE INDEX comments_top ON comments (article_id, status, parent_id, created, id);

DROP TRIGGER comments_rev_insert;
DROP TRIGGER comments_rev_update;
DROP TRIGGER comments_rev_delete;

-- Positions move by shifts: a comment that joins takes the place of the
-- first newer one (or the end) and those after it move up by one; one
-- that leaves gives its place and those after it move down. The newest
-- comment, the usual case, costs one row; a change costs what the
-- comments newer than it do.

-- A new comment: the revision and counts, and its position. The store's
-- insert gives an approved top-level comment the next position (the end);
-- when newer ones exist, it takes the place of the first of them and they
-- move up. The newest comment costs two index probes and no write here.
CREATE TRIGGER comments_rev_insert AFTER INSERT ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count + (NEW.status = 'approved'),
		approved_top = approved_top + (NEW.status = 'approved' AND NEW.parent_id IS NULL)
		WHERE id = NEW.article_id;
	UPDATE comments SET top_pos = COALESCE(
		(SELECT MIN(o.top_pos) FROM comments o WHERE o.article_id = NEW.article_id AND o.status = 'approved'
			AND o.parent_id IS NULL AND o.created >= NEW.created AND o.id <> NEW.id
			AND (o.created > NEW.created OR o.id > NEW.id)),
		(SELECT approved_top - 1 FROM articles WHERE id = NEW.article_id))
		WHERE id = NEW.id AND NEW.status = 'approved' AND NEW.parent_id IS NULL
		AND (NEW.top_pos IS NULL OR EXISTS (SELECT 1 FROM comments o WHERE o.article_id = NEW.article_id AND o.status = 'approved'
			AND o.parent_id IS NULL AND o.created >= NEW.created AND o.id <> NEW.id
			AND (o.created > NEW.created OR o.id > NEW.id)));
	UPDATE comments SET top_pos = top_pos + 1
		WHERE article_id = NEW.article_id AND id <> NEW.id AND NEW.status = 'approved' AND NEW.parent_id IS NULL
		AND top_pos >= (SELECT top_pos FROM comments WHERE id = NEW.id);
END;

-- A changed comment (any column but top_pos, which only these triggers
-- write): the revision and counts; a comment that leaves the positions
-- gives its place up, one that joins them is placed as on insert.
CREATE TRIGGER comments_rev_update AFTER UPDATE OF article_id, parent_id, author_name, email, email_key, website, body,
	status, created, version, client_hash, user_agent, idem_key, dup_key, user_id ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count - (OLD.status = 'approved') + (NEW.status = 'approved'),
		approved_top = approved_top - (OLD.status = 'approved' AND OLD.parent_id IS NULL) + (NEW.status = 'approved' AND NEW.parent_id IS NULL)
		WHERE id = NEW.article_id;
	-- Leaving.
	UPDATE comments SET top_pos = NULL
		WHERE id = NEW.id AND OLD.top_pos IS NOT NULL AND NOT (NEW.status = 'approved' AND NEW.parent_id IS NULL);
	UPDATE comments SET top_pos = top_pos - 1
		WHERE article_id = NEW.article_id AND top_pos > OLD.top_pos
		AND OLD.top_pos IS NOT NULL AND NOT (NEW.status = 'approved' AND NEW.parent_id IS NULL);
	-- Joining.
	UPDATE comments SET top_pos = COALESCE(
		(SELECT MIN(o.top_pos) FROM comments o WHERE o.article_id = NEW.article_id AND o.status = 'approved'
			AND o.parent_id IS NULL AND o.created >= NEW.created AND o.id <> NEW.id
			AND (o.created > NEW.created OR o.id > NEW.id)),
		(SELECT approved_top - 1 FROM articles WHERE id = NEW.article_id))
		WHERE id = NEW.id AND OLD.top_pos IS NULL AND NEW.status = 'approved' AND NEW.parent_id IS NULL;
	UPDATE comments SET top_pos = top_pos + 1
		WHERE article_id = NEW.article_id AND id <> NEW.id
		AND OLD.top_pos IS NULL AND NEW.status = 'approved' AND NEW.parent_id IS NULL
		AND top_pos >= (SELECT top_pos FROM comments WHERE id = NEW.id);
END;

-- A deleted comment: the revision and counts; its place is given up,
-- unless its whole article goes (ON DELETE CASCADE: the article's row is
-- gone already).
CREATE TRIGGER comments_rev_delete AFTER DELETE ON comments BEGIN
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count - (OLD.status = 'approved'),
		approved_top = approved_top - (OLD.status = 'approved' AND OLD.parent_id IS NULL)
		WHERE id = OLD.article_id;
	UPDATE comments SET top_pos = top_pos - 1
		WHERE article_id = OLD.article_id AND top_pos > OLD.top_pos
		AND OLD.top_pos IS NOT NULL AND EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id);
END;
