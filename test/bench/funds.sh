#!/usr/bin/env bash
# test/bench/funds.sh -- how fast the co-op accrual job is over the demo's
# 27,500 partners, against the plain SQL a user would write, and the fund
# reports' latency on the demo funds.
#
#   bash test/bench/funds.sh                     # 27,500 partners, 200,000 leads
#   BENCH_PARTNERS=5000 BENCH_LEADS=40000 bash test/bench/funds.sh   # a quick run
#
# Builds, starts a throwaway cluster (test/lib.sh), loads the demo channel,
# opens a co-op budget for this quarter and the last with five rules, then
# measures, each run in a transaction that is rolled back (so every run
# accrues the same deals from nothing), BENCH_RUNS (3) runs each, printing
# the median and the spread (min-max) and the load average:
#   * channel.accrue_coop(): one ledger row per partner and budget, one
#     traced row per deal, the ledger trigger's lock and overdraft check
#   * the plain SQL a user would write: one INSERT ... SELECT of the sums per
#     partner into a plain table (no trace, no lock, no check)
#   * the same plain SQL plus the per-deal trace rows (what traceability
#     costs by itself)
#   * channel.accrue_incentives() over an incentive budget with a gold and
#     platinum volume rebate and a SPIFF, against the plain INSERT ... SELECT
#     of the per-partner sums (the step rate by a window sum)
# then channel.demo_funds() once, and the latency of fund_balances(),
# fund_roi() and fund_claim_spike() over the whole channel.
#
# BENCH_DB=name (with PGHOST etc. of a running cluster, e.g. test/dev.sh's)
# reuses a database that already holds the demo channel (and possibly its
# demo funds): only the two bench budgets' deals are accrued, the other
# budgets are set aside inside each timed transaction.
source "$(dirname "$0")/../lib.sh"

partners=${BENCH_PARTNERS:-27500}
leads=${BENCH_LEADS:-200000}
runs=${BENCH_RUNS:-3}
db=${BENCH_DB:-channel_bench_funds}

if [ -z "${BENCH_DB:-}" ]; then
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
fi

q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }
# other budgets than the bench's are closed for the timed transaction only
prelude="UPDATE channel.fund_budget SET expired_at = now() WHERE name NOT LIKE 'Bench %' AND expired_at IS NULL"
stats_ms() {  # stats_ms <sql> : "median min max" wall time in ms of <sql>, each run in a rolled-back transaction
	local sql=$1 t all=()
	for _ in $(seq 1 "$runs"); do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'BEGIN' -c "$prelude" -c '\timing on' -c "$sql" -c '\timing off' -c 'ROLLBACK' \
		    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		all+=("$t")
	done
	printf '%s\n' "${all[@]}" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
	                                           printf "%.0f %.0f %.0f", m, v[1], v[NR] }'
}
fmt() { set -- $1; echo "median $1 ms (spread $2-$3 ms)"; }
median() { set -- $1; echo "$1"; }

if [ -z "${BENCH_DB:-}" ]; then
	say "loading the demo channel ($partners partners, $leads leads)"
	createdb "$db"
	q -c "CREATE EXTENSION channel CASCADE"
	q -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" >/dev/null
fi
# an earlier run's bench budgets are closed first
q -c "UPDATE channel.fund_budget SET expired_at = now() WHERE name LIKE 'Bench %' AND expired_at IS NULL"
q <<-'SQL'
	SELECT channel.create_fund_budget('Bench co-op last quarter', 'coop', 'quarter',
	                                  (date_trunc('quarter', current_date) - interval '3 months')::date, 'USD');
	SELECT channel.create_fund_budget('Bench co-op this quarter', 'coop', 'quarter', date_trunc('quarter', current_date)::date, 'USD');
	INSERT INTO channel.coop_rule (budget_id, tier, product_line, rate)
	SELECT b.budget_id, t, l, r FROM channel.fund_budget b,
	       (VALUES (NULL::channel.partner_tier, NULL, 0.01), ('gold', NULL, 0.02), ('platinum', NULL, 0.03),
	               ('platinum', 'SECURITY', 0.035), (NULL, 'SERVICES', 0.005)) w(t, l, r)
	WHERE b.name LIKE 'Bench %' AND b.expired_at IS NULL;
	CREATE TABLE public.plain_coop (budget_id bigint, partner_id bigint, amount numeric(16,2), at timestamptz DEFAULT now());
	CREATE TABLE public.plain_coop_deal (budget_id bigint, deal_id bigint, partner_id bigint, amount numeric(16,2));
	ANALYZE;
