-- 5: project settings (settings.go), JSON; no row means defaults.
CREATE TABLE project_settings (project_id bigint PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE, settings text NOT NULL);
