-- 50_programs: partner programmes, tier requirements as data, evaluation and
-- explanation, applying tiers (upgrades, grace periods, overrides, history),
-- onboarding steps, training paths that issue certifications, expiry, and
-- what partners see.  Every date is relative to one "today"; creates its
-- rows and roles and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_date AS today \gset
SET channel.tier_reason = '';

-- the metrics catalogue: a closed, documented set
SELECT metric, unit, better, source, windowed, takes_product_line AS line, takes_level AS level, missing_value
FROM channel.tier_metric ORDER BY metric;
-- every builtin metric's SQL runs (no rows yet)
SELECT count(*) AS checks_without_programmes FROM channel.tier_checks(current_date);

INSERT INTO channel.product_line (code, name) VALUES ('PROG_A', 'Programme test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (5001, 'Strong Reseller', 'reseller', 'silver', 'active', 'FR'),
  (5002, 'Fading Integrator', 'integrator', 'gold', 'active', 'DE'),
  (5003, 'Quiet MSP', 'msp', 'registered', 'active', 'IT'),
  (5004, 'Referral Friend', 'referral', 'registered', 'active', 'ES'),
  (5005, 'Real Deals Ltd', 'reseller', 'registered', 'active', 'GB'),
  (5006, 'Newcomer BV', 'reseller', 'registered', 'prospect', 'NL');

---------------------------------------------------------------- programmes
INSERT INTO channel.program (program_id, name, kinds, starts_on, grace_evaluations)
VALUES (5101, 'Test Network', ARRAY['reseller', 'integrator', 'msp'], :'today'::date - 400, 2),
       (5102, 'Test Referral', ARRAY['referral'], :'today'::date - 400, 1);
-- bad programmes (terse: the failing rows' details hold today's date)
\set VERBOSITY terse
INSERT INTO channel.program (name, grace_evaluations) VALUES ('No grace', 0);
INSERT INTO channel.program (name, kinds) VALUES ('Bad kinds', ARRAY['wholesaler']);
INSERT INTO channel.program (name, starts_on, ends_on) VALUES ('Backwards', :'today'::date, :'today'::date - 1);
\set VERBOSITY default

-- membership: one programme at a time, of the partner's kind
SELECT channel.join_program(p, 5101, :'today'::date - 300) > 0 AS joined FROM unnest(ARRAY[5001, 5002, 5003, 5005, 5006]) p;
SELECT channel.join_program(5004, 5101);
SELECT channel.join_program(5004, 5102, :'today'::date - 300) > 0 AS joined;
SELECT channel.join_program(5001, 5101) = (SELECT membership_id FROM channel.program_member WHERE partner_id = 5001) AS same_membership;
\set VERBOSITY terse
INSERT INTO channel.program_member (partner_id, program_id, joined_on, left_on)
VALUES (5001, 5101, :'today'::date - 350, :'today'::date - 200);
\set VERBOSITY default

---------------------------------------------------------------- requirements
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months, cert_level) VALUES
  (5101, 'silver',   'won_revenue',          '>=',   250000, 12, NULL),
  (5101, 'silver',   'valid_certifications', '>=',        1, NULL, NULL),
  (5101, 'silver',   'lead_acceptance_rate', '>=',      0.5, 12, NULL),
  (5101, 'gold',     'won_revenue',          '>=',  2000000, 12, NULL),
  (5101, 'gold',     'valid_certifications', '>=',        2, NULL, 'expert'),
  (5101, 'gold',     'lead_acceptance_rate', '>=',      0.7, 12, NULL),
  (5101, 'gold',     'win_rate',             '>=',      0.3, 12, NULL),
  (5101, 'gold',     'contacts',             '>=',        3, NULL, NULL),
  (5101, 'platinum', 'won_revenue',          '>=', 10000000, 12, NULL),
  (5102, 'silver',   'leads_converted',      '>=',        2, 12, NULL),
  (5102, 'gold',     'won_revenue',          '>=',     1000, 6, NULL);