SQL
won=$(q -c "SELECT count(*) FROM channel.deal d WHERE d.status = 'won' AND d.currency = 'USD'
            AND d.closed_at >= (date_trunc('quarter', current_date) - interval '3 months')")
say "co-op accrual over $partners partners ($won deals won in the two quarters), $runs runs each; load: $(uptime | sed 's/.*load average: //')"

plain="INSERT INTO public.plain_coop (budget_id, partner_id, amount)
  SELECT b.budget_id, d.partner_id, sum(round(d.amount * r.rate, 2))
  FROM channel.fund_budget b
  JOIN channel.deal d ON d.status = 'won' AND d.partner_id IS NOT NULL AND d.currency = b.currency
   AND d.closed_at >= b.period_start::timestamp AT TIME ZONE 'UTC'
   AND d.closed_at < least(b.period_end, current_date + 1)::timestamp AT TIME ZONE 'UTC'
  JOIN channel.partner p ON p.partner_id = d.partner_id
  CROSS JOIN LATERAL (SELECT cr.rate FROM channel.coop_rule cr
                      WHERE cr.budget_id = b.budget_id AND (cr.tier IS NULL OR cr.tier = p.tier)
                        AND (cr.product_line IS NULL OR cr.product_line = d.product_line)
                      ORDER BY cr.product_line IS NULL, cr.tier IS NULL LIMIT 1) r
  WHERE b.fund = 'coop' AND b.name LIKE 'Bench %' AND b.expired_at IS NULL
  GROUP BY b.budget_id, d.partner_id"
traced="WITH src AS (
  SELECT b.budget_id, d.deal_id, d.partner_id, round(d.amount * r.rate, 2) AS amount
  FROM channel.fund_budget b
  JOIN channel.deal d ON d.status = 'won' AND d.partner_id IS NOT NULL AND d.currency = b.currency
   AND d.closed_at >= b.period_start::timestamp AT TIME ZONE 'UTC'
   AND d.closed_at < least(b.period_end, current_date + 1)::timestamp AT TIME ZONE 'UTC'
  JOIN channel.partner p ON p.partner_id = d.partner_id
  CROSS JOIN LATERAL (SELECT cr.rate FROM channel.coop_rule cr
                      WHERE cr.budget_id = b.budget_id AND (cr.tier IS NULL OR cr.tier = p.tier)
                        AND (cr.product_line IS NULL OR cr.product_line = d.product_line)
                      ORDER BY cr.product_line IS NULL, cr.tier IS NULL LIMIT 1) r
  WHERE b.fund = 'coop' AND b.name LIKE 'Bench %' AND b.expired_at IS NULL),
 deals AS (INSERT INTO public.plain_coop_deal SELECT * FROM src)
 INSERT INTO public.plain_coop (budget_id, partner_id, amount)
 SELECT budget_id, partner_id, sum(amount) FROM src GROUP BY budget_id, partner_id"

t_job=$(stats_ms "SELECT count(*) FROM channel.accrue_coop()")
t_plain=$(stats_ms "$plain")
t_traced=$(stats_ms "$traced")
rows=$(q -c "BEGIN" -c "$prelude" -c "SELECT sum(partners) || ' partner rows, ' || sum(deals) || ' deals' FROM channel.accrue_coop()" -c "ROLLBACK" | tail -1)
echo "accrue_coop():            $(fmt "$t_job")  ($rows)"
echo "plain INSERT ... SELECT:  $(fmt "$t_plain")  (sums only)"
echo "plain, with trace rows:   $(fmt "$t_traced")"
awk -v a="$(median "$t_job")" -v b="$(median "$t_plain")" -v c="$(median "$t_traced")" \
    'BEGIN { printf "accrue_coop / plain: %.2fx; / plain with trace: %.2fx (medians)\n", a / b, a / c }'

# incentives: a gold and platinum rebate (0.5% / 1% from 250,000 / 2% from
# 1,000,000) and a security SPIFF over this quarter's won deals
q -c "UPDATE channel.fund_budget SET expired_at = now() WHERE name = 'Bench incentives' AND expired_at IS NULL" >/dev/null
q <<-'SQL' >/dev/null
	SELECT channel.create_fund_budget('Bench incentives', 'incentive', 'quarter', date_trunc('quarter', current_date)::date, 'USD');
	INSERT INTO channel.incentive_rule (budget_id, kind, name, tier, product_line, step_from, step_rate, amount)
	SELECT b.budget_id, k, n, t, l, sf::numeric[], sr::numeric[], a FROM channel.fund_budget b,
	       (VALUES ('rebate', 'Bench platinum rebate', 'platinum'::channel.partner_tier, NULL, '{0,250000,1000000}', '{0.005,0.01,0.02}', NULL::numeric),
	               ('rebate', 'Bench gold rebate', 'gold', NULL, '{0,250000,1000000}', '{0.005,0.01,0.02}', NULL),
	               ('spiff', 'Bench security SPIFF', NULL, 'SECURITY', NULL, NULL, 150)) r(k, n, t, l, sf, sr, a)
	WHERE b.name = 'Bench incentives' AND b.expired_at IS NULL;
	CREATE TABLE IF NOT EXISTS public.plain_inc (partner_id bigint, amount numeric(16,2));
	ANALYZE channel.incentive_rule;
