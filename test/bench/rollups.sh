#!/usr/bin/env bash
# test/bench/rollups.sh -- how fast the rollups and BI queries are, on the
# demo channel grown to 2M leads and 500k deals.
#
#   bash test/bench/rollups.sh                       # 2,000,000 leads, 500,000 deals
#   BENCH_LEADS=200000 BENCH_DEALS=50000 bash test/bench/rollups.sh   # a quick run
#   BENCH_DB=db bash test/bench/rollups.sh    # in an existing database of the running
#                                             # cluster (PGHOST...) already generated and
#                                             # trimmed the way this script does; each run
#                                             # commits one more 1% change there
#   BENCH_FORECAST=0 ...                      # leave out the forecast part (training and
#                                             # the backtest take longest), e.g. for the
#                                             # repeated runs of the refresh figures
#
# Builds, starts a throwaway cluster (test/lib.sh), loads the demo, trims the
# registrations to BENCH_DEALS, then measures in the same database:
#   * the full rebuild, channel.rebuild_rollups()
#   * the same rollup as a plain materialized view over the same definition
#     (REFRESH MATERIALIZED VIEW), what a user would write instead
#   * the incremental refresh after 1% of the rows change the way a channel
#     changes (new leads routed, accepted, closed, recalled; registrations
#     submitted, won), as a share of the full rebuild -- and that the
#     incremental result equals the full recomputation
#   * the same change without the rollup's mark triggers (rolled back)
#   * the latency of the BI queries a dashboard runs, against the plain SQL
#     over the base tables, and that the funnel equals it
#   * the forecast: training, the forecast, the backtest's error
# Each rebuild and refresh runs twice, the best reported.  Each BI function
# is timed as a dashboard's pooled connection runs it: in one session, once
# untimed, then seven times -- the median (and range) reported -- and also
# as the first call of a new session, which compiles its PL/pgSQL and plans
# (the plain SQL beside it: the first call of a session).  Takes about 12
# minutes on 2 cores at full size.
source "$(dirname "$0")/../lib.sh"

leads=${BENCH_LEADS:-2000000}
deals=${BENCH_DEALS:-500000}
partners=${BENCH_PARTNERS:-27500}

db=${BENCH_DB:-channel_bench}
if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
fi

q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
# best wall time in ms of a statement over $2 runs, each in its own session
best_ms() {
	local sql=$1 runs=${2:-2} best="" t
	for _ in $(seq 1 "$runs"); do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c '\timing on' -c "$sql" \
		    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; fi
	done
	printf '%.0f' "$best"
}

