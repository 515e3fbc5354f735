-- Market development funds and co-op: budgets, requests, claims, ROI
--
-- Two quarters of MDF and co-op for the demo channel (channel.demo_funds()):
-- regional MDF allocated by tier, co-op accrued on won deals, partners'
-- requests and claims, partner campaigns and the leads they produced, and
-- the previous quarter closed by the period-end job (10% carried over).
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never

\echo 'Generating the demo funds (channel.demo_funds())'
\timing on
SELECT * FROM channel.demo_funds();
\timing off

\echo 'Budgets: what was put in, allocated, accrued, and what is left in the pools (channel.fund_budget_balance)'
SELECT name, fund, round(budgeted / 1e6, 2) AS budgeted_musd, round(allocated / 1e6, 2) AS allocated_musd,
       round(accrued / 1e6, 2) AS accrued_musd, round(earned / 1e6, 2) AS earned_musd, round(unallocated / 1e6, 2) AS pool_musd,
       round(expired_unallocated / 1e6, 2) AS pool_expired_musd, closed
FROM channel.fund_budget_balance ORDER BY period_start, fund, name;

\echo 'Partner balances per fund and quarter, summed (channel.fund_balances())'
SELECT fund, period_start, count(*) AS partners, round(sum(allocated + accrued + carried_in) / 1e6, 2) AS funded_musd,
       round(sum(reserved) / 1e6, 2) AS reserved_musd, round(sum(paid) / 1e6, 2) AS paid_musd,
       round(sum(expired) / 1e6, 2) AS expired_musd, round(sum(carried_out) / 1e6, 2) AS carried_musd,
       round(sum(available) / 1e6, 2) AS available_musd
FROM channel.fund_balances() GROUP BY fund, period_start ORDER BY period_start, fund;

\echo 'Co-op: the five partners that earned most this quarter, traced to the deals (channel.fund_accrual_deal)'
SELECT x.partner_id, p.name, p.tier, count(*) AS deals, round(sum(x.revenue)) AS won_revenue,
       round(sum(x.amount)) AS coop_earned, round(100 * sum(x.amount) / sum(x.revenue), 2) AS pct
FROM channel.fund_accrual_deal x JOIN channel.partner p USING (partner_id)
JOIN channel.fund_budget b ON b.budget_id = x.budget_id AND b.period_start = date_trunc('quarter', current_date)::date
GROUP BY x.partner_id, p.name, p.tier ORDER BY sum(x.amount) DESC, x.partner_id LIMIT 5;

\echo 'Requests and claims by status'
SELECT 'request' AS what, status::text, count(*), round(sum(coalesce(approved_amount, planned_cost)) / 1e3) AS kusd
FROM channel.fund_request GROUP BY status
UNION ALL
SELECT 'claim', status::text, count(*), round(sum(coalesce(approved_amount, amount)) / 1e3)
FROM channel.fund_claim GROUP BY status
ORDER BY 1 DESC, 2;

\echo 'ROI of last quarter''s activities by activity type (channel.fund_roi(): won revenue / paid)'
SELECT activity_type, sum(requests) AS requests, round(sum(paid) / 1e3) AS paid_kusd, sum(leads) AS leads,
       sum(converted) AS converted, sum(won_deals) AS won_deals, round(sum(won_revenue) / 1e3) AS won_kusd,
       round(sum(paid) / nullif(sum(leads), 0)) AS cost_per_lead, round(sum(won_revenue) / nullif(sum(paid), 0), 1) AS roi
FROM channel.fund_roi((date_trunc('quarter', current_date) - interval '3 months')::date, date_trunc('quarter', current_date)::date)
GROUP BY activity_type ORDER BY sum(won_revenue) / nullif(sum(paid), 0) DESC NULLS LAST;

