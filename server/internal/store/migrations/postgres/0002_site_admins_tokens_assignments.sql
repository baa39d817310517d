-- 2: site admins (the admins of existing projects become ones, as they
-- were the most trusted users before), API tokens, assignments.
ALTER TABLE users ADD COLUMN site_admin boolean NOT NULL DEFAULT false;
UPDATE users SET site_admin = true WHERE id IN (SELECT user_id FROM members WHERE role = 'admin');
CREATE TABLE api_tokens (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, label text NOT NULL,
	hash bytea NOT NULL UNIQUE, created bigint NOT NULL);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE assignments (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE, done boolean NOT NULL DEFAULT false,
	updated bigint NOT NULL, PRIMARY KEY (doc_id, user_id));
CREATE INDEX assignments_user ON assignments(user_id);
