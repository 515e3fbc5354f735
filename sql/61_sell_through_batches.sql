-- 61_sell_through_batches: channel.ingest_sell_through_batches() gives
-- what channel.ingest_sell_through() gives batch after batch, in one
-- call: the same facts, rejects, end customers, closed loop and counts,
-- also when one partner has two batches (a correction and a repeat) and
-- when the batches are named out of order or twice -- but for one thing:
-- in one call, a registration that one report's sale wins is still live
-- for the other reports' sales (whichever report came first).  Then its
-- errors.
-- Dates are fixed in the past (2019), long overtaken.  Creates its rows
-- and roles and removes them.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT count(*) AS ec_before FROM channel.end_customer \gset

INSERT INTO channel.product_line (code, name) VALUES ('CB_STOR', 'Storage (batches test)');
INSERT INTO channel.partner (partner_id, name, kind, status, country, created_at) VALUES
  (8601, 'Nordic Distribution AB', 'distributor', 'active', 'SE', '2001-01-01'),
  (8602, 'Systemhaus Ostwestfalen GmbH', 'reseller', 'active', 'DE', '2001-01-01'),
  (8603, 'Intégrateur Dauphiné SAS', 'reseller', 'active', 'FR', '2001-01-01'),
  (8604, 'Rheinland IT-Service GmbH', 'reseller', 'active', 'DE', '2001-01-01');
UPDATE channel.partner SET parent_id = 8601 WHERE partner_id = 8602;
INSERT INTO channel.partner_product (partner_id, product_line) VALUES
  (8601, 'CB_STOR'), (8602, 'CB_STOR'), (8603, 'CB_STOR'), (8604, 'CB_STOR');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from) VALUES
  (8611, 'CB-100', 'CB_STOR', 'Array 100 (batches test)', 10000, 'EUR', '2010-01-01');
-- 8602 registered Stadtwerke Bielefeld, 8603 the city of Grenoble
INSERT INTO channel.deal (deal_id, partner_id, customer_name, customer_country, product_line, amount, currency,
                          expected_close, status, submitted_at, decided_at, protected_until) VALUES
  (8621, 8602, 'Stadtwerke Bielefeld GmbH', 'DE', 'CB_STOR', 40000, 'EUR', '2019-09-30', 'approved',
   '2019-06-01 10:00+00', '2019-06-02 10:00+00', '2019-12-01 00:00+00'),
  (8622, 8603, 'Ville de Grenoble', 'FR', 'CB_STOR', 20000, 'EUR', '2019-09-30', 'approved',
   '2019-06-01 10:00+00', '2019-06-02 10:00+00', '2019-12-01 00:00+00');

-- five reports: the distributor's (for its reseller), the French reseller's,
-- the other German reseller's (it sells to a customer 8602 registered:
-- leakage), an empty one, and the distributor's second (one line
-- corrected, one repeated as it was, one new)
SELECT channel.open_report('sell_through', 8601, 'nordic-2019-08.csv') AS b1 \gset
COPY channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                   customer_name, customer_country, customer_city, customer_postcode, reseller_id)
FROM stdin WITH (FORMAT csv);
1,N-1,2019-08-05,CB-100,2,9000,EUR,STADTWERKE BIELEFELD,DE,Bielefeld,33602,8602
2,N-1,2019-08-05,CB-100,1,9000,EUR,Stadtwerke Bielefeld G.m.b.H.,DE,Bielefeld,33602,8602
3,N-2,2019-08-06,CB-100,1,8800,EUR,Kässbohrer Geländefahrzeug AG,DE,Laupheim,88471,8602
4,N-2,2019-08-06,CB-999,1,8800,EUR,Kässbohrer Geländefahrzeug AG,DE,Laupheim,88471,8602
\.
SELECT channel.open_report('sell_through', 8603, 'dauphine-aout.csv') AS b2 \gset
COPY channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                   customer_name, customer_country, customer_city, customer_postcode, reseller_id)
FROM stdin WITH (FORMAT csv);
1,F-10,2019-08-07,CB-100,1,9100,EUR,VILLE DE GRENOBLE,FR,Grenoble,38000,
2,F-10,2019-08-07,CB-100,1,9100,EUR,Mairie de Grenoble,FR,Grenoble,38000,
3,F-11,2019-08-08,CB-100,1,9100,EUR,Kaessbohrer Gelaendefahrzeug,DE,Laupheim,88471,
3,F-11,2019-08-08,CB-100,1,9100,EUR,Kaessbohrer Gelaendefahrzeug,DE,Laupheim,88471,
\.
SELECT channel.open_report('sell_through', 8604, 'rheinland-08.csv') AS b3 \gset
COPY channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                   customer_name, customer_country, customer_city, customer_postcode, reseller_id)
FROM stdin WITH (FORMAT csv);
1,R-7,2019-08-09,CB-100,1,8900,EUR,Stadtwerke Bielefeld,DE,Bielefeld,33602,
2,R-7,2019-08-09,CB-100,1,8900,EUR,KASSBOHRER GELANDEFAHRZEUG AG,DE,Laupheim,88471,
3,R-8,2019-08-10,CB-100,1,8900,EUR,Rheinbahn AG,DE,Düsseldorf,40549,
\.
SELECT channel.open_report('sell_through', 8603, 'dauphine-vide.csv') AS b4 \gset
SELECT channel.open_report('sell_through', 8601, 'nordic-2019-08-corrected.csv') AS b5 \gset
COPY channel.sell_through_staging (line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency,
                                   customer_name, customer_country, customer_city, customer_postcode, reseller_id)
