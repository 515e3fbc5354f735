-- 60_channel_data: the product catalogue, sell-through and inventory
-- reports -- every line published or rejected with its reason, duplicates
-- and corrections, end customers matched across spellings, the closed loop
-- to registrations (won, leakage, unregistered), inventory and stale
-- reports, what partners may see -- and hostile input.  Dates: the past
-- ones are fixed (2001-2019, long overtaken), the ones that must be near
-- today are relative to one :today; nothing printed depends on the clock.
-- Creates its rows and roles and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT to_char(current_date, 'YYYY-MM-DD') AS today \gset
-- end customers that earlier tests' registrations and leads left behind
-- (matched to the master as they came in, their rows deleted since) are
-- removed first, so that this test's matching starts from a master holding
-- only what live rows reference; it must leave no more than that
WITH gone AS (
  DELETE FROM channel.end_customer e
  WHERE NOT EXISTS (SELECT 1 FROM channel.deal d WHERE d.end_customer_id = e.end_customer_id)
    AND NOT EXISTS (SELECT 1 FROM channel.lead l WHERE l.end_customer_id = e.end_customer_id)
    AND NOT EXISTS (SELECT 1 FROM channel.sell_through f WHERE f.end_customer_id = e.end_customer_id)
  RETURNING 1)
SELECT count(*) >= 0 AS orphans_removed FROM gone;
SELECT count(*) AS ec_before FROM channel.end_customer \gset

INSERT INTO channel.product_line (code, name) VALUES ('CD_STOR', 'Storage (channel data test)'),
                                                    ('CD_NET', 'Networking (channel data test)');
INSERT INTO channel.partner (partner_id, name, kind, status, country, created_at) VALUES
  (6001, 'Distri Europa SA', 'distributor', 'active', 'FR', '2001-01-01'),
  (6002, 'Reseller Paris SARL', 'reseller', 'active', 'FR', '2001-01-01'),
  (6003, 'Reseller Lyon SAS', 'reseller', 'active', 'FR', '2001-01-01'),
  (6004, 'Late Joiner SARL', 'reseller', 'active', 'FR', '2019-07-01');
UPDATE channel.partner SET parent_id = 6001 WHERE partner_id = 6002;
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (6001, 'CD_STOR'), (6001, 'CD_NET'), (6002, 'CD_STOR'), (6003, 'CD_STOR'), (6004, 'CD_STOR');

-- ---------------------------------------------------------------- catalogue
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from, active_until) VALUES
  (6101, 'ST-100', 'CD_STOR', 'Array 100', 10000, 'EUR', '2010-01-01', NULL),
  (6102, 'ST-050', 'CD_STOR', 'Array 50 (end of life)', 4000, 'EUR', '2010-01-01', '2019-01-01'),
  (6103, 'NET-5', 'CD_NET', 'Switch 5', 2000, 'USD', '2010-01-01', NULL);
INSERT INTO channel.product_alias (partner_id, partner_sku, product_id) VALUES (6001, 'DE-ARR100', 6101);
-- the catalogue refuses what it cannot price (terse: the failing row shows created_at)
\set VERBOSITY terse
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
VALUES ('ST-NAN', 'CD_STOR', 'x', 'NaN', 'EUR', '2010-01-01');
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
VALUES ('ST-NEG', 'CD_STOR', 'x', -1, 'EUR', '2010-01-01');
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
VALUES ('ST-XXX', 'CD_STOR', 'x', 1, 'XXX', '2010-01-01');
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
VALUES ('st 100', 'CD_STOR', 'x', 1, 'EUR', '2010-01-01');
INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from, active_until)
VALUES ('ST-200', 'CD_STOR', 'x', 1, 'EUR', '2010-01-01', '2009-01-01');
\set VERBOSITY default
SELECT channel.resolve_sku(6001, ' st-100 ') AS ours, channel.resolve_sku(6001, 'de-arr100') AS alias,
       channel.resolve_sku(6002, 'DE-ARR100') AS not_its_alias;
SELECT count(*) >= 150 AS currencies, bool_and(code ~ '^[A-Z]{3}$') AS iso_codes FROM channel.currency;

