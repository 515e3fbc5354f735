-- 55_funds: MDF and co-op funds end to end on a channel small enough to
-- check by hand -- budgets, allocations (listed and expanded per tier and
-- region), co-op accrual traced to its deals, requests and claims through
-- their lifecycles, the period-end job with carry-over, ROI and the
-- end-of-quarter spike; every balance recomputed from the ledger; the
-- ledger append-only; partners see their own rows only; bad input refused
-- with nothing written.  Dates are relative to one today and the quarter it
-- falls in; no absolute date is printed.  Runs in a transaction that is
-- rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
-- every failing statement is rolled back alone (psql takes a savepoint before each)
\set ON_ERROR_ROLLBACK on

BEGIN;
-- ids as on a fresh install, whatever ran before (rolled back with the rest)
ALTER TABLE channel.fund_budget ALTER COLUMN budget_id RESTART WITH 1;
ALTER TABLE channel.fund_allocation ALTER COLUMN allocation_id RESTART WITH 1;
ALTER TABLE channel.fund_ledger ALTER COLUMN entry_id RESTART WITH 1;
ALTER TABLE channel.fund_request ALTER COLUMN request_id RESTART WITH 1;
ALTER TABLE channel.fund_claim ALTER COLUMN claim_id RESTART WITH 1;
ALTER TABLE channel.campaign ALTER COLUMN campaign_id RESTART WITH 1;

SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0,
       (date_trunc('quarter', current_date) + interval '3 months')::date AS q1,
       (date_trunc('quarter', current_date) - interval '3 months')::date AS qprev
\gset

CREATE ROLE regress_funds_a LOGIN;
CREATE ROLE regress_funds_b LOGIN;
CREATE ROLE regress_funds_mgr1 LOGIN;
CREATE ROLE regress_funds_mgr2 LOGIN;
CREATE ROLE regress_funds_analyst LOGIN;
GRANT channel_partner TO regress_funds_a, regress_funds_b;
GRANT channel_admin TO regress_funds_mgr1, regress_funds_mgr2;
GRANT channel_analyst TO regress_funds_analyst;

INSERT INTO channel.product_line (code, name) VALUES ('FUNDS_NET', 'Networking'), ('FUNDS_SRV', 'Servers');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (5501, 'Alpha Systemhaus GmbH', 'gold', 'active', 'DE'),
  (5502, 'Bêta Informatique SAS', 'silver', 'active', 'FR'),
  (5503, 'Gamma Networks Inc.', 'gold', 'active', 'US'),
  (5504, 'Delta Daten AG', 'gold', 'inactive', 'DE');
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_funds_a', 5501), ('regress_funds_b', 5502);

-- ------------------------------------------------------------ budgets
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT channel.create_fund_budget('EMEA MDF this quarter', 'mdf', 'quarter', :'q0', 'USD', 50000, 10000, 30) AS mdf;
SELECT channel.create_fund_budget('Co-op this quarter', 'coop', 'quarter', :'q0', 'USD') AS coop;
SELECT channel.create_fund_budget('EMEA MDF next quarter', 'mdf', 'quarter', :'q1', 'USD', 20000) AS mdf_next;
SELECT channel.set_fund_carry_over(1, 25, 3);
SELECT budget_id, name, fund, period, period_end = period_start + interval '3 months' AS three_months,
       period_start = :'q0'::date AS this_quarter, currency, second_approval_above, claim_days, carry_over_pct, carry_over_to
FROM channel.fund_budget ORDER BY budget_id;
-- bad budgets: nothing is written
\set VERBOSITY terse
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', (:'q0'::date + 1), 'USD', 100);
\set VERBOSITY default
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD');
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD', 'NaN');
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD', 'Infinity');
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD', 0);
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD', -5);
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'USD', 10.005);
SELECT channel.create_fund_budget('x', 'mdf', 'quarter', :'q0', 'US', 100);
\set VERBOSITY terse
SELECT channel.set_fund_carry_over(1, 25, 2);
\set VERBOSITY default
SELECT channel.set_fund_carry_over(1, 101, 3);
SELECT count(*) AS budgets FROM channel.fund_budget;

