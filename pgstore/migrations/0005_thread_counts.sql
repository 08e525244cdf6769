-- Each article keeps the counts its comment pages are cut from, raised and
-- lowered in the transaction of every change (tribune.Pager): the number
-- of approved comments and of approved top-level ones, updated by the
-- revision trigger in its one UPDATE.
ALTER TABLE articles ADD COLUMN approved_count bigint NOT NULL DEFAULT 0,
	ADD COLUMN approved_top bigint NOT NULL DEFAULT 0;
UPDATE articles SET
	approved_count = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved'),
	approved_top = (SELECT COUNT(*) FROM comments WHERE article_id = articles.id AND status = 'approved' AND parent_id IS NULL);

-- The pages' own index: an article's approved top-level comments in
-- thread order.
CREATE INDEX comments_top ON comments (article_id, created, id) WHERE parent_id IS NULL AND status = 'approved';

CREATE OR REPLACE FUNCTION tribune_bump_rev() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	old_all int := 0; old_top int := 0; new_all int := 0; new_top int := 0;
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.status = 'approved' THEN
		old_all := 1;
		IF OLD.parent_id IS NULL THEN old_top := 1; END IF;
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.status = 'approved' THEN
		new_all := 1;
		IF NEW.parent_id IS NULL THEN new_top := 1; END IF;
	END IF;
	IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND NEW.article_id <> OLD.article_id) THEN
		UPDATE articles SET comments_rev = comments_rev + 1, approved_count = approved_count - old_all,
			approved_top = approved_top - old_top WHERE id = OLD.article_id;
		old_all := 0; old_top := 0;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		UPDATE articles SET comments_rev = comments_rev + 1, approved_count = approved_count + new_all - old_all,
			approved_top = approved_top + new_top - old_top WHERE id = NEW.article_id;
	END IF;
	RETURN NULL;
END $$;
