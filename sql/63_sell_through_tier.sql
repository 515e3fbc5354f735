-- 63_sell_through_tier: the tier metric sell_through_revenue counts the
-- sell-through lines in the member's programme's currency only (no exchange
-- rates: other currencies are left out, not converted), by UTC month of the
-- invoice like the rollup; a programme without a currency counts none.
-- Everything is rolled back; dates relative to today.
\set VERBOSITY terse
\set SHOW_CONTEXT never
SELECT current_date AS today \gset
BEGIN;
INSERT INTO channel.product_line (code, name) VALUES ('STT_LINE', 'Sell-through tier test line');
INSERT INTO channel.partner (partner_id, name, kind, tier, status, country) VALUES
  (6621, 'Two-currency seller', 'reseller', 'registered', 'active', 'FR'),
  (6622, 'Euro seller', 'reseller', 'registered', 'active', 'FR'),
  (6623, 'Distributor', 'distributor', 'gold', 'active', 'FR'),
  (6624, 'Seller without programme currency', 'reseller', 'registered', 'active', 'FR');
INSERT INTO channel.product (product_id, sku, product_line, name, list_price, currency, active_from)
VALUES (6621, 'STT-SKU-1', 'STT_LINE', 'STT box', 100, 'EUR', :'today'::date - 900);
INSERT INTO channel.report_batch (batch_id, partner_id, kind) VALUES (6621, 6623, 'sell_through');
INSERT INTO channel.end_customer (end_customer_id, name, country, customer_key, match_keys)
VALUES (6621, 'Client STT', 'FR', 'CLIENT STT', '{}');
INSERT INTO channel.program (program_id, name, kinds, starts_on, currency) VALUES
  (6631, 'Euro Sell-Through', ARRAY['reseller'], :'today'::date - 900, 'EUR'),
  (6632, 'No Currency', ARRAY['reseller'], :'today'::date - 900, NULL);
SELECT count(*) AS joined FROM (
  SELECT channel.join_program(p, 6631, :'today'::date - 800) FROM unnest(ARRAY[6621, 6622]) p
  UNION ALL SELECT channel.join_program(6624, 6632, :'today'::date - 800)) j;
INSERT INTO channel.tier_requirement (program_id, tier, metric, operator, threshold, window_months) VALUES
  (6631, 'silver', 'sell_through_revenue', '>=', 500, 12),
  (6632, 'silver', 'sell_through_revenue', '>=', 500, 12);
-- a currency the project does not know is refused
SAVEPOINT unknown_currency;
UPDATE channel.program SET currency = 'XYZ' WHERE program_id = 6632;
ROLLBACK TO SAVEPOINT unknown_currency;
-- 6621: 300 EUR this month, 400 EUR eleven months back, 5,000 USD (left out),
-- 900 EUR twelve months back (outside the window); 6622: 2 x 250.25 EUR;
-- 6624: 1,000 EUR in a programme without a currency
INSERT INTO channel.sell_through (partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id,
                                  product_line, quantity, unit_price, currency, customer_name, customer_country,
                                  end_customer_id, seller_id, registration)
SELECT 6623, 'STT-' || k, 1, 6621, k, d, 6621, 'STT_LINE', q, p, c, 'Client STT', 'FR', 6621, s, 'unregistered'
FROM (VALUES (1, channel.month_of(:'today'::date), 3, 100, 'EUR', 6621),
             (2, (channel.month_of(:'today'::date) - interval '11 months')::date, 4, 100, 'EUR', 6621),
             (3, channel.month_of(:'today'::date), 50, 100, 'USD', 6621),
             (4, (channel.month_of(:'today'::date) - interval '12 months')::date + 27, 9, 100, 'EUR', 6621),
             (5, channel.month_of(:'today'::date), 2, 250.25, 'EUR', 6622),
             (6, channel.month_of(:'today'::date), 10, 100, 'EUR', 6624)) v(k, d, q, p, c, s);
SELECT partner_id, program_id, qualified_tier, requirement_values[1] AS sell_through_revenue, missing
FROM channel.evaluate_tiers(:'today'::date) WHERE partner_id IN (6621, 6622, 6624) ORDER BY partner_id;
-- the rollup's column, for the scorecard, still sums every line as reported
CALL channel.refresh_rollups();
SELECT partner_id, sum(sell_through_revenue) AS rollup_revenue_12m
FROM channel.partner_month
WHERE partner_id IN (6621, 6622, 6624) AND month >= channel.bi_window_start(:'today'::date, 12)
GROUP BY partner_id ORDER BY partner_id;
ROLLBACK;
