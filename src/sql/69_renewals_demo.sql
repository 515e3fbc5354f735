-- 69_renewals_demo.sql: demo contracts and warranty registrations on top of
-- channel.generate_demo() -- what the partners sold on the registrations they
-- won, ending over the coming year, so that channel.make_renewals() has
-- renewals coming due (doc/deal-desk-contracts.md).

CREATE FUNCTION channel.demo_contracts(contracts integer DEFAULT 3000, seed integer DEFAULT 1,
                                       as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  s bigint := seed;
BEGIN
  IF contracts IS NULL OR contracts < 10 OR contracts > 1000000 THEN
    RAISE EXCEPTION 'contracts must be between 10 and 1000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', contracts);
  END IF;
  IF seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'seed and as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.deal WHERE partner_id IS NOT NULL AND status = 'won') THEN
    RAISE EXCEPTION 'the channel has no won registrations to have sold contracts on'
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run channel.generate_demo() first.';
  END IF;
  PERFORM channel.drop_scratch(ARRAY['demo_sale', 'demo_contract', 'ec_name', 'ec_key']);

  -- a support offering and a unit with a warranty per active line
  INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from)
  SELECT pl.code || x.suffix, pl.code, pl.name || x.label,
         round((x.base * (0.5 + channel.det_random(s, 301, x.k * 100 + length(pl.code))))::numeric, -1),
         'USD', as_of - 2000
  FROM channel.product_line pl
  CROSS JOIN (VALUES (1, '-CARE', ' support and maintenance, per unit and year', 800),
                     (2, '-UNIT', ' appliance (3-year warranty)', 15000)) AS x(k, suffix, label, base)
  WHERE pl.active
  ON CONFLICT (sku) DO NOTHING;

  -- what was sold: `contracts` won registrations of active partners still
  -- authorized for the line, a contract on each, and units with a warranty
  -- (1 to 3) on half of them
  CREATE TEMP TABLE demo_sale ON COMMIT DROP AS
  SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_country, d.product_line, d.amount, d.currency,
         row_number() OVER (ORDER BY channel.det_random(s, 302, d.deal_id), d.deal_id) AS k
  FROM channel.deal d
  JOIN channel.partner p ON p.partner_id = d.partner_id AND p.status = 'active'
  WHERE d.status = 'won' AND d.amount > 0
    AND EXISTS (SELECT 1 FROM channel.partner_product pp
                WHERE pp.partner_id = d.partner_id AND pp.product_line = d.product_line);
  DELETE FROM demo_sale WHERE k > contracts;

  CREATE TEMP TABLE ec_name ON COMMIT DROP AS
  SELECT x.customer_country::text AS country, x.customer_name AS name, min(x.k) AS first_row,
         NULL::text COLLATE "C" AS customer_key, NULL::bigint AS end_customer_id
  FROM demo_sale x GROUP BY x.customer_country, x.customer_name;
  PERFORM channel.resolve_end_customers();

  -- contracts: half support, 30% maintenance, 20% subscriptions; one year
  -- (one in five: three) ending from 20 days ago to a year ahead; worth
  -- 12% to 22% of the deal a year
  CREATE TEMP TABLE demo_contract ON COMMIT DROP AS
  SELECT t.*, t.ends_on - CASE WHEN t.u_term < 0.2 THEN 1094 ELSE 364 END AS starts_on,
         nextval(pg_get_serial_sequence('channel.contract', 'contract_id')) AS contract_id
  FROM (
    SELECT x.k, x.partner_id, x.customer_name, n.end_customer_id, x.product_line, x.currency,
           CASE WHEN u.u_kind < 0.5 THEN 'support' WHEN u.u_kind < 0.8 THEN 'maintenance' ELSE 'subscription' END AS kind,
           as_of - 20 + floor(u.u_end * 385)::integer AS ends_on, u.u_term,
           greatest(100, round(x.amount * (0.12 + 0.10 * u.u_value)::numeric, 2)) * CASE WHEN u.u_term < 0.2 THEN 3 ELSE 1 END AS value,
           1 + floor(u.u_qty * 5)::integer AS quantity
    FROM demo_sale x
    JOIN ec_name n ON n.country = x.customer_country AND n.name = x.customer_name
    CROSS JOIN LATERAL (SELECT channel.det_random(s, 303, x.deal_id) AS u_kind, channel.det_random(s, 304, x.deal_id) AS u_end,
                               channel.det_random(s, 305, x.deal_id) AS u_term, channel.det_random(s, 306, x.deal_id) AS u_value,
                               channel.det_random(s, 307, x.deal_id) AS u_qty) u
    ORDER BY x.k) t;
  INSERT INTO channel.contract (contract_id, partner_id, end_customer_id, customer_name, kind, product_line,
                                starts_on, ends_on, value, currency)
  SELECT c.contract_id, c.partner_id, c.end_customer_id, c.customer_name, c.kind, c.product_line,
         c.starts_on, c.ends_on, c.value, c.currency
  FROM demo_contract c ORDER BY c.contract_id;
  INSERT INTO channel.contract_item (contract_id, product_id, quantity)
  SELECT c.contract_id, p.product_id, c.quantity
  FROM demo_contract c JOIN channel.product p ON p.sku = c.product_line || '-CARE';

  -- warranties of the units sold on half the registrations: three years,
  -- ending from 10 days ago to 230 days ahead
  INSERT INTO channel.warranty (partner_id, product_id, serial, end_customer_id, customer_name, starts_on, ends_on)
  SELECT x.partner_id, p.product_id, 'DEMO-' || x.deal_id || '-' || i, n.end_customer_id, x.customer_name,
         e.ends_on - 1094, e.ends_on
  FROM demo_sale x
  JOIN ec_name n ON n.country = x.customer_country AND n.name = x.customer_name
  JOIN channel.product p ON p.sku = x.product_line || '-UNIT'
  CROSS JOIN LATERAL (SELECT as_of - 10 + floor(channel.det_random(s, 308, x.deal_id) * 241)::integer AS ends_on) e
  CROSS JOIN LATERAL generate_series(1, 1 + floor(channel.det_random(s, 309, x.deal_id) * 3)::integer) i
  WHERE channel.det_random(s, 310, x.deal_id) < 0.5
  ORDER BY x.k, i
  ON CONFLICT (product_id, serial) DO NOTHING;

  RETURN QUERY
  SELECT 'contracts', count(*) FROM demo_contract
  UNION ALL SELECT 'contract value (USD)', round(sum(value))::bigint FROM demo_contract WHERE currency = 'USD'
  UNION ALL SELECT 'warranty registrations', (SELECT count(*) FROM channel.warranty WHERE serial LIKE 'DEMO-%')
  UNION ALL SELECT 'end customers', (SELECT count(DISTINCT end_customer_id) FROM ec_name);
  DROP TABLE demo_sale, demo_contract, ec_name, ec_key;
END
$fn$;
COMMENT ON FUNCTION channel.demo_contracts(integer, integer, date) IS
  'Demo data only: after channel.generate_demo(), a support SKU and a unit SKU per active line, and what partners sold on registrations they won -- `contracts` support, maintenance and subscription contracts ending from 20 days before as_of to a year after, and 1 to 3 units with a 3-year warranty ending from 10 days before to 230 days after on half of those registrations -- with their end customers matched. Deterministic for a seed. Returns what it made.';
REVOKE EXECUTE ON FUNCTION channel.demo_contracts(integer, integer, date) FROM PUBLIC;
