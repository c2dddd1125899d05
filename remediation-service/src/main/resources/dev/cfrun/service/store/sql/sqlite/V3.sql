-- cfrun-service schema, version 3: the queued triggers of one host, oldest first, without reading the rest of
-- the queue (the dispatcher's read when a host is free to run; a partial index, so only QUEUED rows are in it).
CREATE INDEX triggers_queued_host ON triggers (host, port, id) WHERE state = 'QUEUED';