-- registrations, in the past, with their windows: 6002 holds Société
-- Générale, 6003 holds Carrefour, 6002 also a later one it never sells
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (6201, 6002, 'Société Générale S.A.', 'FR', 'CD_STOR', 50000, 'EUR', '2019-09-30', 'approved',
   '2019-06-01 10:00+00', '2019-06-02 10:00+00', '2019-12-01 00:00+00'),
  (6202, 6003, 'Carrefour SA', 'FR', 'CD_STOR', 30000, 'EUR', '2019-09-30', 'approved',
   '2019-06-01 10:00+00', '2019-06-02 10:00+00', '2019-12-01 00:00+00'),
  (6203, 6002, 'Banque Populaire', 'FR', 'CD_STOR', 80000, 'EUR', '2019-09-30', 'approved',
   '2019-06-01 10:00+00', '2019-06-02 10:00+00', '2019-12-01 00:00+00');

-- ---------------------------------------------------------------- a sell-through report
SELECT channel.open_report('sell_through', 6001, 'distri-2019-08.csv') AS b1 \gset
SELECT channel.staging_batch() = :b1 AS staging_batch_is_b1;
-- a CSV as partners send it: quoted fields, a comma and a line break in a
-- name, our SKU and the partner's own, EDI dates, every kind of bad line
COPY channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                   customer_name, customer_country, customer_city, customer_postcode, reseller_id)
FROM stdin WITH (FORMAT csv);
1,INV-1001,2019-08-15,ST-100,2,9500.00,EUR,SOCIETE GENERALE,FR,Paris,75009,6002
2,INV-1001,20190815,de-arr100,1,9500,EUR,"Societe Generalle",FR,Paris,75009,6002
3,INV-1002,2019-08-16,NET-5,3,1900,usd,"Carrefour, Hypermarchés",FR,Massy,91300,
4,INV-1002,2019-08-16, st-100 ,1,9000,EUR,CARREFOUR S.A.,FR,Massy,91300,
5,INV-1003,2019-08-20,ST-100,1,9100,EUR,"Nouvelle Boîte
Informatique",FR,Lyon,69001,
6,INV-1003,2019-08-20,ST-100,1,9100,EUR,NOUVELLE BOITE INFORMATIQUE SARL,FR,Lyon,69001,
7,INV-1003,2019-08-20,ST-100,1,9100,EUR,Nouvele Boite Informatique,FR,Lyon,69001,
8,INV-1004,2019-08-21,ST-100,1,9000,EUR,Газпром,RU,Moscow,,
9,INV-1004,2019-08-21,ST-100,1,9000,EUR,Gazprom PJSC,RU,Moscow,,
10,INV-1005,2999-01-01,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
11,INV-1005,2019-02-30,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
12,INV-1005,2019-8-15,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
13,INV-1005,1999-12-31,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
14,INV-1005,2019-08-15,XX-1,1,9000,EUR,Acme,FR,Lyon,69000,
15,INV-1005,2019-08-15,ST-050,1,9000,EUR,Acme,FR,Lyon,69000,
16,INV-1005,2019-08-15,ST-100,0,9000,EUR,Acme,FR,Lyon,69000,
17,INV-1005,2019-08-15,ST-100,-3,9000,EUR,Acme,FR,Lyon,69000,
18,INV-1005,2019-08-15,ST-100,2.5,9000,EUR,Acme,FR,Lyon,69000,
19,INV-1005,2019-08-15,ST-100,1,NaN,EUR,Acme,FR,Lyon,69000,
20,INV-1005,2019-08-15,ST-100,1,1e5,EUR,Acme,FR,Lyon,69000,
21,INV-1005,2019-08-15,ST-100,1,-9000,EUR,Acme,FR,Lyon,69000,
22,INV-1005,2019-08-15,ST-100,1,9000,XXX,Acme,FR,Lyon,69000,
23,INV-1005,2019-08-15,ST-100,1,9000,EUR,Acme,ZZ,Lyon,69000,
24,INV-1005,2019-08-15,ST-100,1,9000,EUR,!!!,FR,Lyon,69000,
25,INV-1005,2019-08-15,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,6003
26,INV-1005,2019-08-15,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,abc
27,INV-1005,2019-08-15,ST-100,1,9000,EUR,,FR,Lyon,69000,
,INV-1005,2019-08-15,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
x1,INV-1005,2019-08-15,ST-100,1,9000,EUR,Acme,FR,Lyon,69000,
1,INV-1001,2019-08-15,ST-100,2,9500.00,EUR,SOCIETE GENERALE,FR,Paris,75009,6002
28,INV-1006,2019-08-22,ST-100,1,9000,EUR,"Robert'); DROP TABLE channel.deal; --",FR,Lyon,69000,
\.
-- hostile text that COPY would not carry: a control character, U+FFFD
-- (what a lossy decoding leaves of invalid bytes), a 301-character name
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country)
VALUES ('29', 'INV-1007', '2019-08-23', 'ST-100', '1', '9000', 'EUR', E'Acme\x01Corp', 'FR'),
       ('30', 'INV-1007', '2019-08-23', 'ST-100', '1', '9000', 'EUR', E'Soci\uFFFDt\uFFFD G\uFFFDn\uFFFDrale', 'FR'),
       ('31', 'INV-1007', '2019-08-23', 'ST-100', '1', '9000', 'EUR', repeat('x', 301), 'FR'),
       ('32', 'INV-1007', :'today', 'ST-100', '1', '9000', 'EUR', 'Acme Today', 'FR'),
       ('33', 'INV-1007', to_char(:'today'::date + 1, 'YYYY-MM-DD'), 'ST-100', '1', '9000', 'EUR', 'Acme Tomorrow', 'FR'),
       ('34', repeat('I', 101), '2019-08-23', 'ST-100', '1', '9000', 'EUR', 'Acme', 'FR');