# warm SQL [runs]: a BI tool's pooled connection -- one session runs the
# statement once (compiling its functions and plans, as the first call of a
# session does), then `runs` more times: "median min max" of those, in ms
warm_ms() {
	local sql=$1 runs=${2:-7}
	{ echo '\timing on'; for _ in $(seq 0 "$runs"); do echo "$sql;"; done; } \
	  | psql -X -q -v ON_ERROR_STOP=1 -d "$db" \
	  | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n +2 | sort -g \
	  | awk '{ v[NR] = $1 } END { printf "%.0f %.0f %.0f", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
# "median ms warm (min-max of n; first call of a session: cold ms)"
bi_figure() {  # bi_figure "median min max" cold
	local m lo hi
	read -r m lo hi <<<"$1"
	echo "$m ms warm median ($lo-$hi ms, 7 runs; first call of a session $2 ms)"
}

if [ -z "${BENCH_DB:-}" ]; then
	createdb channel_bench
	q -c "CREATE EXTENSION channel"

	say "generating the demo channel: $partners partners, $leads leads"
	gen_ms=$(best_ms "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1, '2026-11-01')" 1)
	say "generated in $((gen_ms / 1000)) s; trimming registrations to $deals"
	# the demo registers every converted lead plus one partner-sourced deal per
	# four leads; the partner-sourced ones come last and are cut (with their
	# history, triggers off: this is set-up, not a measured path)
	q <<-SQL
		SET session_replication_role = replica;
		DELETE FROM channel.deal_event WHERE deal_id > $deals;
		DELETE FROM channel.deal WHERE deal_id > $deals;
		RESET session_replication_role;
		SELECT pg_catalog.setval('channel.deal_deal_id_seq', (SELECT max(deal_id) FROM channel.deal));
		VACUUM ANALYZE channel.lead, channel.deal, channel.lead_event, channel.deal_event;
	SQL
else
	partners=$(q -c "SELECT count(*) FROM channel.partner"); gen_ms=0
	q -c "DROP MATERIALIZED VIEW IF EXISTS public.partner_month_mv" -c "DROP TABLE IF EXISTS public.bench_queue"
	# the pipeline is first timed with the stage weights, as on a fresh
	# database: a model a previous run trained is taken out
	q -c "DELETE FROM channel.forecast_model"
fi
n_leads=$(q -c "SELECT count(*) FROM channel.lead")
n_deals=$(q -c "SELECT count(*) FROM channel.deal")

say "full rebuild"
rebuild_ms=$(best_ms "SELECT channel.rebuild_rollups()" 2)
n_rows=$(q -c "SELECT count(*) FROM channel.partner_month")
# the rebuild replaces every rollup row: vacuum what it left dead, as
# autovacuum does after a rebuild, so that what follows (the refresh, the
# BI queries) meets the tables as they are between rebuilds, not at twice
# their size
q -c "VACUUM channel.partner_month, channel.partner_line_month, channel.partner_line_week, channel.partner_line_day"

say "the same rollup as a materialized view"
q -c "CREATE MATERIALIZED VIEW public.partner_month_mv AS SELECT * FROM channel.partner_month_computed"
q -c "CREATE UNIQUE INDEX ON public.partner_month_mv (partner_id, month)"
matview_ms=$(best_ms "REFRESH MATERIALIZED VIEW public.partner_month_mv" 2)
matview_conc_ms=$(best_ms "REFRESH MATERIALIZED VIEW CONCURRENTLY public.partner_month_mv" 1)

changes=$(( (n_leads + n_deals) / 100 ))
# shares of the change: 32% new leads routed, 24% accepted, 16% closed, 8%
# recalled, 12% registrations submitted, 8% won or lost
c_new=$((changes * 32 / 100)); c_acc=$((changes * 24 / 100)); c_close=$((changes * 16 / 100))
c_rec=$((changes * 8 / 100)); c_reg=$((changes * 12 / 100))
c_won=$((changes - c_new - c_acc - c_close - c_rec - c_reg))
# the change, as one script (run bare and with the rollup triggers, rolled
# back, then for real)
change_sql=$(cat <<-SQL
	-- new leads routed now to active partners, on a line they are authorized for
	WITH takers AS (
	  SELECT row_number() OVER (ORDER BY p.partner_id) AS rn, p.partner_id, p.country,
	         (SELECT min(x.product_line) FROM channel.partner_product x WHERE x.partner_id = p.partner_id) AS product_line
	  FROM channel.partner p WHERE p.status = 'active' AND p.kind <> 'distributor'),
	n AS (SELECT count(*) AS c FROM takers)
	INSERT INTO channel.lead (company, country, product_line, status, partner_id, routed_at, accept_by)
	SELECT 'Bench Customer ' || i, t.country, t.product_line, 'routed', t.partner_id, now(), now() + interval '48 hours'
	FROM generate_series(1, $c_new) i CROSS JOIN n
	JOIN takers t ON t.rn = 1 + (i::bigint * 7919) % n.c;
	-- routed leads accepted, accepted ones closed, overdue ones recalled
	UPDATE channel.lead SET status = 'accepted', accepted_at = now()
	WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'routed' ORDER BY lead_id LIMIT $c_acc);
	UPDATE channel.lead SET status = CASE WHEN lead_id % 2 = 0 THEN 'converted' ELSE 'lost' END::channel.lead_status,
	       closed_at = now()
	WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'accepted' AND accepted_at < now()
	                  ORDER BY lead_id LIMIT $c_close);
	UPDATE channel.lead SET status = 'recalled', status_reason = 'sla_expired'
	WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'routed' ORDER BY lead_id DESC LIMIT $c_rec);
	-- registrations submitted, and approved ones won or lost
	INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
	SELECT d.partner_id, d.customer_name, d.customer_country, d.product_line, d.amount, current_date + 60
	FROM channel.deal d WHERE d.partner_id IS NOT NULL ORDER BY d.deal_id LIMIT $c_reg;
	UPDATE channel.deal SET status = CASE WHEN deal_id % 3 = 0 THEN 'lost' ELSE 'won' END::channel.deal_status,
	       closed_at = greatest(now(), submitted_at)
	WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'approved' ORDER BY deal_id LIMIT $c_won);