-- ------------------------------------------------------------ allocations
-- listed partners, then every active gold partner of EMEA (5504 is inactive)
SELECT * FROM channel.allocate_funds(1, 15000, ARRAY[5501, 5502]::bigint[]);
SELECT * FROM channel.allocate_funds(1, 5000, tier => 'gold', region => 'EMEA');
SELECT * FROM channel.allocate_funds(3, 1000, ARRAY[5501]::bigint[]);
-- the pool has 15,000 left: three partners at 6,000 do not fit, nothing is written
SELECT * FROM channel.allocate_funds(1, 6000, ARRAY[5501, 5502, 5503]::bigint[]);
SELECT * FROM channel.allocate_funds(1, 100, ARRAY[5501, 999]::bigint[]);
SELECT * FROM channel.allocate_funds(1, 100, tier => 'platinum');
SELECT * FROM channel.allocate_funds(1, 100);
SELECT budget_id, budgeted, allocated, unallocated FROM channel.fund_budget_balance ORDER BY budget_id;
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ co-op accrual
INSERT INTO channel.coop_rule (budget_id, tier, product_line, rate) VALUES
  (2, NULL, NULL, 0.01), (2, 'gold', NULL, 0.02), (2, 'gold', 'FUNDS_NET', 0.03), (2, NULL, 'FUNDS_SRV', 0.015);
