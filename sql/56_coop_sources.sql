-- 56_coop_sources: co-op rates per programme, tier and product line, and
-- co-op accrued on reported sell-through as well as won deals -- a
-- registered deal and the sell-through lines that close it count once, a
-- corrected line is the same sale, each accrual row is the sum of its
-- traced sales, the budget's accrual equals the sum of the traces.  Dates
-- are relative to one today and its quarter.  Rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
\set ON_ERROR_ROLLBACK on

BEGIN;
ALTER TABLE channel.fund_budget ALTER COLUMN budget_id RESTART WITH 1;
ALTER TABLE channel.fund_allocation ALTER COLUMN allocation_id RESTART WITH 1;
ALTER TABLE channel.fund_ledger ALTER COLUMN entry_id RESTART WITH 1;
ALTER TABLE channel.coop_rule ALTER COLUMN rule_id RESTART WITH 1;

SELECT current_date AS today, date_trunc('quarter', current_date)::date AS q0,
       date_trunc('quarter', current_date)::date::timestamp AT TIME ZONE 'UTC' AS q0_utc
\gset

INSERT INTO channel.product_line (code, name) VALUES ('COOP_NET', 'Networking'), ('COOP_SRV', 'Servers');
INSERT INTO channel.partner (partner_id, name, tier, status, country) VALUES
  (5601, 'Alpha Systemhaus GmbH', 'gold', 'active', 'DE'),
  (5602, 'Beta Networks Inc.', 'gold', 'active', 'US'),
  (5603, 'Gamma Informatique SAS', 'silver', 'active', 'FR');
INSERT INTO channel.program (program_id, name) VALUES (5600, 'Co-op test programme');
INSERT INTO channel.program_member (partner_id, program_id, joined_on) VALUES (5601, 5600, :'q0');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (56001, 'COOP-SW-24', 'COOP_NET', '24-port switch', 2000, 'USD', :'q0'::date - 365);

SELECT channel.create_fund_budget('Co-op on everything', 'coop', 'quarter', :'q0', 'USD') AS both_budget;
SELECT channel.create_fund_budget('Co-op on sell-through', 'coop', 'quarter', :'q0', 'USD') AS st_budget;
UPDATE channel.fund_budget SET accrue_on = 'both' WHERE budget_id = 1;
UPDATE channel.fund_budget SET accrue_on = 'sell_through' WHERE budget_id = 2;
\set VERBOSITY terse
UPDATE channel.fund_budget SET accrue_on = 'everything' WHERE budget_id = 2;
\set VERBOSITY default
-- rates as data: budget-wide 1%, gold 2%, servers 2.5%, programme members 3%, their servers 4%
INSERT INTO channel.coop_rule (budget_id, program_id, tier, product_line, rate) VALUES
  (1, NULL, NULL, NULL, 0.01), (1, NULL, 'gold', NULL, 0.02), (1, NULL, NULL, 'COOP_SRV', 0.025),
  (1, 5600, NULL, NULL, 0.03), (1, 5600, NULL, 'COOP_SRV', 0.04),
  (2, NULL, NULL, NULL, 0.01);
-- bad rules
INSERT INTO channel.coop_rule (budget_id, program_id, rate) VALUES (1, 5600, 0.05);
INSERT INTO channel.coop_rule (budget_id, program_id, rate) VALUES (1, 424242, 0.05);
\set VERBOSITY terse
-- (terse: the failing row shows the clock)
INSERT INTO channel.coop_rule (budget_id, rate) VALUES (2, 0);
INSERT INTO channel.coop_rule (budget_id, rate) VALUES (2, 0.7);
\set VERBOSITY default

