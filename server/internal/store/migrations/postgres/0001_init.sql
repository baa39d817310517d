-- 1: the walking skeleton's tables.
CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
	pw bytea NOT NULL, created bigint NOT NULL);
CREATE TABLE sessions (token bytea PRIMARY KEY, user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	expires bigint NOT NULL);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, schema text NOT NULL);
CREATE TABLE members (project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, role text NOT NULL,
	PRIMARY KEY (project_id, user_id));
CREATE INDEX members_user ON members(user_id);
CREATE TABLE documents (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id bigint NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
	name text NOT NULL, text bytea NOT NULL, chars integer NOT NULL, meta text NOT NULL DEFAULT '{}',
	seq bigint NOT NULL DEFAULT 0);
CREATE INDEX documents_project ON documents(project_id);
CREATE TABLE annotations (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
	layer text NOT NULL, label text NOT NULL, start integer NOT NULL, "end" integer NOT NULL, quote bytea NOT NULL,
	author text NOT NULL, version bigint NOT NULL, created bigint NOT NULL, updated bigint NOT NULL,
	PRIMARY KEY (doc_id, id));
CREATE TABLE relations (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
	layer text NOT NULL, type text NOT NULL, from_id text NOT NULL, to_id text NOT NULL, author text NOT NULL,
	version bigint NOT NULL, created bigint NOT NULL, PRIMARY KEY (doc_id, id));
CREATE TABLE ops (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, seq bigint NOT NULL,
	op_id text NOT NULL, body text NOT NULL, PRIMARY KEY (doc_id, seq), UNIQUE (doc_id, op_id));