FROM stdin WITH (FORMAT csv);
1,N-1,2019-08-05,CB-100,3,9000,EUR,STADTWERKE BIELEFELD,DE,Bielefeld,33602,8602
3,N-2,2019-08-06,CB-100,1,8800,EUR,Kässbohrer Geländefahrzeug AG,DE,Laupheim,88471,8602
5,N-3,2019-08-12,CB-100,1,8800,EUR,Rheinbahn,DE,Düsseldorf,40549,8602
\.

-- what everything ingested looks like, with no surrogate key that depends
-- on the order of creation: each fact's customer by its normalized key
CREATE TEMP VIEW batches_outcome AS
SELECT 'fact' AS what, pg_catalog.concat_ws(' ', f.partner_id, f.invoice_no, f.line_no, f.quantity, f.seller_id,
              f.registration, f.deal_id, f.leakage_deal_id, e.country, e.customer_key, rb.file_name) AS line
FROM channel.sell_through f
JOIN channel.end_customer e USING (end_customer_id)
JOIN channel.report_batch rb ON rb.batch_id = f.batch_id
WHERE f.partner_id BETWEEN 8601 AND 8604
UNION ALL
SELECT 'reject', pg_catalog.concat_ws(' ', rb.file_name, j.line_no, j.reason)
FROM channel.report_reject j JOIN channel.report_batch rb USING (batch_id)
WHERE rb.partner_id BETWEEN 8601 AND 8604
UNION ALL
SELECT 'batch', pg_catalog.concat_ws(' ', rb.file_name, rb.status, rb.lines_in, rb.lines_published, rb.lines_new,
              rb.lines_replaced, rb.lines_rejected, rb.lines_duplicate, rb.customers_new, rb.registrations_won,
              rb.lines_registered, rb.lines_leakage, rb.lines_unregistered)
FROM channel.report_batch rb WHERE rb.partner_id BETWEEN 8601 AND 8604
UNION ALL
SELECT 'deal', pg_catalog.concat_ws(' ', d.deal_id, d.status, d.amount, d.status_reason LIKE 'won through sell-through%')
FROM channel.deal d WHERE d.deal_id IN (8621, 8622)
UNION ALL
SELECT 'alias', pg_catalog.concat_ws(' ', a.country, a.name, e.customer_key)
FROM channel.end_customer_alias a JOIN channel.end_customer e USING (end_customer_id)
WHERE a.name IN ('STADTWERKE BIELEFELD', 'Stadtwerke Bielefeld G.m.b.H.', 'Stadtwerke Bielefeld', 'VILLE DE GRENOBLE',
                 'Mairie de Grenoble', 'Kässbohrer Geländefahrzeug AG', 'Kaessbohrer Gelaendefahrzeug',
                 'KASSBOHRER GELANDEFAHRZEUG AG', 'Rheinbahn AG', 'Rheinbahn');

-- one batch after the other, then undone
BEGIN;
SELECT file_name, lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b1);
SELECT file_name, lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b2);
SELECT file_name, lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b3);
SELECT file_name, lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b4);
SELECT file_name, lines_in, lines_published, lines_rejected FROM channel.ingest_sell_through(:b5);
SELECT pg_catalog.string_agg(what || ': ' || line, E'\n' ORDER BY what, line) AS one_by_one
FROM batches_outcome \gset
ROLLBACK;

-- all in one call, named out of order and one twice: the same outcome but
-- for the one sale shown below
SELECT file_name, status, lines_in, lines_published, lines_new, lines_replaced, lines_rejected, lines_duplicate,
       customers_new, registrations_won, lines_registered, lines_leakage, lines_unregistered,
       lines_in = lines_published + lines_rejected AS nothing_lost
