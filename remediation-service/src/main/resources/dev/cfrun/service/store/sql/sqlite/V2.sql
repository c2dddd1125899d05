-- cfrun-service schema, version 2: a trigger's own cooldown (a rule's "cooldown"), in milliseconds; NULL = the
-- service's cooldown.
ALTER TABLE triggers ADD COLUMN cooldown_ms BIGINT;