-- rules only on co-op budgets, one per tier and line, rates in (0, 0.5]
INSERT INTO channel.coop_rule (budget_id, rate) VALUES (1, 0.01);
INSERT INTO channel.coop_rule (budget_id, tier, rate) VALUES (2, 'gold', 0.05);
\set VERBOSITY terse
INSERT INTO channel.coop_rule (budget_id, rate) VALUES (2, 0.6);
\set VERBOSITY default
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until, closed_at) VALUES
  -- 5501 (gold): NET at 3%, SRV at 1.5% (the line rule beats the tier rule)
  (55001, 5501, 'Funds Kunde Eins', 'DE', 'FUNDS_NET', 100000, 'USD', :'q0', 'won',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC'),
  (55002, 5501, 'Funds Kunde Zwei', 'DE', 'FUNDS_SRV', 20000, 'USD', :'q0', 'won',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '1 hour'),
  -- not counted: lost, another currency, won before the period
  (55003, 5501, 'Funds Kunde Drei', 'DE', 'FUNDS_NET', 50000, 'USD', :'q0', 'lost',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC'),
  (55004, 5501, 'Funds Kunde Vier', 'DE', 'FUNDS_NET', 10000, 'EUR', :'q0', 'won',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC'),
  (55005, 5501, 'Funds Kunde Fünf', 'DE', 'FUNDS_NET', 70000, 'USD', :'qprev', 'won',
   :'qprev'::timestamptz, :'qprev'::timestamptz, :'qprev'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC' - interval '1 second'),
  -- 5502 (silver): NET at the budget-wide 1%
  (55006, 5502, 'Client Funds Six', 'FR', 'FUNDS_NET', 30000, 'USD', :'q0', 'won',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC');
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT * FROM channel.accrue_coop(:'today');
-- again: nothing new
SELECT * FROM channel.accrue_coop(:'today');
RESET SESSION AUTHORIZATION;
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until, closed_at) VALUES
  (55007, 5502, 'Client Funds Sept', 'FR', 'FUNDS_NET', 5000, 'USD', :'q0', 'won',
   :'q0'::timestamptz - interval '10 days', :'q0'::timestamptz - interval '9 days', :'q0'::timestamptz + interval '80 days',
   :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '2 hours');
SELECT * FROM channel.accrue_coop(:'today');
-- each accrual row is the sum of its deals
SELECT l.entry_id, l.partner_id, l.amount, l.note LIKE 'co-op on % won deal%' AS noted,
       array_agg(x.deal_id ORDER BY x.deal_id) AS deals, array_agg(x.rate ORDER BY x.deal_id) AS rates,
       sum(x.amount) = l.amount AS sums
FROM channel.fund_ledger l JOIN channel.fund_accrual_deal x ON x.entry_id = l.entry_id
WHERE l.entry = 'accrual' GROUP BY l.entry_id ORDER BY l.entry_id;

-- ------------------------------------------------------------ requests
-- partner A asks against its MDF allocation (1); B's allocation is 2
SET SESSION AUTHORIZATION regress_funds_a;
SELECT channel.create_campaign('ALPHA-WEBINAR', 'Alpha networking webinar', :'q0'::date + 5, :'q0'::date + 6, 'FUNDS_NET') AS campaign;
SELECT channel.create_fund_request(1, 'webinar', 'Networking webinar', :'q0'::date + 5, :'q0'::date + 6, 4000, 'USD',
                                   expected_leads => 20, campaign_id => 1) AS r1;
SELECT channel.create_fund_request(1, 'trade_show', 'CeBIT booth', :'q0'::date + 20, :'q0'::date + 22, 12000, 'USD') AS r2;
SELECT channel.create_fund_request(1, 'digital', 'Search ads', :'q0'::date + 10, :'q0'::date + 40, 1500, 'USD', submit => false) AS r3;
-- bad requests: nothing is written
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 100, 'EUR');
\set VERBOSITY terse
SELECT channel.create_fund_request(1, 'event', 'x', :'q1'::date, :'q1'::date + 2, 100, 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date - 1, :'q0'::date + 2, 100, 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 3, :'q0'::date + 2, 100, 'USD');
\set VERBOSITY default
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 0, 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 'NaN', 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, '-Infinity', 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 99.999, 'USD');
SELECT channel.create_fund_request(1, 'party', 'x', :'q0'::date + 1, :'q0'::date + 2, 100, 'USD');
SELECT channel.create_fund_request(1, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 30000, 'USD');
-- B's allocation and a missing one: the same error
SELECT channel.create_fund_request(2, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 100, 'USD');
SELECT channel.create_fund_request(999, 'event', 'x', :'q0'::date + 1, :'q0'::date + 2, 100, 'USD');
-- a partner approves nothing
SELECT channel.approve_fund_request(1);
SELECT channel.accrue_coop();
SELECT count(*) AS requests FROM channel.fund_request;
RESET SESSION AUTHORIZATION;

-- the vendor creating a request for a partner may not approve it itself
SELECT channel.create_fund_request(2, 'content', 'Case study', :'q0'::date + 3, :'q0'::date + 30, 2500, 'USD') AS r4;
SELECT channel.approve_fund_request(4);
SET SESSION AUTHORIZATION regress_funds_mgr1;
-- r1 in full; r2 (12,000 > 10,000) needs two approvers, the first lowers it to 11,000
SELECT channel.approve_fund_request(1);
SELECT channel.approve_fund_request(2, 11000);
SELECT channel.approve_fund_request(2);
SELECT channel.approve_fund_request(3);
SELECT channel.approve_fund_request(1);
SELECT channel.approve_fund_request(4, 0);
SELECT channel.approve_fund_request(4, 3000);
SELECT channel.reject_fund_request(4, '  ');
SELECT channel.reject_fund_request(4, 'activity not eligible for MDF');
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_mgr2;
SELECT channel.approve_fund_request(2, 11500);
SELECT channel.approve_fund_request(2, 10000);
RESET SESSION AUTHORIZATION;
SELECT request_id, partner_id, activity_type, status, planned_cost, approved_amount, requested_by,
       first_approved_by, first_approved_amount, decided_by, status_reason
FROM channel.fund_request ORDER BY request_id;
-- r3, the draft, is submitted; r5 asks for exactly what A has left (6,000) and
-- is approved, after which r3 no longer fits
SET SESSION AUTHORIZATION regress_funds_a;
SELECT channel.submit_fund_request(3);
SELECT channel.create_fund_request(1, 'email', 'Newsletter', :'q0'::date + 2, :'q0'::date + 3, 6000, 'USD') AS r5;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT channel.approve_fund_request(5);
SELECT channel.approve_fund_request(3, 1000.50);
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ claims
SET SESSION AUTHORIZATION regress_funds_a;
SELECT channel.create_fund_claim(1, 2500, 'USD',
         jsonb_build_array(jsonb_build_object('number', 'INV-100', 'amount', 2000, 'date', to_char(:'q0'::date + 6, 'YYYY-MM-DD')),
                           jsonb_build_object('number', 'INV-101', 'amount', 600)),
         ARRAY['webinar-recording.mp4', 'attendees.csv']) AS c1;
-- bad claims: nothing is written
SELECT channel.create_fund_claim(1, 2000, 'USD', '[{"number": "INV-102", "amount": 2000}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 1000, 'USD', '[{"number": "INV-103", "amount": 900}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "INV-104", "amount": 100}]');
SELECT channel.create_fund_claim(1, 100, 'EUR', '[{"number": "INV-105", "amount": 100}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "", "amount": 100}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "INV-106", "amount": "100"}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "INV-107", "amount": -100}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "INV-108", "amount": 50}, {"number": "INV-108", "amount": 50}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '[{"number": "INV-109", "amount": 100, "date": "2031-02-30"}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(1, 100, 'USD', '{"number": "INV-110", "amount": 100}', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(4, 100, 'USD', '[{"number": "INV-111", "amount": 100}]', ARRAY['x.pdf']);
SELECT channel.create_fund_claim(3, 100, 'USD', '[{"number": "INV-112", "amount": 100}]', ARRAY['x.pdf']);
-- a second claim for the rest of r1, kept as a draft
SELECT channel.create_fund_claim(1, 1500, 'USD', '[{"number": "INV-113", "amount": 1500}]', ARRAY['survey.pdf'], submit => false) AS c2;
SELECT channel.approve_fund_claim(1);
SELECT count(*) AS claims FROM channel.fund_claim;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT channel.approve_fund_claim(1, 2600);
SELECT channel.approve_fund_claim(1, 2000);
SELECT channel.pay_fund_claim(1, NULL);
SELECT channel.pay_fund_claim(1, 'SEPA-2041');
SELECT channel.pay_fund_claim(1, 'SEPA-2041');
-- r1 still has a draft claim: not closed, not cancelled; the draft is submitted, rejected
SELECT channel.close_fund_request(1);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_a;
SELECT channel.submit_fund_claim(2);
SELECT channel.cancel_fund_request(1);
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT channel.reject_fund_claim(2, 'no proof of attendance');
-- r1: 4,000 approved, 2,000 paid; closing releases the 2,000 unclaimed
SELECT channel.close_fund_request(1) AS released;
-- r3, never approved: cancelled by the vendor, nothing to release
SELECT channel.cancel_fund_request(3, 'partner withdrew') AS released;
RESET SESSION AUTHORIZATION;
SELECT claim_id, request_id, status, amount, approved_amount, claimed_by, decided_by, payment_reference, status_reason,
       (SELECT array_agg(i.invoice_number || '=' || i.amount ORDER BY i.invoice_number) FROM channel.fund_claim_invoice i
        WHERE i.claim_id = c.claim_id) AS invoices
FROM channel.fund_claim c ORDER BY claim_id;
SELECT request_id, status, approved_amount, status_reason, channel.fund_request_reserved(request_id) AS still_reserved
FROM channel.fund_request ORDER BY request_id;

-- r2 (10,000): two claims, paid; the second takes the request to closed
SET SESSION AUTHORIZATION regress_funds_a;
SELECT channel.create_fund_claim(2, 6000, 'USD', '[{"number": "FAIR-1", "amount": 6000}]', ARRAY['booth.jpg']) AS c3;
SELECT channel.create_fund_claim(2, 4000.01, 'USD', '[{"number": "FAIR-2", "amount": 4000.01}]', ARRAY['booth.jpg']);
SELECT channel.create_fund_claim(2, 4000, 'USD', '[{"number": "FAIR-2", "amount": 4000}]', ARRAY['booth.jpg']) AS c4;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_mgr2;
SELECT channel.approve_fund_claim(3), channel.approve_fund_claim(4);
SELECT channel.pay_fund_claim(3, 'SEPA-2042') > 0 AS paid, channel.pay_fund_claim(4, 'SEPA-2043') > 0 AS paid;
RESET SESSION AUTHORIZATION;
SELECT request_id, status, status_reason FROM channel.fund_request WHERE request_id = 2;

-- ------------------------------------------------------------ the ledger
SELECT entry_id, budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency,
       request_id, claim_id, actor, note
FROM channel.fund_ledger ORDER BY entry_id;
SELECT partner_id, budget_id, fund, allocated, accrued, carried_in, reserved, paid, expired, carried_out, available
FROM channel.fund_balances() ORDER BY partner_id, budget_id;

-- balances recomputed from the ledger by entry type, another way than the view
WITH recomputed AS (
  SELECT a.allocation_id,
         coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('allocation', 'accrual', 'carry_in', 'release')), 0)
         - coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('reservation', 'expiry', 'carry_out')), 0) AS available,
         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'reservation'), 0)
         - coalesce(sum(l.amount) FILTER (WHERE l.entry IN ('release', 'payment')), 0) AS reserved,
         coalesce(sum(l.amount) FILTER (WHERE l.entry = 'payment'), 0) AS paid,
         count(l.entry_id) FILTER (WHERE l.from_bucket IN ('available', 'reserved')) AS entries
  FROM channel.fund_allocation a LEFT JOIN channel.fund_ledger l ON l.allocation_id = a.allocation_id
  GROUP BY a.allocation_id)