SELECT count(*) AS staged FROM channel.sell_through_staging WHERE batch_id = :b1;

SELECT batch_id = :b1 AS b1, status, lines_in, lines_published, lines_new, lines_replaced, lines_rejected,
       lines_duplicate, customers_new, registrations_won, lines_registered, lines_leakage, lines_unregistered,
       lines_in = lines_published + lines_rejected AS nothing_lost
FROM channel.ingest_sell_through(:b1);
-- every rejected line, with its reason and the line as received (tomorrow's
-- date shown as such: expected output never holds a date derived from now)
SELECT row_no - (SELECT min(row_no) FROM channel.sell_through_staging WHERE batch_id = :b1) + 1 AS file_line,
       line_no, reason, replace(detail, (:'today'::date + 1)::text, '<tomorrow>') AS detail
FROM channel.report_reject WHERE batch_id = :b1 ORDER BY row_no;
SELECT raw->>'customer_name' AS raw_name, raw->>'reseller_id' AS raw_reseller, raw ? 'row_no' AS has_row_no
FROM channel.report_reject WHERE batch_id = :b1 AND reason = 'reseller_not_of_distributor' ORDER BY row_no;
SELECT * FROM channel.batch_rejects(:b1);
-- the published lines: seller, end customer, closed loop
SELECT f.line_no, f.invoice_no, p.sku, f.quantity, f.unit_price, f.currency, f.amount, f.customer_name,
       f.seller_id, f.registration, f.deal_id, f.leakage_deal_id, e.name AS end_customer
FROM channel.sell_through f JOIN channel.product p USING (product_id)
JOIN channel.end_customer e USING (end_customer_id)
WHERE f.batch_id = :b1 AND f.invoice_date < '2020-01-01' ORDER BY f.line_no;
SELECT invoice_date = :'today'::date AS today_accepted FROM channel.sell_through WHERE batch_id = :b1 AND line_no = 32;
-- every spelling kept, and how it was matched
SELECT a.country, a.name, e.name AS customer, a.match, round(a.score::numeric, 3) AS score
FROM channel.end_customer_alias a JOIN channel.end_customer e USING (end_customer_id)
WHERE e.end_customer_id IN (SELECT end_customer_id FROM channel.sell_through WHERE partner_id = 6001)
ORDER BY e.name, a.match, a.name;
-- the registration the sales closed is won, with their amount and first date, audited
SELECT deal_id, status, amount, closed_at = '2019-08-15 12:00+00' AS closed_on_first_sale, status_reason
FROM channel.deal WHERE deal_id BETWEEN 6201 AND 6203 ORDER BY deal_id;
SELECT e.deal_id, e.from_status, e.to_status, e.reason = format('won through sell-through (report batch %s)', :b1) AS reason_names_batch
FROM channel.deal_event e WHERE e.deal_id = 6201 ORDER BY e.event_id;
-- the statement ran as a name, nothing more
SELECT count(*) AS deals_still_there FROM channel.deal WHERE deal_id BETWEEN 6201 AND 6203;

