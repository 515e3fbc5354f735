#!/usr/bin/env bash
# test/bench/scaling.sh -- the scale and concurrency curves (doc/benchmarks.md,
# "Scale and concurrency"; doc/scaling.md).  Not part of the test suite.
#
#   bash test/bench/scaling.sh                      # small: 0.05x and 0.2x the IDC vendor
#   BENCH_SCALES="1 3 10" bash test/bench/scaling.sh  # the issue's sizes (hours on 2 cores)
#
# For each scale s (1 = the IDC vendor: 27,500 partners, 200,000 leads;
# registrations in the demo's proportion) the demo channel is generated and
# refreshed, then:
#   1. concurrency curve, for BENCH_CLIENTS (default "1 2 4 8 16") clients,
#      BENCH_SECONDS (default 5) each, pgbench, throughput (tps) and p99
#      latency (ms, from pgbench's per-transaction log):
#        reg-hot     register_deal, every registration in ONE country and
#                    product line (the registration trigger serializes them
#                    on its advisory lock per country and line);
#        reg-spread  register_deal over every partner, country and line;
#        plain       the INSERT a user would write into a copy of the deal
#                    table without any trigger (the baseline of the ratio);
#        route       one new lead inserted and routed (route_leads(1)).
#   2. BI times (median of 3, ms): partner_scorecard(), pipeline(),
#      top_partners(), lead_funnel() over a quarter, inactive_partners(),
#      the refresh after 1% of the leads changed, and the same scorecard
#      figures computed from the base tables (partner_month_computed), the
#      plain SQL a user would write without the rollup.
# Output: one line per figure, "scale | path | clients | tps | p99_ms" and
# "scale | bi | query | ms".
source "$(dirname "$0")/../lib.sh"

scales=${BENCH_SCALES:-"0.05 0.2"}
clients=${BENCH_CLIENTS:-"1 2 4 8 16"}
seconds=${BENCH_SECONDS:-5}

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster
psql -X -q -c "ALTER SYSTEM SET max_connections = 60" >/dev/null

db=channel_bench_scaling
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d $db "$@"; }
work=$CHANNEL_TMP/scaling
mkdir -p "$work"; chmod 777 "$work"

cat >"$work/reg-hot.sql" <<-'EOF'
	\set k random(1, 100000000)
	SELECT bench.register(true, :k);
EOF
cat >"$work/reg-spread.sql" <<-'EOF'
	\set k random(1, 100000000)
	SELECT bench.register(false, :k);
EOF
cat >"$work/plain.sql" <<-'EOF'
	\set k random(1, 100000000)
	SELECT bench.plain(:k);
EOF
cat >"$work/route.sql" <<-'EOF'
	\set k random(1, 100000000)
	SELECT bench.route(:k);
