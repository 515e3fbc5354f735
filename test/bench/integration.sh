#!/usr/bin/env bash
# test/bench/integration.sh -- the integration module measured against the
# SQL a user would write (doc/benchmarks.md, "Integration").  Not part of
# the test suite:
#
#   bash test/bench/integration.sh
#   BENCH_PARTNERS=27500 BENCH_LEADS=200000 BENCH_DEALS=1000000 BENCH_EVENTS=1000000 BENCH_RUNS=3 BENCH_SECONDS=20 bash test/bench/integration.sh
#   BENCH_ONLY=upsert bash test/bench/integration.sh     # one part only
#   BENCH_ONLY=instructions BENCH_PARTNERS=2750 BENCH_LEADS=20000 bash test/bench/integration.sh
#
# 1. upserts: a 10,000-lead batch through channel.upsert_leads (create, the
#    same batch again, a newer version of every record) against the plain
#    INSERT ... ON CONFLICT (crm_id) DO UPDATE ... WHERE newer a user would
#    write over a crm_id column added to channel.lead (same triggers);
# 2. what the change feed adds to writers: route_leads() over every lead
#    reset to new, and registration throughput (pgbench, 2 clients, one
#    INSERT INTO channel.deal per transaction) with BENCH_DEALS registrations
#    in the table (closed ones loaded beforehand, triggers off for the load
#    only: closed registrations are no conflict candidates), feed on vs off;
# 3. drain: one consumer reading and acknowledging BENCH_EVENTS events in
#    pages of 1,000, one transaction a page, against a plain keyset SELECT
#    of the same rows (the "id > last" loop that can skip late commits),
#    also a transaction a page.  Both sides materialize whole rows (the
#    plain one in a MATERIALIZED CTE, as a function's result is): without
#    it the planner drops the columns the loop does not use and the plain
#    side reads event ids only.
# 4. (only when asked for: BENCH_ONLY=instructions; needs valgrind) what
#    the feed adds in instructions, which do not depend on the machine's
#    load: BENCH_REG one-row registrations (the pgbench script's statement,
#    fixed names, each its own transaction) and route_leads() over
#    BENCH_ROUTE leads reset to new (rolled back), each in a single-user
#    backend under callgrind, feed on and feed off; the change feed is
#    emptied and the tables vacuumed before every run, and the
#    registrations are made once beforehand (their end customers then exist
#    in both runs).  The whole runs' difference moves by up to ~16,000
#    instructions per item with the state the runs leave (index page splits,
#    the GIN pending list, the conflict search); the after-trigger phase and
#    the payload builder's own count do not (doc/benchmarks.md).
# Every figure is the median of BENCH_RUNS runs.  Each upsert pass is its
# own transaction, as a connector calls it (the three passes in one
# transaction were far slower: over 13 minutes for the third on a loaded
# machine, against seconds alone); the rows are deleted between runs.  Each
# route_leads() run is rolled back, so every run starts from the same state.
source "$(dirname "$0")/../lib.sh"

partners=${BENCH_PARTNERS:-27500}
leads=${BENCH_LEADS:-200000}
deals=${BENCH_DEALS:-1000000}
events=${BENCH_EVENTS:-1000000}
runs=${BENCH_RUNS:-3}
seconds=${BENCH_SECONDS:-20}
# BENCH_ONLY="upsert feed drain" (the default: all three parts)
only=${BENCH_ONLY:-upsert feed drain}
want() { [[ " $only " == *" $1 "* ]]; }

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster

db=channel_bench_integration
psql_b() { psql -X -q -v ON_ERROR_STOP=1 -d $db "$@"; }
createdb $db
psql_b -c "CREATE EXTENSION channel"
say "loading the demo: $partners partners, $leads leads"
psql_b -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" >/dev/null
# statistics of every table before the first plan: the histories were last
# analyzed by autovacuum part-way through the load, if at all, and routing's
# per-lead lookup of past rejections was then planned as a bitmap AND with
# the partner index, scanning it whole for every lead (minutes per run)
psql_b -c "ANALYZE" >/dev/null
psql_b <<'SQL'
CREATE FUNCTION bench_feed(on_ boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE t record;
BEGIN
  FOR t IN SELECT tgrelid::regclass AS tab, tgname FROM pg_trigger
           WHERE tgfoid = 'channel.feed_event()'::regprocedure
  LOOP
    EXECUTE format('ALTER TABLE %s %s TRIGGER %I', t.tab, CASE WHEN on_ THEN 'ENABLE' ELSE 'DISABLE' END, t.tgname);
  END LOOP;
END $$;
CREATE FUNCTION bench_median(float8[]) RETURNS float8 LANGUAGE sql AS
  $$ SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest($1) x $$;
CREATE TABLE bench_result (part text, variant text, run int, seconds float8, n bigint);
-- the batch: 10,000 leads as a CRM sends them
CREATE TABLE bench_batch AS
SELECT 'B-' || i AS ref, timestamptz '2024-01-01' + make_interval(secs => i) AS modified_at,
       'Batch customer ' || i AS company, (ARRAY['FR','DE','US','GB','JP'])[1 + i % 5] AS country,
       (SELECT code FROM channel.product_line ORDER BY code LIMIT 1) AS product_line,
       1000 * (i % 300) AS budget, 10 + i % 200 AS timeline_days
FROM generate_series(1, 10000) i;
CREATE TABLE bench_batch_newer AS
SELECT ref, modified_at + interval '1 day' AS modified_at, company || ' (renamed)' AS company, country,
       product_line, budget + 1 AS budget, timeline_days FROM bench_batch;
-- the plain alternative's mapping column, on a copy of the schema's lead table
ALTER TABLE channel.lead ADD COLUMN bench_crm_id text UNIQUE, ADD COLUMN bench_crm_modified timestamptz;
SQL

if want upsert; then
say "1. upserts of a 10,000-record batch ($runs runs)"
for r in $(seq 1 "$runs"); do
psql_b -v run="$r" <<'SQL'
\set QUIET on
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n FROM channel.upsert_leads_from('bench', 'bench_batch') WHERE outcome = 'created' \gset
INSERT INTO bench_result VALUES ('upsert', 'channel create', :run, extract(epoch FROM clock_timestamp() - :'t0'), :n);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n FROM channel.upsert_leads_from('bench', 'bench_batch') WHERE outcome = 'unchanged' \gset
INSERT INTO bench_result VALUES ('upsert', 'channel same batch again', :run, extract(epoch FROM clock_timestamp() - :'t0'), :n);
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n FROM channel.upsert_leads_from('bench', 'bench_batch_newer') WHERE outcome = 'updated' \gset
INSERT INTO bench_result VALUES ('upsert', 'channel newer version', :run, extract(epoch FROM clock_timestamp() - :'t0'), :n);
DELETE FROM channel.lead WHERE lead_id IN (SELECT local_id FROM channel.external_ref WHERE source = 'bench');
DELETE FROM channel.external_ref WHERE source = 'bench';
SELECT clock_timestamp() AS t0 \gset
INSERT INTO channel.lead (bench_crm_id, bench_crm_modified, company, country, product_line, budget, timeline_days)
SELECT ref, modified_at, company, country, product_line, budget, timeline_days FROM bench_batch
ON CONFLICT (bench_crm_id) DO UPDATE SET company = excluded.company, country = excluded.country,
  product_line = excluded.product_line, budget = excluded.budget, timeline_days = excluded.timeline_days,
  bench_crm_modified = excluded.bench_crm_modified
WHERE channel.lead.bench_crm_modified < excluded.bench_crm_modified;
INSERT INTO bench_result VALUES ('upsert', 'plain create', :run, extract(epoch FROM clock_timestamp() - :'t0'), 10000);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO channel.lead (bench_crm_id, bench_crm_modified, company, country, product_line, budget, timeline_days)
SELECT ref, modified_at, company, country, product_line, budget, timeline_days FROM bench_batch
ON CONFLICT (bench_crm_id) DO UPDATE SET company = excluded.company, country = excluded.country,
  product_line = excluded.product_line, budget = excluded.budget, timeline_days = excluded.timeline_days,
  bench_crm_modified = excluded.bench_crm_modified
WHERE channel.lead.bench_crm_modified < excluded.bench_crm_modified;
INSERT INTO bench_result VALUES ('upsert', 'plain same batch again', :run, extract(epoch FROM clock_timestamp() - :'t0'), 10000);
SELECT clock_timestamp() AS t0 \gset
INSERT INTO channel.lead (bench_crm_id, bench_crm_modified, company, country, product_line, budget, timeline_days)
SELECT ref, modified_at, company, country, product_line, budget, timeline_days FROM bench_batch_newer
ON CONFLICT (bench_crm_id) DO UPDATE SET company = excluded.company, country = excluded.country,
  product_line = excluded.product_line, budget = excluded.budget, timeline_days = excluded.timeline_days,
  bench_crm_modified = excluded.bench_crm_modified
WHERE channel.lead.bench_crm_modified < excluded.bench_crm_modified;
INSERT INTO bench_result VALUES ('upsert', 'plain newer version', :run, extract(epoch FROM clock_timestamp() - :'t0'), 10000);
DELETE FROM channel.lead WHERE bench_crm_id IS NOT NULL;
SQL
done

fi

if want feed; then
say "2a. route_leads() over every lead reset to new, feed on vs off ($runs runs each)"
psql_b <<'SQL'
UPDATE channel.lead SET status = 'new', partner_id = NULL, routed_at = NULL, accept_by = NULL,
       accepted_at = NULL, closed_at = NULL, reject_reason = NULL, status_reason = NULL;
DELETE FROM channel.change_event;
VACUUM ANALYZE channel.lead;
SQL
for r in $(seq 1 "$runs"); do
	if [ $((r % 2)) = 1 ]; then order="true false"; else order="false true"; fi	# alternating
	for feed in $order; do
		psql_b -v run="$r" -v feed="$feed" <<'SQL'
\set QUIET on
SELECT bench_feed(:feed);
-- the rolled-back runs before left dead rows and index entries in the feed
-- (feed on) and the leads: cleared, so no run pays for the ones before it
VACUUM channel.change_event;
VACUUM channel.lead;
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n FROM channel.route_leads() \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS s \gset
ROLLBACK;
INSERT INTO bench_result VALUES ('route_leads', CASE WHEN :feed THEN 'feed on' ELSE 'feed off' END, :run, :s, :n);
SELECT bench_feed(true);
SQL
	done
done

say "2b. loading closed registrations up to $deals in the table"
psql_b -v deals="$deals" <<'SQL'
\set QUIET on
ALTER TABLE channel.deal DISABLE TRIGGER USER;
CREATE TEMP TABLE pp AS
SELECT (row_number() OVER (ORDER BY partner_id, product_line) - 1)::int AS k, partner_id, product_line
FROM channel.partner_product LIMIT 1000;
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, closed_at)
SELECT pp.partner_id, 'Closed customer ' || i, 'FR', pp.product_line, 1000, current_date - 400,
       'lost', now() - interval '500 days', now() - interval '400 days'