FROM channel.ingest_sell_through_batches(ARRAY[:b5, :b3, :b1, :b2, :b4, :b1]::bigint[]);
-- what differs from one by one: the Rheinland sale to Stadtwerke Bielefeld,
-- in the window of 8602's registration, which 8602's sale (in the
-- distributor's report) wins -- leakage in one call, an unregistered sale
-- when the Rheinland report comes after the distributor's
(SELECT 'one by one' AS ingested, x AS outcome FROM pg_catalog.string_to_table(:'one_by_one', E'\n') x
 EXCEPT SELECT 'one by one', what || ': ' || line FROM batches_outcome)
UNION ALL
(SELECT 'in one call', what || ': ' || line FROM batches_outcome
 EXCEPT SELECT 'in one call', x FROM pg_catalog.string_to_table(:'one_by_one', E'\n') x)
ORDER BY 1, 2;
SELECT what, line FROM batches_outcome ORDER BY what, line;
-- again: published batches are returned as they are, nothing is added
SELECT count(*) AS batches, sum(lines_in) AS lines_in,
       (SELECT count(*) FROM channel.sell_through WHERE partner_id BETWEEN 8601 AND 8604) AS facts
FROM channel.ingest_sell_through_batches(ARRAY[:b1, :b2, :b3, :b4, :b5]::bigint[]);
SELECT count(*) AS no_batches FROM channel.ingest_sell_through_batches('{}');

-- errors: nothing named, a NULL among them, a batch that does not exist,
-- an inventory report
SELECT * FROM channel.ingest_sell_through_batches(NULL);
SELECT * FROM channel.ingest_sell_through_batches(ARRAY[:b1, NULL]::bigint[]);
SELECT * FROM channel.ingest_sell_through_batches(ARRAY[:b1, -1]::bigint[]);
SELECT channel.open_report('inventory', 8601, 'stock.csv') AS i1 \gset
SELECT * FROM channel.ingest_sell_through_batches(ARRAY[:i1]::bigint[]);
-- the internal one-pass step refuses what its callers must not pass
SELECT channel.open_report('sell_through', 8603, 'a.csv') AS s1 \gset
SELECT channel.open_report('sell_through', 8603, 'b.csv') AS s2 \gset
SELECT channel.ingest_sell_through_wave(ARRAY[:s1, :s2]::bigint[]);
SELECT channel.ingest_sell_through_wave(ARRAY[:b1]::bigint[]);

-- a partner through the portal: its own batches, and not another's -- told
-- the same "does not exist" as for a batch nobody has, before any lock
CREATE ROLE regress_cb_french LOGIN;
GRANT channel_partner TO regress_cb_french;
INSERT INTO channel.partner_user (role_name, partner_id) VALUES ('regress_cb_french', 8603);
SET SESSION AUTHORIZATION regress_cb_french;
SELECT file_name, status, lines_in FROM channel.ingest_sell_through_batches(ARRAY[:s1, :s2]::bigint[]);
SELECT * FROM channel.ingest_sell_through_batches(ARRAY[:s1, :b1]::bigint[]);
SELECT channel.ingest_sell_through_wave(ARRAY[:s1]::bigint[]);
RESET SESSION AUTHORIZATION;

-- ---------------------------------------------------------------- clean up
CREATE TEMP TABLE cb_customers AS
  SELECT end_customer_id FROM channel.sell_through WHERE partner_id BETWEEN 8601 AND 8604
  UNION
  SELECT end_customer_id FROM channel.deal WHERE partner_id BETWEEN 8601 AND 8604;
DROP VIEW batches_outcome;
DELETE FROM channel.sell_through WHERE partner_id BETWEEN 8601 AND 8604;
DELETE FROM channel.report_batch WHERE partner_id BETWEEN 8601 AND 8604;
DELETE FROM channel.end_customer WHERE end_customer_id IN (SELECT end_customer_id FROM cb_customers);
DELETE FROM channel.deal WHERE partner_id BETWEEN 8601 AND 8604;
DELETE FROM channel.product WHERE product_id = 8611;
DELETE FROM channel.partner_user WHERE partner_id = 8603;
UPDATE channel.partner SET parent_id = NULL WHERE partner_id = 8602;
DELETE FROM channel.partner WHERE partner_id BETWEEN 8601 AND 8604;
DELETE FROM channel.product_line WHERE code = 'CB_STOR';
DROP ROLE regress_cb_french;
SELECT (SELECT count(*) FROM channel.end_customer) - :ec_before AS end_customers_left,
       (SELECT count(*) FROM channel.report_batch WHERE partner_id BETWEEN 8601 AND 8604) AS batches_left;
