-- 59_incentives: volume rebates, SPIFFs and registration bonuses on a channel
-- small enough to check by hand -- bad rules refused, earnings computed into
-- the fund ledger and traced to their deals and sell-through lines, a
-- second run writing nothing, recomputation after a rule or tier change
-- (clawbacks, deferred when the money is reserved), payouts through request
-- approval, claim approval and payment, partners' statements, and every
-- balance recomputed from the ledger and the trace.  Dates are relative to
-- one today and the quarter it falls in.  Runs in a transaction that is
-- rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on

BEGIN;
ALTER TABLE channel.fund_budget ALTER COLUMN budget_id RESTART WITH 1;
ALTER TABLE channel.fund_allocation ALTER COLUMN allocation_id RESTART WITH 1;
ALTER TABLE channel.fund_ledger ALTER COLUMN entry_id RESTART WITH 1;
ALTER TABLE channel.fund_request ALTER COLUMN request_id RESTART WITH 1;
ALTER TABLE channel.fund_claim ALTER COLUMN claim_id RESTART WITH 1;
ALTER TABLE channel.incentive_rule ALTER COLUMN rule_id RESTART WITH 1;

SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0,
       (date_trunc('quarter', current_date) + interval '3 months')::date AS q1,
       date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC' AS q0_utc
\gset

CREATE ROLE regress_inc_a LOGIN;
CREATE ROLE regress_inc_b LOGIN;
CREATE ROLE regress_inc_mgr1 LOGIN;
CREATE ROLE regress_inc_mgr2 LOGIN;
GRANT channel_partner TO regress_inc_a, regress_inc_b;
GRANT channel_admin TO regress_inc_mgr1, regress_inc_mgr2;

INSERT INTO channel.product_line (code, name) VALUES ('INC_NET', 'Networking'), ('INC_SRV', 'Servers');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (5901, 'Alpha Systemhaus GmbH', 'gold', 'active', 'DE'),
  (5902, 'Bêta Informatique SAS', 'silver', 'active', 'FR'),
  (5903, 'Gamma Networks Inc.', 'gold', 'active', 'US');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_inc_a', 5901), ('regress_inc_b', 5902);
INSERT INTO channel.program (program_id, name) VALUES (5900, 'Incentive test programme');
INSERT INTO channel.program_member (partner_id, program_id, joined_on) VALUES (5901, 5900, :'q0');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (59001, 'INC-SW-48', 'INC_NET', '48-port switch', 4000, 'USD', :'q0'::date - 365);

-- ------------------------------------------------------------ the budget and its rules
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT channel.create_fund_budget('Incentives this quarter', 'incentive', 'quarter', :'q0', 'USD',
                                  second_approval_above => 5000, claim_days => 30) AS inc;
SELECT channel.create_fund_budget('MDF this quarter', 'mdf', 'quarter', :'q0', 'USD', 10000) AS mdf;
INSERT INTO channel.incentive_rule (budget_id, kind, name, tier, step_from, step_rate) VALUES
  (1, 'rebate', 'Gold volume rebate', 'gold', '{0, 100000}', '{0.01, 0.02}');
INSERT INTO channel.incentive_rule (budget_id, kind, name, product_line, amount) VALUES
  (1, 'spiff', 'Server SPIFF', 'INC_SRV', 250);
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES
  (1, 'registration_bonus', 'Registration bonus', 500);
INSERT INTO channel.incentive_rule (budget_id, kind, name, source, product_id, amount, program_id) VALUES
  (1, 'spiff', 'Switch SPIFF (programme members)', 'sell_through', 59001, 20, 5900);
SELECT rule_id, kind, name, source, tier, product_line, product_id, program_id,
       starts_on = :'q0'::date AS from_period_start, ends_on = :'q1'::date AS to_period_end, step_from, step_rate, amount, rate
FROM channel.incentive_rule ORDER BY rule_id;

