-- 51_tier_eval: channel.evaluate_tiers() compares, qualifies and words the
-- missed requirements in C (src/tiers_eval.c) from channel.tier_plan()'s
-- statement: every operator at and beside its threshold, unknown values,
-- rounding of the texts, requirements of several programmes interleaved by
-- id, programmes without requirements or not running, and who may evaluate
-- whom.  One transaction, rolled back; every date relative to today.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SELECT current_date AS today \gset
BEGIN;
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (5201, 'Boundary Reseller', 'reseller', 'registered', 'active', 'FR'),
  (5202, 'Empty Reseller', 'reseller', 'silver', 'active', 'FR'),
  (5203, 'Quick Reseller', 'reseller', 'registered', 'active', 'FR'),
  (5204, 'Unruled Reseller', 'reseller', 'gold', 'active', 'FR'),
  (5205, 'Future Reseller', 'reseller', 'registered', 'active', 'FR'),
  (5206, 'Second Programme Reseller', 'reseller', 'registered', 'active', 'FR');
INSERT INTO channel.program (program_id, name, kinds, starts_on) VALUES
  (5211, 'Eval Ops', ARRAY['reseller'], :'today'::date - 400),
  (5212, 'Eval Unruled', ARRAY['reseller'], :'today'::date - 400),
  (5213, 'Eval Future', ARRAY['reseller'], :'today'::date + 30),
  (5214, 'Eval Second', ARRAY['reseller'], :'today'::date - 400);
SELECT count(*) AS joined FROM (
  SELECT channel.join_program(p, 5211, :'today'::date - 300) FROM unnest(ARRAY[5201, 5202, 5203]) p
  UNION ALL SELECT channel.join_program(5204, 5212, :'today'::date - 300)
  UNION ALL SELECT channel.join_program(5206, 5214, :'today'::date - 300)) j;
-- the future programme's member joins when it starts
SELECT channel.join_program(5205, 5213, :'today'::date + 30) > 0 AS joined_future;
-- requirements of the three programmes, their ids interleaved
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months) VALUES
  (5211, 'gold',   'accept_hours_avg',     '<',  10,   12),
  (5214, 'silver', 'deals_won',            '>=', 1,    12),
  (5211, 'silver', 'accept_hours_avg',     '<=', 10,   12),
  (5211, 'silver', 'deals_won',            '>',  2,    12),
  (5213, 'silver', 'deals_won',            '>=', 1,    12),
  (5211, 'silver', 'lead_acceptance_rate', '>=', 0.6,  12),
  (5211, 'gold',   'win_rate',             '>=', 0.5,  12),
  (5211, 'gold',   'deals_won',            '>=', 3,    12);
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold) VALUES
  (5211, 'platinum', 'contacts', '>=', 1);
-- 5201: mean accept time exactly 10 h (<= holds, < does not), 3 wins (> 2
-- holds), acceptance 2/3 (shown to 4 places), win rate 3/7
-- 5203: mean 4 h, 5 wins of 10, acceptance 1: gold; no contact for platinum
-- 5206: one win in the second programme
INSERT INTO channel.partner_month (partner_id, month, leads_accepted, leads_rejected, accept_hours_sum, accept_hours_n, deals_won, deals_lost)
VALUES (5201, channel.month_of(:'today'::date), 2, 1, 30, 3, 3, 4),
       (5203, channel.month_of(:'today'::date) - interval '11 months', 2, 0, 8, 2, 5, 5),
       (5206, channel.month_of(:'today'::date) - interval '1 month', 0, 0, 0, 0, 1, 0);
-- a month just outside the window counts for nobody
INSERT INTO channel.partner_month (partner_id, month, deals_won, accept_hours_sum, accept_hours_n)
VALUES (5202, channel.month_of(:'today'::date) - interval '12 months', 50, 1, 1);

SELECT partner_id, program_id, current_tier, qualified_tier, requirements_met AS met, requirements_total AS total, missing
FROM channel.evaluate_tiers(:'today'::date) WHERE partner_id BETWEEN 5201 AND 5206 ORDER BY partner_id;
-- every requirement in the programme's order (tier, then id), value and pass/fail
SELECT e.partner_id, r.tier, r.metric, r.operator, r.threshold, u.value, u.passed
FROM channel.evaluate_tiers(:'today'::date) e
CROSS JOIN LATERAL unnest(e.requirement_ids, e.requirement_values, e.requirement_passed) WITH ORDINALITY u(id, value, passed, i)
JOIN channel.tier_requirement r ON r.requirement_id = u.id
WHERE e.partner_id IN (5201, 5202) ORDER BY e.partner_id, u.i;
-- arrays line up, and met counts what passed
SELECT count(*) AS members, bool_and(cardinality(requirement_ids) = requirements_total
                                     AND cardinality(requirement_values) = requirements_total
                                     AND cardinality(requirement_passed) = requirements_total) AS aligned,
       bool_and(requirements_met = cardinality(array_positions(requirement_passed, true))) AS met_counts_passed
