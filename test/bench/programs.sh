#!/usr/bin/env bash
# test/bench/programs.sh -- tier evaluation over the demo channel (27,500
# partners, every one a programme member) against the set-based SQL a user
# would write by hand for the same rules, in the same database.
#
#   bash test/bench/programs.sh                  # build, throwaway cluster, demo, measure
#   BENCH_DB=mydb bash test/bench/programs.sh    # measure in an existing database that
#                                                # already holds generate_demo() + demo_programs()
#   BENCH_RUNS=7 ...                             # runs per statement (default 5)
#
# Measures, each statement in its own session, best and median of the runs:
#   * channel.evaluate_tiers(): qualified tier, requirements met, the missed
#     requirements as text and every requirement's value and pass/fail
#   * channel.tier_checks(): the same as one row per partner and requirement
#   * the hand-written query for the demo programmes' rules (qualified tier only)
#   * channel.apply_tiers() (inside a transaction that is rolled back)
# and checks that evaluate_tiers and the hand-written query agree on every
# partner's qualified tier.
source "$(dirname "$0")/../lib.sh"

runs=${BENCH_RUNS:-5}
if [ -n "${BENCH_DB:-}" ]; then
	db=$BENCH_DB
else
	channel_install_deps
	channel_build
	channel_sandbox
	channel_start_cluster
	db=channel_bench
	createdb $db
	psql -X -q -v ON_ERROR_STOP=1 -d $db -c "CREATE EXTENSION channel"
	say "generating the demo channel and its programmes"
	psql -X -q -v ON_ERROR_STOP=1 -d $db -c "SELECT count(*) FROM channel.generate_demo()" \
	     -c "SELECT channel.rebuild_rollups()" -c "SELECT count(*) FROM channel.demo_programs()" >/dev/null
fi
q() { psql -X -q -v ON_ERROR_STOP=1 -At -d "$db" "$@"; }

# the rules of channel.demo_programs(), written by hand
HAND=$(cat <<-'SQL'
	WITH d AS (SELECT current_date AS as_of,
	                  channel.bi_window_start(current_date, 12) AS w12, channel.month_of(current_date) AS m),
	pm AS (
	  SELECT pm.partner_id, sum(pm.won_revenue) AS revenue,
	         sum(pm.leads_accepted)::numeric / nullif(sum(pm.leads_accepted + pm.leads_rejected + pm.leads_recalled), 0) AS acceptance,
	         sum(pm.deals_won)::numeric / nullif(sum(pm.deals_won + pm.deals_lost), 0) AS win_rate,
	         sum(pm.leads_converted) AS converted
	  FROM channel.partner_month pm, d WHERE pm.month >= d.w12 AND pm.month <= d.m GROUP BY pm.partner_id),
	cert AS (
	  SELECT c.partner_id, count(*) AS valid, count(*) FILTER (WHERE c.level >= 'expert') AS expert
	  FROM channel.certification c, d WHERE c.earned_on <= d.as_of AND c.expires_on > d.as_of GROUP BY c.partner_id),
	contacts AS (
	  SELECT pc.partner_id, count(*) AS n FROM channel.partner_contact pc, d
	  WHERE pc.created_at < (d.as_of + 1)::timestamp AT TIME ZONE 'UTC' GROUP BY pc.partner_id),
	trained AS (
	  SELECT e.partner_id, count(DISTINCT e.contact_id) AS n FROM channel.course_enrolment e, d
	  WHERE e.completed_at >= d.w12::timestamp AT TIME ZONE 'UTC' AND e.completed_at < (d.as_of + 1)::timestamp AT TIME ZONE 'UTC'
	  GROUP BY e.partner_id),
	v AS (
	  SELECT m.partner_id, pr.name AS program, coalesce(pm.revenue, 0) AS revenue, pm.acceptance, pm.win_rate,
	         coalesce(pm.converted, 0) AS converted, coalesce(cert.valid, 0) AS certs, coalesce(cert.expert, 0) AS expert,
	         coalesce(contacts.n, 0) AS contacts, coalesce(trained.n, 0) AS trained
	  FROM channel.program_member m JOIN channel.program pr ON pr.program_id = m.program_id CROSS JOIN d
	  LEFT JOIN pm ON pm.partner_id = m.partner_id LEFT JOIN cert ON cert.partner_id = m.partner_id
	  LEFT JOIN contacts ON contacts.partner_id = m.partner_id LEFT JOIN trained ON trained.partner_id = m.partner_id
	  WHERE m.joined_on <= d.as_of AND (m.left_on IS NULL OR m.left_on > d.as_of))
	SELECT v.partner_id,
	       CASE WHEN v.program = 'Partner Network' THEN
	         CASE WHEN NOT (v.revenue >= 250000 AND v.certs >= 1 AND coalesce(v.acceptance >= 0.5, false)) THEN 'registered'
	              WHEN NOT (v.revenue >= 2000000 AND v.expert >= 2 AND coalesce(v.acceptance >= 0.7, false)
	                        AND coalesce(v.win_rate >= 0.3, false) AND v.contacts >= 3) THEN 'silver'
	              WHEN NOT (v.revenue >= 10000000 AND v.expert >= 3 AND coalesce(v.acceptance >= 0.8, false)
	                        AND coalesce(v.win_rate >= 0.35, false) AND v.contacts >= 3 AND v.trained >= 2) THEN 'gold'
	              ELSE 'platinum' END
	       ELSE
	         CASE WHEN NOT (v.converted >= 2) THEN 'registered'
	              WHEN NOT (v.converted >= 10 AND v.revenue >= 500000) THEN 'silver'
	              ELSE 'gold' END
	       END::channel.partner_tier AS qualified_tier
	FROM v
SQL
)

