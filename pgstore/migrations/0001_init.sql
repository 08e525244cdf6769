CREATE TABLE articles (
	id              uuid PRIMARY KEY,
	slug            text NOT NULL UNIQUE,
	title           text NOT NULL,
	summary         text NOT NULL,
	body            text NOT NULL,
	author          text NOT NULL,
	lang            text NOT NULL,
	published       timestamptz NOT NULL,
	updated         timestamptz NOT NULL,
	comments_closed boolean NOT NULL DEFAULT false
);
CREATE INDEX articles_newest ON articles (published DESC, id);

CREATE TABLE comments (
	id          uuid PRIMARY KEY,
	article_id  uuid NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
	parent_id   uuid,
	author_name text NOT NULL,
	email       text NOT NULL,
	email_key   text NOT NULL, -- the email in lower case, for look-ups
	website     text NOT NULL,
	body        text NOT NULL,
	status      text NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
	created     timestamptz NOT NULL,
	version     integer NOT NULL,
	client_hash text NOT NULL,
	user_agent  text NOT NULL
);
CREATE INDEX comments_thread ON comments (article_id, status, created, id);
CREATE INDEX comments_status ON comments (status, created DESC, id DESC);
CREATE INDEX comments_parent ON comments (parent_id) WHERE parent_id IS NOT NULL;
CREATE INDEX comments_email ON comments (email_key, created) WHERE email_key <> '';
CREATE INDEX comments_client ON comments (client_hash, created) WHERE client_hash <> '';