-- ---------------------------------------------------------------- idempotence and corrections
-- ingesting the published batch again adds nothing
SELECT lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b1);
SELECT count(*) AS facts, count(DISTINCT batch_id) AS batches FROM channel.sell_through WHERE partner_id = 6001;
-- the batch is closed: nothing more can be staged into it, nothing changed
INSERT INTO channel.sell_through_staging (batch_id, line_no) VALUES (:b1, '99');
UPDATE channel.sell_through_staging SET quantity = '5' WHERE batch_id = :b1;
-- the same file again: every line published before is a duplicate, the bad ones fail again
SELECT channel.open_report('sell_through', 6001, 'distri-2019-08.csv (again)') AS b2 \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country, customer_city, customer_postcode, reseller_id)
SELECT line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency, customer_name, customer_country,
       customer_city, customer_postcode, reseller_id
FROM channel.sell_through_staging WHERE batch_id = :b1 ORDER BY row_no;
SELECT lines_in, lines_published, lines_new, lines_replaced, lines_rejected, lines_duplicate,
       lines_in = lines_published + lines_rejected AS nothing_lost
FROM channel.ingest_sell_through(:b2);
SELECT reason, count(*) FROM channel.report_reject WHERE batch_id = :b2 GROUP BY 1 ORDER BY 2 DESC, 1;
-- a corrected resubmission: line 2 was 2 units, not 1; line 3 is new
SELECT channel.open_report('sell_through', 6001, 'distri-2019-08 corrected.csv') AS b3 \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country, reseller_id) VALUES
  ('1', 'INV-1001', '2019-08-15', 'ST-100', '2', '9500.00', 'EUR', 'SOCIETE GENERALE', 'FR', '6002'),
  ('2', 'INV-1001', '2019-08-15', 'DE-ARR100', '2', '9500', 'EUR', 'Societe Generalle', 'FR', '6002'),
  ('3', 'INV-1001', '2019-09-01', 'ST-100', '1', '9400', 'EUR', 'Société Générale', 'FR', '6002');
SELECT lines_in, lines_published, lines_new, lines_replaced, lines_rejected, lines_duplicate, registrations_won,
       lines_registered FROM channel.ingest_sell_through(:b3);
SELECT line_no, quantity, amount, batch_id = :b3 AS replaced_or_new FROM channel.sell_through
WHERE partner_id = 6001 AND invoice_no = 'INV-1001' ORDER BY line_no;
-- the won registration follows its sales
SELECT deal_id, status, amount FROM channel.deal WHERE deal_id = 6201;

-- recomputed: each batch's counts from its staged rows, rejects and lines,
-- the partner's lines from the new ones of every batch, the won amount from the sales
SELECT b.batch_id = :b1 AS b1,
       b.lines_in = (SELECT count(*) FROM channel.sell_through_staging s WHERE s.batch_id = b.batch_id) AS lines_in_ok,
       b.lines_rejected = (SELECT count(*) FROM channel.report_reject j WHERE j.batch_id = b.batch_id) AS rejected_ok,
       b.lines_duplicate = (SELECT count(*) FROM channel.report_reject j WHERE j.batch_id = b.batch_id
                            AND j.reason IN ('duplicate', 'duplicate_in_batch')) AS duplicate_ok
FROM channel.report_batch b WHERE b.partner_id = 6001 AND b.kind = 'sell_through' ORDER BY b.batch_id;
SELECT (SELECT sum(lines_new) FROM channel.report_batch WHERE partner_id = 6001 AND kind = 'sell_through')
       = (SELECT count(*) FROM channel.sell_through WHERE partner_id = 6001) AS facts_recomputed,
       (SELECT amount FROM channel.deal WHERE deal_id = 6201)
       = (SELECT round(sum(amount), 2) FROM channel.sell_through WHERE deal_id = 6201 AND currency = 'EUR') AS won_amount_recomputed;

-- errors: unknown batch, wrong kind, bad kind, closed staging
SELECT channel.ingest_sell_through(-1);
SELECT channel.ingest_sell_through(NULL);
SELECT channel.open_report('returns', 6001);
SELECT channel.open_report('sell_through', NULL);
SELECT channel.open_report('sell_through', 999999);

-- ---------------------------------------------------------------- the reports
SELECT * FROM channel.sell_through_closed_loop('2019-01-01', '2019-12-31');
SELECT * FROM channel.channel_leakage('2019-01-01', '2019-12-31');
SELECT partner_id, customer_name, customer_country, product_line, currency, lines, units, revenue, first_sale, last_sale
FROM channel.unregistered_sales('2019-01-01', '2019-12-31');
SELECT * FROM channel.registration_close_rate('2019-01-01', '2019-12-31');
SELECT * FROM channel.sell_through_closed_loop('2019-12-31', '2019-01-01');