-- bad requirements, each with its own error
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'gold', 'market_share', '>=', 0.1, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'gold', 'deals_won', '<=', 10, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'gold', 'accept_hours_median', '>=', 24, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'gold', 'won_revenue', '>=', 3000000, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'platinum', 'lead_acceptance_rate', '>=', 0.6, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'silver', 'win_rate', '>=', 0.4, 12);
UPDATE channel.tier_requirement SET threshold = 2500000 WHERE program_id = 5101 AND tier = 'silver' AND metric = 'won_revenue';
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'gold', 'win_rate', '>=', 1.5, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'platinum', 'deals_won', '>=', 10, NULL);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'platinum', 'contacts', '>=', 4, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months, product_line)
VALUES (5101, 'platinum', 'win_rate', '>=', 0.4, 12, 'PROG_A');
\set VERBOSITY terse
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'registered', 'deals_won', '>=', 1, 12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'platinum', 'deals_won', '>=', 'NaN', 12);
\set VERBOSITY default
-- a metric whose SQL does not run is refused when it is written
INSERT INTO channel.tier_metric (metric, description, unit, better, source, numerator, windowed)
VALUES ('typo_metric', 'A typo', 'count', 'higher', 'partner_month', 'pm.deals_wonn', true);
INSERT INTO channel.tier_metric (metric, description, unit, better, source, query, windowed)
VALUES ('bad_query', 'Not SQL', 'count', 'higher', 'query', 'SELEC partner_id, 1', false);
-- ... and a good one is just a row: distributors' resellers, as a metric
INSERT INTO channel.tier_metric (metric, description, unit, better, source, query, windowed, missing_value)
VALUES ('resellers', 'Resellers under the partner (two-tier).', 'count', 'higher', 'query',
        'SELECT parent_id, count(*) FROM channel.partner WHERE parent_id IS NOT NULL GROUP BY parent_id', false, 0);

---------------------------------------------------------------- performance data
-- 5001: gold-level over the last 12 months (and a huge month outside the window)
INSERT INTO channel.partner_month (partner_id, month, leads_accepted, leads_rejected, leads_recalled, deals_won, deals_lost, won_revenue)
SELECT 5001, channel.month_of(:'today'::date) - make_interval(months => k), 8, 1, 1, 2, 2, 200000
FROM generate_series(0, 11) k
UNION ALL SELECT 5001, channel.month_of(:'today'::date) - interval '13 months', 0, 0, 0, 50, 0, 99000000;
-- 5002: silver-level: 600,000 in six months, acceptance 60%, win rate 40%
INSERT INTO channel.partner_month (partner_id, month, leads_accepted, leads_rejected, deals_won, deals_lost, won_revenue)
SELECT 5002, channel.month_of(:'today'::date) - make_interval(months => k), 6, 4, 2, 3, 100000
FROM generate_series(1, 6) k;
-- 5004: referrals converted
INSERT INTO channel.partner_month (partner_id, month, leads_converted)
VALUES (5004, channel.month_of(:'today'::date) - interval '2 months', 3);
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on) VALUES
  (5001, 'PROG_A', 'expert', :'today'::date - 100, :'today'::date + 265),
  (5001, 'PROG_A', 'expert', :'today'::date - 50, :'today'::date + 315),
  (5002, 'PROG_A', 'associate', :'today'::date - 345, :'today'::date + 20),
  (5002, 'PROG_A', 'expert', :'today'::date - 800, :'today'::date - 70),
  (5005, 'PROG_A', 'professional', :'today'::date - 10, :'today'::date + 355);
-- (on record since two days ago: evaluation days are UTC days, and today in
-- this session's time zone may be the UTC day before)
INSERT INTO channel.partner_contact (partner_id, full_name, email, is_primary, created_at) VALUES
  (5001, 'Anne A', 'anne@strong.example', true, now() - interval '2 days'),
  (5001, 'Bob B', 'bob@strong.example', false, now() - interval '2 days'),
  (5001, 'Cleo C', 'cleo@strong.example', false, now() - interval '2 days'),
  (5002, 'Dirk D', 'dirk@fading.example', true, now() - interval '2 days');
-- 5005 wins a real deal: its revenue comes through the rollup refresh
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, decided_at, protected_until, closed_at)
VALUES (5005, 'Programme Test Customer plc', 'GB', 'PROG_A', 300000, :'today'::date - 10, 'won',
        now() - interval '40 days', now() - interval '39 days', now() + interval '50 days', now() - interval '10 days');

