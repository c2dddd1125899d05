-- cfrun-service schema, version 4: settings that outlive the process. 'paused' = 'true' while the kill switch
-- (POST /v1/pause) is on, so a restart (systemd's, after a crash) does not start runs an operator stopped.
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
