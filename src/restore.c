/*
 * restore.c -- is this session replaying a dump?
 *
 * The extension's tables are its members, so CREATE EXTENSION creates their
 * triggers before pg_restore (or psql reading a pg_dump or pg_dumpall
 * script) loads their data: unlike a user table, whose triggers pg_dump
 * creates after the data, every restored row goes through them.  The
 * history, change-feed, rollup-queue and fund-counter triggers would log
 * each restored row again (and the restored history then collides on its
 * keys), and the registration and scoring triggers would rewrite it.
 *
 * channel.restoring() tells those triggers (in their WHEN clauses) that the
 * rows are a replay.  It is true when
 *
 *   - session_replication_role is 'replica' (superuser-only; the setting
 *     logical replication and `--disable-triggers` style loads use -- the
 *     triggers, being ordinary ENABLE triggers, are skipped by PostgreSQL
 *     itself then too), or
 *   - the session user is a superuser and the session has both
 *     check_function_bodies and row_security off: what every pg_dump
 *     script and every pg_restore connection sets first (pg_dump's
 *     pg_backup_archiver.c, _doSetFixedOutputState), and what no
 *     application session needs.  The superuser condition keeps it out of
 *     a partner's reach: a partner may set both settings, but a SECURITY
 *     DEFINER function writing on its behalf must still detect conflicts.
 *
 * Restoring a dump takes a superuser anyway (the extension is not trusted).
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/rls.h"

PG_FUNCTION_INFO_V1(channel_restoring);

Datum
channel_restoring(PG_FUNCTION_ARGS)
{
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(!check_function_bodies && !row_security && superuser_arg(GetSessionUserId()));
}
