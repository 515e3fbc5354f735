-- 63_sell_through_rollups: sell-through in channel.partner_month (lines,
-- units, revenue per seller and UTC month of the invoice), queued by the
-- marks on channel.sell_through and recomputed by the refresh like every
-- other figure; the scorecard's sell-through columns; the tier metrics.
-- Everything is rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_date AS today \gset

BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('SR_LINE', 'Sell-through rollup test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (6601, 'Seller one', 'reseller', 'gold', 'active', 'FR'),
  (6602, 'Seller two', 'reseller', 'silver', 'active', 'FR'),
  (6603, 'Distributor', 'distributor', 'gold', 'active', 'FR');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (6601, 'SR-SKU-1', 'SR_LINE', 'SR box', 100, 'EUR', :'today'::date - 900);
INSERT INTO channel.report_batch (batch_id, partner_id, kind) VALUES (6601, 6603, 'sell_through');
INSERT INTO channel.end_customer (end_customer_id, name, country, customer_key, match_keys)
VALUES (6601, 'Client SR', 'FR', 'CLIENT SR', '{}');
-- the queue and the rollup start refreshed
CALL channel.refresh_rollups();
SELECT count(*) AS queued_before FROM channel.partner_month_dirty;

-- this month (m0) and two months back (m2): seller one 3 lines, seller two 1
CREATE TEMP TABLE sr_m AS
SELECT date_trunc('month', :'today'::date)::date AS m0,
       (date_trunc('month', :'today'::date) - interval '2 months')::date AS m2;
INSERT INTO channel.sell_through (partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration)
SELECT 6603, 'SR-' || k, 1, 6601, k, d, 6601, 'SR_LINE', q, p, 'EUR', 'Client SR', 'FR', 6601, s, 'unregistered'
FROM sr_m, LATERAL (VALUES (1, sr_m.m0, 2, 100.50, 6601), (2, sr_m.m0, 1, 99.50, 6601),
                           (3, sr_m.m2 + 27, 10, 10, 6601), (4, sr_m.m2, 5, 20, 6602)) v(k, d, q, p, s);
-- the marks: one per seller and month
SELECT partner_id, month = m0 AS this_month, month = m2 AS two_months_back
FROM channel.partner_month_dirty, sr_m WHERE partner_id IN (6601, 6602) ORDER BY 1, 2;
CALL channel.refresh_rollups();
SELECT pm.partner_id, pm.month = m0 AS this_month, pm.sell_through_lines, pm.sell_through_units, pm.sell_through_revenue
FROM channel.partner_month pm, sr_m WHERE pm.partner_id IN (6601, 6602, 6603) ORDER BY 1, 2;
-- the same as computed from the base tables, every column
SELECT count(*) AS differing FROM (
  (SELECT * FROM channel.partner_month WHERE partner_id IN (6601, 6602, 6603)
   EXCEPT SELECT * FROM channel.partner_month_computed WHERE partner_id IN (6601, 6602, 6603))
  UNION ALL
  (SELECT * FROM channel.partner_month_computed WHERE partner_id IN (6601, 6602, 6603)
   EXCEPT SELECT * FROM channel.partner_month WHERE partner_id IN (6601, 6602, 6603))) x;

-- a corrected line (as a resubmission replaces it) and a deleted one are
-- queued again and recomputed
UPDATE channel.sell_through SET quantity = 4 WHERE invoice_no = 'SR-1';
DELETE FROM channel.sell_through WHERE invoice_no = 'SR-4';
SELECT count(*) AS queued FROM channel.partner_month_dirty WHERE partner_id IN (6601, 6602);
CALL channel.refresh_rollups();
SELECT pm.partner_id, pm.month = m0 AS this_month, pm.sell_through_lines, pm.sell_through_units, pm.sell_through_revenue
FROM channel.partner_month pm, sr_m WHERE pm.partner_id IN (6601, 6602, 6603) ORDER BY 1, 2;

-- the scorecard: the 12 months ending this month (whatever month m2 is in,
-- it is inside them)
SELECT partner_id, sell_through_lines, sell_through_units, sell_through_revenue, sell_through_revenue_previous
FROM channel.partner_scorecard(:'today'::date) WHERE partner_id IN (6601, 6602) ORDER BY 1;

-- a rebuild gives the same rows
CREATE TEMP TABLE sr_before AS SELECT * FROM channel.partner_month WHERE partner_id IN (6601, 6602);
SELECT channel.rebuild_rollups() > 0 AS rebuilt;
SELECT count(*) AS differing_after_rebuild FROM (
  (SELECT * FROM sr_before EXCEPT SELECT * FROM channel.partner_month WHERE partner_id IN (6601, 6602))
  UNION ALL
  (SELECT * FROM channel.partner_month WHERE partner_id IN (6601, 6602) EXCEPT SELECT * FROM sr_before)) x;

-- tier rules can use it
SELECT metric, unit, source, numerator FROM channel.tier_metric WHERE metric LIKE 'sell_through%' ORDER BY 1;
ROLLBACK;
