-- 2: site admins (the admins of existing projects become ones, as they
-- were the most trusted users before), API tokens, assignments.
ALTER TABLE users ADD COLUMN site_admin INTEGER NOT NULL DEFAULT 0;
UPDATE users SET site_admin = 1 WHERE id IN (SELECT user_id FROM members WHERE role = 'admin');
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_tokens (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	label TEXT NOT NULL, hash BLOB NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE INDEX api_tokens_user ON api_tokens(user_id);
CREATE TABLE assignments (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, done INTEGER NOT NULL DEFAULT 0,
	updated INTEGER NOT NULL, PRIMARY KEY (doc_id, user_id)) WITHOUT ROWID;
CREATE INDEX assignments_user ON assignments(user_id);