---------------------------------------------------------------- evaluation
SELECT partner_id, program_id, current_tier, qualified_tier, requirements_met, requirements_total, missing
FROM channel.evaluate_tiers(:'today'::date) WHERE partner_id BETWEEN 5001 AND 5006 ORDER BY partner_id;
-- every requirement with value and pass/fail, in the programme's order
SELECT r.tier, r.metric, r.operator, r.threshold, trim_scale(u.value) AS value, u.passed
FROM channel.evaluate_tiers(:'today'::date) e
CROSS JOIN LATERAL unnest(e.requirement_ids, e.requirement_values, e.requirement_passed) WITH ORDINALITY u(id, value, passed, i)
JOIN channel.tier_requirement r ON r.requirement_id = u.id
WHERE e.partner_id = 5002 ORDER BY u.i;
-- the same as rows
SELECT tier, metric, value, passed FROM channel.tier_checks(:'today'::date, 5002);
-- "why is 5002 where it is?"
SELECT program, current_tier, qualified_tier, override_tier, downgrade_pending, tier, tier_holds, requirement, passed
FROM channel.tier_explanation(5002, :'today'::date);
-- windows are whole months ending with as_of's: six months on, half of 5001's
-- year has left the window (and the big month 13 months back never counted)
SELECT partner_id, qualified_tier, requirement_values[1] AS won_revenue_12m
FROM channel.evaluate_tiers((:'today'::date + interval '6 months')::date) WHERE partner_id = 5001;
SELECT * FROM channel.tier_explanation(5999);
\set VERBOSITY terse
SELECT * FROM channel.tier_explanation(5006, :'today'::date - 350);
\set VERBOSITY default
SELECT * FROM channel.evaluate_tiers(NULL);

