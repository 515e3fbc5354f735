#!/usr/bin/env bash
# test/bench/scaling.sh -- the scale and concurrency curves (doc/benchmarks.md,
# "Scale and concurrency"; doc/scaling.md).  Not part of the test suite.
#
#   BENCH_BASE=0.05 bash test/bench/scaling.sh     # small: 0.05x, 0.15x, 0.5x (minutes)
#   bash test/bench/scaling.sh                     # the issue's sizes: 1x, 3x, 10x
#   BENCH_DB=postgres BENCH_TEMPLATE=demo1x bash test/bench/scaling.sh
#        # in an already running cluster (PGHOST...), starting from a copy of
#        # database demo1x, which holds channel.generate_demo(27500 * BENCH_BASE,
#        # 200000 * BENCH_BASE) and nothing else
#
# Scale 1 is the IDC vendor: 27,500 partners, 200,000 leads and 1,000,000
# registrations (BENCH_REGISTRATIONS).  The demo of BENCH_BASE (default 1)
# times that is generated ONCE with channel.generate_demo(); each scale of
# BENCH_SCALES (default "1 3 10", multiples of the base, ascending) is then
# reached by set-based replication of it (test/bench/scale_up.sql: partner
# copies with shifted ids and renamed companies, registrations copied until
# there are BENCH_REGISTRATIONS per 1x, the keys the trigger would store
# computed set-based, the secondary indexes built after the load, the
# rollups rebuilt).  The load times are printed.  At each scale, BENCH_RUNS
# (default 3) times:
#   1. concurrency curve, for BENCH_CLIENTS (default "1 2 8 32") clients,
#      BENCH_SECONDS (default 5) each, pgbench, throughput (tps) and p99
#      latency (ms, from pgbench's per-transaction log):
#        reg-hot      register_deal, every registration in ONE country and
#                     product line (the registration trigger serializes them
#                     on its advisory lock per country and line);
#        reg-spread   register_deal over every partner, country and line;
#        plain        the INSERT a user would write into a copy of the deal
#                     table without any trigger (the baseline of the ratio);
#        route        one new lead inserted and routed (route_leads(1));
#        lookup       the conflict lookup of a company among the live
#                     registrations of its country and line (the query the
#                     registration trigger answers from the GIN index:
#                     blocking keys meet, then company_similarity >=
#                     channel.match_threshold), for a company of a live
#                     registration taken at random;
#        lookup-plain the query a user would write without channel: the same
#                     company by lower(name) = lower(name) in its country and
#                     line (exact spellings only);
#   2. BI times (median of 3 calls, ms): partner_scorecard(), pipeline(),
#      top_partners(), lead_funnel() over a quarter, inactive_partners(),
#      the refresh after 1% of the leads changed, and the same scorecard
#      figures computed from the base tables (partner_month_computed), the
#      plain SQL a user would write without the rollup.
# After the runs, what they wrote (registrations, leads, the 1% changed) is
# taken out again in replica mode, so the next scale replicates the demo's
# rows only.  BENCH_KEEP=1 keeps the database at the end; BENCH_RESUME=1
# goes on in the database so kept (BENCH_SCALES then the next ones only).
# BENCH_BI=0 skips the BI times (the curves only; BENCH_PATHS picks paths).
# Output: "scale | path | clients | tps | p99_ms",
# "scale | bi | query | ms", "scale | load | ..." and the load average at
# every run.
source "$(dirname "$0")/../lib.sh"

base=${BENCH_BASE:-1}
scales=${BENCH_SCALES:-"1 3 10"}
clients=${BENCH_CLIENTS:-"1 2 8 32"}
seconds=${BENCH_SECONDS:-5}
runs=${BENCH_RUNS:-3}
registrations=${BENCH_REGISTRATIONS:-1000000}
paths=${BENCH_PATHS:-"reg-hot reg-spread plain route lookup lookup-plain"}
db=channel_bench_scaling

