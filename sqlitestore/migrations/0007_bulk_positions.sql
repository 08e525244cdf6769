-- Bulk inserts number positions once per batch: an import of comments
-- older than a live thread used to renumber the thread once for each
-- comment inserted (a per-row trigger), holding the write lock for
-- minutes. While an article is listed in bulk_articles (inside the bulk
-- insert's transaction only), the insert trigger leaves positions to the
-- store, which numbers the article's comments in one statement before
-- it commits.
CREATE TABLE bulk_articles (
	article_id TEXT PRIMARY KEY
) STRICT;

DROP TRIGGER comments_rev_insert;
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
		AND NOT EXISTS (SELECT 1 FROM bulk_articles b WHERE b.article_id = NEW.article_id)
		AND (NEW.top_pos IS NULL OR EXISTS (SELECT 1 FROM comments o WHERE o.article_id = NEW.article_id AND o.status = 'approved'
			AND o.parent_id IS NULL AND o.created >= NEW.created AND o.id <> NEW.id
			AND (o.created > NEW.created OR o.id > NEW.id)));
	UPDATE comments SET top_pos = top_pos + 1
		WHERE article_id = NEW.article_id AND id <> NEW.id AND NEW.status = 'approved' AND NEW.parent_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM bulk_articles b WHERE b.article_id = NEW.article_id)
		AND top_pos >= (SELECT top_pos FROM comments WHERE id = NEW.id);
END;

