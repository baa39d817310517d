-- 6: stories (sql_story.go): groups of a project's documents that report one event; a document is in at most one.
CREATE TABLE stories (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE, name TEXT NOT NULL);
CREATE INDEX stories_project ON stories(project_id);
CREATE TABLE story_documents (document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
	story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE);
CREATE INDEX story_documents_story ON story_documents(story_id);