SELECT count(*) AS allocations,
       count(*) FILTER (WHERE r.available = b.available AND r.reserved = b.reserved AND r.paid = b.paid) AS balances_match,
       count(*) FILTER (WHERE r.entries = a.ledger_entries) AS counters_match,
       count(*) FILTER (WHERE b.available < 0 OR b.reserved < 0) AS overdrawn,
       count(*) FILTER (WHERE b.allocated + b.accrued + b.carried_in
                              = b.available + b.reserved + b.paid + b.expired + b.carried_out) AS identity_holds
FROM recomputed r JOIN channel.fund_balance b USING (allocation_id) JOIN channel.fund_allocation a USING (allocation_id);
-- no money appears or disappears: what sits in the buckets is what came in
SELECT (SELECT sum(amount) FROM channel.fund_ledger WHERE from_bucket = 'outside') AS came_in,
       (SELECT sum(amount) FROM channel.fund_ledger WHERE entry IN ('budget', 'accrual')) AS budgets_and_accruals,
       (SELECT sum(CASE WHEN to_bucket = v.bucket THEN amount ELSE -amount END)
        FROM channel.fund_ledger, (VALUES ('unallocated'::channel.fund_bucket), ('available'), ('reserved'), ('paid'), ('expired'), ('carried')) v(bucket)
        WHERE v.bucket IN (from_bucket, to_bucket)) AS held_in_buckets;