FROM channel.evaluate_tiers(:'today'::date) WHERE partner_id BETWEEN 5201 AND 5206;
-- one partner only; a partner that is no member gets no row
SELECT partner_id, qualified_tier FROM channel.evaluate_tiers(:'today'::date, 5203);
SELECT count(*) AS rows_for_non_member FROM channel.evaluate_tiers(:'today'::date, 5204);
-- the future programme runs a month on: its member is evaluated then
SELECT partner_id, program_id, qualified_tier, missing
FROM channel.evaluate_tiers(:'today'::date + 40) WHERE partner_id = 5205;
-- the plan behind it: a statement and the requirements in programme order
SELECT programs = ARRAY[5211, 5214]::bigint[] AS running_programs,
       req_program = ARRAY[5211, 5211, 5211, 5211, 5211, 5211, 5211, 5214]::bigint[] AS in_order,
       req_operator, req_threshold, req_label, req_needs, who
FROM channel.tier_plan(:'today'::date, NULL) WHERE 5211 = ANY (programs);

-- a partner evaluates itself only: another id gives nothing
CREATE ROLE regress_eval_partner LOGIN;
GRANT channel_partner TO regress_eval_partner;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_eval_partner', 5201);
SET SESSION AUTHORIZATION regress_eval_partner;
SELECT partner_id, qualified_tier, missing FROM channel.evaluate_tiers(:'today'::date);
SELECT count(*) AS others FROM channel.evaluate_tiers(:'today'::date, 5203);
SELECT partner_id FROM channel.evaluate_tiers(:'today'::date, 5201);
-- nor run the plan itself (last: the error ends the transaction, and the
-- rollback the session authorization with it)
SELECT count(*) FROM channel.tier_plan(:'today'::date, NULL);
ROLLBACK;
-- valid_certifications is in aggregate form: its requirements on every
-- level and on experts are counted in one scan of channel.certification
BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('EVAL_A', 'Evaluation test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country)
VALUES (5207, 'Certified Reseller', 'reseller', 'registered', 'active', 'FR');
INSERT INTO channel.program (program_id, name, kinds, starts_on) VALUES (5215, 'Eval Certs', ARRAY['reseller'], :'today'::date - 400);
SELECT channel.join_program(5207, 5215, :'today'::date - 300) > 0 AS joined;
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, cert_level) VALUES
  (5215, 'silver', 'valid_certifications', '>=', 2, NULL),
  (5215, 'gold', 'valid_certifications', '>=', 1, 'expert'),
  (5215, 'platinum', 'valid_certifications', '>=', 2, 'expert');
-- two valid associate and one valid expert certification; one expired expert
INSERT INTO channel.certification (partner_id, product_line, level, earned_on, expires_on) VALUES
  (5207, 'EVAL_A', 'associate', :'today'::date - 100, :'today'::date + 265),
  (5207, 'EVAL_A', 'associate', :'today'::date - 10, :'today'::date + 355),
  (5207, 'EVAL_A', 'expert', :'today'::date - 50, :'today'::date + 315),
  (5207, 'EVAL_A', 'expert', :'today'::date - 800, :'today'::date - 70);
SELECT partner_id, qualified_tier, requirement_values, requirement_passed, missing
FROM channel.evaluate_tiers(:'today'::date, 5207);
SELECT (length(statement) - length(replace(statement, 'FROM channel.certification', ''))) / length('FROM channel.certification')
       AS certification_scans
FROM channel.tier_plan(:'today'::date, 5207);
-- the aggregate form needs {value} in its query
INSERT INTO channel.tier_metric (metric, description, unit, better, source, query, value_sql, windowed, missing_value)
VALUES ('no_value_slot', 'x', 'count', 'higher', 'query', 'SELECT c.partner_id, count(*) FROM channel.certification c GROUP BY 1',
        'count(*)', false, 0);
ROLLBACK;
-- as_of out of range or missing: 22023, from the plan
\set VERBOSITY default
SELECT * FROM channel.evaluate_tiers('1999-12-31');
SELECT * FROM channel.evaluate_tiers(NULL);
\set VERBOSITY terse
SELECT count(*) AS left_behind FROM channel.partner WHERE partner_id BETWEEN 5201 AND 5206;
