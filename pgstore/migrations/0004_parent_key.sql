-- A reply names a stored comment: the foreign key refuses a reply to a
-- comment deleted at the same moment, and the delete of a comment that
-- has replies (tribune.DeleteComment moves them up first). Replies left
-- without their parent by an older version become top-level comments.
UPDATE comments SET parent_id = NULL
	WHERE parent_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM comments p WHERE p.id = comments.parent_id);
ALTER TABLE comments ADD CONSTRAINT comments_parent_fk FOREIGN KEY (parent_id) REFERENCES comments (id);
