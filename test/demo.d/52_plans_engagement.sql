-- Joint business plans and partner engagement
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never
\echo
\echo 'Business plans for this year and six months of engagement (channel.demo_plans_engagement())'
SELECT * FROM channel.demo_plans_engagement();

\echo 'Plans by status (channel.business_plan)'
SELECT status, proposed_by, count(*) AS plans FROM channel.business_plan GROUP BY 1, 2 ORDER BY 1, 2;

\echo 'Plan vs actual, all plans, by quarter and measure (channel.business_plan_progress())'
SELECT quarter, measure, count(*) AS targets, round(sum(target)) AS target, round(sum(actual)) AS actual,
       round(sum(actual) / nullif(sum(target), 0), 3) AS attainment,
       count(*) FILTER (WHERE progress = 'met') AS met, count(*) FILTER (WHERE progress = 'behind') AS behind,
       count(*) FILTER (WHERE progress = 'missed') AS missed, count(*) FILTER (WHERE progress = 'not started') AS not_started
FROM channel.business_plan_progress() WHERE product_line IS NULL GROUP BY 1, 2 ORDER BY 1, 2;

\echo 'The ten partners furthest behind their plan (channel.business_plans_behind())'
SELECT partner_id, partner_name, status, targets_due, behind, missed, met, worst_target, worst_pace
FROM channel.business_plans_behind() LIMIT 10;

SELECT partner_id AS planned FROM channel.business_plans_behind() ORDER BY worst_pace DESC NULLS LAST, partner_id LIMIT 1 \gset
\echo 'One partner''s plan, target by target'
SELECT quarter, measure, product_line, target, actual, attainment, elapsed, progress, vendor_owner, partner_owner
FROM channel.business_plan_progress(of_partner => :planned);

\echo 'Engagement per month, all partners (channel.engagement_profile())'
SELECT month, count(*) AS partners, sum(engaged_contacts) AS engaged_contacts, sum(portal_sign_ins) AS sign_ins,
       sum(content_downloads) AS downloads, sum(community_interactions) AS community, sum(expert_interactions) AS experts,
       sum(course_starts) AS course_starts, sum(course_completions) AS completions
FROM channel.engagement_profile() GROUP BY month ORDER BY month;

\echo 'What the top partners (80% of revenue) do more than the rest (channel.engagement_top_vs_rest())'
SELECT * FROM channel.engagement_top_vs_rest();