-- append-only: not even the owner updates or deletes a row; nobody inserts one directly
UPDATE channel.fund_ledger SET amount = 1 WHERE entry_id = 1;
DELETE FROM channel.fund_ledger WHERE entry_id = 1;
SET SESSION AUTHORIZATION regress_funds_mgr1;
UPDATE channel.fund_ledger SET amount = 1 WHERE entry_id = 1;
DELETE FROM channel.fund_ledger WHERE entry_id = 1;
INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency) VALUES (1, 'budget', 'outside', 'unallocated', 1, 'USD');
UPDATE channel.fund_allocation SET ledger_entries = 0;
RESET SESSION AUTHORIZATION;
-- even a superuser's direct insert cannot overdraw: the trigger refuses it
INSERT INTO channel.fund_ledger (budget_id, allocation_id, partner_id, entry, from_bucket, to_bucket, amount, currency, request_id)
VALUES (1, 1, 5501, 'reservation', 'available', 'reserved', 1000000, 'USD', 5);
-- (terse: the failing row would show the clock)
\set VERBOSITY terse
INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency)
VALUES (1, 'expiry', 'unallocated', 'expired', 'NaN', 'USD');
INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency)
VALUES (1, 'budget', 'outside', 'unallocated', 100, 'EUR');
INSERT INTO channel.fund_ledger (budget_id, entry, from_bucket, to_bucket, amount, currency)
VALUES (1, 'budget', 'outside', 'available', 100, 'USD');
\set VERBOSITY default