-- bad rules: each refused with its reason, nothing written
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (2, 'spiff', 'On MDF', 100);
INSERT INTO channel.incentive_rule (budget_id, fund, kind, name, amount) VALUES (2, 'mdf', 'spiff', 'On MDF', 100);
INSERT INTO channel.incentive_rule (budget_id, kind, name, step_from) VALUES (1, 'rebate', 'No rates', '{0}');
INSERT INTO channel.incentive_rule (budget_id, kind, name, step_from, step_rate) VALUES (1, 'rebate', 'Down', '{0, 5000}', '{0.03, 0.02}');
INSERT INTO channel.incentive_rule (budget_id, kind, name, step_from, step_rate) VALUES (1, 'rebate', 'Same step', '{0, 0}', '{0.01, 0.02}');
INSERT INTO channel.incentive_rule (budget_id, kind, name, step_from, step_rate) VALUES (1, 'rebate', 'Too rich', '{0}', '{0.6}');
INSERT INTO channel.incentive_rule (budget_id, kind, name, step_from, step_rate, amount) VALUES (1, 'rebate', 'Both', '{0}', '{0.01}', 5);
INSERT INTO channel.incentive_rule (budget_id, kind, name) VALUES (1, 'spiff', 'No amount');
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (1, 'spiff', 'Negative', -10);
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (1, 'spiff', 'NaN', 'NaN');
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount, rate) VALUES (1, 'registration_bonus', 'Two ways', 100, 0.01);
INSERT INTO channel.incentive_rule (budget_id, kind, name, source, amount) VALUES (1, 'registration_bonus', 'On lines', 'sell_through', 100);
INSERT INTO channel.incentive_rule (budget_id, kind, name, product_id, amount) VALUES (1, 'spiff', 'Product on deals', 59001, 10);
INSERT INTO channel.incentive_rule (budget_id, kind, name, source, product_id, amount) VALUES (1, 'spiff', 'No product', 'sell_through', 42, 10);
INSERT INTO channel.incentive_rule (budget_id, kind, name, source, product_id, product_line, amount)
VALUES (1, 'spiff', 'Wrong line', 'sell_through', 59001, 'INC_SRV', 10);
\set VERBOSITY terse
-- (terse: the window's dates are absolute)
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount, starts_on) VALUES (1, 'spiff', 'Early', 10, :'q0'::date - 1);
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount, ends_on) VALUES (1, 'spiff', 'Late', 10, :'q1'::date + 1);
\set VERBOSITY default
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (1, 'bonus', 'Unknown kind', 10);
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (1, 'spiff', 'Server SPIFF', 10);
SELECT count(*) AS rules FROM channel.incentive_rule;

