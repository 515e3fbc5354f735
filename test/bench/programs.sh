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
#   * the hand-written query with the same output as evaluate_tiers (values, pass/fail, texts)
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

# the same rules by hand with the same output as evaluate_tiers (current tier, met, missed
# requirements as text, every requirement's value and pass/fail); the requirement ids are
# those demo_programs() creates in a fresh database
HAND_FULL=$(cat <<-'SQL'
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
	  WHERE m.joined_on <= d.as_of AND (m.left_on IS NULL OR m.left_on > d.as_of)),
	r0 AS (
	  SELECT v.partner_id, v.program,
	         CASE WHEN v.program = 'Partner Network' THEN ARRAY[v.revenue, v.certs, v.acceptance, v.revenue, v.expert, v.acceptance, v.win_rate, v.contacts, v.revenue, v.expert, v.acceptance, v.win_rate, v.contacts, v.trained]::numeric[] ELSE ARRAY[v.converted, v.converted, v.revenue]::numeric[] END AS vals,
	         CASE WHEN v.program = 'Partner Network' THEN ARRAY[coalesce(v.revenue >= 250000, false), coalesce(v.certs >= 1, false), coalesce(v.acceptance >= 0.50, false), coalesce(v.revenue >= 2000000, false), coalesce(v.expert >= 2, false), coalesce(v.acceptance >= 0.70, false), coalesce(v.win_rate >= 0.30, false), coalesce(v.contacts >= 3, false), coalesce(v.revenue >= 10000000, false), coalesce(v.expert >= 3, false), coalesce(v.acceptance >= 0.80, false), coalesce(v.win_rate >= 0.35, false), coalesce(v.contacts >= 3, false), coalesce(v.trained >= 2, false)] ELSE ARRAY[coalesce(v.converted >= 2, false), coalesce(v.converted >= 10, false), coalesce(v.revenue >= 500000, false)] END AS ok
	  FROM v),
	r AS (SELECT r.*, CASE WHEN r.program = 'Partner Network' THEN CASE WHEN NOT (r.ok[1] AND r.ok[2] AND r.ok[3]) THEN 1 WHEN NOT (r.ok[4] AND r.ok[5] AND r.ok[6] AND r.ok[7] AND r.ok[8]) THEN 2 WHEN NOT (r.ok[9] AND r.ok[10] AND r.ok[11] AND r.ok[12] AND r.ok[13] AND r.ok[14]) THEN 3 END ELSE CASE WHEN NOT (r.ok[1]) THEN 1 WHEN NOT (r.ok[2] AND r.ok[3]) THEN 2 END END AS ff FROM r0 r)
	SELECT r.partner_id, pa.tier AS current_tier,
	       (ARRAY['registered', 'silver', 'gold', 'platinum']::channel.partner_tier[])[1 + CASE WHEN r.program = 'Partner Network' THEN CASE WHEN NOT (r.ok[1] AND r.ok[2] AND r.ok[3]) THEN 0 WHEN NOT (r.ok[4] AND r.ok[5] AND r.ok[6] AND r.ok[7] AND r.ok[8]) THEN 1 WHEN NOT (r.ok[9] AND r.ok[10] AND r.ok[11] AND r.ok[12] AND r.ok[13] AND r.ok[14]) THEN 2 ELSE 3 END ELSE CASE WHEN NOT (r.ok[1]) THEN 0 WHEN NOT (r.ok[2] AND r.ok[3]) THEN 1 ELSE 2 END END] AS qualified_tier,
	       cardinality(array_positions(r.ok, true)) AS met, cardinality(r.ok) AS total,
	       CASE WHEN r.ff IS NULL THEN '{}'::text[] WHEN r.program = 'Partner Network' THEN array_remove(ARRAY[CASE WHEN r.ff = 1 AND NOT r.ok[1] THEN 'won_revenue(12m) = ' || coalesce(trim_scale(round(r.vals[1], 4))::text, 'unknown') || ', needs >= 250000' END, CASE WHEN r.ff = 1 AND NOT r.ok[2] THEN 'valid_certifications = ' || coalesce(trim_scale(round(r.vals[2], 4))::text, 'unknown') || ', needs >= 1' END, CASE WHEN r.ff = 1 AND NOT r.ok[3] THEN 'lead_acceptance_rate(12m) = ' || coalesce(trim_scale(round(r.vals[3], 4))::text, 'unknown') || ', needs >= 0.50' END, CASE WHEN r.ff = 2 AND NOT r.ok[4] THEN 'won_revenue(12m) = ' || coalesce(trim_scale(round(r.vals[4], 4))::text, 'unknown') || ', needs >= 2000000' END, CASE WHEN r.ff = 2 AND NOT r.ok[5] THEN 'valid_certifications[expert] = ' || coalesce(trim_scale(round(r.vals[5], 4))::text, 'unknown') || ', needs >= 2' END, CASE WHEN r.ff = 2 AND NOT r.ok[6] THEN 'lead_acceptance_rate(12m) = ' || coalesce(trim_scale(round(r.vals[6], 4))::text, 'unknown') || ', needs >= 0.70' END, CASE WHEN r.ff = 2 AND NOT r.ok[7] THEN 'win_rate(12m) = ' || coalesce(trim_scale(round(r.vals[7], 4))::text, 'unknown') || ', needs >= 0.30' END, CASE WHEN r.ff = 2 AND NOT r.ok[8] THEN 'contacts = ' || coalesce(trim_scale(round(r.vals[8], 4))::text, 'unknown') || ', needs >= 3' END, CASE WHEN r.ff = 3 AND NOT r.ok[9] THEN 'won_revenue(12m) = ' || coalesce(trim_scale(round(r.vals[9], 4))::text, 'unknown') || ', needs >= 10000000' END, CASE WHEN r.ff = 3 AND NOT r.ok[10] THEN 'valid_certifications[expert] = ' || coalesce(trim_scale(round(r.vals[10], 4))::text, 'unknown') || ', needs >= 3' END, CASE WHEN r.ff = 3 AND NOT r.ok[11] THEN 'lead_acceptance_rate(12m) = ' || coalesce(trim_scale(round(r.vals[11], 4))::text, 'unknown') || ', needs >= 0.80' END, CASE WHEN r.ff = 3 AND NOT r.ok[12] THEN 'win_rate(12m) = ' || coalesce(trim_scale(round(r.vals[12], 4))::text, 'unknown') || ', needs >= 0.35' END, CASE WHEN r.ff = 3 AND NOT r.ok[13] THEN 'contacts = ' || coalesce(trim_scale(round(r.vals[13], 4))::text, 'unknown') || ', needs >= 3' END, CASE WHEN r.ff = 3 AND NOT r.ok[14] THEN 'trained_contacts(12m) = ' || coalesce(trim_scale(round(r.vals[14], 4))::text, 'unknown') || ', needs >= 2' END], NULL) ELSE array_remove(ARRAY[CASE WHEN r.ff = 1 AND NOT r.ok[1] THEN 'leads_converted(12m) = ' || coalesce(trim_scale(round(r.vals[1], 4))::text, 'unknown') || ', needs >= 2' END, CASE WHEN r.ff = 2 AND NOT r.ok[2] THEN 'leads_converted(12m) = ' || coalesce(trim_scale(round(r.vals[2], 4))::text, 'unknown') || ', needs >= 10' END, CASE WHEN r.ff = 2 AND NOT r.ok[3] THEN 'won_revenue(12m) = ' || coalesce(trim_scale(round(r.vals[3], 4))::text, 'unknown') || ', needs >= 500000' END], NULL) END AS missing,
	       CASE WHEN r.program = 'Partner Network' THEN '{1,2,3,4,5,6,7,8,9,10,11,12,13,14}'::bigint[] ELSE '{15,16,17}'::bigint[] END AS ids, r.vals, r.ok
	FROM r JOIN channel.partner pa ON pa.partner_id = r.partner_id
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
disagree_full=$(q -c "SELECT count(*) FROM (SELECT e.partner_id, e.current_tier, e.qualified_tier, e.requirements_met, e.requirements_total,
                                                    e.missing, e.requirement_ids, e.requirement_values, e.requirement_passed
                                             FROM channel.evaluate_tiers() e) e
                      FULL JOIN ($HAND_FULL) h ON h.partner_id = e.partner_id
                      WHERE (e.current_tier, e.qualified_tier, e.requirements_met, e.requirements_total, e.missing, e.requirement_ids,
                             e.requirement_values, e.requirement_passed)
                            IS DISTINCT FROM (h.current_tier, h.qualified_tier, h.met, h.total, h.missing, h.ids, h.vals, h.ok)")