-- ------------------------------------------------------------ what partners see
SET SESSION AUTHORIZATION regress_funds_b;
SELECT partner_id, budget_id, fund, allocated, accrued, reserved, paid, available FROM channel.fund_balances();
SELECT request_id, status, status_reason FROM channel.fund_request;
SELECT count(*) AS claims_seen FROM channel.fund_claim;
SELECT DISTINCT partner_id FROM channel.fund_ledger;
SELECT budget_id, name FROM channel.fund_budget ORDER BY budget_id;
SELECT code, kind FROM channel.campaign;
SELECT deal_id, amount FROM channel.fund_accrual_deal ORDER BY deal_id;
-- A's request and claim: the same errors as for missing ones
SELECT channel.cancel_fund_request(2);
SELECT channel.cancel_fund_request(999);
SELECT channel.submit_fund_claim(2);
SELECT channel.submit_fund_claim(999);
SELECT created_by FROM channel.fund_budget;
SELECT * FROM channel.fund_budget_balance;
SELECT * FROM channel.coop_rule;
RESET SESSION AUTHORIZATION;
SET SESSION AUTHORIZATION regress_funds_analyst;
SELECT count(*) AS ledger_rows, count(DISTINCT partner_id) AS partners FROM channel.fund_ledger;
SELECT channel.approve_fund_request(5);
RESET SESSION AUTHORIZATION;

-- ------------------------------------------------------------ ROI and the spike
-- three leads of A's webinar campaign after the activity, one converted into a won deal
INSERT INTO channel.lead (lead_id, company, country, product_line, campaign, status, partner_id, accepted_at, closed_at, created_at) VALUES
  (55101, 'Funds Lead Eins', 'DE', 'FUNDS_NET', 'ALPHA-WEBINAR', 'converted', 5501,
   :'q0'::timestamptz + interval '8 days', :'q0'::timestamptz + interval '20 days', :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '7 days'),
  (55102, 'Funds Lead Zwei', 'DE', 'FUNDS_NET', 'ALPHA-WEBINAR', 'accepted', 5501,
   :'q0'::timestamptz + interval '8 days', NULL, :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '7 days'),
  (55103, 'Funds Lead Drei', 'DE', 'FUNDS_NET', 'ALPHA-WEBINAR', 'accepted', 5501,
   :'q0'::timestamptz + interval '8 days', NULL, :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '30 days'),
  -- before the activity: not attributed
  (55104, 'Funds Lead Vier', 'DE', 'FUNDS_NET', 'ALPHA-WEBINAR', 'accepted', 5501,
   :'q0'::timestamptz + interval '8 days', NULL, :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '1 day'),
  -- a code not seen before registers a vendor campaign
  (55105, 'Funds Lead Fünf', 'DE', 'FUNDS_NET', 'FUNDS-NEW-CODE', 'accepted', 5501,
   :'q0'::timestamptz + interval '8 days', NULL, :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '7 days');