SQL
plain_inc="INSERT INTO public.plain_inc (partner_id, amount)
  WITH s AS (
    SELECT d.partner_id, d.amount, p.tier, d.product_line,
           sum(d.amount) OVER (PARTITION BY d.partner_id) AS total
    FROM channel.deal d JOIN channel.partner p ON p.partner_id = d.partner_id
    WHERE d.status = 'won' AND d.currency = 'USD'
      AND d.closed_at >= date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC'
      AND d.closed_at < (current_date + 1)::timestamp AT TIME ZONE 'UTC')
  SELECT partner_id, sum(CASE WHEN tier IN ('gold', 'platinum')
                              THEN round(amount * CASE WHEN total >= 1000000 THEN 0.02 WHEN total >= 250000 THEN 0.01 ELSE 0.005 END, 2)
                              ELSE 0 END
                         + CASE WHEN product_line = 'SECURITY' THEN 150 ELSE 0 END)
  FROM s GROUP BY partner_id"
prelude="$prelude; UPDATE channel.fund_budget SET expired_at = now() WHERE name LIKE 'Bench co-op %' AND expired_at IS NULL"
t_inc=$(stats_ms "SELECT count(*) FROM channel.accrue_incentives()")
t_inc_plain=$(stats_ms "$plain_inc")
inc_rows=$(q -c "BEGIN" -c "$prelude" -c "SELECT sum(partners) || ' partners, ' || sum(sales) || ' sales' FROM channel.accrue_incentives()" -c "ROLLBACK" | tail -1)
echo "accrue_incentives():      $(fmt "$t_inc")  ($inc_rows)"
echo "plain INSERT ... SELECT:  $(fmt "$t_inc_plain")  (per-partner sums)"
awk -v a="$(median "$t_inc")" -v b="$(median "$t_inc_plain")" 'BEGIN { printf "accrue_incentives / plain: %.2fx (medians)\n", a / b }'

if [ -z "${BENCH_DB:-}" ]; then
say "demo funds"
# the bench budgets hold no ledger row (every timed run was rolled back):
# they go, as demo_funds() only fills a channel without funds
q -c "DELETE FROM channel.coop_rule r USING channel.fund_budget b WHERE r.budget_id = b.budget_id AND b.name LIKE 'Bench %'" \
  -c "DELETE FROM channel.incentive_rule r USING channel.fund_budget b WHERE r.budget_id = b.budget_id AND b.name LIKE 'Bench %'" \
  -c "DELETE FROM channel.fund_budget WHERE name LIKE 'Bench %'" >/dev/null
t_demo=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c '\timing on' -c "SELECT count(*) FROM channel.demo_funds()" \
         | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
echo "demo_funds(): $(printf '%.0f' "$t_demo") ms"
fi
prelude="SELECT 1"
say "report latency: $(q -c "SELECT count(*) FROM channel.fund_ledger") ledger rows, $(q -c "SELECT count(*) FROM channel.fund_allocation") allocations"
echo "fund_balances() over every allocation: $(fmt "$(stats_ms "SELECT count(*) FROM channel.fund_balances()")")"
echo "fund_balances(partner):                $(fmt "$(stats_ms "SELECT count(*) FROM channel.fund_balances(partner_id => (SELECT min(partner_id) FROM channel.fund_allocation))")")"
echo "fund_roi(last quarter), every partner: $(fmt "$(stats_ms "SELECT count(*) FROM channel.fund_roi((date_trunc('quarter', current_date) - interval '3 months')::date, date_trunc('quarter', current_date)::date)")")"
echo "fund_claim_spike(last quarter):        $(fmt "$(stats_ms "SELECT count(*) FROM channel.fund_claim_spike((date_trunc('quarter', current_date) - interval '3 months')::date, date_trunc('quarter', current_date)::date)")")"
if [ -n "${BENCH_DB:-}" ]; then
	q -c "DROP TABLE public.plain_coop, public.plain_coop_deal, public.plain_inc"
	echo "(the two bench budgets stay in $db)"
fi
