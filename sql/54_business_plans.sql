-- 54_business_plans: joint business plans -- proposing and agreeing on both
-- sides, bad targets refused, plan vs actual from the data (rollups,
-- certifications issued by training, campaigns), partners behind plan, and
-- what partners and analysts see.  The plan is for LAST year and every
-- progress call passes as_of (15 May of that year), so nothing depends on
-- the calendar; no absolute date is printed.  Creates its rows and roles and
-- removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT (extract(year FROM current_date)::int - 1) AS y \gset
SELECT make_date(:y, 5, 15) AS as_of \gset
-- plan ids from 5401 on, whatever ran before
SELECT setval(pg_get_serial_sequence('channel.business_plan', 'plan_id'), 5400) AS plan_ids_from;

INSERT INTO channel.product_line (code, name) VALUES ('BP_A', 'Plan test line A'), ('BP_B', 'Plan test line B');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (5401, 'Planning Reseller', 'reseller', 'silver', 'active', 'FR'),
  (5402, 'Other Reseller', 'reseller', 'registered', 'active', 'DE');
INSERT INTO channel.partner_contact (contact_id, partner_id, full_name, email) VALUES
  (5411, 5401, 'Paula Planner', 'paula@planning.example'),
  (5412, 5401, 'Sam Seller', 'sam@planning.example'),
  (5421, 5402, 'Otto Other', 'otto@other.example');

-- actuals: two won deals and an open registration (rollups), a certification
-- issued by training in March, a vendor campaign joined in January and a
-- partner campaign run in May
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close,
                          status, submitted_at, decided_at, protected_until, closed_at) VALUES
  (5401, 'Plan Customer One', 'FR', 'BP_A', 600000, make_date(:y, 2, 10), 'won',
   make_date(:y, 1, 5) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 1, 6) + time '12:00' AT TIME ZONE 'UTC',
   make_date(:y, 6, 1) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 2, 10) + time '12:00' AT TIME ZONE 'UTC'),
  (5401, 'Plan Customer Two', 'FR', 'BP_B', 100000, make_date(:y, 4, 20), 'won',
   make_date(:y, 4, 5) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 4, 6) + time '12:00' AT TIME ZONE 'UTC',
   make_date(:y, 9, 1) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 4, 20) + time '12:00' AT TIME ZONE 'UTC'),
  (5401, 'Plan Customer Three', 'FR', 'BP_A', 50000, make_date(:y + 1, 1, 10), 'submitted',
   make_date(:y, 5, 3) + time '12:00' AT TIME ZONE 'UTC', NULL,
   make_date(:y + 1, 5, 3) + time '12:00' AT TIME ZONE 'UTC', NULL),
  (5401, 'Plan Customer Four', 'FR', 'BP_A', 70000, make_date(:y, 6, 1), 'won',
   make_date(:y, 5, 20) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 5, 21) + time '12:00' AT TIME ZONE 'UTC',
   make_date(:y, 9, 1) + time '12:00' AT TIME ZONE 'UTC', make_date(:y, 5, 25) + time '12:00' AT TIME ZONE 'UTC');
SELECT channel.refresh_dirty_rollups() > 0 AS rollups_refreshed;
INSERT INTO channel.certification_rule (product_line, level, valid_months) VALUES ('BP_A', 'associate', 12);
INSERT INTO channel.course (course_id, code, title, product_line, level) VALUES (5431, 'BPA-101', 'Plan line basics', 'BP_A', 'associate');
INSERT INTO channel.course_enrolment (enrolment_id, contact_id, partner_id, course_id, enrolled_at)
VALUES (5441, 5411, 5401, 5431, make_date(:y, 2, 1) + time '09:00' AT TIME ZONE 'UTC');
SELECT channel.complete_course(5441, make_date(:y, 3, 1) + time '09:00' AT TIME ZONE 'UTC') IS NOT NULL AS certified;
INSERT INTO channel.campaign (campaign_id, code, name, kind, partner_id, product_line, starts_on) VALUES
  (5451, 'BP-VENDOR', 'Vendor spring push', 'vendor', NULL, 'BP_A', NULL),
  (5452, 'BP-OWN', 'Planning Reseller roadshow', 'partner', 5401, 'BP_A', make_date(:y, 5, 2));
