#!/usr/bin/env bash
# test/sh/standby.sh -- BI on a hot standby: every BI function and view the
# analyst role can call runs on a streaming replica, writes nothing, and
# returns what the primary returns once replay has caught up.
#
# The throwaway cluster of test/run-tests.sh is the primary (initdb's
# default pg_hba trusts local replication connections); pg_basebackup -R
# makes a hot standby of it on a socket of its own.  A database gets a
# small demo channel and a rollup refresh; then, as a login role of
# channel_analyst on both servers:
#   * every function channel_analyst may execute that returns rows and
#     needs no argument (every argument has a default), called with its
#     defaults -- so the BI functions of later modules are covered as they
#     come -- plus lead_funnel over the last quarter and a scorecard,
#     pipeline and top partners as of a month ago;
#   * every view of the schema the role may read.
# Each result, sorted, must be the same on both; the jobs (refresh_rollups,
# recall, expire_deals) must be refused on the standby as writes.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported).
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"

db=channel_standby role=regress_bi_standby
work=$(mktemp -d /tmp/channel-standby.XXXXXX)
chmod 755 "$work"
primary() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
standby() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -h "$work/sock" -p 5432 "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
	[ -f "$work/data/postmaster.pid" ] && run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
	primary -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $role" >/dev/null 2>&1 || true
	as_root rm -rf "$work"
}
trap cleanup EXIT

primary -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db" -c "DROP ROLE IF EXISTS $role" \
	-c "CREATE DATABASE $db" -c "CREATE ROLE $role LOGIN IN ROLE channel_analyst"
primary -d $db -c "CREATE EXTENSION channel" -c "SELECT count(*) FROM channel.generate_demo(600, 6000, 5)" \
	-c "CALL channel.refresh_rollups()" >/dev/null 2>&1

mkdir -p "$work/sock"; chown postgres:postgres "$work" "$work/sock"
run_as_postgres "$CHANNEL_PG_BIN/pg_basebackup" -h "$PGHOST" -p "$PGPORT" -U postgres -D "$work/data" -R -X stream -c fast
run_as_postgres tee -a "$work/data/postgresql.auto.conf" >/dev/null <<-CONF
	unix_socket_directories = '$work/sock'
	hot_standby = on
	shared_buffers = '256MB'
CONF
run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$work/data" -l "$work/data/server.log" -w start >/dev/null
[ "$(standby -d postgres -c "SELECT pg_is_in_recovery()")" = t ] || fail "the standby is not in recovery"

# a change after the base backup, so the comparison needs streamed WAL
primary -d $db -c "UPDATE channel.deal SET status = 'won', closed_at = greatest(now(), submitted_at)
                   WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'approved' ORDER BY deal_id LIMIT 25)" \
	-c "CALL channel.refresh_rollups()"
lsn=$(primary -d $db -c "SELECT pg_current_wal_lsn()")
for _ in $(seq 100); do
	[ "$(standby -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break; sleep 0.2
done
[ "$(standby -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] || fail "the standby did not catch up"

# the calls: SQL text, one per line, the same on both servers
# The forecast's backtest and its summary retrain the model for every
# replayed quarter in temporary tables: a job's work, not a dashboard read,
# so they run on the primary only (doc/forecast.md); checked below to be
# refused on the standby, like the jobs.
primary_only="forecast_backtest forecast_accuracy"
primary -d $db -v role=$role -v primary_only="$primary_only" >"$work/calls" <<-'SQL'
	SELECT pg_catalog.format('SELECT %L, count(*), md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %s AS t;', q, q)
	FROM (SELECT pg_catalog.format('%I.%I()', n.nspname, p.proname) AS q
	      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	      WHERE n.nspname = 'channel' AND p.proretset AND p.pronargs = p.pronargdefaults AND p.prokind = 'f'
	        AND has_function_privilege(:'role', p.oid, 'EXECUTE')
	        AND p.proname IN (SELECT channel.role_functions('channel_analyst'))
	        AND p.proname <> ALL (string_to_array(:'primary_only', ' '))
	      UNION ALL SELECT x FROM unnest(ARRAY[
	        'channel.lead_funnel(current_date - 90, current_date)',
	        'channel.partner_scorecard(current_date - 30)',
	        'channel.pipeline(current_date - 30)',
	        'channel.top_partners(0.5, current_date - 30)',
	        'channel.inactive_partners(30)']) x
	      UNION ALL SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
	      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	      WHERE n.nspname = 'channel' AND c.relkind IN ('v', 'm') AND has_table_privilege(:'role', c.oid, 'SELECT')) s
	ORDER BY 1;
SQL
[ "$(grep -c . "$work/calls")" -ge 8 ] || fail "too few BI calls found: $(cat "$work/calls")"
primary -d $db -U $role -f "$work/calls" >"$work/on_primary"
standby -d $db -U $role -f "$work/calls" >"$work/on_standby" 2>"$work/standby.err" \
	|| { cat "$work/standby.err"; fail "a BI call failed on the standby"; }
if ! diff -u "$work/on_primary" "$work/on_standby"; then
	fail "the standby answers differently (diff above)"
fi
grep -q '|0|' "$work/on_primary" && grep '|0|' "$work/on_primary" | sed 's/^/# empty: /'

# jobs are the primary's
for job in "CALL channel.refresh_rollups()" "SELECT channel.expire_deals()" "SELECT channel.recall_overdue_leads()" \
           "SELECT count(*) FROM channel.forecast_backtest()" "SELECT count(*) FROM channel.forecast_accuracy()"; do
	if out=$(standby -d $db -c "$job" 2>&1); then fail "$job ran on the standby"; fi
	case "$out" in *"read-only transaction"*) ;; *) fail "$job on the standby: $out" ;; esac
done
echo "# $(grep -c . "$work/on_primary") BI functions and views answer the same on the hot standby as on the primary"
