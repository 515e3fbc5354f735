#!/usr/bin/env bash
# test/sh/fund_cron.sh -- the three fund jobs of channel.job_definition,
# registered by channel.schedule_jobs() with their nightly defaults, then
# moved to every minute under the same names and commands: the co-op
# accrual accrues a won deal, the incentive accrual credits a SPIFF, the
# period-end job closes last quarter's budget.
#
# Run by test/run-tests.sh against its throwaway cluster, whose pg_cron lives
# in database postgres (cron.database_name).  Uses that database and leaves
# it as it found it.  Waits for one pg_cron minute.
set -euo pipefail
: "${PGHOST:?run me from test/run-tests.sh}" "${CHANNEL_PG_BIN:?}"

q() { "$CHANNEL_PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At -d postgres "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
had_cron=$(q -c "SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'")
cleanup() {
	q -c "SELECT cron.unschedule(jobname) FROM cron.job WHERE jobname LIKE 'channel-%'" >/dev/null 2>&1 || true
	q -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS channel CASCADE" >/dev/null 2>&1 || true
	[ "$had_cron" = 1 ] || q -c "DROP EXTENSION IF EXISTS pg_cron" >/dev/null 2>&1 || true
}
trap cleanup EXIT

[ "$(q -c "SELECT count(*) FROM pg_extension WHERE extname = 'channel'")" = 0 ] \
	|| fail "database postgres already has the channel extension"
q -c "CREATE EXTENSION IF NOT EXISTS pg_cron" -c "CREATE EXTENSION channel"

# a co-op budget of this quarter with a 2% rule and a deal won in it; an MDF
# budget of last quarter (no claim days) with an unused allocation
q <<-'SQL'
	INSERT INTO channel.product_line (code, name) VALUES ('SERVERS', 'Servers');
	INSERT INTO channel.partner (partner_id, name, status, country) VALUES (1, 'Alpha Systemhaus GmbH', 'active', 'DE');
	SELECT channel.create_fund_budget('Co-op', 'coop', 'quarter', date_trunc('quarter', current_date)::date, 'USD');
	INSERT INTO channel.coop_rule (budget_id, rate) VALUES (1, 0.02);
	INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, currency, expected_close,
	                          status, submitted_at, decided_at, protected_until, closed_at)
	VALUES (1, 'Siemens AG', 'DE', 'SERVERS', 50000, 'USD', current_date, 'won',
	        date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC',
	        date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC',
	        date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC' + interval '90 days',
	        date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC' + interval '1 minute');
	SELECT channel.create_fund_budget('Last quarter MDF', 'mdf', 'quarter',
	                                  (date_trunc('quarter', current_date) - interval '3 months')::date, 'USD', 1000, NULL, 0);
	SELECT count(*) FROM channel.allocate_funds(2, 400, ARRAY[1]::bigint[]);
	SELECT channel.create_fund_budget('Incentives', 'incentive', 'quarter', date_trunc('quarter', current_date)::date, 'USD');
	INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (3, 'spiff', 'Server SPIFF', 250);
SQL

# registered from the registry at their nightly defaults ...
out=$(q -F ' | ' -c "SELECT job_name, schedule, command, jobid IS NOT NULL FROM channel.schedule_jobs()")
echo "$out"
for j in 'channel-accrue-coop | 15 2 \* \* \* | SELECT \* FROM channel.accrue_coop()' \
         'channel-accrue-incentives | 20 2 \* \* \* | SELECT \* FROM channel.accrue_incentives()' \
         'channel-expire-funds | 30 2 \* \* \* | SELECT \* FROM channel.expire_funds()'; do
	echo "$out" | grep -q "^$j | t\$" || fail "not registered: $j"
done
# ... then every minute, the same job names and commands (pg_cron updates a job by name)
q -c "SELECT cron.schedule(j.jobname, '* * * * *', j.command) FROM cron.job j
      WHERE j.jobname IN ('channel-accrue-coop', 'channel-accrue-incentives', 'channel-expire-funds')" >/dev/null
q -F ' | ' -c "SELECT jobname, schedule, command, database FROM cron.job WHERE jobname LIKE 'channel-%fund%' OR jobname LIKE 'channel-accrue%' ORDER BY jobname"

for _ in $(seq 1 45); do
	runs=$(q -c "SELECT count(DISTINCT j.jobname) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
	             WHERE j.jobname IN ('channel-accrue-coop', 'channel-accrue-incentives', 'channel-expire-funds')
	               AND r.status IN ('succeeded', 'failed')")
	[ "$runs" = 3 ] && break
	sleep 3
done
q -F ' | ' -c "SELECT j.jobname, r.status, r.return_message FROM cron.job_run_details r JOIN cron.job j USING (jobid)
               WHERE j.jobname LIKE 'channel-%' ORDER BY r.runid"
[ "$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
           WHERE j.jobname = 'channel-accrue-coop' AND r.status = 'succeeded'")" -gt 0 ] || fail "the accrual job did not succeed"
[ "$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
           WHERE j.jobname = 'channel-expire-funds' AND r.status = 'succeeded'")" -gt 0 ] || fail "the period-end job did not succeed"
[ "$(q -c "SELECT count(*) FROM cron.job_run_details r JOIN cron.job j USING (jobid)
           WHERE j.jobname = 'channel-accrue-incentives' AND r.status = 'succeeded'")" -gt 0 ] || fail "the incentive job did not succeed"
[ "$(q -c "SELECT amount FROM channel.fund_ledger WHERE entry = 'earning'")" = "250.00" ] || fail "no SPIFF of 250 on the server deal"
[ "$(q -c "SELECT deal_id FROM channel.incentive_earning")" = "1" ] || fail "the SPIFF is not traced to its deal"
[ "$(q -c "SELECT amount FROM channel.fund_ledger WHERE entry = 'accrual'")" = "1000.00" ] || fail "no accrual of 2% of 50,000"
[ "$(q -c "SELECT count(*) FROM channel.fund_accrual_deal")" = 1 ] || fail "the accrual is not traced to its deal"
[ "$(q -c "SELECT expired_at IS NOT NULL FROM channel.fund_budget WHERE budget_id = 2")" = t ] || fail "last quarter's budget not closed"
[ "$(q -c "SELECT sum(amount) FROM channel.fund_ledger WHERE entry = 'expiry' AND budget_id = 2")" = "1000.00" ] \
	|| fail "last quarter's 1,000 did not expire (400 allocated, 600 in the pool)"
# running again changes nothing (the jobs are idempotent)
before=$(q -c "SELECT count(*) FROM channel.fund_ledger")
q -c "SELECT count(*) FROM channel.accrue_coop()" -c "SELECT count(*) FROM channel.accrue_incentives()" \
  -c "SELECT count(*) FROM channel.expire_funds()" >/dev/null
[ "$(q -c "SELECT count(*) FROM channel.fund_ledger")" = "$before" ] || fail "a second run wrote ledger rows"
echo "the fund jobs ran under pg_cron"