SQL
)
mark_triggers="lead_mark_dirty_insert lead_mark_dirty_update deal_mark_dirty_insert deal_mark_dirty_update"
run_change() {  # $1: bare|marked, $2: rollback|commit; prints ms
	local pre="" t0
	if [ "$1" = bare ]; then
		for tg in $mark_triggers; do pre="$pre ALTER TABLE channel.${tg%%_mark*} DISABLE TRIGGER $tg;"; done
	fi
	t0=$(date +%s%N)
	printf 'BEGIN;%s\n%s\n%s;\n' "$pre" "$change_sql" "$( [ "$2" = commit ] && echo COMMIT || echo ROLLBACK)" | q >/dev/null
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
say "the same 1% change without and with the rollup's mark triggers (rolled back; alternating)"
bare_ms=""; marked_ms=""
for _ in 1 2; do
	t=$(run_change bare rollback); { [ -z "$bare_ms" ] || [ "$t" -lt "$bare_ms" ]; } && bare_ms=$t
	t=$(run_change marked rollback); { [ -z "$marked_ms" ] || [ "$t" -lt "$marked_ms" ]; } && marked_ms=$t
done
q -c "VACUUM channel.lead, channel.deal, channel.lead_event, channel.deal_event"
say "1% of the rows change (committed)"
change_ms=$(run_change marked commit)
queued=$(q -c "SELECT count(*) FROM channel.partner_month_dirty")
pairs=$(q -c "SELECT count(DISTINCT (partner_id, month)) FROM channel.partner_month_dirty")

say "incremental refresh"
# the first run reads what the changes left cold; the same queue is then
# restored and refreshed again, warm, as the rebuild's best of two is
q -c "CREATE TABLE public.bench_queue AS SELECT partner_id, month FROM channel.partner_month_dirty"
refresh_ms=$(best_ms "CALL channel.refresh_rollups()" 1)
q -c "INSERT INTO channel.partner_month_dirty (partner_id, month) SELECT partner_id, month FROM public.bench_queue"
refresh_warm_ms=$(best_ms "CALL channel.refresh_rollups()" 1)
diffs=$(q -c "SELECT count(*) FROM ((TABLE channel.partner_month EXCEPT ALL TABLE channel.partner_month_computed)
                                    UNION ALL (TABLE channel.partner_month_computed EXCEPT ALL TABLE channel.partner_month)) d")
line_diffs=$(q -c "SELECT (SELECT count(*) FROM ((TABLE channel.partner_line_month EXCEPT ALL TABLE channel.partner_line_month_computed)
                                    UNION ALL (TABLE channel.partner_line_month_computed EXCEPT ALL TABLE channel.partner_line_month)) d)
                          + (SELECT count(*) FROM ((TABLE channel.partner_line_week EXCEPT ALL TABLE channel.partner_line_week_computed)
                                    UNION ALL (TABLE channel.partner_line_week_computed EXCEPT ALL TABLE channel.partner_line_week)) d)")
empty_refresh_ms=$(best_ms "CALL channel.refresh_rollups()" 3)

say "BI query latency"
n_line_days=$(q -c "SELECT count(*) FROM channel.partner_line_day")
n_line_months=$(q -c "SELECT count(*) FROM channel.partner_line_month")
n_line_weeks=$(q -c "SELECT count(*) FROM channel.partner_line_week")
scorecard_ms=$(best_ms "SELECT count(*) FROM channel.partner_scorecard('2026-11-01')" 1)
scorecard_warm=$(warm_ms "SELECT count(*) FROM channel.partner_scorecard('2026-11-01')")
scorecard_sql_ms=$(best_ms "SELECT count(*) FROM (SELECT partner_id, sum(won_revenue), sum(leads_accepted) FROM channel.partner_month_computed
                            WHERE month BETWEEN '2025-12-01' AND '2026-11-01' GROUP BY partner_id) x" 1)
top_ms=$(best_ms "SELECT count(*) FROM channel.top_partners(0.8, '2026-11-01')" 1)
top_warm=$(warm_ms "SELECT count(*) FROM channel.top_partners(0.8, '2026-11-01')")
top_sql_ms=$(best_ms "SELECT count(*) FROM (SELECT partner_id, sum(amount) FROM channel.deal WHERE status = 'won' AND partner_id IS NOT NULL
                      AND closed_at >= '2025-12-01 00:00+00' AND closed_at < '2026-12-01 00:00+00' GROUP BY partner_id) x" 1)
