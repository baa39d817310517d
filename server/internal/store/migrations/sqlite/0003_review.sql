-- 3: review and adjudication (review.go): review records by
-- annotation, comment threads, documents' review status.
CREATE TABLE reviews (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, ann_id TEXT NOT NULL,
	status TEXT NOT NULL, reviewer TEXT NOT NULL, reviewed_at INTEGER NOT NULL, source TEXT NOT NULL,
	proposer TEXT NOT NULL, gold TEXT NOT NULL, PRIMARY KEY (doc_id, ann_id)) WITHOUT ROWID;
CREATE TABLE comments (doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id TEXT NOT NULL,
	target TEXT NOT NULL, text TEXT NOT NULL, author TEXT NOT NULL, created INTEGER NOT NULL,
	PRIMARY KEY (doc_id, id)) WITHOUT ROWID;
CREATE INDEX comments_target ON comments(doc_id, target);
CREATE TABLE doc_reviews (doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	status TEXT NOT NULL, reviewer TEXT NOT NULL, reviewed_at INTEGER NOT NULL);