-- ------------------------------------------------------------ sales
RESET SESSION AUTHORIZATION;
-- won deals entered as won, without a registration decision (no registration bonus)
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until, closed_at) VALUES
  -- 5901 (gold): 60,000 + 50,000 = 110,000 of volume: the 2% step
  (59001, 5901, 'Inc Kunde Eins', 'DE', 'INC_NET', 60000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', NULL, :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (59002, 5901, 'Inc Kunde Zwei', 'DE', 'INC_SRV', 50000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', NULL, :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '2 hours'),
  -- 5903 (gold): 30,000 at 1%, and a server deal (SPIFF)
  (59003, 5903, 'Inc Customer Three', 'US', 'INC_SRV', 30000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', NULL, :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '3 hours'),
  -- not counted: won last quarter, in EUR, lost
  (59004, 5901, 'Inc Kunde Alt', 'DE', 'INC_NET', 99000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '30 days', NULL, :'q0_utc'::timestamptz + interval '60 days',
   :'q0_utc'::timestamptz - interval '1 day'),
  (59005, 5901, 'Inc Kunde Euro', 'DE', 'INC_NET', 99000, 'EUR', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', NULL, :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (59006, 5901, 'Inc Kunde Verloren', 'DE', 'INC_NET', 99000, 'USD', :'q0', 'lost',
   :'q0_utc'::timestamptz - interval '10 days', NULL, :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour');
-- a registration of 5902, approved, then won: its registration bonus
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (59007, 5902, 'Client Inc Sept', 'FR', 'INC_NET', 8000, 'USD', :'q0', 'approved',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days');
UPDATE channel.deal SET status = 'won', closed_at = :'q0_utc'::timestamptz + interval '4 hours' WHERE deal_id = 59007;
-- sell-through of 5901: 3 switches, then 2 more on another line of the invoice
INSERT INTO channel.report_batch (batch_id, partner_id, kind) VALUES (59001, 5901, 'sell_through');
INSERT INTO channel.end_customer (end_customer_id, name, country, customer_key, match_keys)
VALUES (59001, 'Inc Endkunde', 'DE', 'inc endkunde', '{inc}');
INSERT INTO channel.sell_through (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration) VALUES
  (59001, 5901, 'INV-59', 1, 59001, 1, :'q0', 59001, 'INC_NET', 3, 3800, 'USD', 'Inc Endkunde', 'DE', 59001, 5901, 'unregistered'),
  (59002, 5901, 'INV-59', 2, 59001, 2, :'q0', 59001, 'INC_NET', 2, 3800, 'USD', 'Inc Endkunde', 'DE', 59001, 5901, 'unregistered');

-- ------------------------------------------------------------ the job
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT * FROM channel.accrue_incentives(:'today');
-- the ledger: per budget and partner one earning row
SELECT entry_id, partner_id, entry, from_bucket, to_bucket, amount, note FROM channel.fund_ledger
WHERE budget_id = 1 ORDER BY entry_id;
-- traced to the sales that earned it
SELECT entry_id, rule_id, partner_id, deal_id, reporter_id, invoice_no, line_no, volume, units, rate, amount
FROM channel.incentive_earning ORDER BY entry_id, rule_id, deal_id, line_no;
-- a second run: nothing new
SELECT * FROM channel.accrue_incentives(:'today');
SELECT count(*) AS ledger_rows, (SELECT count(*) FROM channel.incentive_earning) AS trace_rows FROM channel.fund_ledger;

-- ------------------------------------------------------------ recomputation
-- a third switch line; 5903 drops to silver (no more gold rebate);
-- the rebate's top step is lowered to 1.5%
RESET SESSION AUTHORIZATION;
INSERT INTO channel.sell_through (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration) VALUES
  (59003, 5901, 'INV-59', 3, 59001, 3, :'q0', 59001, 'INC_NET', 1, 3800, 'USD', 'Inc Endkunde', 'DE', 59001, 5901, 'unregistered');
UPDATE channel.partner SET tier = 'silver' WHERE partner_id = 5903;
SET SESSION AUTHORIZATION regress_inc_mgr1;
UPDATE channel.incentive_rule SET step_rate = '{0.01, 0.015}' WHERE rule_id = 1;
SELECT * FROM channel.accrue_incentives(:'today');
SELECT entry_id, partner_id, entry, amount, note FROM channel.fund_ledger WHERE entry_id > 4 ORDER BY entry_id;
SELECT entry_id, rule_id, partner_id, deal_id, line_no, volume, rate, amount
FROM channel.incentive_earning WHERE entry_id > 4 ORDER BY entry_id, rule_id, deal_id, line_no;
-- a corrected resubmission of line 1 (a new row, the same sale, 4 units now): only the difference
RESET SESSION AUTHORIZATION;
DELETE FROM channel.sell_through WHERE line_id = 59001;
INSERT INTO channel.sell_through (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration) VALUES
  (59011, 5901, 'INV-59', 1, 59001, 11, :'q0', 59001, 'INC_NET', 4, 3800, 'USD', 'Inc Endkunde', 'DE', 59001, 5901, 'unregistered');
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT * FROM channel.accrue_incentives(:'today');
SELECT rule_id, reporter_id, invoice_no, line_no, line_id, units, earned, credited, clawed_back, changes
FROM channel.incentive_statement_line WHERE rule_id = 4 ORDER BY line_no;

-- ------------------------------------------------------------ payouts
-- A asks for 1,000 of its earnings: approval reserves them and files the claim
SET SESSION AUTHORIZATION regress_inc_a;
SELECT allocation_id, budget_name, fund, earned, available, reserved, paid FROM channel.fund_balances(fund => 'incentive');
SELECT channel.request_incentive_payout(1, 1000) AS payout;
SELECT request_id, activity_type, title, planned_cost, status FROM channel.fund_request;
-- B cannot touch A's allocation (the error of a missing one); A not more than it has
SET SESSION AUTHORIZATION regress_inc_b;
SELECT channel.request_incentive_payout(1, 10);
SET SESSION AUTHORIZATION regress_inc_a;
SELECT channel.request_incentive_payout(1, 99999);
SELECT channel.request_incentive_payout(1, 0);
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT channel.approve_fund_request(1);
SELECT claim_id, request_id, amount, status, documents, claimed_by FROM channel.fund_claim;
SELECT channel.approve_fund_claim(1);
SELECT channel.pay_fund_claim(1, 'TRF-59-001') > 0 AS paid;
SELECT request_id, status, status_reason FROM channel.fund_request;
-- the vendor asks for the rest of A's earnings on its behalf: another manager approves it
SELECT channel.request_incentive_payout(1) AS payout_rest;
SELECT request_id, planned_cost FROM channel.fund_request WHERE request_id = 2;
SELECT channel.approve_fund_request(2);
SET SESSION AUTHORIZATION regress_inc_mgr2;
SELECT channel.approve_fund_request(2);
-- the vendor asked on A's behalf: mgr1 filed the claim and may not approve it
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT channel.approve_fund_claim(2);
SELECT allocation_id, earned, available, reserved, paid FROM channel.fund_balance WHERE allocation_id = 1;
-- the rebate lowered again: A's decrease cannot be taken from reserved money, it waits
UPDATE channel.incentive_rule SET step_rate = '{0.005, 0.01}' WHERE rule_id = 1;
SELECT * FROM channel.accrue_incentives(:'today');
SELECT count(*) FILTER (WHERE entry = 'clawback' AND partner_id = 5901) AS a_clawbacks FROM channel.fund_ledger;
-- the payout rejected: the money is available again, and the next run claws back
SET SESSION AUTHORIZATION regress_inc_mgr2;
SELECT channel.reject_fund_claim(2, 'rebate terms revised');
SELECT channel.close_fund_request(2, 'payout replaced');
SET SESSION AUTHORIZATION regress_inc_mgr1;
SELECT * FROM channel.accrue_incentives(:'today');
SELECT allocation_id, earned, available, reserved, paid FROM channel.fund_balance WHERE allocation_id = 1;
-- wrong funds for each path
SELECT count(*) FROM channel.allocate_funds(2, 1000, ARRAY[5901]::bigint[]);
SELECT channel.request_incentive_payout(4, 100);
SELECT channel.create_fund_request(1, 'event', 'Party', :'q0', :'q0', 100, 'USD');

-- ------------------------------------------------------------ statements: partners see their own
SET SESSION AUTHORIZATION regress_inc_a;
SELECT partner_id, rule_id, rule_name, kind, source, sales, volume, rate, earned, credited, clawed_back
FROM channel.incentive_statement ORDER BY rule_id;
SELECT DISTINCT partner_id FROM channel.incentive_earning;
SELECT rule_id, name FROM channel.incentive_rule ORDER BY rule_id;
SET SESSION AUTHORIZATION regress_inc_b;
SELECT partner_id, rule_id, rule_name, sales, volume, earned FROM channel.incentive_statement ORDER BY rule_id;
SELECT rule_id, name FROM channel.incentive_rule ORDER BY rule_id;
SELECT count(*) AS visible_ledger_rows FROM channel.fund_ledger WHERE partner_id <> 5902;
SELECT * FROM channel.accrue_incentives(:'today');

-- ------------------------------------------------------------ invariants, recomputed
RESET SESSION AUTHORIZATION;
-- per allocation: the earning rows minus the clawback rows = the trace;
-- every balance = a recomputation from the ledger; what the trace holds
-- per sale = what is earned now (nothing left to move)
WITH led AS (
  SELECT l.allocation_id,
         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'earning'), 0) - coalesce(sum(l.amount) FILTER (WHERE l.entry = 'clawback'), 0) AS net,
         coalesce(sum(CASE WHEN l.to_bucket = 'available' THEN l.amount END), 0)
         - coalesce(sum(CASE WHEN l.from_bucket = 'available' THEN l.amount END), 0) AS available,
         coalesce(sum(CASE WHEN l.to_bucket = 'reserved' THEN l.amount END), 0)
         - coalesce(sum(CASE WHEN l.from_bucket = 'reserved' THEN l.amount END), 0) AS reserved
  FROM channel.fund_ledger l WHERE l.budget_id = 1 GROUP BY l.allocation_id),
tr AS (
  SELECT a.allocation_id, sum(e.amount) AS traced
  FROM channel.incentive_earning e JOIN channel.fund_allocation a ON a.budget_id = e.budget_id AND a.partner_id = e.partner_id
  GROUP BY a.allocation_id)
SELECT count(*) AS allocations,
       count(*) FILTER (WHERE led.net = tr.traced) AS ledger_equals_trace,
       count(*) FILTER (WHERE led.available = b.available AND led.reserved = b.reserved AND led.net = b.earned) AS balances_recomputed,
       count(*) FILTER (WHERE b.available < 0 OR b.reserved < 0) AS overdrawn
FROM led JOIN tr USING (allocation_id) JOIN channel.fund_balance b USING (allocation_id);
SELECT count(*) AS sales_out_of_step FROM (
  (SELECT rule_id, partner_id, deal_id, reporter_id, invoice_no, line_no, sum(amount) AS amount
   FROM channel.incentive_earning GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(amount) <> 0
   EXCEPT
   SELECT rule_id, partner_id, deal_id, reporter_id, invoice_no, line_no, amount FROM channel.incentive_earned(:'today'))
  UNION ALL
  (SELECT rule_id, partner_id, deal_id, reporter_id, invoice_no, line_no, amount FROM channel.incentive_earned(:'today')
   EXCEPT
   SELECT rule_id, partner_id, deal_id, reporter_id, invoice_no, line_no, sum(amount)
   FROM channel.incentive_earning GROUP BY 1, 2, 3, 4, 5, 6)) d;
-- every earning and clawback row is the sum of its trace rows
SELECT count(*) AS rows_not_their_trace
FROM channel.fund_ledger l
WHERE l.entry IN ('earning', 'clawback')
  AND l.amount <> (SELECT abs(sum(e.amount)) FROM channel.incentive_earning e WHERE e.entry_id = l.entry_id);

-- ------------------------------------------------------------ what stays
SELECT channel.accrue_incentives(NULL);
DELETE FROM channel.incentive_rule WHERE rule_id = 2;
DELETE FROM channel.deal WHERE deal_id = 59003;
UPDATE channel.incentive_earning SET amount = 1 WHERE rule_id = 2;
DELETE FROM channel.incentive_earning;
-- a rule without earnings goes
INSERT INTO channel.incentive_rule (budget_id, kind, name, amount) VALUES (1, 'spiff', 'Unused', 5);
DELETE FROM channel.incentive_rule WHERE name = 'Unused';
-- the period-end job closes the budget after its claim days: what was not paid out expires
SELECT budget_id, requests_closed, expired > 0 AS expired_some FROM channel.expire_funds(:'q1'::date + 30) WHERE budget_id = 1;
SELECT * FROM channel.accrue_incentives(:'q1'::date + 30);
UPDATE channel.incentive_rule SET amount = 300 WHERE rule_id = 2;

ROLLBACK;