inactive_ms=$(best_ms "SELECT count(*) FROM channel.inactive_partners(180)" 1)
inactive_warm=$(warm_ms "SELECT count(*) FROM channel.inactive_partners(180)")
inactive_sql_ms=$(best_ms "SELECT count(*) FROM channel.partner p
  LEFT JOIN (SELECT partner_id, max(accepted_at) AS at FROM channel.lead WHERE partner_id IS NOT NULL GROUP BY 1) l USING (partner_id)
  LEFT JOIN (SELECT partner_id, max(submitted_at) AS r, max(closed_at) FILTER (WHERE status = 'won') AS s FROM channel.deal
             WHERE partner_id IS NOT NULL GROUP BY 1) d USING (partner_id)
  WHERE p.status NOT IN ('prospect', 'terminated') AND coalesce(greatest(l.at, d.r, d.s), '-infinity') < now() - interval '180 days'" 1)
funnel_ms=$(best_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-01', '2026-10-31')" 1)
funnel_warm=$(warm_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-01', '2026-10-31')")
funnel_mid_ms=$(best_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-15', '2026-10-14')" 1)
funnel_mid_warm=$(warm_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-15', '2026-10-14')")
funnel_worst_ms=$(best_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-16', '2026-10-15')" 1)
funnel_worst_warm=$(warm_ms "SELECT count(*) FROM channel.lead_funnel('2026-08-16', '2026-10-15')")
funnel_sql_ms=$(best_ms "SELECT count(*) FROM (SELECT f.partner_id, f.product_line, sum(f.routed), sum(f.accepted), sum(f.rejected),
  sum(f.recalled), sum(f.converted), sum(f.lost), sum(f.registered), sum(f.won), sum(f.won_amount)
  FROM channel.partner_month_fact f WHERE f.at >= '2026-08-01 00:00+00' AND f.at < '2026-11-01 00:00+00' AND f.open_amount = 0
  GROUP BY 1, 2) x" 1)
pipeline_ms=$(best_ms "SELECT count(*) FROM channel.pipeline('2026-11-01')" 1)
pipeline_warm=$(warm_ms "SELECT count(*) FROM channel.pipeline('2026-11-01')")
pipeline_sql_ms=$(best_ms "SELECT count(*) FROM (SELECT partner_id, product_line, date_trunc('month', expected_close), count(*), sum(amount),
  sum(amount * CASE status WHEN 'approved' THEN 0.6 WHEN 'submitted' THEN 0.3 ELSE 0.1 END)
  FROM channel.deal WHERE status IN ('submitted', 'approved', 'conflict')
  AND expected_close >= '2026-10-01' AND expected_close < '2027-01-01' GROUP BY 1, 2, 3) x" 1)
# results equal to the plain SQL over the base tables, for two windows
funnel_diffs=$(q <<-'SQL'
	SELECT sum(y.n) FROM (VALUES (date '2026-08-15', date '2026-10-14'), (date '2026-08-01', date '2026-10-31')) w(a, b)
	CROSS JOIN LATERAL (
	  WITH fn AS (SELECT partner_id, product_line, leads_routed, leads_accepted, leads_rejected, leads_recalled, leads_converted,
	                     leads_lost, deals_registered, deals_won, won_revenue FROM channel.lead_funnel(w.a, w.b)),
	       pl AS (SELECT f.partner_id, f.product_line, sum(f.routed)::int, sum(f.accepted)::int, sum(f.rejected)::int,
	                     sum(f.recalled)::int, sum(f.converted)::int, sum(f.lost)::int, sum(f.registered)::int, sum(f.won)::int,
	                     sum(f.won_amount)::numeric(18,2)
	              FROM channel.partner_month_fact f
	              WHERE f.at >= (w.a::timestamp AT TIME ZONE 'UTC') AND f.at < ((w.b + 1)::timestamp AT TIME ZONE 'UTC')
	                AND f.open_amount = 0
	              GROUP BY 1, 2)
	  SELECT count(*) AS n FROM ((TABLE fn EXCEPT ALL TABLE pl) UNION ALL (TABLE pl EXCEPT ALL TABLE fn)) x) y
	SQL
)
funnel_diffs=$(echo "$funnel_diffs" | tail -1)
# the figures so far (the forecast's training and backtest take longest)
pct() { awk "BEGIN{printf \"%.1f\", 100 * $1 / $2}"; }
cat <<EOF

channel rollups benchmark ($(nproc) cores, PostgreSQL 15)
  demo: $partners partners, $n_leads leads, $n_deals deals; generate_demo took $((gen_ms / 1000)) s
  partner_month rows                         $n_rows
  full rebuild (rebuild_rollups)             $rebuild_ms ms
  REFRESH MATERIALIZED VIEW (same rollup)    $matview_ms ms   ($(pct "$matview_ms" "$rebuild_ms")% of the rebuild)
  REFRESH MATERIALIZED VIEW CONCURRENTLY     $matview_conc_ms ms
  the 1% change without the mark triggers    $bare_ms ms (best of 2, rolled back)
  the same with the mark triggers            $marked_ms ms   ($(awk "BEGIN{printf \"%.2f\", $marked_ms / $bare_ms}")x the bare writes)
  1% of rows changed                         $changes rows in $change_ms ms (triggers included, committed); $queued marks, $pairs partner-months
  partner-months to recompute               $pairs of $n_rows ($(pct "$pairs" "$n_rows")%)
  incremental refresh (refresh_rollups)      $refresh_ms ms first run   ($(pct "$refresh_ms" "$rebuild_ms")% of the rebuild, $(pct "$refresh_ms" "$matview_ms")% of the matview refresh)
                                             $refresh_warm_ms ms same queue again   ($(pct "$refresh_warm_ms" "$rebuild_ms")% of the rebuild)
  incremental == full recomputation          $( [ "$diffs" = 0 ] && echo yes || echo "NO ($diffs rows differ)"); funnel month and week rollups $( [ "$line_diffs" = 0 ] && echo yes || echo "NO ($line_diffs rows differ)")
  funnel rollups                             $n_line_months partner-line-months, $n_line_weeks partner-line-weeks, $n_line_days partner-line-days
  refresh with nothing queued                $empty_refresh_ms ms
  partner_scorecard() (from the rollup)      $(bi_figure "$scorecard_warm" "$scorecard_ms")   (the plain query on the base tables: $scorecard_sql_ms ms)
  top_partners(0.8)                          $(bi_figure "$top_warm" "$top_ms")   (plain SQL on deal: $top_sql_ms ms)
  inactive_partners(180)                     $(bi_figure "$inactive_warm" "$inactive_ms")   (plain SQL on the base tables: $inactive_sql_ms ms)
  lead_funnel(3 whole months)                $(bi_figure "$funnel_warm" "$funnel_ms")   (plain SQL on the base tables: $funnel_sql_ms ms)
  lead_funnel(15 Aug - 14 Oct)               $(bi_figure "$funnel_mid_warm" "$funnel_mid_ms")
  lead_funnel(16 Aug - 15 Oct)               $(bi_figure "$funnel_worst_warm" "$funnel_worst_ms")
  lead_funnel == plain SQL (2 windows)       $( [ "$funnel_diffs" = 0 ] && echo yes || echo "NO ($funnel_diffs rows differ)")
  pipeline(quarter), stage weights           $(bi_figure "$pipeline_warm" "$pipeline_ms")   (plain SQL with the stage weights: $pipeline_sql_ms ms)
EOF
if [ "${BENCH_FORECAST:-1}" = 0 ]; then
	[ "$diffs" = 0 ] && [ "$line_diffs" = 0 ] && [ "$funnel_diffs" = 0 ]
	exit
fi
say "forecast"
train_ms=$(best_ms "SELECT count(*) FROM channel.train_forecast()" 1)
forecast_ms=$(best_ms "SELECT count(*) FROM channel.forecast()" 1)
forecast_warm=$(warm_ms "SELECT count(*) FROM channel.forecast()")
bt0=$(date +%s%N)
backtest=$(q -F ' ' -c "SELECT round(forecast_mape::numeric, 3), round(forecast_bias::numeric, 3), round(stage_mape::numeric, 3),
                            round(stage_bias::numeric, 3) FROM channel.forecast_accuracy(4) WHERE product_line IS NULL")
backtest_ms=$(( ($(date +%s%N) - bt0) / 1000000 ))
pipeline_fc_ms=$(best_ms "SELECT count(*) FROM channel.pipeline('2026-11-01')" 1)
pipeline_fc_warm=$(warm_ms "SELECT count(*) FROM channel.pipeline('2026-11-01')")

cat <<EOF
  pipeline(quarter), learned forecast        $(bi_figure "$pipeline_fc_warm" "$pipeline_fc_ms")
  train_forecast()                           $train_ms ms
  forecast(quarter)                          $(bi_figure "$forecast_warm" "$forecast_ms")
  forecast_accuracy(4) (MAPE bias, learned / stage weights)   $backtest   ($backtest_ms ms)
EOF
[ "$diffs" = 0 ] && [ "$line_diffs" = 0 ] && [ "$funnel_diffs" = 0 ]
