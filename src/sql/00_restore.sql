-- Restores are replays: the triggers that log, queue, count or rewrite rows
-- skip the rows a dump restores (see src/restore.c and doc/scaling.md,
-- "Backups").  Created first, since the triggers' WHEN clauses call it.
CREATE FUNCTION channel.restoring() RETURNS boolean
AS 'MODULE_PATHNAME', 'channel_restoring'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION channel.restoring() IS
  'True while this session replays a dump: session_replication_role is replica, or a superuser session has check_function_bodies and row_security off (what pg_dump scripts and pg_restore set). The triggers that log, queue, count or rewrite rows skip then, so a restore gives back exactly what was dumped.';
REVOKE EXECUTE ON FUNCTION channel.restoring() FROM PUBLIC;
-- the WHEN clauses run with the privileges of whoever writes the row: a
-- partner's own inserts (and its portal's) reach them
INSERT INTO channel.role_routine (role_name, routine_name) VALUES ('channel_partner', 'restoring');
