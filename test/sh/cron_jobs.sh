#!/usr/bin/env bash
# test/sh/cron_jobs.sh -- channel.schedule_jobs() registers the channel's
# jobs with pg_cron, they run, and channel.unschedule_jobs() removes them.
#
# Run by test/run-tests.sh against its throwaway cluster (PGHOST, PGPORT,
# PGUSER and CHANNEL_PG_BIN exported), whose pg_cron lives in database
# postgres (cron.database_name) and runs jobs in background workers.  Uses
# that database and leaves it as it found it.  Waits for one pg_cron minute.
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"

q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -d postgres "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
had_cron=$(q -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")
cleanup() {
	q -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS channel CASCADE" >/dev/null 2>&1 || true
	[ "$had_cron" = 1 ] || q -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ "$(q -c "SELECT count(*) FROM pg_extension WHERE extname = 'channel'")" = 0 ] \
	|| fail "database postgres already has the channel extension"
q -c "CREATE EXTENSION IF NOT EXISTS pg_cron" -c "CREATE EXTENSION channel"

# a routed lead whose partner-month is queued for the rollup; its deadline
# lies as far ahead as an SLA can (720 hours, lead_sla_bounded), or the
# recall job (every 5 or 10 minutes, also scheduled below) would take it
# back from partner 1 when the wait spans such a minute
q <<-'SQL'
	INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers');
	INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Alpha Systemhaus GmbH', 'active', 'DE');
	INSERT INTO channel.lead (lead_id, company, country, product_line, status, partner_id, routed_at, accept_by)
	VALUES (1, 'Siemens AG', 'DE', 'SERVERS', 'routed', 1, now(), now() + interval '720 hours');
SQL
[ "$(q -c "SELECT count(*) FROM channel.partner_month")" = 0 ] || fail "rollup filled before any refresh"

# register: the refresh every minute; recall and expiry when their modules are installed
out=$(q -F ' | ' -c "SELECT job_name, schedule, command, jobid IS NOT NULL FROM channel.schedule_jobs('* * * * *')")
echo "$out"
echo "$out" | grep -qx "channel-refresh-rollups | \* \* \* \* \* | CALL channel.refresh_rollups() | t" \
	|| fail "refresh job not registered"
# the forecast's retraining (doc/forecast.md), at its default
echo "$out" | grep -qx "channel-train-forecast | 40 3 \* \* \* | SELECT count(\*) FROM channel.train_forecast() | t" \
	|| fail "forecast training job not registered"
# the tier job of the programmes module, at its default (doc/programs.md)
echo "$out" | grep -qx "channel-apply-tiers | 30 2 \* \* \* | SELECT \* FROM channel.apply_tiers() | t" \
	|| fail "tier job not registered"
for f in recall_overdue_leads expire_deals; do
	installed=$(q -c "SELECT to_regprocedure('channel.$f()') IS NOT NULL")
	echo "$out" | grep -q "SELECT channel.$f() | $installed\$" || fail "job for $f: expected registered=$installed"
done
q -F ' | ' -c "SELECT jobname, schedule, command, database, active FROM cron.job ORDER BY jobid"
[ "$(q -c "SELECT count(*) FROM cron.job WHERE jobname = 'channel-refresh-rollups' AND database = 'postgres'
            AND schedule = '* * * * *' AND command = 'CALL channel.refresh_rollups()'")" = 1 ] \
	|| fail "cron.job does not hold the refresh job"

# again, with other cadences: the same jobs are updated, not duplicated
before=$(q -c "SELECT string_agg(jobid::text, ',' ORDER BY jobid) FROM cron.job WHERE jobname LIKE 'channel-%'")
q -c "SELECT count(*) FROM channel.schedule_jobs('* * * * *', '*/10 * * * *', '@daily')" >/dev/null
after=$(q -c "SELECT string_agg(jobid::text, ',' ORDER BY jobid) FROM cron.job WHERE jobname LIKE 'channel-%'")
[ "$before" = "$after" ] || fail "rescheduling changed the jobs ($before -> $after)"

# the index rebuild doc/deals.md ("Maintenance") tells DBAs to schedule: a
# plain command that cannot run in a transaction block, scheduled directly
q -c "SELECT cron.schedule('channel-reindex-deal-keys', '* * * * *',
                           'REINDEX INDEX CONCURRENTLY channel.deal_match_keys_idx')" >/dev/null

# pg_cron runs the refresh and the rebuild within a minute or so
for _ in $(seq 1 45); do
	done_runs=$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
	                  WHERE j.jobname = 'channel-refresh-rollups' AND r.status = 'succeeded'")
	reindex_runs=$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
	                     WHERE j.jobname = 'channel-reindex-deal-keys' AND r.status IN ('succeeded', 'failed')")
	[ "$done_runs" -gt 0 ] && [ "$reindex_runs" -gt 0 ] && break
	sleep 3
done
q -F ' | ' -c "SELECT j.jobname, r.status, r.return_message FROM cron.job_run_details r JOIN cron.job j USING (jobid) ORDER BY r.runid"
[ "$done_runs" -gt 0 ] || fail "the refresh job did not run successfully"
[ "$(q -c "SELECT leads_routed FROM channel.partner_month WHERE partner_id = 1
                AND month = (SELECT channel.month_of(routed_at) FROM channel.lead WHERE lead_id = 1)")" = 1 ] \
	|| fail "the scheduled refresh did not fill the rollup"
[ "$(q -c "SELECT count(*) FROM channel.partner_month_dirty")" = 0 ] || fail "queue not drained by the job"
[ "$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
           WHERE j.jobname = 'channel-reindex-deal-keys' AND r.status = 'succeeded'")" -gt 0 ] \
	|| fail "the scheduled REINDEX CONCURRENTLY of deal_match_keys_idx did not succeed"
[ "$(q -c "SELECT indisvalid FROM pg_index WHERE indexrelid = 'channel.deal_match_keys_idx'::regclass")" = t ] \
	|| fail "deal_match_keys_idx not valid after the scheduled rebuild"
q -c "SELECT cron.unschedule('channel-reindex-deal-keys')" >/dev/null

# remove them
q -F ' | ' -c "SELECT job_name FROM channel.unschedule_jobs()"
[ "$(q -c "SELECT count(*) FROM cron.job WHERE jobname LIKE 'channel-%'")" = 0 ] || fail "jobs left after unschedule_jobs()"
[ "$(q -c "SELECT count(*) FROM channel.unschedule_jobs()")" = 0 ] || fail "a second unschedule_jobs() found jobs"
echo "cron jobs registered, ran, and removed"