-- won deals
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until, closed_at) VALUES
  (56001, 5601, 'Coop Kunde Eins', 'DE', 'COOP_NET', 10000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (56002, 5601, 'Coop Kunde Zwei', 'DE', 'COOP_SRV', 10000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (56003, 5602, 'Coop Customer Three', 'US', 'COOP_NET', 10000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (56004, 5602, 'Coop Customer Four', 'US', 'COOP_SRV', 10000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour'),
  (56005, 5603, 'Client Coop Cinq', 'FR', 'COOP_NET', 10000, 'USD', :'q0', 'won',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days',
   :'q0_utc'::timestamptz + interval '1 hour');
-- an approved registration of 5602, not won yet
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (56006, 5602, 'Coop Customer Six', 'US', 'COOP_NET', 7000, 'USD', :'q0', 'approved',
   :'q0_utc'::timestamptz - interval '10 days', :'q0_utc'::timestamptz - interval '9 days', :'q0_utc'::timestamptz + interval '80 days');
-- sell-through: 5603 sells 5 switches (unregistered); 5601's line closes its
-- won deal 56001 (the deal accrues, not the line); 5602's line closes its
-- open registration 56006 (the line accrues; the deal, once won, does not)
INSERT INTO channel.report_batch (batch_id, partner_id, kind) VALUES (56001, 5603, 'sell_through');
INSERT INTO channel.end_customer (end_customer_id, name, country, customer_key, match_keys)
VALUES (56001, 'Coop Endkunde', 'DE', 'coop endkunde', '{coop}');
INSERT INTO channel.sell_through (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration, deal_id) VALUES
  (56001, 5603, 'ST-56', 1, 56001, 1, :'q0', 56001, 'COOP_NET', 5, 1000, 'USD', 'Coop Endkunde', 'DE', 56001, 5603, 'unregistered', NULL),
  (56002, 5603, 'ST-56', 2, 56001, 2, :'q0', 56001, 'COOP_NET', 2, 2000, 'USD', 'Coop Endkunde', 'DE', 56001, 5601, 'registered', 56001),
  (56003, 5603, 'ST-56', 3, 56001, 3, :'q0', 56001, 'COOP_NET', 3, 2000, 'USD', 'Coop Endkunde', 'DE', 56001, 5602, 'registered', 56006);

SELECT * FROM channel.accrue_coop(:'today');
SELECT l.entry_id, l.budget_id, l.partner_id, l.amount, l.note FROM channel.fund_ledger l ORDER BY l.entry_id;
SELECT budget_id, deal_id, partner_id, rule_id, revenue, rate, amount FROM channel.fund_accrual_deal ORDER BY budget_id, deal_id;
SELECT budget_id, reporter_id, invoice_no, line_no, line_id, deal_id, partner_id, rule_id, revenue, rate, amount
FROM channel.fund_accrual_line ORDER BY budget_id, line_no;

-- 56006 is won now: its sale accrued through its sell-through line already;
-- line 1 is corrected (a new row, 6 units): the same sale, it does not accrue again
UPDATE channel.deal SET status = 'won', closed_at = :'q0_utc'::timestamptz + interval '2 hours' WHERE deal_id = 56006;
DELETE FROM channel.sell_through WHERE line_id = 56001;
INSERT INTO channel.sell_through (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration, deal_id) VALUES
  (56011, 5603, 'ST-56', 1, 56001, 11, :'q0', 56001, 'COOP_NET', 6, 1000, 'USD', 'Coop Endkunde', 'DE', 56001, 5603, 'unregistered', NULL);
SELECT * FROM channel.accrue_coop(:'today');
SELECT count(*) AS ledger_rows FROM channel.fund_ledger;

-- every accrual row is the sum of its traced sales; every budget's accrual the sum of its traces
SELECT count(*) AS accrual_rows,
       count(*) FILTER (WHERE l.amount = coalesce((SELECT sum(x.amount) FROM channel.fund_accrual_deal x WHERE x.entry_id = l.entry_id), 0)
                                       + coalesce((SELECT sum(y.amount) FROM channel.fund_accrual_line y WHERE y.entry_id = l.entry_id), 0))
         AS rows_equal_their_sales
FROM channel.fund_ledger l WHERE l.entry = 'accrual';
SELECT b.budget_id, b.accrued,
       b.accrued = coalesce((SELECT sum(x.amount) FROM channel.fund_accrual_deal x WHERE x.budget_id = b.budget_id), 0)
                 + coalesce((SELECT sum(y.amount) FROM channel.fund_accrual_line y WHERE y.budget_id = b.budget_id), 0) AS recomputed
FROM channel.fund_budget_balance b ORDER BY b.budget_id;

-- what the traces name stays
DELETE FROM channel.coop_rule WHERE rule_id = 4;
DELETE FROM channel.deal WHERE deal_id = 56003;
TRUNCATE channel.coop_rule;
-- an unused rule goes
INSERT INTO channel.coop_rule (budget_id, tier, rate) VALUES (2, 'platinum', 0.02);
DELETE FROM channel.coop_rule WHERE budget_id = 2 AND tier = 'platinum';
SELECT count(*) AS rules FROM channel.coop_rule;

ROLLBACK;