INSERT INTO channel.campaign_member (campaign_id, partner_id, joined_at)
VALUES (5451, 5401, make_date(:y, 1, 15) + time '10:00' AT TIME ZONE 'UTC');

---------------------------------------------------------------- bad input
SELECT * FROM channel.propose_business_plan(1999, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5499);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]');
SELECT * FROM channel.propose_business_plan(:y, '[]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '{"quarter": 1}', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}, 7]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 5, "measure": "deals_won", "target": 1}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "market_share", "target": 1}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": -2}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": "NaN"}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won"}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1, "product_line": "NOPE"}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1, "partner_owner": 5421}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1, "owner": "x"}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 2, "measure": "deals_won", "target": 1, "product_line": "BP_A"},
                                                  {"quarter": 2, "measure": "deals_won", "target": 3, "product_line": "BP_A"}]', 5401);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5401, 'Vera', 5421);
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5401, ' ');
SELECT count(*) AS plans_after_bad_input FROM channel.business_plan;

---------------------------------------------------------------- the vendor proposes
SELECT plan_id AS plan, revision, status, target_count FROM channel.propose_business_plan(:y, '[
  {"quarter": 1, "measure": "won_revenue", "target": 500000},
  {"quarter": 1, "measure": "campaigns_run", "target": 1},
  {"quarter": 2, "measure": "won_revenue", "target": 300000, "product_line": "BP_B", "vendor_owner": "Bruno (line B)"},
  {"quarter": 2, "measure": "deals_registered", "target": 3},
  {"quarter": 2, "measure": "certified_people", "target": 1, "partner_owner": 5412},
  {"quarter": 2, "measure": "campaigns_run", "target": 1, "product_line": "BP_A"},
  {"quarter": 3, "measure": "leads_accepted", "target": 5},
  {"quarter": 4, "measure": "certifications", "target": 2, "note": "one per line"}]', 5401, 'Vera Vendor', 5411, 'first draft') \gset
SELECT :'revision' AS revision, :'status' AS status, :'target_count' AS targets;
SELECT year = :y AS this_year, status, revision, proposed_by, vendor_owner, vendor_agreed_by IS NOT NULL AS vendor_agreed,
       partner_agreed_by IS NOT NULL AS partner_agreed, notes, currency
FROM channel.business_plan WHERE plan_id = :plan;
SELECT quarter, measure, product_line, target, vendor_owner, partner_owner, note
FROM channel.business_plan_target WHERE plan_id = :plan ORDER BY quarter, measure;
-- the vendor agreeing again changes nothing: the partner has not agreed
SELECT channel.agree_business_plan(:plan, 1);
SELECT channel.agree_business_plan(:plan, 7);
SELECT channel.agree_business_plan(5499999, 1);

---------------------------------------------------------------- plan vs actual (as of 15 May)
SELECT quarter, measure, product_line, target, actual, attainment, elapsed, expected, progress, vendor_owner, partner_owner
FROM channel.business_plan_progress(:y, 5401, :'as_of');
-- 5402 has a plan with one target it missed
SELECT target_count FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5402);
SELECT partner_id, status, targets_due, behind, missed, met, worst_target, worst_pace
FROM channel.business_plans_behind(:y, :'as_of');
-- the whole year later: Q2 is over, Q3 and Q4 are due too
SELECT quarter, measure, actual, progress FROM channel.business_plan_progress(:y, 5401, make_date(:y, 12, 31)) WHERE quarter >= 2;
-- before the year: nothing started
SELECT count(*) FILTER (WHERE progress = 'not started') AS not_started, count(*) AS targets
FROM channel.business_plan_progress(:y, NULL, make_date(:y - 1, 12, 31));
SELECT * FROM channel.business_plan_progress(:y, 5401, make_date(1999, 1, 1));
SELECT * FROM channel.business_plan_progress(1999, 5401, :'as_of');
SELECT * FROM channel.business_plan_progress(:y, 5499, :'as_of');
-- the actuals are what a hand-written query over the same sources gives
SELECT p.actual = (SELECT coalesce(sum(d.won_revenue), 0) FROM channel.partner_line_day d
                   WHERE d.partner_id = 5401 AND d.day >= make_date(:y, 1, 1) AND d.day < make_date(:y, 4, 1)) AS q1_revenue_matches,
       p.actual = 600000 AS q1_revenue