FROM generate_series(1, greatest(0, :deals - (SELECT count(*) FROM channel.deal))) i
JOIN pp ON pp.k = i % (SELECT count(*) FROM pp);
ALTER TABLE channel.deal ENABLE TRIGGER USER;
VACUUM ANALYZE channel.deal;
SELECT count(*) AS registrations FROM channel.deal;
SQL
say "2b. registration throughput, pgbench 2 clients ${seconds}s, feed on vs off ($runs runs each)"
cat > "$CHANNEL_TMP/register.sql" <<'SQL'
\set p random(1, :partners)
\set c random(1, 100000000)
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
SELECT pp.partner_id, 'Bench customer ' || :c, 'FR', pp.product_line, 1000, current_date + 30
FROM channel.partner_product pp WHERE pp.partner_id = :p LIMIT 1;
SQL
# Every run starts from the same state: the registrations of the run before,
# their end customers and spellings and its events are deleted (left in
# place, each run's new end customers became match candidates of the next
# run's, and throughput fell run after run, 84 to 13 tps over ten runs), and
# the order of the two variants alternates from one run to the next.
for r in $(seq 1 "$runs"); do
	if [ $((r % 2)) = 1 ]; then order="true false"; else order="false true"; fi
	for feed in $order; do
		# a checkpoint before every run, so that none lands inside some runs only
		psql_b -c "SELECT bench_feed($feed)" -c "VACUUM channel.change_event" -c "VACUUM channel.deal" \
		       -c "VACUUM channel.end_customer" -c "VACUUM channel.end_customer_alias" -c "CHECKPOINT" >/dev/null
		tps=$("$CHANNEL_PG_BIN/pgbench" -n -c 2 -j 2 -T "$seconds" -D partners="$partners" -f "$CHANNEL_TMP/register.sql" $db 2>/dev/null \
		      | sed -n 's/^tps = \([0-9.]*\) .*/\1/p')
		psql_b -c "INSERT INTO bench_result VALUES ('register', CASE WHEN $feed THEN 'feed on' ELSE 'feed off' END, $r, $tps, NULL)"
		psql_b -c "DELETE FROM channel.deal WHERE customer_name LIKE 'Bench customer %'" \
		       -c "DELETE FROM channel.end_customer_alias WHERE name LIKE 'Bench customer %'" \
		       -c "DELETE FROM channel.end_customer WHERE name LIKE 'Bench customer %'" \
		       -c "DELETE FROM channel.change_event" -c "SELECT bench_feed(true)" >/dev/null
	done
