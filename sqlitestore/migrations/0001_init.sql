CREATE TABLE articles (
	id              TEXT PRIMARY KEY,
	slug            TEXT NOT NULL UNIQUE,
	title           TEXT NOT NULL,
	summary         TEXT NOT NULL,
	body            TEXT NOT NULL,
	author          TEXT NOT NULL,
	lang            TEXT NOT NULL,
	published       INTEGER NOT NULL, -- Unix microseconds, UTC
	updated         INTEGER NOT NULL,
	comments_closed INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX articles_newest ON articles (published DESC, id);

CREATE TABLE comments (
	id          TEXT PRIMARY KEY,
	article_id  TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	parent_id   TEXT,
	author_name TEXT NOT NULL,
	email       TEXT NOT NULL,
	email_key   TEXT NOT NULL, -- the email in lower case, for look-ups
	website     TEXT NOT NULL,
	body        TEXT NOT NULL,
	status      TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
	created     INTEGER NOT NULL, -- Unix microseconds, UTC
	version     INTEGER NOT NULL,
	client_hash TEXT NOT NULL,
	user_agent  TEXT NOT NULL
) STRICT;
CREATE INDEX comments_thread ON comments (article_id, status, created, id);
CREATE INDEX comments_status ON comments (status, created DESC, id);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_email ON comments (email_key, created) WHERE email_key <> '';
CREATE INDEX comments_client ON comments (client_hash, created) WHERE client_hash <> '';