# wall times in ms of a statement over $runs sessions: "best median"
times_ms() {
	local sql=$1 t all=()
	for _ in $(seq 1 "$runs"); do
		t=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'SET jit = off' -c '\timing on' -c "$sql" \
		    | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		all+=("$t")
	done
	printf '%s\n' "${all[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f %.0f", a[1], a[int((NR+1)/2)]}'
}

members=$(q -c "SELECT count(*) FROM channel.program_member WHERE left_on IS NULL")
reqs=$(q -c "SELECT count(*) FROM channel.tier_requirement")
say "$members members, $reqs requirements; $runs runs each"
q -c "VACUUM ANALYZE channel.partner_month, channel.certification, channel.partner_contact, channel.course_enrolment, channel.program_member"

disagree=$(q -c "SELECT count(*) FROM ($HAND) h FULL JOIN channel.evaluate_tiers() e USING (partner_id)
                 WHERE h.qualified_tier IS DISTINCT FROM e.qualified_tier")
read -r ev_best ev_med <<<"$(times_ms "SELECT count(*), count(*) FILTER (WHERE qualified_tier > 'registered') FROM channel.evaluate_tiers()")"
read -r tv_best tv_med <<<"$(times_ms "SELECT count(*) FROM channel.tier_checks(current_date)")"
read -r hd_best hd_med <<<"$(times_ms "SELECT count(*), count(*) FILTER (WHERE qualified_tier > 'registered') FROM ($HAND) h")"
read -r ap_best ap_med <<<"$(times_ms "BEGIN; SELECT * FROM channel.apply_tiers(current_date, false); ROLLBACK;")"

echo
echo "tier evaluation, $members partners, $reqs requirements (ms, best / median of $runs)"
printf '  %-46s %7s %7s\n' "channel.evaluate_tiers()" "$ev_best" "$ev_med"
printf '  %-46s %7s %7s\n' "channel.tier_checks() (one row per requirement)" "$tv_best" "$tv_med"
printf '  %-46s %7s %7s\n' "hand-written SQL for the same rules" "$hd_best" "$hd_med"
printf '  %-46s %7s %7s\n' "channel.apply_tiers() (rolled back)" "$ap_best" "$ap_med"
awk -v e="$ev_best" -v h="$hd_best" -v em="$ev_med" -v hm="$hd_med" 'BEGIN {printf "  evaluate_tiers / hand-written: %.2fx (best), %.2fx (median)\n", e / h, em / hm}'
echo "  partners where evaluate_tiers and the hand-written SQL disagree: $disagree"
