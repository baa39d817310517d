-- 3: review and adjudication (review.go): review records by
-- annotation, comment threads, documents' review status. Comment text
-- is bytea for the reason quotes are (see Postgres).
CREATE TABLE reviews (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, ann_id text NOT NULL,
	status text NOT NULL, reviewer text NOT NULL, reviewed_at bigint NOT NULL, source text NOT NULL,
	proposer text NOT NULL, gold text NOT NULL, PRIMARY KEY (doc_id, ann_id));
CREATE TABLE comments (doc_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE, id text NOT NULL,
	target text NOT NULL, text bytea NOT NULL, author text NOT NULL, created bigint NOT NULL,
	PRIMARY KEY (doc_id, id));
CREATE INDEX comments_target ON comments(doc_id, target);
CREATE TABLE doc_reviews (doc_id bigint PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	status text NOT NULL, reviewer text NOT NULL, reviewed_at bigint NOT NULL);