FROM channel.business_plan_progress(:y, 5401, :'as_of') p WHERE p.quarter = 1 AND p.measure = 'won_revenue';

---------------------------------------------------------------- partners and analysts
CREATE ROLE regress_plan_a LOGIN;
CREATE ROLE regress_plan_b LOGIN;
CREATE ROLE regress_plan_analyst LOGIN;
GRANT channel_partner TO regress_plan_a, regress_plan_b;
GRANT channel_analyst TO regress_plan_analyst;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_plan_a', 5401), ('regress_plan_b', 5402);
SET SESSION AUTHORIZATION regress_plan_a;
SELECT partner_id, status, revision FROM channel.business_plan;
SELECT count(*) AS own_targets FROM channel.business_plan_target;
SELECT count(*) AS own_progress_rows, count(DISTINCT partner_id) AS partners FROM channel.business_plan_progress(:y, NULL, :'as_of');
SELECT partner_id, behind FROM channel.business_plans_behind(:y, :'as_of');
-- the partner agrees: both sides on revision 1
SELECT channel.agree_business_plan(:plan, 1);
SELECT status, partner_agreed_by = 'regress_plan_a' AS partner_agreed FROM channel.business_plan;
-- then proposes a revision: the vendor must agree again
SELECT revision, status, target_count FROM channel.propose_business_plan(:y, '[
  {"quarter": 1, "measure": "won_revenue", "target": 500000},
  {"quarter": 2, "measure": "won_revenue", "target": 150000, "product_line": "BP_B"}]');
SELECT status, proposed_by, vendor_agreed_by IS NULL AS vendor_must_agree, partner_agreed_by IS NOT NULL AS partner_agreed,
       vendor_owner, notes FROM channel.business_plan;
-- another partner's plan and partner do not exist for it
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5402);
SELECT * FROM channel.business_plan_progress(:y, 5402, :'as_of');
RESET SESSION AUTHORIZATION;
SELECT plan_id AS other_plan FROM channel.business_plan WHERE partner_id = 5402 \gset
SET SESSION AUTHORIZATION regress_plan_a;
SELECT channel.agree_business_plan(:other_plan, 1);
RESET SESSION AUTHORIZATION;
-- the vendor's agreement to the old revision is refused; to the new one it agrees
SELECT channel.agree_business_plan(:plan, 1);
SELECT channel.agree_business_plan(:plan, 2);
SELECT status, revision FROM channel.business_plan WHERE plan_id = :plan;
SELECT quarter, measure, product_line, target, progress FROM channel.business_plan_progress(:y, 5401, :'as_of');
SET SESSION AUTHORIZATION regress_plan_analyst;
SELECT count(DISTINCT partner_id) AS analyst_sees FROM channel.business_plan_progress(:y, NULL, :'as_of');
SELECT count(*) AS analyst_plans FROM channel.business_plan;
SELECT * FROM channel.propose_business_plan(:y, '[{"quarter": 1, "measure": "deals_won", "target": 1}]', 5401);
RESET SESSION AUTHORIZATION;

---------------------------------------------------------------- clean up
DELETE FROM channel.partner_user WHERE role_name LIKE 'regress\_plan\_%';
DROP ROLE regress_plan_a, regress_plan_b, regress_plan_analyst;
DELETE FROM channel.deal WHERE partner_id = 5401;
CALL channel.refresh_rollups();
DELETE FROM channel.campaign WHERE campaign_id IN (5451, 5452);
DELETE FROM channel.partner WHERE partner_id IN (5401, 5402);
DELETE FROM channel.course WHERE course_id = 5431;
DELETE FROM channel.product_line WHERE code IN ('BP_A', 'BP_B');
SELECT (SELECT count(*) FROM channel.business_plan) + (SELECT count(*) FROM channel.business_plan_target)
     + (SELECT count(*) FROM channel.partner_line_day WHERE partner_id IN (5401, 5402))
     + (SELECT count(*) FROM channel.partner_month_dirty) + (SELECT count(*) FROM channel.certification_award) AS rows_left;
