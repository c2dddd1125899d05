-- cfrun-service schema, version 1. Instants are microseconds since the epoch (UTC); lists and labels are JSON.
CREATE TABLE triggers (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    source                TEXT    NOT NULL,
    dedupe_key            TEXT,
    cooldown_key          TEXT,
    group_key             TEXT,
    received_at           BIGINT  NOT NULL,
    host                  TEXT    NOT NULL,
    port                  INTEGER NOT NULL,
    classes               TEXT    NOT NULL,
    bundles               TEXT    NOT NULL,
    labels                TEXT    NOT NULL,
    state                 TEXT    NOT NULL,
    reason                TEXT,
    run_id                BIGINT,
    retried_after_restart INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX triggers_state ON triggers (state, id);

CREATE TABLE runs (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    host                  TEXT    NOT NULL,
    port                  INTEGER NOT NULL,
    started_at            BIGINT  NOT NULL,
    ended_at              BIGINT,
    exit_code             INTEGER,
    error_kind            TEXT,
    message               TEXT,
    classes               TEXT    NOT NULL,
    bundles               TEXT    NOT NULL,
    output                TEXT    NOT NULL,
    retried_after_restart INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_host ON runs (host, id);
CREATE INDEX runs_ended ON runs (ended_at, id);

CREATE TABLE run_triggers (
    run_id     BIGINT NOT NULL REFERENCES runs (id),
    trigger_id BIGINT NOT NULL REFERENCES triggers (id),
    PRIMARY KEY (run_id, trigger_id)
);

CREATE TABLE dedupe_keys (
    dedupe_key  TEXT   NOT NULL PRIMARY KEY,
    trigger_id  BIGINT NOT NULL REFERENCES triggers (id),
    received_at BIGINT NOT NULL
);
CREATE INDEX dedupe_keys_received ON dedupe_keys (received_at);

CREATE TABLE cooldowns (
    host         TEXT    NOT NULL,
    port         INTEGER NOT NULL,
    cooldown_key TEXT    NOT NULL,
    until_at     BIGINT  NOT NULL,
    PRIMARY KEY (host, port, cooldown_key)
);
