-- Each article keeps the counts its comment pages are cut from, and each
-- approved top-level comment its position among them (tribune.Pager),
-- both kept in the transaction of every change by the revision trigger.
-- A page is then a range of positions: what it costs does not grow with
-- the thread.
ALTER TABLE articles ADD COLUMN approved_count bigint NOT NULL DEFAULT 0,
	ADD COLUMN approved_top bigint NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved' AND parent_id IS NULL);

-- top_pos: 0, 1, 2… in thread order for an article's approved top-level
-- comments, NULL for every other comment. The trigger below is replaced
-- first, so that numbering them does not bump every revision.
DROP TRIGGER comments_rev ON comments;
ALTER TABLE comments ADD COLUMN top_pos bigint;
UPDATE comments SET top_pos = r.p FROM (
	SELECT id, ROW_NUMBER() OVER (PARTITION BY article_id ORDER BY created, id) - 1 AS p
	FROM comments WHERE status = 'approved' AND parent_id IS NULL) AS r
	WHERE comments.id = r.id;
CREATE INDEX comments_pos ON comments (article_id, top_pos) WHERE top_pos IS NOT NULL;
-- An article's approved top-level comments in thread order: finds the
-- ones newer than a comment, and counts those before one.
CREATE INDEX comments_top ON comments (article_id, created, id) WHERE parent_id IS NULL AND status = 'approved';

-- Positions move by shifts: a comment that joins takes the place of the
-- first newer one (or the end) and those after it move up by one; one
-- that leaves gives its place and those after it move down. The newest
-- comment, the usual case, costs one row.
CREATE OR REPLACE FUNCTION tribune_bump_rev() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	was boolean := false; now_in boolean := false; pos bigint;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		was := OLD.status = 'approved' AND OLD.parent_id IS NULL;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		now_in := NEW.status = 'approved' AND NEW.parent_id IS NULL;
	END IF;
	IF TG_OP = 'DELETE' THEN
		UPDATE articles SET comments_rev = comments_rev + 1,
			approved_count = approved_count - (OLD.status = 'approved')::int,
			approved_top = approved_top - was::int WHERE id = OLD.article_id;
		-- Its place is given up, unless its whole article goes (a cascade:
		-- the article's row is gone already).
		IF was AND OLD.top_pos IS NOT NULL AND FOUND THEN
			UPDATE comments SET top_pos = top_pos - 1 WHERE article_id = OLD.article_id AND top_pos > OLD.top_pos;
		END IF;
		RETURN NULL;
	END IF;
	UPDATE articles SET comments_rev = comments_rev + 1,
		approved_count = approved_count + (NEW.status = 'approved')::int
			- CASE WHEN TG_OP = 'UPDATE' THEN (OLD.status = 'approved')::int ELSE 0 END,
		approved_top = approved_top + now_in::int - was::int WHERE id = NEW.article_id;
	-- A bulk insert (pgstore's InsertComments) numbers its articles once,
	-- at its end.
	IF TG_OP = 'INSERT' AND current_setting('tribune.bulk', true) = 'on' THEN
		RETURN NULL;
	END IF;
	IF was AND NOT now_in AND OLD.top_pos IS NOT NULL THEN
		UPDATE comments SET top_pos = NULL WHERE id = NEW.id;
		UPDATE comments SET top_pos = top_pos - 1 WHERE article_id = NEW.article_id AND top_pos > OLD.top_pos;
	ELSIF now_in AND NOT was THEN
		SELECT MIN(o.top_pos) INTO pos FROM comments o WHERE o.article_id = NEW.article_id AND o.status = 'approved'
			AND o.parent_id IS NULL AND o.id <> NEW.id AND (o.created, o.id) > (NEW.created, NEW.id);
		IF pos IS NULL THEN
			SELECT approved_top - 1 INTO pos FROM articles WHERE id = NEW.article_id;
		ELSE
			UPDATE comments SET top_pos = top_pos + 1 WHERE article_id = NEW.article_id AND top_pos >= pos;
		END IF;
		UPDATE comments SET top_pos = pos WHERE id = NEW.id;
	END IF;
	RETURN NULL;
END $$;
-- Every column but top_pos, which only this trigger writes.
CREATE TRIGGER comments_rev AFTER INSERT OR DELETE OR UPDATE OF article_id, parent_id, author_name, email, email_key,
	website, body, status, created, version, client_hash, user_agent, idem_key, dup_key, user_id ON comments
	FOR EACH ROW EXECUTE FUNCTION tribune_bump_rev();