-- ---------------------------------------------------------------- a partner that joined later
SELECT channel.open_report('sell_through', 6004) AS b4 \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country, reseller_id) VALUES
  ('1', 'A-1', '2019-06-30', 'ST-100', '1', '9000', 'EUR', 'Société Générale', 'FR', NULL),
  ('2', 'A-1', '2019-07-01', 'ST-100', '1', '9000', 'EUR', 'Société Générale', 'FR', NULL),
  ('3', 'A-1', '2019-07-01', 'ST-100', '1', '9000', 'EUR', 'Société Générale', 'FR', '6002'),
  ('4', 'A-1', '2019-07-01', 'DE-ARR100', '1', '9000', 'EUR', 'Société Générale', 'FR', NULL),
  ('5', 'A-1', '2019-07-01', 'NET-5', '1', '9000', 'EUR', 'Société Générale', 'FR', NULL),
  ('6', 'A-2', '2019-07-02', 'ST-100', '2', '8000', 'EUR', 'BANQUE POPULAIRE', 'FR', NULL);
-- line 2: Société Générale's registration is won, no longer protected (unregistered);
-- line 6: 6002 holds a live registration of Banque Populaire (leakage)
SELECT lines_in, lines_published, lines_rejected, lines_registered, lines_leakage, lines_unregistered
FROM channel.ingest_sell_through(:b4);
SELECT line_no, reason, detail FROM channel.report_reject WHERE batch_id = :b4 ORDER BY row_no;

-- ---------------------------------------------------------------- inventory
SELECT channel.open_report('inventory', 6001, 'stock.csv') AS i1 \gset
COPY channel.inventory_staging (line_no, sku, quantity_on_hand, quantity_on_order, as_of) FROM stdin WITH (FORMAT csv);
1,ST-100,40,10,2019-08-31
2,NET-5,12,,2019-08-31
3,DE-ARR100,1,0,2019-08-31
4,XX-1,5,0,2019-08-31
5,ST-100,-1,0,2019-07-31
6,ST-100,5,0,2999-01-01
7,ST-100,5,0,2019-13-01
8,,5,0,2019-07-31
9,ST-100,30,0,2019-07-31
\.
SELECT lines_in, lines_published, lines_new, lines_replaced, lines_rejected, lines_duplicate,
       lines_in = lines_published + lines_rejected AS nothing_lost FROM channel.ingest_inventory(:i1);
SELECT line_no, reason, detail FROM channel.report_reject WHERE batch_id = :i1 ORDER BY row_no;
-- a corrected position of the same day replaces the old one
SELECT channel.open_report('inventory', 6001, 'stock corrected.csv') AS i2 \gset
INSERT INTO channel.inventory_staging (line_no, sku, quantity_on_hand, quantity_on_order, as_of) VALUES
  ('1', 'ST-100', '38', '10', '2019-08-31'), ('2', 'NET-5', '12', '0', '20190831');
SELECT lines_in, lines_published, lines_replaced, lines_rejected, lines_duplicate FROM channel.ingest_inventory(:i2);
-- latest position per SKU and weeks of supply from the 8 weeks of sales before it
SELECT partner_id, sku, product_line, position_date, quantity_on_hand, quantity_on_order, units_sold,
       round(weekly_rate::numeric, 3) AS weekly_rate, round(weeks_of_supply::numeric, 1) AS weeks_of_supply
FROM channel.inventory_latest('2019-09-15');
SELECT partner_id, sku, position_date, quantity_on_hand FROM channel.inventory_latest('2019-08-15');
-- the wrong kind of batch, and the wrong ingestion
SELECT channel.ingest_sell_through(:i1);
INSERT INTO channel.sell_through_staging (batch_id, line_no) VALUES (:i2, '1');
-- stale reporters, as of a fixed day: 6001 reported stock on 2019-08-31
SELECT partner_id, kind, last_report, days_since FROM channel.stale_reporters(14, '2019-09-10') WHERE partner_id IN (6001, 6004);
SELECT partner_id, kind, last_report, days_since FROM channel.stale_reporters(14, '2019-10-15') WHERE partner_id IN (6001, 6004);

-- ---------------------------------------------------------------- what partners see
CREATE ROLE regress_cd_dist LOGIN;
CREATE ROLE regress_cd_other LOGIN;
CREATE ROLE regress_cd_analyst LOGIN;
GRANT channel_partner TO regress_cd_dist, regress_cd_other;
GRANT channel_analyst TO regress_cd_analyst;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_cd_dist', 6001), ('regress_cd_other', 6003);

