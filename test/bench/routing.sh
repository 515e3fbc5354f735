#!/usr/bin/env bash
# test/bench/routing.sh -- lead routing and scoring against the SQL a user
# would write, on the demo channel (doc/benchmarks.md, "Lead scoring and
# routing").  Not part of the test suite; run once, it takes a few minutes:
#
#   bash test/bench/routing.sh
#   BENCH_PARTNERS=27500 BENCH_LEADS=200000 BENCH_LATERAL_LEADS=5000 bash test/bench/routing.sh
#
# 1. channel.route_leads() on every new lead, against a bare UPDATE that
#    writes the same decisions (partner ids precomputed) -- the cost of
#    writing the result, triggers included;
# 2. route_leads(N) against the set-based SQL for the same policy, a LATERAL
#    top-1 over the eligible partners (test/bench/routing_lateral.sql), on the
#    same first N new leads: it costs ~10 ms a lead, so N is a sample
#    (BENCH_LATERAL_LEADS, default 5000) and the figures are leads per second;
# 3. channel.score_lead() against the same rules as a SQL CASE sum, over
#    every lead.
# Every measured statement runs in a transaction that is rolled back, so each
# starts from the same state: the demo with every lead reset to new.
source "$(dirname "$0")/../lib.sh"

partners=${BENCH_PARTNERS:-27500}
leads=${BENCH_LEADS:-200000}
lateral=${BENCH_LATERAL_LEADS:-5000}

channel_install_deps
channel_build
channel_sandbox
channel_start_cluster

db=channel_bench_routing
psql_b() { psql -X -q -v ON_ERROR_STOP=1 -d $db "$@"; }
createdb $db
psql_b -c "CREATE EXTENSION channel"
say "loading the demo: $partners partners, $leads leads"
psql_b -c "SELECT count(*) FROM channel.generate_demo($partners, $leads, 1)" >/dev/null
say "resetting every lead to new"
psql_b <<'SQL'
UPDATE channel.lead SET status = 'new', partner_id = NULL, routed_at = NULL, accept_by = NULL,
       accepted_at = NULL, closed_at = NULL, reject_reason = NULL, status_reason = NULL;
VACUUM ANALYZE channel.lead;
VACUUM ANALYZE channel.lead_event;
SQL

choice=$CHANNEL_TMP/choice.tsv
say "measuring"
psql_b -v choice="$choice" -v lateral="$lateral" -v limit="$lateral" \
       -v lateral_sql="$CHANNEL_SRC/test/bench/routing_lateral.sql" <<'SQL'
\set QUIET on
SET max_parallel_workers_per_gather = 0;

-- 1a. route_leads() over every new lead; keep its decisions
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n_all, count(partner_id) AS n_routed FROM channel.route_leads() \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS route_all_s \gset
\o :choice
COPY (SELECT lead_id, partner_id, routed_at IS NOT NULL AS routed, accept_by - routed_at AS sla
      FROM channel.lead WHERE status IN ('routed', 'pooled')) TO STDOUT;
\o
ROLLBACK;
CREATE TABLE bench_choice (lead_id bigint PRIMARY KEY, partner_id bigint, routed boolean, sla interval);
COPY bench_choice FROM :'choice';
ANALYZE bench_choice;

-- 1b. the bare UPDATE writing the same decisions
BEGIN;
SELECT clock_timestamp() AS t0 \gset
UPDATE channel.lead l
SET status = CASE WHEN c.routed THEN 'routed' ELSE 'pooled' END::channel.lead_status,
    partner_id = c.partner_id,
    routed_at = CASE WHEN c.routed THEN now() END,
    accept_by = CASE WHEN c.routed THEN now() + c.sla END,
    status_reason = CASE WHEN c.routed THEN 'precomputed' ELSE 'no_eligible_partner' END
FROM bench_choice c WHERE l.lead_id = c.lead_id;
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS update_all_s \gset
ROLLBACK;

-- 2a. route_leads(N) on the first N new leads
BEGIN;
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS n_sample FROM channel.route_leads(:lateral) \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS route_sample_s \gset
ROLLBACK;

-- 2b. the LATERAL top-1 SQL on the same leads
BEGIN;
SELECT clock_timestamp() AS t0 \gset
\i :lateral_sql
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS lateral_sample_s \gset
SELECT count(*) AS lateral_routed FROM channel.lead WHERE status = 'routed' \gset
ROLLBACK;

-- 3. scoring: C rules against the SQL CASE sum of the same (shipped) rules;
-- each twice, the second (warm) run counts
SELECT sum(channel.score_lead(l)) FROM channel.lead l \gset warm_
SELECT clock_timestamp() AS t0 \gset
SELECT sum(channel.score_lead(l)) AS c_sum FROM channel.lead l \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS score_c_s \gset
-- the bulk entry point: the scored columns, no row value
SELECT sum(channel.score_lead_values(l.source, l.campaign, l.industry, l.country, l.region, l.product_line,
                                     l.authority, l.need, l.employees, l.budget, l.timeline_days)) FROM channel.lead l \gset warm_