EOF
chmod 644 "$work"/*.sql

curve() {  # curve SCALE PATH: the concurrency curve of one path
	local scale=$1 path=$2 c tps p99
	for c in $clients; do
		rm -f "$work"/pgbench_log.*
		tps=$(cd "$work" && pgbench -n -c "$c" -j "$(( c < 2 ? c : 2 ))" -T "$seconds" -l -f "$work/$path.sql" $db 2>"$work/pgbench.err" |
			sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1 || true)
		[ -n "$tps" ] || { cat "$work/pgbench.err" >&2; exit 1; }
		# the log's third field is each transaction's latency in microseconds
		p99=$(cat "$work"/pgbench_log.* | awk '{ print $3 }' | sort -n |
			awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.1f", a[i] / 1000 }')
		printf '%s | %s | %s | %.0f | %s\n' "$scale" "$path" "$c" "$tps" "$p99"
	done
}

bi() {  # bi SCALE LABEL SQL: median of 3 runs, ms
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

for scale in $scales; do
	partners=$(awk -v s="$scale" 'BEGIN { printf "%d", 27500 * s }')
	leads=$(awk -v s="$scale" 'BEGIN { printf "%d", 200000 * s }')
	dropdb --if-exists $db; createdb $db
	say "scale $scale: $partners partners, $leads leads"
	q -c "SET client_min_messages = warning" -c "CREATE EXTENSION channel" \
	  -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" -c "CALL channel.refresh_rollups()" >/dev/null
	q <<-'SQL'
		SET client_min_messages = warning;
		CREATE SCHEMA bench;
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
		-- the sizes, read once per call (a count(*) per call would scan the pairs)
		CREATE TABLE bench.size AS SELECT (SELECT count(*) FROM bench.pair) AS pairs, (SELECT count(*) FROM bench.hot) AS hot_pairs;
		CREATE TABLE bench.deal_plain (LIKE channel.deal INCLUDING DEFAULTS);
		-- a customer name of its own per k: one made-up word (the legal form is
		-- not part of the match keys), so no two registrations are near
		-- duplicates unless k repeats
		CREATE FUNCTION bench.name(k bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $f$
		  SELECT initcap(translate(substr(md5(k::text), 1, 12), '0123456789', 'ghijklmnop')) || ' GmbH'
		$f$;
		CREATE FUNCTION bench.register(hot boolean, k bigint) RETURNS bigint
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  IF hot THEN SELECT * INTO x FROM bench.hot WHERE n = 1 + k % (SELECT hot_pairs FROM bench.size);
		  ELSE SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size); END IF;
		  RETURN channel.register_deal(x.partner_id, bench.name(k), x.country, x.product_line,
		                               1000, current_date + 60);
		END $f$;
		CREATE FUNCTION bench.plain(k bigint) RETURNS void
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size);
		  INSERT INTO bench.deal_plain (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency, expected_close)
		  VALUES (k, x.partner_id, bench.name(k), x.country, x.product_line, 1000, 'USD', current_date + 60);
		END $f$;
		CREATE FUNCTION bench.route(k bigint) RETURNS void
		LANGUAGE plpgsql AS $f$
		DECLARE x record;
		BEGIN
		  SELECT * INTO x FROM bench.pair WHERE n = 1 + k % (SELECT pairs FROM bench.size);
		  INSERT INTO channel.lead (company, country, product_line, source)
		  VALUES ('Bench Lead ' || k, x.country, x.product_line, 'inbound_call');
		  PERFORM count(*) FROM channel.route_leads(1);
		END $f$;
		VACUUM ANALYZE;
	SQL
	say "scale $scale: $(q -c "SELECT count(*) FROM channel.deal") registrations, hot cell $(q -c "SELECT min(country) || '/' || min(product_line) || ' (' || count(*) || ' partners)' FROM bench.hot")"
	echo "# scale | path | clients | tps | p99_ms"
	for path in reg-hot reg-spread plain route; do curve "$scale" "$path"; done
	echo "# scale | bi | query | ms"
	bi "$scale" "partner_scorecard()" "SELECT * FROM channel.partner_scorecard()"
	bi "$scale" "scorecard figures from the base tables (partner_month_computed)" \
		"SELECT partner_id, sum(leads_routed), sum(leads_accepted), sum(deals_registered), sum(deals_won), sum(won_revenue) FROM channel.partner_month_computed WHERE month >= date_trunc('month', current_date - 365) GROUP BY 1"
	bi "$scale" "pipeline()" "SELECT * FROM channel.pipeline()"
	bi "$scale" "top_partners()" "SELECT * FROM channel.top_partners()"
	bi "$scale" "lead_funnel(quarter)" "SELECT * FROM channel.lead_funnel(current_date - 90, current_date)"
	bi "$scale" "inactive_partners()" "SELECT * FROM channel.inactive_partners()"
	# the refresh after 1% of the leads changed (a month's worth of activity at this size)
	q -c "CALL channel.refresh_rollups()" >/dev/null
	q -c "UPDATE channel.lead SET status = 'lost', closed_at = greatest(now(), routed_at)
	      WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status IN ('routed', 'accepted')
	                        ORDER BY lead_id LIMIT (SELECT count(*) / 100 FROM channel.lead))" >/dev/null
	ms=$(q <<-'SQL'
		SET client_min_messages = warning;
		SELECT clock_timestamp() AS t0 \gset
		CALL channel.refresh_rollups();
		SELECT round((extract(epoch FROM clock_timestamp() - :'t0') * 1000)::numeric, 1);
	SQL
	)
	printf '%s | bi | refresh_rollups() after 1%% of leads changed | %s\n' "$scale" "$ms"
done