read -r ev_best ev_med <<<"$(times_ms "SELECT count(*), count(*) FILTER (WHERE qualified_tier > 'registered') FROM channel.evaluate_tiers()")"
read -r tv_best tv_med <<<"$(times_ms "SELECT count(*) FROM channel.tier_checks(current_date)")"
read -r hd_best hd_med <<<"$(times_ms "SELECT count(*), count(*) FILTER (WHERE qualified_tier > 'registered') FROM ($HAND) h")"
read -r hf_best hf_med <<<"$(times_ms "SELECT count(*), count(*) FILTER (WHERE qualified_tier > 'registered') FROM ($HAND_FULL) h")"
read -r ap_best ap_med <<<"$(times_ms "BEGIN; SELECT * FROM channel.apply_tiers(current_date, false); ROLLBACK;")"

echo
echo "tier evaluation, $members partners, $reqs requirements (ms, best / median of $runs)"
printf '  %-46s %7s %7s\n' "channel.evaluate_tiers()" "$ev_best" "$ev_med"
printf '  %-46s %7s %7s\n' "channel.tier_checks() (one row per requirement)" "$tv_best" "$tv_med"
printf '  %-46s %7s %7s\n' "hand-written SQL for the same rules" "$hd_best" "$hd_med"
printf '  %-46s %7s %7s\n' "hand-written, same output as evaluate_tiers" "$hf_best" "$hf_med"
printf '  %-46s %7s %7s\n' "channel.apply_tiers() (rolled back)" "$ap_best" "$ap_med"
awk -v e="$ev_best" -v h="$hd_best" -v em="$ev_med" -v hm="$hd_med" 'BEGIN {printf "  evaluate_tiers / hand-written: %.2fx (best), %.2fx (median)\n", e / h, em / hm}'
awk -v e="$ev_best" -v h="$hf_best" -v em="$ev_med" -v hm="$hf_med" 'BEGIN {printf "  evaluate_tiers / hand-written with the same output: %.2fx (best), %.2fx (median)\n", e / h, em / hm}'
echo "  partners where evaluate_tiers and the hand-written SQL disagree: $disagree"
echo "  rows where evaluate_tiers and the same-output hand-written SQL differ: $disagree_full"
echo "  load average: $(cut -d' ' -f1-3 /proc/loadavg)"