SELECT clock_timestamp() AS t0 \gset
SELECT sum(channel.score_lead_values(l.source, l.campaign, l.industry, l.country, l.region, l.product_line,
                                     l.authority, l.need, l.employees, l.budget, l.timeline_days)) AS v_sum FROM channel.lead l \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS score_v_s \gset
SELECT sum(least(100, greatest(0,
         CASE WHEN l.authority = 'decision_maker' THEN 25 ELSE 0 END
       + CASE WHEN l.authority = 'influencer' THEN 10 ELSE 0 END
       + CASE WHEN l.need = 'high' THEN 25 ELSE 0 END
       + CASE WHEN l.need = 'medium' THEN 10 ELSE 0 END
       + CASE WHEN l.budget >= 50000 THEN 15 ELSE 0 END
       + CASE WHEN l.budget >= 200000 THEN 10 ELSE 0 END
       + CASE WHEN l.timeline_days <= 90 THEN 15 ELSE 0 END
       + CASE WHEN l.source IN ('referral', 'partner', 'inbound_call') THEN 10 ELSE 0 END
       + CASE WHEN l.source = 'purchased_list' THEN -10 ELSE 0 END
       + CASE WHEN l.employees >= 1000 THEN 5 ELSE 0 END))) FROM channel.lead l \gset warm_
SELECT clock_timestamp() AS t0 \gset
SELECT sum(least(100, greatest(0,
         CASE WHEN l.authority = 'decision_maker' THEN 25 ELSE 0 END
       + CASE WHEN l.authority = 'influencer' THEN 10 ELSE 0 END
       + CASE WHEN l.need = 'high' THEN 25 ELSE 0 END
       + CASE WHEN l.need = 'medium' THEN 10 ELSE 0 END
       + CASE WHEN l.budget >= 50000 THEN 15 ELSE 0 END
       + CASE WHEN l.budget >= 200000 THEN 10 ELSE 0 END
       + CASE WHEN l.timeline_days <= 90 THEN 15 ELSE 0 END
       + CASE WHEN l.source IN ('referral', 'partner', 'inbound_call') THEN 10 ELSE 0 END
       + CASE WHEN l.source = 'purchased_list' THEN -10 ELSE 0 END
       + CASE WHEN l.employees >= 1000 THEN 5 ELSE 0 END))) AS sql_sum FROM channel.lead l \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS score_sql_s \gset
SELECT count(*) AS n_leads FROM channel.lead \gset
-- what passing the whole row costs by itself (any function of channel.lead pays it)
SELECT count(l) FROM channel.lead l \gset warm_
SELECT clock_timestamp() AS t0 \gset
SELECT count(l) FROM channel.lead l \gset
SELECT extract(epoch FROM clock_timestamp() - :'t0') AS row_s \gset

\set QUIET off
\pset footer off
SELECT 'route_leads(), all new leads' AS what, :n_all AS leads, round(:route_all_s::numeric, 2) AS seconds,
       round(:n_all / :route_all_s) AS leads_per_s
UNION ALL SELECT 'bare UPDATE of precomputed partner ids', :n_all, round(:update_all_s::numeric, 2), round(:n_all / :update_all_s)
UNION ALL SELECT 'route_leads(' || :lateral || ')', :n_sample, round(:route_sample_s::numeric, 2), round(:n_sample / :route_sample_s)
UNION ALL SELECT 'LATERAL top-1 SQL, same leads', :n_sample, round(:lateral_sample_s::numeric, 2), round(:n_sample / :lateral_sample_s)
UNION ALL SELECT 'score_lead() over every lead', :n_leads, round(:score_c_s::numeric, 3), round(:n_leads / :score_c_s)
UNION ALL SELECT 'score_lead_values() over every lead', :n_leads, round(:score_v_s::numeric, 3), round(:n_leads / :score_v_s)
UNION ALL SELECT 'SQL CASE sum over every lead', :n_leads, round(:score_sql_s::numeric, 3), round(:n_leads / :score_sql_s)
UNION ALL SELECT '(count(l): building the row argument alone)', :n_leads, round(:row_s::numeric, 3), round(:n_leads / :row_s);
SELECT :n_routed AS routed_to_a_partner, :n_all - :n_routed AS pooled, :lateral_routed AS lateral_routed_of_sample,
       :c_sum = :sql_sum AND :v_sum = :sql_sum AS same_scores;
SELECT round((:route_all_s / :update_all_s)::numeric, 2) AS "route_leads / bare UPDATE (target <= 2)",
       round((:lateral_sample_s / :route_sample_s)::numeric, 1) AS "LATERAL SQL / route_leads (target >= 10)",
       round((:score_sql_s / :score_c_s)::numeric, 2) AS "SQL CASE / score_lead",
       round((:score_sql_s / :score_v_s)::numeric, 2) AS "SQL CASE / score_lead_values (target >= 1)";
SQL