---------------------------------------------------------------- applying
-- first run: refreshes the rollups (5005's deal), upgrades 5001, warns 5002
SELECT * FROM channel.apply_tiers(:'today'::date);
SELECT partner_id, tier FROM channel.partner WHERE partner_id BETWEEN 5001 AND 5006 ORDER BY 1;
SELECT requirement_values[1] AS won_revenue_12m, requirement_values[1] = 300000 AS real_deal_counted
FROM channel.evaluate_tiers(:'today'::date) WHERE partner_id = 5005;
SELECT partner_id, qualified_tier, below_count, last_action, last_evaluated_on - :'today'::date AS evaluated, warned_on - :'today'::date AS warned
FROM channel.partner_tier_state WHERE partner_id BETWEEN 5001 AND 5006 ORDER BY 1;
SELECT partner_id, from_tier, to_tier, event, reason, actor = session_user AS by_me, evaluated_on - :'today'::date AS evaluated
FROM channel.partner_tier_history WHERE partner_id BETWEEN 5001 AND 5006 ORDER BY partner_id, history_id;
-- the same day again counts nothing twice: no second warning, still 1 of 2
SELECT * FROM channel.apply_tiers(:'today'::date, false);
SELECT count(*) AS warnings FROM channel.partner_tier_history WHERE partner_id = 5002 AND event = 'warning';
SELECT below_count, last_action FROM channel.partner_tier_state WHERE partner_id = 5002;
-- the next two days: pending, then the downgrade (grace 2)
SELECT * FROM channel.apply_tiers(:'today'::date + 1, false);
SELECT * FROM channel.apply_tiers(:'today'::date + 2, false);
SELECT partner_id, from_tier, to_tier, event, reason FROM channel.partner_tier_history
WHERE partner_id = 5002 ORDER BY history_id DESC LIMIT 1;
SELECT tier FROM channel.partner WHERE partner_id = 5002;
-- evaluations go forward only
\set VERBOSITY terse
SELECT * FROM channel.apply_tiers(:'today'::date, false);
\set VERBOSITY default
-- not in a REPEATABLE READ transaction
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT * FROM channel.apply_tiers(:'today'::date + 2, false);
ROLLBACK;

---------------------------------------------------------------- overrides
SELECT channel.set_tier_override(5003, 'gold', 'strategic logo', NULL);
SELECT channel.set_tier_override(5003, 'gold', '  ', :'today'::date + 30);
\set VERBOSITY terse
SELECT channel.set_tier_override(5003, 'gold', 'strategic logo', :'today'::date);
\set VERBOSITY default
SELECT channel.set_tier_override(5999, 'gold', 'nobody', :'today'::date + 30);
SELECT channel.set_tier_override(5003, 'silver', 'first try', :'today'::date + 30) > 0 AS overridden;
SELECT channel.set_tier_override(5003, 'gold', 'strategic logo, agreed with the regional director', :'today'::date + 90) > 0 AS overridden;
SELECT tier, revoked_at IS NOT NULL AS revoked, ends_on - :'today'::date AS days FROM channel.tier_override WHERE partner_id = 5003 ORDER BY override_id;
SELECT tier FROM channel.partner WHERE partner_id = 5003;
-- the job keeps the override
SELECT * FROM channel.apply_tiers(:'today'::date + 2, false);
SELECT tier, last_action FROM channel.partner p JOIN channel.partner_tier_state s USING (partner_id) WHERE partner_id = 5003;
SELECT override_tier, override_ends_on - :'today'::date AS ends_in FROM channel.tier_explanation(5003, :'today'::date + 2) LIMIT 1;
-- ended early: the next evaluation starts the grace period from gold
SELECT channel.end_tier_override(override_id) FROM channel.tier_override WHERE partner_id = 5003 AND revoked_at IS NULL;
DO $$
BEGIN
  PERFORM channel.end_tier_override(max(override_id)) FROM channel.tier_override WHERE partner_id = 5003;
EXCEPTION WHEN no_data_found THEN
  RAISE NOTICE 'ending it again: no_data_found (%)', regexp_replace(SQLERRM, '[0-9]+', 'N');
END
$$;
SELECT * FROM channel.apply_tiers(:'today'::date + 3, false);
SELECT tier, below_count, last_action FROM channel.partner p JOIN channel.partner_tier_state s USING (partner_id) WHERE partner_id = 5003;
SELECT from_tier, to_tier, event, reason FROM channel.partner_tier_history WHERE partner_id = 5003 ORDER BY history_id;

-- a direct update of the tier is recorded too, with the reason given
SET channel.tier_reason = 'contract renegotiated';
UPDATE channel.partner SET tier = 'gold' WHERE partner_id = 5004;
RESET channel.tier_reason;
UPDATE channel.partner SET tier = 'registered' WHERE partner_id = 5004;
SELECT from_tier, to_tier, event, reason, program_id FROM channel.partner_tier_history WHERE partner_id = 5004 ORDER BY history_id;
-- history is append-only
UPDATE channel.partner_tier_history SET reason = 'rewritten' WHERE partner_id = 5004;
DELETE FROM channel.partner_tier_history WHERE partner_id = 5004;

---------------------------------------------------------------- onboarding
INSERT INTO channel.onboarding_step (program_id, step, title, required_for, position, verify, partner_may_complete) VALUES
  (5101, 'agreement_signed', 'Partner agreement signed', 'onboarding', 1, 'manual', false),
  (5101, 'tax_banking', 'Tax and banking details', 'active', 2, 'manual', true),
  (5101, 'primary_contact', 'A primary contact', 'active', 3, 'primary_contact', false),
  (5101, 'first_certification', 'A first certification', 'active', 4, 'certification', false);
SELECT step, required_for, position, verify, partner_may_complete, done FROM channel.onboarding_status(5006);
UPDATE channel.partner SET status = 'onboarding' WHERE partner_id = 5006;
SELECT channel.complete_onboarding_step('agreement_signed', 5006, 'signed in person');
SELECT channel.complete_onboarding_step('primary_contact', 5006);
SELECT channel.complete_onboarding_step('no_such_step', 5006);
UPDATE channel.partner SET status = 'onboarding' WHERE partner_id = 5006;
UPDATE channel.partner SET status = 'active' WHERE partner_id = 5006;
SELECT step, required_for, verify, done FROM channel.onboarding_status(5006);
-- partners outside programmes are not gated
UPDATE channel.partner SET status = 'onboarding' WHERE partner_id = 5004 RETURNING status;

---------------------------------------------------------------- training
INSERT INTO channel.certification_rule (product_line, level, valid_months) VALUES ('PROG_A', 'associate', 12);
INSERT INTO channel.course (course_id, code, title, product_line, level) VALUES
  (5301, 'PROGA-101', 'Fundamentals', 'PROG_A', 'associate'),
  (5302, 'PROGA-102', 'Selling', 'PROG_A', 'associate'),
  (5303, 'PROGA-201', 'Deployment', 'PROG_A', 'professional');
INSERT INTO channel.partner_contact (contact_id, partner_id, full_name, email, is_primary)
VALUES (5401, 5006, 'Nina N', 'nina@newcomer.example', true);
SELECT channel.enrol_contact(5401, 'PROGA-101') AS e1 \gset
SELECT channel.enrol_contact(5401, 'PROGA-102') AS e2 \gset
SELECT channel.enrol_contact(5401, 'PROGA-101') = :e1 AS same_enrolment;
SELECT channel.enrol_contact(5401, 'NOPE-1');
-- completions a day ago: a UTC day, whatever the session's time zone says today is
UPDATE channel.course_enrolment SET enrolled_at = now() - interval '3 days' WHERE contact_id = 5401;
SELECT channel.complete_course(:e1, now() - interval '1 day') IS NULL AS no_certification_yet;
DO $$
BEGIN
  PERFORM channel.complete_course(min(enrolment_id)) FROM channel.course_enrolment WHERE contact_id = 5401;
EXCEPTION WHEN object_not_in_prerequisite_state THEN
  RAISE NOTICE 'completing it again: %', regexp_replace(SQLERRM, '[0-9]+', 'N');
END
$$;
SELECT channel.complete_course(:e2, now() + interval '1 day');
SELECT channel.complete_course(:e2, now() - interval '1 day') AS cert \gset
SELECT c.partner_id, c.product_line, c.level, c.earned_on = (e.completed_at AT TIME ZONE 'UTC')::date AS earned_on_completion_day,
       c.expires_on = (c.earned_on + interval '12 months')::date AS valid_12_months, e.completed_at > now() - interval '2 days' AS yesterday
FROM channel.certification c JOIN channel.course_enrolment e ON e.enrolment_id = :e2 WHERE c.certification_id = :cert;
SELECT contact_id, partner_id, enrolment_id = :e2 AS by_last_completion, awarded_by = session_user AS by_me
FROM channel.certification_award WHERE certification_id = :cert;
-- a professional course without a rule issues nothing
SELECT channel.complete_course(channel.enrol_contact(5401, 'PROGA-201')) IS NULL AS no_rule_no_certification;
-- the certification completes the onboarding
UPDATE channel.partner SET status = 'active' WHERE partner_id = 5006;
SELECT channel.complete_onboarding_step('tax_banking', 5006);
UPDATE channel.partner SET status = 'active' WHERE partner_id = 5006 RETURNING status;
SELECT onboarding_started_at IS NOT NULL AS started, activated_at >= onboarding_started_at AS activated
FROM channel.program_member WHERE partner_id = 5006;
SELECT program, onboarded, median_days >= 0 AS has_median, in_onboarding FROM channel.onboarding_times() WHERE program_id = 5101;
-- trained contacts count as a metric
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months)
VALUES (5101, 'platinum', 'trained_contacts', '>=', 1, 12);
SELECT partner_id, value, passed FROM channel.tier_checks(:'today'::date) WHERE metric = 'trained_contacts' ORDER BY partner_id;