\echo 'The ten best-returning partner campaigns of last quarter (at least 5,000 USD paid)'
SELECT partner_id, campaign_code, activity_type, paid, leads, won_deals, won_revenue, cost_per_lead, roi
FROM channel.fund_roi((date_trunc('quarter', current_date) - interval '3 months')::date, date_trunc('quarter', current_date)::date)
WHERE campaign_id IS NOT NULL AND paid >= 5000
ORDER BY roi DESC NULLS LAST, partner_id LIMIT 10;

\echo 'The end-of-quarter spike: partners with at least half of last quarter''s claims in its last two weeks (channel.fund_claim_spike())'
SELECT count(*) AS partners_claiming, count(*) FILTER (WHERE flagged) AS flagged,
       round(100.0 * count(*) FILTER (WHERE flagged) / nullif(count(*), 0), 1) AS flagged_pct,
       round(sum(claimed_late) / nullif(sum(claimed), 0) * 100, 1) AS late_share_pct_overall
FROM channel.fund_claim_spike((date_trunc('quarter', current_date) - interval '3 months')::date, date_trunc('quarter', current_date)::date);

\echo 'Incentives this quarter per rule: partners, sales, volume, earned (channel.incentive_statement)'
SELECT rule_name, kind, count(*) AS partners, sum(sales) AS sales, round(sum(volume)) AS volume,
       round(sum(earned)) AS earned, max(rate) AS top_rate
FROM channel.incentive_statement GROUP BY rule_id, rule_name, kind ORDER BY rule_id;

\echo 'Incentive payouts waiting for approval, and the earnings trace adding up to the ledger'
SELECT count(*) AS payouts, round(sum(planned_cost)) AS requested_usd,
       (SELECT sum(CASE entry WHEN 'earning' THEN amount ELSE -amount END) FROM channel.fund_ledger
        WHERE entry IN ('earning', 'clawback'))
       = (SELECT sum(amount) FROM channel.incentive_earning) AS ledger_equals_trace
FROM channel.fund_request WHERE activity_type = 'incentive_payout' AND status = 'submitted';

\echo 'The ledger''s invariants, recomputed: no overdraft, every counter right, no money appeared or disappeared'
SELECT (SELECT count(*) FROM channel.fund_balance WHERE available < 0 OR reserved < 0) AS overdrawn,
       (SELECT count(*) FROM channel.fund_allocation a
        WHERE a.ledger_entries <> (SELECT count(*) FROM channel.fund_ledger l WHERE l.allocation_id = a.allocation_id
                                   AND l.from_bucket IN ('available', 'reserved'))) AS miscounted,
       (SELECT sum(CASE WHEN entry = 'clawback' THEN -amount ELSE amount END) FROM channel.fund_ledger
        WHERE entry IN ('budget', 'accrual', 'earning', 'clawback')) AS came_in,
       (SELECT sum(CASE WHEN to_bucket = v.bucket THEN amount ELSE -amount END)
        FROM channel.fund_ledger, (VALUES ('unallocated'::channel.fund_bucket), ('available'), ('reserved'), ('paid'), ('expired'), ('carried')) v(bucket)
        WHERE v.bucket IN (from_bucket, to_bucket)) AS held_in_buckets;

\echo 'Through the portal a partner sees its own balances and nothing else'
SELECT a.partner_id AS busiest FROM channel.fund_allocation a JOIN channel.fund_request r USING (allocation_id)
GROUP BY a.partner_id ORDER BY count(*) DESC, a.partner_id LIMIT 1 \gset
SET client_min_messages = warning;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'demo_portal_app') THEN
    CREATE ROLE demo_portal_app LOGIN;
    GRANT channel_portal TO demo_portal_app;
  END IF;
END
$$;
RESET client_min_messages;
BEGIN;
SET LOCAL ROLE demo_portal_app;
SELECT channel.set_portal_partner(:busiest) \gset ignored_
SELECT budget_name, fund, allocated, accrued, carried_in, reserved, paid, expired, available FROM channel.fund_balances();
SELECT count(*) AS requests_seen, count(DISTINCT partner_id) AS of_partners FROM channel.fund_request;
COMMIT;