done

fi

if want instructions; then
nreg=${BENCH_REG:-300}
nroute=${BENCH_ROUTE:-4000}
say "4. instructions (callgrind, single-user backend): $nreg registrations, route_leads() over $nroute leads, feed on vs off"
cg=$CHANNEL_TMP/callgrind; mkdir -p "$cg" && chmod 777 "$cg"	# written by the server's user
{
	echo "SELECT channel.normalize_company('Société Générale 株式会社');"	# ICU opened in both runs
	for i in $(seq 1 "$nreg"); do
		echo "INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)" \
		     "SELECT pp.partner_id, 'Bench customer $i', 'FR', pp.product_line, 1000, current_date + 30" \
		     "FROM channel.partner_product pp WHERE pp.partner_id = $(( 1 + (i * 7919) % partners )) LIMIT 1;"
	done
} > "$cg/reg.sql"
printf '%s\n' "BEGIN;" "SELECT count(*) FROM channel.route_leads();" "ROLLBACK;" > "$cg/route.sql"
chmod 644 "$cg"/*.sql
psql_b -v n="$nroute" <<'SQL' >/dev/null
SELECT bench_feed(false);
UPDATE channel.lead SET status = 'new', partner_id = NULL, routed_at = NULL, accept_by = NULL,
       accepted_at = NULL, closed_at = NULL, reject_reason = NULL, status_reason = NULL
WHERE lead_id IN (SELECT lead_id FROM channel.lead ORDER BY lead_id LIMIT :n);
UPDATE channel.lead SET status = 'pooled'
WHERE status = 'new' AND lead_id > (SELECT lead_id FROM channel.lead ORDER BY lead_id OFFSET :n - 1 LIMIT 1);
SELECT bench_feed(true);
SQL
psql_b -q < "$cg/reg.sql" >/dev/null	# the end customers of the names, made once
for feed in on off; do
	for w in reg route; do
		psql_b -c "SELECT bench_feed($([ $feed = on ] && echo true || echo false))" \
		       -c "DELETE FROM channel.deal WHERE customer_name LIKE 'Bench customer %'" -c "TRUNCATE channel.change_event" \
		       -c "VACUUM ANALYZE channel.deal" -c "VACUUM ANALYZE channel.lead" -c "CHECKPOINT" >/dev/null
		run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -m fast -w stop >/dev/null
		run_as_postgres valgrind --tool=callgrind --callgrind-out-file="$cg/$w.$feed" \
			"$CHANNEL_PG_BIN/postgres" --single -D "$CHANNEL_TMP/data" -c shared_preload_libraries= -c autovacuum=off $db \
			< "$cg/$w.sql" > "$cg/$w.$feed.log" 2>&1
		run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -l "$CHANNEL_TMP/data/server.log" -w start >/dev/null
	done
done
psql_b -c "SELECT bench_feed(true)" -c "DELETE FROM channel.deal WHERE customer_name LIKE 'Bench customer %'" >/dev/null
ir() {  # ir <file> <function>: inclusive instructions of a function ("PROGRAM TOTALS": the whole run)
	# awk reads the whole listing (a grep -m1 would end the pipe early: SIGPIPE under pipefail)
	callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
		awk -v f="$2" 'n == "" && index($0, f) { n = $1; gsub(",", "", n) } END { printf "%.0f\n", n + 0 }'
}
routed=$(awk 'match($0, /count = "[0-9]+"/) && r == "" { r = substr($0, RSTART + 9, RLENGTH - 10) } END { print r }' "$cg/route.on.log")
r_on=$(ir "$cg/reg.on" "PROGRAM TOTALS") r_off=$(ir "$cg/reg.off" "PROGRAM TOTALS")
l_on=$(ir "$cg/route.on" "PROGRAM TOTALS") l_off=$(ir "$cg/route.off" "PROGRAM TOTALS")
printf '%-58s %12s\n' "instructions" "count"
printf '%-58s %12d\n' "per registration, feed off (start-up included)" $(( r_off / nreg ))
printf '%-58s %12d\n' "  what the feed adds per registration" $(( (r_on - r_off) / nreg ))
printf '%-58s %12s\n' "  as a share of the registration" "$(echo "scale=4; 100 * ($r_on - $r_off) / $r_off" | bc) %"
printf '%-58s %12d\n' "  the after-trigger phase, feed on - off" $(( ($(ir "$cg/reg.on" "AfterTriggerEndQuery [") - $(ir "$cg/reg.off" "AfterTriggerEndQuery [")) / nreg ))
printf '%-58s %12d\n' "  of which the payload builder (channel_feed_payload)" $(( $(ir "$cg/reg.on" "channel_feed_payload [") / nreg ))
printf '%-58s %12d\n' "route_leads() over $nroute leads ($routed routed), feed off" "$l_off"
printf '%-58s %12d\n' "  what the feed adds per lead routed" $(( (l_on - l_off) / routed ))
printf '%-58s %12s\n' "  as a share of route_leads()" "$(echo "scale=4; 100 * ($l_on - $l_off) / $l_off" | bc) %"
printf '%-58s %12d\n' "  of which the payload builder, per lead routed" $(( $(ir "$cg/route.on" "channel_feed_payload [") / routed ))
fi

if want drain; then
say "3. drain of $events events: read_events + ack_events in pages of 1,000 vs a keyset SELECT ($runs runs each)"
psql_b -v events="$events" <<'SQL'
\set QUIET on
DELETE FROM channel.change_event;
INSERT INTO channel.change_event (event_type, entity, entity_id, partner_id, payload)
SELECT 'lead.routed', 'lead', i, 1 + i % 27500,
       jsonb_build_object('v', 1, 'lead_id', i, 'from', 'new', 'to', 'routed', 'partner_id', 1 + i % 27500)
FROM generate_series(1, :events) i;
VACUUM ANALYZE channel.change_event;
SQL
for r in $(seq 1 "$runs"); do
psql_b -v run="$r" <<'SQL'
\set QUIET on
SELECT channel.create_consumer('bench-drain', true);
SELECT clock_timestamp() AS t0 \gset
DO $$
DECLARE last bigint; n bigint; total bigint := 0;
BEGIN
  LOOP
    SELECT max(e.cursor), count(*) INTO last, n FROM channel.read_events('bench-drain', 1000) e;
    EXIT WHEN n = 0;
    PERFORM channel.ack_events('bench-drain', last);
    total := total + n;
    COMMIT;
  END LOOP;
  PERFORM set_config('bench.total', total::text, false);
END $$;
INSERT INTO bench_result VALUES ('drain', 'read_events + ack_events', :run,
  extract(epoch FROM clock_timestamp() - :'t0'), current_setting('bench.total')::bigint);
SELECT channel.drop_consumer('bench-drain');
SELECT clock_timestamp() AS t0 \gset
DO $$
DECLARE last bigint := 0; n bigint; m bigint; total bigint := 0;
BEGIN
  LOOP
    WITH e AS MATERIALIZED (
      SELECT event_id, event_type, at, entity, entity_id, partner_id, payload FROM channel.change_event
      WHERE event_id > last ORDER BY event_id LIMIT 1000)
    SELECT max(e.event_id), count(*) INTO m, n FROM e;
    EXIT WHEN n = 0;
    last := m; total := total + n;
    COMMIT;
  END LOOP;
  PERFORM set_config('bench.total', total::text, false);
END $$;
INSERT INTO bench_result VALUES ('drain', 'plain keyset SELECT', :run,
  extract(epoch FROM clock_timestamp() - :'t0'), current_setting('bench.total')::bigint);
SQL
done

fi

say "results (median of $runs runs)"
psql_b -P pager=off <<'SQL'
SELECT part, variant, string_agg(round(seconds::numeric, 3)::text, ' ' ORDER BY run) AS "every run, in order"
FROM bench_result GROUP BY part, variant ORDER BY part, variant;
SELECT part, variant, count(*) AS runs, round(bench_median(array_agg(seconds))::numeric, 3) AS median,
       round(min(seconds)::numeric, 3) AS min, round(max(seconds)::numeric, 3) AS max, max(n) AS rows,
       CASE WHEN part = 'register' THEN 'tps' ELSE 's' END AS unit
FROM bench_result GROUP BY part, variant ORDER BY part, variant;
WITH m AS (SELECT part, variant, bench_median(array_agg(seconds)) AS v FROM bench_result GROUP BY 1, 2)
SELECT 'route_leads: feed adds' AS figure,
       round((100 * ((SELECT v FROM m WHERE part = 'route_leads' AND variant = 'feed on')
                   / (SELECT v FROM m WHERE part = 'route_leads' AND variant = 'feed off') - 1))::numeric, 1) || ' %' AS value
UNION ALL
SELECT 'registration: feed costs',
       round((100 * (1 - (SELECT v FROM m WHERE part = 'register' AND variant = 'feed on')
                       / (SELECT v FROM m WHERE part = 'register' AND variant = 'feed off')))::numeric, 1) || ' % of tps'
UNION ALL
SELECT 'drain: consumer speed / plain SELECT speed',
       round(((SELECT v FROM m WHERE part = 'drain' AND variant = 'plain keyset SELECT')
            / (SELECT v FROM m WHERE part = 'drain' AND variant = 'read_events + ack_events'))::numeric, 2)::text
UNION ALL
SELECT 'upsert create: channel / plain time',
       round(((SELECT v FROM m WHERE part = 'upsert' AND variant = 'channel create')
            / (SELECT v FROM m WHERE part = 'upsert' AND variant = 'plain create'))::numeric, 1)::text
UNION ALL
SELECT 'upsert same batch again: channel / plain time',
       round(((SELECT v FROM m WHERE part = 'upsert' AND variant = 'channel same batch again')
            / (SELECT v FROM m WHERE part = 'upsert' AND variant = 'plain same batch again'))::numeric, 1)::text
UNION ALL
SELECT 'upsert newer version: channel / plain time',
       round(((SELECT v FROM m WHERE part = 'upsert' AND variant = 'channel newer version')
            / (SELECT v FROM m WHERE part = 'upsert' AND variant = 'plain newer version'))::numeric, 1)::text;
SQL