---------------------------------------------------------------- expiry
SELECT partner_id, product_line, level, days_left, renewed FROM channel.expiring_certifications(30, :'today'::date)
WHERE partner_id BETWEEN 5001 AND 5006;
SELECT partner_id, days_left FROM channel.expiring_certifications(300, :'today'::date) WHERE partner_id BETWEEN 5001 AND 5006;
SELECT * FROM channel.expiring_certifications(-1);
-- an expired certification stops counting at the next evaluation
SELECT value FROM channel.tier_checks(:'today'::date + 20, 5002) WHERE metric = 'valid_certifications' AND tier = 'silver';
SELECT value FROM channel.tier_checks(:'today'::date + 19, 5002) WHERE metric = 'valid_certifications' AND tier = 'silver';

---------------------------------------------------------------- what partners see
CREATE ROLE regress_prog_a LOGIN;
CREATE ROLE regress_prog_b LOGIN;
CREATE ROLE regress_prog_analyst LOGIN;
GRANT channel_partner TO regress_prog_a, regress_prog_b;
GRANT channel_analyst TO regress_prog_analyst;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_prog_a', 5001), ('regress_prog_b', 5006);
SET SESSION AUTHORIZATION regress_prog_a;
SELECT partner_id, qualified_tier FROM channel.evaluate_tiers(:'today'::date);
SELECT DISTINCT partner_id, current_tier, qualified_tier FROM channel.tier_explanation();
SELECT * FROM channel.tier_explanation(5002);
SELECT * FROM channel.tier_explanation(5999);
SELECT DISTINCT partner_id FROM channel.tier_checks(:'today'::date);
SELECT partner_id, program_id FROM channel.program_member;
SELECT DISTINCT partner_id FROM channel.partner_tier_history;
SELECT partner_id FROM channel.partner_tier_state;
SELECT count(*) AS overrides_seen FROM channel.tier_override;
SELECT partner_id, days_left FROM channel.certification_expiring;
SELECT count(*) > 0 AS reads_requirements FROM channel.tier_requirement;
SELECT * FROM channel.apply_tiers();
SELECT channel.set_tier_override(5001, 'platinum', 'please', current_date + 10);
SELECT channel.enrol_contact(5401, 'PROGA-101');
SELECT channel.complete_course(1);
INSERT INTO channel.tier_metric (metric, description, unit, better, source, query, windowed)
VALUES ('mine', 'x', 'count', 'higher', 'query', 'SELECT 1, 1', false);
UPDATE channel.tier_requirement SET threshold = 0 WHERE program_id = 5101;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_prog_b;
SELECT step, done FROM channel.onboarding_status();
SELECT channel.complete_onboarding_step('agreement_signed');
SELECT * FROM channel.onboarding_status(5001);
SELECT channel.enrol_contact(5401, 'PROGA-102') > 0 AS enrolled_own_contact;
SELECT contact_id, course_id, completed_at IS NOT NULL AS completed FROM channel.course_enrolment ORDER BY enrolment_id;
SELECT count(*) AS own_awards FROM channel.certification_award;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_prog_analyst;
SELECT count(DISTINCT partner_id) AS analyst_sees FROM channel.evaluate_tiers(:'today'::date);
SELECT * FROM channel.apply_tiers();
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- clean up
DELETE FROM channel.partner_user WHERE role_name LIKE 'regress\_prog\_%';
DROP ROLE regress_prog_a, regress_prog_b, regress_prog_analyst;
DELETE FROM channel.deal WHERE partner_id = 5005;
CALL channel.refresh_rollups();
DELETE FROM channel.partner_month WHERE partner_id BETWEEN 5001 AND 5006;
DELETE FROM channel.partner WHERE partner_id BETWEEN 5001 AND 5006;
DELETE FROM channel.course WHERE course_id BETWEEN 5301 AND 5303;
DELETE FROM channel.program WHERE program_id IN (5101, 5102);
DELETE FROM channel.tier_metric WHERE metric = 'resellers';
DELETE FROM channel.product_line WHERE code = 'PROG_A';
SELECT (SELECT count(*) FROM channel.program) + (SELECT count(*) FROM channel.program_member)
     + (SELECT count(*) FROM channel.tier_requirement) + (SELECT count(*) FROM channel.partner_tier_history)
     + (SELECT count(*) FROM channel.partner_tier_state) + (SELECT count(*) FROM channel.tier_override)
     + (SELECT count(*) FROM channel.course_enrolment) + (SELECT count(*) FROM channel.certification_award)
     + (SELECT count(*) FROM channel.partner_month_dirty) AS rows_left,
       (SELECT count(*) FROM channel.tier_metric WHERE NOT builtin) AS own_metrics_left;
