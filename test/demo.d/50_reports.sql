-- Reports: partner scorecard, inactive partners, the 80/20 view
\echo
\echo 'Bringing the rollups up to date (CALL channel.refresh_rollups(): the partner-months changed since the last run)'
CALL channel.refresh_rollups();
SELECT count(*) AS partner_months, count(DISTINCT partner_id) AS partners, min(month) AS first_month, max(month) AS last_month
FROM channel.partner_month;

\echo 'Top 10 partners of the last 12 months (channel.partner_scorecard())'
SELECT partner_id, partner_name, tier, region, round(revenue / 1e6, 2) AS revenue_musd,
       round((100 * revenue_growth)::numeric) AS growth_pct, round(100 * win_rate) AS win_pct,
       round(100 * acceptance_rate) AS accept_pct, round(accept_hours_avg::numeric, 1) AS accept_h,
       round(peer_percentile) AS peer_pctile
FROM channel.partner_scorecard()
ORDER BY revenue DESC, partner_id LIMIT 10;

\echo 'Bottom 10: active partners sent at least 3 leads, least revenue and acceptance first'
SELECT partner_id, partner_name, tier, region, leads_routed, leads_accepted,
       round(100 * acceptance_rate) AS accept_pct, round(100 * conversion_rate) AS convert_pct,
       round(revenue / 1e6, 2) AS revenue_musd, round(peer_percentile) AS peer_pctile
FROM channel.partner_scorecard()
WHERE status = 'active' AND leads_routed >= 3
ORDER BY revenue, acceptance_rate NULLS LAST, leads_routed DESC, partner_id LIMIT 10;

\echo 'Inactive partners: no lead accepted, no deal registered, no sale in 180 days (channel.inactive_partners())'
SELECT count(*) AS inactive, round(100.0 * count(*) / (SELECT count(*) FROM channel.partner WHERE status NOT IN ('prospect', 'terminated')), 1) AS pct_of_partners,
       count(*) FILTER (WHERE status = 'active') AS still_marked_active,
       count(*) FILTER (WHERE last_activity IS NULL) AS never_active
FROM channel.inactive_partners(180);

\echo 'The 80/20 view: the fewest partners making 80% of the last 12 months'' revenue (channel.top_partners())'
SELECT count(*) AS partners, max(partners_with_revenue) AS of_partners_with_revenue,
       round((100 * max(partners_share))::numeric, 1) AS pct_of_them, round((100 * max(cumulative_share))::numeric, 1) AS pct_of_revenue,
       round(sum(revenue) / 1e6, 1) AS revenue_musd
FROM channel.top_partners(0.8);

\echo 'Open pipeline this quarter, by stage-weighted value (channel.pipeline())'
SELECT tier, count(DISTINCT partner_id) AS partners, sum(open_deals) AS deals,
       round(sum(open_amount) / 1e6, 1) AS open_musd, round(sum(weighted_amount) / 1e6, 1) AS weighted_musd
FROM channel.pipeline()
GROUP BY tier ORDER BY tier NULLS LAST;