INSERT INTO channel.deal (deal_id, partner_id, lead_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until, closed_at) VALUES
  (55010, 5501, 55101, 'Funds Lead Eins', 'DE', 'FUNDS_NET', 40000, 'USD', :'q0', 'won',
   :'q0'::timestamptz + interval '9 days', :'q0'::timestamptz + interval '10 days', :'q0'::timestamptz + interval '90 days',
   :'q0'::timestamptz + interval '20 days');
SELECT campaign_id, code, name, kind, partner_id FROM channel.campaign ORDER BY campaign_id;
SELECT * FROM channel.fund_roi(:'q0', :'q1');
SET SESSION AUTHORIZATION regress_funds_b;
SELECT count(*) AS roi_rows_for_b FROM channel.fund_roi(:'q0', :'q1');
RESET SESSION AUTHORIZATION;
\set VERBOSITY terse
SELECT * FROM channel.fund_roi(:'q1', :'q0');
\set VERBOSITY default
-- the spike: claims placed early and late in the period
UPDATE channel.fund_claim SET submitted_at = :'q0'::date::timestamp AT TIME ZONE 'UTC' + interval '10 days' WHERE claim_id = 1;
UPDATE channel.fund_claim SET submitted_at = :'q1'::date::timestamp AT TIME ZONE 'UTC' - interval '3 days' WHERE claim_id IN (3, 4);
SELECT partner_id, budget_id, fund, currency, claims, claimed, claimed_late, late_share, flagged
FROM channel.fund_claim_spike(:'q0', :'q1');
SELECT partner_id, claims, late_share, flagged FROM channel.fund_claim_spike(:'q0', :'q1', threshold => 0.95);
SELECT * FROM channel.fund_claim_spike(:'q0', :'q1', threshold => 0);

-- ------------------------------------------------------------ period end
-- before the claim days have passed nothing happens; after, r5 (approved,
-- no claim) releases, 25% of what is left carries into next quarter
SELECT * FROM channel.expire_funds(:'q1');
SELECT * FROM channel.expire_funds((:'q1'::date + 30));
SELECT * FROM channel.expire_funds((:'q1'::date + 30));
SELECT request_id, status, status_reason FROM channel.fund_request ORDER BY request_id;
SELECT partner_id, budget_id, allocated, carried_in, reserved, paid, expired, carried_out, available
FROM channel.fund_balances() ORDER BY partner_id, budget_id;
SELECT budget_id, budgeted, allocated, unallocated, expired_unallocated, accrued, closed FROM channel.fund_budget_balance ORDER BY budget_id;
SELECT co.entry_id AS carry_out, ci.entry_id AS carry_in, co.partner_id, co.amount = ci.amount AS same_amount
FROM channel.fund_ledger co JOIN channel.fund_ledger ci ON ci.carried_from = co.entry_id ORDER BY co.entry_id;
-- a closed budget takes nothing more
SET SESSION AUTHORIZATION regress_funds_mgr1;
SELECT * FROM channel.allocate_funds(1, 10, ARRAY[5501]::bigint[]);
SELECT channel.add_fund_budget(1, 10);
RESET SESSION AUTHORIZATION;
-- and the sums still hold
SELECT (SELECT sum(amount) FROM channel.fund_ledger WHERE entry IN ('budget', 'accrual')) AS budgets_and_accruals,
       (SELECT sum(CASE WHEN to_bucket = v.bucket THEN amount ELSE -amount END)
        FROM channel.fund_ledger, (VALUES ('unallocated'::channel.fund_bucket), ('available'), ('reserved'), ('paid'), ('expired'), ('carried')) v(bucket)
        WHERE v.bucket IN (from_bucket, to_bucket)) AS held_in_buckets,
       (SELECT sum(CASE WHEN to_bucket = 'carried' THEN amount ELSE -amount END) FROM channel.fund_ledger
        WHERE 'carried' IN (from_bucket, to_bucket)) AS in_transit;
ROLLBACK;