if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	psql -X -q -c "ALTER SYSTEM SET max_connections = 80" >/dev/null
	run_as_postgres "$CHANNEL_PG_BIN/pg_ctl" -D "$CHANNEL_TMP/data" -w -m fast restart >/dev/null
	BENCH_DB=postgres
fi
[ "$(psql -X -At -d "$BENCH_DB" -c "SHOW max_connections")" -gt $(( ${clients##* } + 5 )) ] ||
	{ echo "max_connections is below the largest client count + 5" >&2; exit 1; }
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d $db "$@"; }
work=${CHANNEL_TMP:-/tmp}/scaling.$$
mkdir -p "$work"; chmod 777 "$work"
trap 'rm -rf "$work"' EXIT
load() { uptime | sed 's/.*load average: //'; }

for path in reg-hot reg-spread plain route lookup lookup-plain; do
	fn=${path//-/_}
	printf '\\set k random(1, 100000000)\nSELECT bench.%s(:k);\n' "$fn" >"$work/$path.sql"
done
chmod 644 "$work"/*.sql

curve() {  # curve SCALE PATH: the concurrency curve of one path
	local scale=$1 path=$2 c tps p99
	for c in $clients; do
		rm -f "$work"/pgbench_log.*
		tps=$(cd "$work" && nice -n 10 pgbench -n -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$seconds" -l -f "$work/$path.sql" $db 2>"$work/pgbench.err" |
			sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1 || true)
		[ -n "$tps" ] || { cat "$work/pgbench.err" >&2; exit 1; }
		# the log's third field is each transaction's latency in microseconds
		p99=$(cat "$work"/pgbench_log.* | awk '{ print $3 }' | sort -n |
			awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.1f", a[i] / 1000 }')
		printf '%s | %s | %s | %.1f | %s\n' "$scale" "$path" "$c" "$tps" "$p99"
	done
}

bi() {  # bi SCALE LABEL SQL: median of 3 calls, ms
	local scale=$1 label=$2 sql=$3 ms
	ms=$(q <<-SQL
		SET max_parallel_workers_per_gather = 0;
		CREATE TEMP TABLE t (ms float8);
		DO \$\$
		DECLARE t0 timestamptz;
		BEGIN
		  FOR i IN 1..3 LOOP
		    t0 := clock_timestamp();
		    PERFORM count(*) FROM ($sql) x;
		    INSERT INTO t VALUES (extract(epoch FROM clock_timestamp() - t0) * 1000);
		  END LOOP;
		END \$\$;
		SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) FROM t;
	SQL
	)
	printf '%s | bi | %s | %s\n' "$scale" "$label" "$ms"
}

# the demo, once
if [ -n "${BENCH_RESUME:-}" ]; then
	:   # go on in the database a run with BENCH_KEEP=1 left
else
psql -X -q -d "$BENCH_DB" -c "DROP DATABASE IF EXISTS $db"
if [ -n "${BENCH_TEMPLATE:-}" ]; then
	psql -X -q -d "$BENCH_DB" -c "CREATE DATABASE $db TEMPLATE ${BENCH_TEMPLATE}"
else
	partners=$(awk -v s="$base" 'BEGIN { printf "%d", 27500 * s }')
	leads=$(awk -v s="$base" 'BEGIN { printf "%d", 200000 * s }')
	psql -X -q -d "$BENCH_DB" -c "CREATE DATABASE $db"
	say "the demo: $partners partners, $leads leads (load $(load))"
	t0=$(date +%s)
	q -c "SET client_min_messages = warning" -c "CREATE EXTENSION channel" \
	  -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" >/dev/null
	printf '%s | load | generate_demo(%s, %s) | %s s | load %s\n' "$base" "$partners" "$leads" "$(( $(date +%s) - t0 ))" "$(load)"
fi
fi
if [ -n "${BENCH_RESUME:-}" ]; then
	demo_deals=$(q -c "SELECT count(*) FROM bench.deal_name")
	have=$(q -c "SELECT max(partner_id) / 10000000 + 1 FROM channel.partner")
else
	demo_deals=$(q -c "SELECT count(*) FROM channel.deal WHERE partner_id IS NOT NULL")
	have=1
fi
# registration copies per partner copy: BENCH_REGISTRATIONS per 1x
deal_copies=$(awk -v r="$registrations" -v b="$base" -v d="$demo_deals" 'BEGIN { c = int(r * b / d + 0.5); print (c < 1 ? 1 : c) }')

for s in $scales; do
	scale=$(awk -v s="$s" -v b="$base" 'BEGIN { print s * b }')
	t0=$(date +%s)
	if [ -n "${BENCH_RESUME:-}" ] && [ "$have" = "$s" ]; then
		:   # the kept database is at this scale already (built by scale_up.sql by hand)
	else
		nice -n 10 psql -X -q -v ON_ERROR_STOP=1 -d $db -v from=$have -v to="$s" -v deal_copies="$deal_copies" \
			-f "$CHANNEL_SRC/test/bench/scale_up.sql" | sed "s/^/$scale | load | /"
		q -c "VACUUM ANALYZE"
		printf '%s | load | %s copies of the demo, %s registration copies each, loaded, indexed, rollups rebuilt and vacuumed | %s s | load %s\n' \
			"$scale" "$s" "$deal_copies" "$(( $(date +%s) - t0 ))" "$(load)"
	fi
	have=$s
	printf '%s | size | %s\n' "$scale" "$(q -c "SELECT (SELECT count(*) FROM channel.partner) || ' partners, ' ||
		(SELECT count(*) FROM channel.lead) || ' leads, ' || (SELECT count(*) FROM channel.deal) || ' registrations (' ||
		(SELECT count(*) FROM channel.deal WHERE status IN ('submitted', 'approved', 'conflict')) || ' live), database ' ||
		pg_size_pretty(pg_database_size(current_database()))")"
	q <<-'SQL'
		SET client_min_messages = warning;
		DROP TABLE IF EXISTS bench.pair, bench.hot, bench.size, bench.probe, bench.deal_plain, bench.changed, bench.mark;
		CREATE TABLE bench.pair AS
		SELECT row_number() OVER (ORDER BY p.partner_id, pp.product_line, t.country) AS n,
		       p.partner_id, pp.product_line, t.country
		FROM channel.partner p JOIN channel.partner_product pp USING (partner_id)
		JOIN channel.partner_territory t USING (partner_id)
		WHERE p.status = 'active' AND t.country IS NOT NULL;
		CREATE UNIQUE INDEX ON bench.pair (n);
		-- the busiest country and line: every hot registration goes there
		CREATE TABLE bench.hot AS
		SELECT row_number() OVER (ORDER BY partner_id) AS n, partner_id, product_line, country
		FROM bench.pair WHERE (country, product_line) = (
		  SELECT country, product_line FROM bench.pair GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1);
		CREATE UNIQUE INDEX ON bench.hot (n);
		-- companies of live registrations to look up (10,000 at random)
		CREATE TABLE bench.probe AS
		SELECT row_number() OVER () AS n, customer_name AS name, customer_country AS country, product_line,
		       ARRAY(SELECT customer_country || '|' || product_line || '|' || k
		             FROM unnest(channel.company_match_keys(customer_name)) k) AS keys
		FROM (SELECT * FROM channel.deal WHERE status IN ('submitted', 'approved', 'conflict')
		      ORDER BY md5(deal_id::text) LIMIT 10000) d;
		CREATE UNIQUE INDEX ON bench.probe (n);
		-- the sizes, read once per call (a count(*) per call would scan the pairs)
		CREATE TABLE bench.size AS SELECT (SELECT count(*) FROM bench.pair) AS pairs,
		  (SELECT count(*) FROM bench.hot) AS hot_pairs, (SELECT count(*) FROM bench.probe) AS probes;
		CREATE TABLE bench.deal_plain (LIKE channel.deal INCLUDING DEFAULTS);
		-- what the runs will add is above these (taken out after the runs)
		CREATE TABLE bench.mark AS
		SELECT (SELECT max(deal_id) FROM channel.deal) AS deal, (SELECT max(lead_id) FROM channel.lead) AS lead,
		       (SELECT max(event_id) FROM channel.deal_event) AS deal_event,
		       (SELECT max(event_id) FROM channel.lead_event) AS lead_event,
		       coalesce((SELECT max(conflict_id) FROM channel.deal_conflict), 0) AS conflict;
		CREATE TABLE bench.changed (LIKE channel.lead);
		-- a customer name of its own per k: one made-up word (the legal form is
		-- not part of the match keys), so no two registrations are near
		-- duplicates unless k repeats
		CREATE OR REPLACE FUNCTION bench.name(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
		  SELECT initcap(translate(substr(md5(k::text), 1, 12), '0123456789', 'ghijklmnop')) || ' GmbH'
		$f$;
		CREATE OR REPLACE FUNCTION bench.register(hot boolean, k bigint) RETURNS bigint
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  IF hot THEN SELECT * INTO x FROM bench.hot WHERE n = 1 + k % (SELECT hot_pairs FROM bench.size);
		  ELSE SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size); END IF;
		  RETURN channel.register_deal(x.partner_id, bench.name(k), x.country, x.product_line,
		                               1000, current_date + 60);
		END $f$;
		CREATE OR REPLACE FUNCTION bench.reg_hot(k bigint) RETURNS bigint LANGUAGE sql AS $f$ SELECT bench.register(true, k) $f$;
		CREATE OR REPLACE FUNCTION bench.reg_spread(k bigint) RETURNS bigint LANGUAGE sql AS $f$ SELECT bench.register(false, k) $f$;
		CREATE OR REPLACE FUNCTION bench.plain(k bigint) RETURNS void
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size);
		  INSERT INTO bench.deal_plain (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency, expected_close)
		  VALUES (k, x.partner_id, bench.name(k), x.country, x.product_line, 1000, 'USD', current_date + 60);
		END $f$;
		CREATE OR REPLACE FUNCTION bench.route(k bigint) RETURNS void
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size);
		  INSERT INTO channel.lead (company, country, product_line, source)
		  VALUES ('Bench Lead ' || k, x.country, x.product_line, 'inbound_call');
		  PERFORM count(*) FROM channel.route_leads(1);
		END $f$;
		-- the conflict lookup: live registrations whose blocking keys meet the
		-- company's (the GIN index), then the similarity threshold
		CREATE OR REPLACE FUNCTION bench.lookup(k bigint) RETURNS bigint
		LANGUAGE plpgsql AS $f$
		DECLARE x record; found bigint;
		BEGIN
		  PERFORM channel.normalize_company('x');  -- the library loaded: its settings known
		  SELECT * INTO x FROM bench.probe WHERE n = 1 + k % (SELECT probes FROM bench.size);
		  SELECT count(*) INTO found FROM channel.deal d
		  WHERE d.customer_match_keys OPERATOR(channel.&&~) x.keys
		    AND d.status IN ('submitted', 'approved', 'conflict')
		    AND channel.company_similarity(d.customer_name, x.name) >= current_setting('channel.match_threshold')::float4;
		  IF found = 0 THEN RAISE EXCEPTION 'lookup of % found nothing', x.name; END IF;
		  RETURN found;
		END $f$;
		-- what a user would write: the same spelling, in the country and line
		CREATE OR REPLACE FUNCTION bench.lookup_plain(k bigint) RETURNS bigint
		LANGUAGE plpgsql AS $f$
		DECLARE x record; found bigint;
		BEGIN
		  SELECT * INTO x FROM bench.probe WHERE n = 1 + k % (SELECT probes FROM bench.size);
		  SELECT count(*) INTO found FROM channel.deal d
		  WHERE d.customer_country = x.country AND d.product_line = x.product_line
		    AND d.status IN ('submitted', 'approved', 'conflict') AND lower(d.customer_name) = lower(x.name);
		  RETURN found;
		END $f$;
		ANALYZE bench.pair; ANALYZE bench.hot; ANALYZE bench.probe;
	SQL
	say "scale $scale: hot cell $(q -c "SELECT min(country) || '/' || min(product_line) || ' (' || count(*) || ' partners)' FROM bench.hot"), $deal_copies registration copies per partner copy"
	for run in $(seq "$runs"); do
		echo "# scale $scale, run $run, load $(load)"
		echo "# scale | path | clients | tps | p99_ms"
		for path in $paths; do curve "$scale" "$path"; done
		[ "${BENCH_BI:-1}" != 0 ] || continue   # BENCH_BI=0: the curves only
		echo "# scale | bi | query | ms   (load $(load))"
		bi "$scale" "partner_scorecard()" "SELECT * FROM channel.partner_scorecard()"
		bi "$scale" "scorecard figures from the base tables (partner_month_computed)" \
			"SELECT partner_id, sum(leads_routed), sum(leads_accepted), sum(deals_registered), sum(deals_won), sum(won_revenue) FROM channel.partner_month_computed WHERE month >= date_trunc('month', current_date - 365) GROUP BY 1"
		bi "$scale" "pipeline()" "SELECT * FROM channel.pipeline()"
		bi "$scale" "top_partners()" "SELECT * FROM channel.top_partners()"
		bi "$scale" "lead_funnel(quarter)" "SELECT * FROM channel.lead_funnel(current_date - 90, current_date)"
		bi "$scale" "inactive_partners()" "SELECT * FROM channel.inactive_partners()"
		# the refresh after 1% of the leads changed (a month's worth of activity at this size)
		q -c "CALL channel.refresh_rollups()" >/dev/null
		q <<-'SQL'
			CREATE TEMP TABLE one AS
			SELECT lead_id FROM channel.lead
			WHERE status IN ('routed', 'accepted') AND lead_id <= (SELECT lead FROM bench.mark)
			ORDER BY lead_id LIMIT (SELECT count(*) / 100 FROM channel.lead);
			INSERT INTO bench.changed SELECT l.* FROM channel.lead l JOIN one USING (lead_id);
			UPDATE channel.lead SET status = 'lost', closed_at = greatest(now(), routed_at)
			WHERE lead_id IN (SELECT lead_id FROM one);
		SQL
		ms=$(q <<-'SQL'
			SET client_min_messages = warning;
			SELECT clock_timestamp() AS t0 \gset
			CALL channel.refresh_rollups();
			SELECT round((extract(epoch FROM clock_timestamp() - :'t0') * 1000)::numeric, 1);
		SQL
		)
		printf '%s | bi | refresh_rollups() after 1%% of leads changed | %s\n' "$scale" "$ms"
		q -c "TRUNCATE bench.deal_plain"
	done
	# take out what the runs wrote: the next scale replicates the demo's rows
	q <<-'SQL'
		SET session_replication_role = replica;
		DELETE FROM channel.deal_conflict WHERE conflict_id > (SELECT conflict FROM bench.mark);
		DELETE FROM channel.deal_event WHERE event_id > (SELECT deal_event FROM bench.mark);
		DELETE FROM channel.deal WHERE deal_id > (SELECT deal FROM bench.mark);
		DELETE FROM channel.lead_event WHERE event_id > (SELECT lead_event FROM bench.mark);
		DELETE FROM channel.lead WHERE lead_id > (SELECT lead FROM bench.mark)
		   OR lead_id IN (SELECT lead_id FROM bench.changed);
		INSERT INTO channel.lead SELECT * FROM bench.changed;
	SQL
done
[ -n "${BENCH_KEEP:-}" ] || psql -X -q -d "$BENCH_DB" -c "DROP DATABASE $db"
