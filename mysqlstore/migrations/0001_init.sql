-- Tribune's schema for MySQL 8 and MariaDB 10.6+. Every text is utf8mb4
-- with a binary collation: accents and case are kept apart, so two slugs
-- or two email keys that differ by one accent are two values, as on
-- PostgreSQL and SQLite. IDs and hashes are ASCII.
CREATE TABLE articles (
	id              CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	slug            VARCHAR(255) NOT NULL,
	title           TEXT NOT NULL,
	summary         TEXT NOT NULL,
	body            MEDIUMTEXT NOT NULL,
	author          TEXT NOT NULL,
	lang            VARCHAR(64) NOT NULL,
	published       DATETIME(6) NOT NULL, -- UTC
	updated         DATETIME(6) NOT NULL,
	comments_closed BOOLEAN NOT NULL DEFAULT FALSE,
	-- The article's revision (tribune.Stamp): raised by the store in the
	-- transaction of every change to the article or one of its comments.
	comments_rev    BIGINT NOT NULL DEFAULT 0,
	UNIQUE KEY articles_slug (slug),
	KEY articles_newest (published DESC, id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE comments (
	id          CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
	article_id  CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	parent_id   CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NULL,
	author_name TEXT NOT NULL,
	email       VARCHAR(320) NOT NULL,
	email_key   VARCHAR(320) NOT NULL, -- tribune.Email.Key()
	website     TEXT NOT NULL,
	body        MEDIUMTEXT NOT NULL,
	status      VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
	created     DATETIME(6) NOT NULL, -- UTC
	version     INT NOT NULL,
	client_hash VARCHAR(255) NOT NULL,
	user_agent  TEXT NOT NULL,
	-- MySQL has no partial index: an absent key is NULL, which a unique
	-- index lets repeat.
	idem_key    VARCHAR(255) NULL,
	dup_key     VARCHAR(255) NULL,
	user_id     VARCHAR(255) NOT NULL DEFAULT '',
	CONSTRAINT comments_status_check CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
	CONSTRAINT comments_article_fk FOREIGN KEY (article_id) REFERENCES articles (id) ON DELETE CASCADE,
	-- A reply names a stored comment: a reply to a comment deleted at the
	-- same moment is refused, and so is the delete of a comment that has
	-- replies (tribune.DeleteComment moves them up first).
	CONSTRAINT comments_parent_fk FOREIGN KEY (parent_id) REFERENCES comments (id),
	UNIQUE KEY comments_idem (idem_key),
	UNIQUE KEY comments_dup (dup_key),
	KEY comments_thread (article_id, status, created, id),
	KEY comments_status (status, created DESC, id DESC),
	KEY comments_email (email_key, created),
	KEY comments_client (client_hash, created)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