SET SESSION AUTHORIZATION regress_cd_other;
-- nothing of the distributor's
SELECT count(*) AS batches FROM channel.report_batch;
SELECT count(*) AS staged FROM channel.sell_through_staging;
SELECT count(*) AS rejects FROM channel.report_reject;
SELECT count(*) AS facts FROM channel.sell_through;
SELECT count(*) AS positions FROM channel.inventory_position;
SELECT count(*) AS aliases FROM channel.product_alias;
SELECT count(*) > 0 AS sees_catalogue FROM channel.product WHERE sku LIKE 'ST-%';
SELECT channel.ingest_sell_through(:b1);
SELECT * FROM channel.batch_rejects(:b1);
SELECT channel.open_report('sell_through', 6001);
INSERT INTO channel.sell_through_staging (batch_id, line_no) VALUES (:b1, '1');
SELECT * FROM channel.end_customer;
SELECT * FROM channel.channel_leakage();
-- its own closed loop and unregistered sales (leakage is not shown as such)
SELECT * FROM channel.sell_through_closed_loop('2019-01-01', '2019-12-31');
SELECT * FROM channel.registration_close_rate('2019-01-01', '2019-12-31');
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_cd_dist;
SELECT count(*) AS own_batches FROM channel.report_batch;
SELECT count(*) AS own_facts FROM channel.sell_through;
SELECT count(*) AS own_aliases FROM channel.product_alias;
-- the columns that would say another partner registered the customer
SELECT registration FROM channel.sell_through LIMIT 1;
SELECT leakage_deal_id FROM channel.sell_through LIMIT 1;
-- its leakage line is an unregistered sale to it
SELECT partner_id, lines, registered_lines, leakage_lines, leakage_revenue, unregistered_lines
FROM channel.sell_through_closed_loop('2019-01-01', '2019-12-31');
SELECT count(*) AS unregistered_groups FROM channel.unregistered_sales('2019-01-01', '2019-12-31');
-- a partner submits through the portal: open, stage, ingest -- its own
SELECT channel.open_report('sell_through') AS pb \gset
INSERT INTO channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                          customer_name, customer_country) VALUES
  ('1', 'P-1', '2019-08-30', 'ST-100', '1', '9000', 'EUR', 'Portal Customer GmbH', 'DE');
INSERT INTO channel.sell_through_staging (batch_id, line_no, invoice_no) VALUES (:b1, '1', 'sneaky');
SELECT lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:pb);
SELECT count(*) AS own_batches_now FROM channel.report_batch;
RESET SESSION AUTHORIZATION;

SET SESSION AUTHORIZATION regress_cd_analyst;
SELECT count(*) > 0 AS reads_facts, count(registration) > 0 AS reads_registration FROM channel.sell_through;
SELECT count(*) AS leakage_rows FROM channel.channel_leakage('2019-01-01', '2019-12-31');
SELECT channel.open_report('sell_through', 6001);
INSERT INTO channel.sell_through_staging (batch_id, line_no) VALUES (:pb, '1');
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- clean up
CREATE TEMP TABLE cd_customers AS
  SELECT end_customer_id FROM channel.sell_through WHERE partner_id IN (6001, 6002, 6003, 6004)
  UNION   -- registrations are matched to end customers too
  SELECT end_customer_id FROM channel.deal WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.sell_through WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.inventory_position WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.report_batch WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.end_customer WHERE end_customer_id IN (SELECT end_customer_id FROM cd_customers);
DELETE FROM channel.deal WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.product_alias WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.product WHERE product_id BETWEEN 6101 AND 6103;
DELETE FROM channel.partner_user WHERE partner_id IN (6001, 6003);
UPDATE channel.partner SET parent_id = NULL WHERE partner_id = 6002;
DELETE FROM channel.partner WHERE partner_id IN (6001, 6002, 6003, 6004);
DELETE FROM channel.product_line WHERE code IN ('CD_STOR', 'CD_NET');
DROP ROLE regress_cd_dist, regress_cd_other, regress_cd_analyst;
SELECT (SELECT count(*) FROM channel.end_customer) - :ec_before AS end_customers_left,
       (SELECT count(*) FROM channel.report_batch) AS batches_left,
       (SELECT count(*) FROM channel.sell_through) AS facts_left;
