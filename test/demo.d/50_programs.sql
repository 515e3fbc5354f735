-- Partner programmes: tiers recalculated from performance, explained
\set ON_ERROR_STOP 1
\set SHOW_CONTEXT never
\echo
\echo 'Programmes, tier requirements, onboarding steps, courses and completions (channel.demo_programs())'
SELECT * FROM channel.demo_programs();

\echo 'The requirements of the Partner Network programme (channel.tier_requirement)'
SELECT r.tier, r.metric, r.operator, r.threshold, r.window_months AS months, r.cert_level, r.note
FROM channel.tier_requirement r JOIN channel.program p USING (program_id)
WHERE p.name = 'Partner Network' ORDER BY r.tier, r.requirement_id;

\echo 'Typed tiers against the tiers performance qualifies for (channel.evaluate_tiers(), all 27,500 partners)'
SELECT current_tier, qualified_tier, count(*) AS partners
FROM channel.evaluate_tiers() GROUP BY 1, 2 ORDER BY 1, 2;

\echo 'The nightly job, first run: upgrades at once, downgrades warned and held for the grace period (channel.apply_tiers())'
SELECT * FROM channel.apply_tiers();

\echo 'Upgrades just applied, by tier (channel.partner_tier_history)'
SELECT from_tier, to_tier, count(*) AS partners
FROM channel.partner_tier_history WHERE event = 'upgrade' GROUP BY 1, 2 ORDER BY 1, 2;

\echo 'Downgrades pending in grace: warned, tier kept for now (channel.partner_tier_state)'
SELECT pr.name AS programme, pr.grace_evaluations AS grace, p.tier AS holds, s.qualified_tier AS qualifies_for,
       count(*) AS partners
FROM channel.partner_tier_state s JOIN channel.partner p USING (partner_id) JOIN channel.program pr USING (program_id)
WHERE s.below_count > 0 GROUP BY 1, 2, 3, 4 ORDER BY 1, 3, 4;

-- a gold partner with a downgrade pending
SELECT s.partner_id AS explained FROM channel.partner_tier_state s JOIN channel.partner p USING (partner_id)
WHERE s.below_count > 0 AND p.tier = 'gold' ORDER BY s.partner_id LIMIT 1 \gset
\echo 'Why is partner' :explained 'where it is? (channel.tier_explanation())'
SELECT tier, tier_holds, requirement, passed, current_tier, qualified_tier, downgrade_pending
FROM channel.tier_explanation(:explained);
\echo 'Its warning in the history'
SELECT from_tier, to_tier, event, reason FROM channel.partner_tier_history WHERE partner_id = :explained;

\echo 'A channel manager keeps it gold for a quarter; the job respects the override (channel.set_tier_override())'
SELECT channel.set_tier_override(:explained, 'gold', 'strategic account, renewal under negotiation', current_date + 90) > 0 AS overridden;
SELECT action, partners FROM channel.apply_tiers() WHERE action IN ('overridden', 'warn', 'pending', 'downgrade');

\echo 'Certifications expiring within 30 days, for reminders (channel.certification_expiring)'
SELECT level, count(*) AS certifications, count(*) FILTER (WHERE renewed) AS already_renewed, min(days_left) AS soonest_days
FROM channel.certification_expiring GROUP BY level ORDER BY level;

\echo 'Certifications issued by completed course paths (channel.certification_award)'
SELECT c.product_line, c.level, count(*) AS issued, min(c.expires_on - c.earned_on) AS valid_days
FROM channel.certification_award a JOIN channel.certification c USING (certification_id)
GROUP BY 1, 2 ORDER BY 1, 2;

\echo 'Time to onboard (channel.onboarding_times())'
SELECT program, onboarded, round(median_days::numeric, 1) AS median_days, round(p90_days::numeric, 1) AS p90_days, in_onboarding
FROM channel.onboarding_times();
