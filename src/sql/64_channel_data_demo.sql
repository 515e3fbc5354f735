-- 64_channel_data_demo.sql: demo channel data on top of channel.generate_demo()
-- -- a product catalogue, distributors' part numbers, and staged sell-through
-- and inventory reports written the way partners write them, with the
-- generator's truth kept for measuring the matcher (doc/channel_data.md).

CREATE TABLE channel.demo_sell_through_truth (
  batch_id bigint NOT NULL REFERENCES channel.report_batch (batch_id) ON DELETE CASCADE,
  row_no   bigint NOT NULL,
  kind     text NOT NULL CONSTRAINT demo_truth_kind_valid CHECK (kind IN ('registered', 'leakage', 'unregistered', 'bad')),
  deal_id  bigint,
  PRIMARY KEY (batch_id, row_no)
);
COMMENT ON TABLE channel.demo_sell_through_truth IS
  'Demo data only: what channel.demo_channel_data() meant each staged sell-through line to be -- a sale closing the seller''s registration deal_id, a sale to a customer another partner registered (deal_id), an unregistered sale, or a bad line -- to measure the matcher''s precision and recall.';
COMMENT ON COLUMN channel.demo_sell_through_truth.batch_id IS 'The staged batch.';
COMMENT ON COLUMN channel.demo_sell_through_truth.row_no IS 'The staged row.';
COMMENT ON COLUMN channel.demo_sell_through_truth.kind IS 'registered, leakage, unregistered or bad.';
COMMENT ON COLUMN channel.demo_sell_through_truth.deal_id IS 'The registration the line was made from (registered, leakage).';
SELECT pg_catalog.pg_extension_config_dump('channel.demo_sell_through_truth', '');
ALTER TABLE channel.demo_sell_through_truth ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.demo_sell_through_truth FORCE ROW LEVEL SECURITY;
CREATE POLICY demo_sell_through_truth_admin ON channel.demo_sell_through_truth FOR ALL TO channel_admin
  USING (true) WITH CHECK (true);
COMMENT ON POLICY demo_sell_through_truth_admin ON channel.demo_sell_through_truth IS
  'Channel managers (channel_admin) read and write the demo''s truth.';
GRANT SELECT, INSERT, UPDATE, DELETE ON channel.demo_sell_through_truth TO channel_admin;

-- A company name as another clerk types it.
CREATE FUNCTION channel.demo_misspell(name text, variant integer) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE variant
    WHEN 1 THEN upper(name)
    WHEN 2 THEN regexp_replace(name, '[ ,]+(S\.?A\.?|AG|GmbH|Inc\.?|Ltd\.?|LLC|PLC|plc|S\.p\.A\.|N\.V\.|B\.V\.|SE|Corp\.?|Co\.?|K\.K\.|Oy|AB|SARL|SAS|Limited|Corporation)$', '')
    WHEN 3 THEN translate(name, 'áàâäãåéèêëíìîïóòôöõøúùûüçñßÁÀÂÄÃÅÉÈÊËÍÌÎÏÓÒÔÖÕØÚÙÛÜÇÑłŁśŚżŻźŹąĄęĘńŃćĆğĞışŞİ',
                                'aaaaaaeeeeiiiioooooouuuucnsAAAAAAEEEEIIIIOOOOOOUUUUCNlLsSzZzZaAeEnNcCgGisSI')
    WHEN 4 THEN regexp_replace(name, '^(\S)(\S)(\S)(\S{3,})', '\1\3\2\4')
    ELSE name
  END
$$;
COMMENT ON FUNCTION channel.demo_misspell(text, integer) IS
  'Demo helper: a spelling of a company name (0 as is, 1 upper case, 2 without its legal form, 3 without accents, 4 two letters swapped).';

CREATE FUNCTION channel.demo_channel_data(lines integer DEFAULT 20000, seed integer DEFAULT 1,
                                          as_of date DEFAULT current_date)
RETURNS TABLE (item text, how_many bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  s bigint := seed;
  n_new integer := greatest(50, lines / 25);       -- customers nobody registered
BEGIN
  IF lines IS NULL OR lines < 100 OR lines > 20000000 THEN
    RAISE EXCEPTION 'lines must be between 100 and 20000000'
      USING ERRCODE = 'invalid_parameter_value', DETAIL = format('Got %s.', lines);
  END IF;
  IF seed IS NULL OR as_of IS NULL THEN
    RAISE EXCEPTION 'seed and as_of must not be NULL' USING ERRCODE = 'null_value_not_allowed';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.deal WHERE partner_id IS NOT NULL AND status IN ('submitted', 'approved')) THEN
    RAISE EXCEPTION 'the channel has no live registrations to sell against'
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Run channel.generate_demo() first.';
  END IF;
  PERFORM channel.drop_scratch(ARRAY['demo_sku', 'demo_seller', 'demo_reg', 'demo_line']);

  -- catalogue: five SKUs per active line, list prices around the line's deal size
  INSERT INTO channel.product (sku, product_line, name, list_price, currency, active_from, active_until)
  SELECT pl.code || '-' || (ARRAY['S', 'M', 'L', 'XL', 'SVC'])[k] || (100 * k + length(pl.code)),
         pl.code, pl.name || ' ' || (ARRAY['small', 'medium', 'large', 'extra large', 'support pack'])[k],
         round((500 * power(3, k - 1) * (0.5 + channel.det_random(s, 101, k * 100 + length(pl.code))))::numeric, -1),
         'USD', as_of - 2000, CASE WHEN k = 1 AND pl.code = 'SERVERS' THEN as_of - 30 END
  FROM channel.product_line pl CROSS JOIN generate_series(1, 5) k
  WHERE pl.active
  ON CONFLICT (sku) DO NOTHING;
  CREATE TEMP TABLE demo_sku ON COMMIT DROP AS
  SELECT p.product_id, p.sku, p.product_line, p.list_price, row_number() OVER (PARTITION BY p.product_line ORDER BY p.sku) AS k
  FROM channel.product p WHERE p.active_until IS NULL OR p.active_until > as_of;
  -- distributors report in their own part numbers
  INSERT INTO channel.product_alias (partner_id, partner_sku, product_id)
  SELECT d.partner_id, 'D' || d.partner_id || '-' || lpad((1000 + p.product_id)::text, 6, '0'), p.product_id
  FROM channel.partner d CROSS JOIN demo_sku p
  WHERE d.kind = 'distributor'
  ON CONFLICT DO NOTHING;

  -- who sells and who reports it: a reseller under an authorized distributor
  -- is reported by the distributor; of the others, one in eight reports
  -- itself (the rest sell nothing in this period)
  CREATE TEMP TABLE demo_seller ON COMMIT DROP AS
  SELECT p.partner_id AS seller_id, pp.product_line,
         CASE WHEN dp.partner_id IS NOT NULL THEN p.parent_id ELSE p.partner_id END AS reporter_id,
         p.country, (p.created_at AT TIME ZONE 'UTC')::date AS since
  FROM channel.partner p
  JOIN channel.partner_product pp ON pp.partner_id = p.partner_id
  LEFT JOIN channel.partner_product dp ON dp.partner_id = p.parent_id AND dp.product_line = pp.product_line
  WHERE p.status = 'active' AND p.kind <> 'distributor'
    AND (dp.partner_id IS NOT NULL OR channel.det_random(s, 109, p.partner_id) < 0.125);
  CREATE INDEX ON demo_seller (seller_id, product_line);

  -- registrations to sell against: live, with a window that overlaps the
  -- last 120 days; one in four is sold by somebody else (leakage)
  CREATE TEMP TABLE demo_reg ON COMMIT DROP AS
  SELECT d.deal_id, d.partner_id, d.customer_name, d.customer_country, d.product_line,
         greatest((d.submitted_at AT TIME ZONE 'UTC')::date, as_of - 120) AS sale_from,
         least((d.protected_until AT TIME ZONE 'UTC')::date, as_of) AS sale_to,
         row_number() OVER (ORDER BY d.deal_id) AS k
  FROM channel.deal d JOIN demo_seller sl ON sl.seller_id = d.partner_id AND sl.product_line = d.product_line
  WHERE d.status IN ('submitted', 'approved')
    AND least((d.protected_until AT TIME ZONE 'UTC')::date, as_of) >= greatest((d.submitted_at AT TIME ZONE 'UTC')::date, as_of - 120)
    AND (d.submitted_at AT TIME ZONE 'UTC')::date <= as_of;
  CREATE INDEX ON demo_reg (k);

  -- the lines: 45% close a registration, 15% leak, 38% to customers nobody
  -- registered, 2% bad
  CREATE TEMP TABLE demo_line ON COMMIT DROP AS
  WITH u AS (
    SELECT i, channel.det_random(s, 110, i) AS u_kind, channel.det_random(s, 111, i) AS u_pick,
           channel.det_random(s, 112, i) AS u_date, channel.det_random(s, 113, i) AS u_sku,
           channel.det_random(s, 114, i) AS u_qty, channel.det_random(s, 115, i) AS u_var,
           channel.det_random(s, 116, i) AS u_bad
    FROM generate_series(1, lines) i
  ), n AS (SELECT count(*) AS n FROM demo_reg)
  SELECT u.i, u.u_sku, u.u_qty, u.u_var, u.u_bad,
         CASE WHEN u.u_kind < 0.02 THEN 'bad' WHEN u.u_kind < 0.47 THEN 'registered'
              WHEN u.u_kind < 0.62 THEN 'leakage' ELSE 'unregistered' END AS kind,
         r.deal_id, r.partner_id AS registrant, r.customer_name, r.customer_country, r.product_line,
         r.sale_from + floor(u.u_date * (r.sale_to - r.sale_from + 1))::int AS invoice_date,
         NULL::bigint AS seller_id, NULL::bigint AS reporter_id
  FROM u CROSS JOIN n
  JOIN demo_reg r ON r.k = 1 + floor(power(u.u_pick, 1.5) * n.n)::int;
  -- a tenth of the bad lines are good lines sent twice: the copy is the bad one
  ALTER TABLE demo_line ADD COLUMN dup boolean NOT NULL DEFAULT false;
  UPDATE demo_line l SET kind = 'registered', dup = true WHERE l.kind = 'bad' AND l.u_bad >= 0.9;
  -- registered, unregistered and bad lines: the registrant sells
  UPDATE demo_line l SET seller_id = sl.seller_id, reporter_id = sl.reporter_id
  FROM demo_seller sl
  WHERE l.kind IN ('registered', 'bad', 'unregistered') AND sl.seller_id = l.registrant AND sl.product_line = l.product_line;
  -- leakage: another authorized partner of the country sells (its
  -- registrations' customers are not this one: lines of a deal_id % 4 = 3
  -- only, which are never sold as registered)
  UPDATE demo_line l SET kind = 'registered' WHERE l.kind = 'leakage' AND l.deal_id % 4 <> 3;
  UPDATE demo_line l SET kind = 'leakage' WHERE l.kind = 'registered' AND l.deal_id % 4 = 3;
  UPDATE demo_line l SET seller_id = x.seller_id, reporter_id = x.reporter_id
  FROM (SELECT l2.i, sl.seller_id, sl.reporter_id,
               row_number() OVER (PARTITION BY l2.i ORDER BY channel.det_random(s, 117, l2.i * 7 + sl.seller_id % 7), sl.seller_id) AS rk
        FROM demo_line l2 JOIN demo_seller sl
          ON sl.country = l2.customer_country AND sl.product_line = l2.product_line AND sl.seller_id <> l2.registrant
        WHERE l2.kind = 'leakage') x
  WHERE l.i = x.i AND x.rk = 1;
  DELETE FROM demo_line l WHERE l.kind = 'leakage' AND l.seller_id IS NULL;
  -- unregistered: the registrant sells to a customer nobody registered
  -- (n_new of them, a few buying a lot), over the last 120 days
  UPDATE demo_line l
  SET customer_name = c.name, customer_country = c.country, deal_id = NULL,
      invoice_date = as_of - floor(channel.det_random(s, 118, l.i) * 120)::int
  FROM (SELECT l2.i, ch.name, ch.country
        FROM demo_line l2
        CROSS JOIN LATERAL (
          SELECT channel.demo_pick(lg.stems, channel.det_random(s, 120, cid)) || lg.joiner
                 || channel.demo_pick(lg.industries, channel.det_random(s, 121, cid)) || lg.joiner
                 || channel.demo_pick(lg.stems, channel.det_random(s, 122, cid))
                 || CASE WHEN lg.lang IN ('ja', 'zh', 'ko') THEN '' ELSE ' ' || channel.demo_pick(cp.suffixes, channel.det_random(s, 123, cid)) END AS name,
                 cp.country
          FROM (SELECT 1 + floor(power(channel.det_random(s, 119, l2.i), 2) * n_new)::int AS cid) c0
          JOIN channel.demo_country_profile cp ON cp.country = l2.customer_country
          JOIN channel.demo_language lg ON lg.lang = cp.lang) ch
        WHERE l2.kind = 'unregistered') c
  WHERE l.i = c.i;
  UPDATE demo_line l SET invoice_date = greatest(l.invoice_date, sl.since)
  FROM demo_seller sl WHERE sl.seller_id = l.seller_id AND sl.product_line = l.product_line AND l.kind = 'unregistered';
  DELETE FROM demo_line l WHERE l.seller_id IS NULL;

  -- one sell-through batch per reporting partner
  CREATE TEMP TABLE demo_batch ON COMMIT DROP AS
  SELECT r.reporter_id, channel.open_report('sell_through', r.reporter_id,
                                            'pos-' || r.reporter_id || '-' || to_char(as_of, 'YYYYMMDD') || '.csv') AS batch_id
  FROM (SELECT DISTINCT reporter_id FROM demo_line ORDER BY 1) r;
  PERFORM pg_catalog.set_config('channel.staging_batch', '', false);

  WITH staged AS (
    INSERT INTO channel.sell_through_staging (batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price,
                                              currency, customer_name, customer_country, customer_city,
                                              customer_postcode, reseller_id)
    SELECT b.batch_id, (1 + l.i % 3)::text, 'INV-' || l.reporter_id || '-' || (l.i / 3),
           CASE WHEN l.kind = 'bad' AND l.u_bad < 0.10 THEN to_char(l.invoice_date, 'DD/MM/YYYY')
                WHEN l.kind = 'bad' AND l.u_bad < 0.20 THEN to_char(as_of + 3, 'YYYY-MM-DD')
                WHEN l.u_var < 0.3 THEN to_char(l.invoice_date, 'YYYYMMDD')
                ELSE to_char(l.invoice_date, 'YYYY-MM-DD') END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.20 AND l.u_bad < 0.30 THEN 'XX-' || l.i
                WHEN l.reporter_id <> l.seller_id THEN 'D' || l.reporter_id || '-' || lpad((1000 + sk.product_id)::text, 6, '0')
                ELSE lower(sk.sku) END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.30 AND l.u_bad < 0.40 THEN '0'
                ELSE (1 + floor(power(l.u_qty, 3) * 20))::int::text END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.40 AND l.u_bad < 0.50 THEN 'n/a'
                ELSE round(sk.list_price * (0.7 + 0.25 * l.u_qty)::numeric, 2)::text END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.50 AND l.u_bad < 0.60 THEN 'US$' ELSE 'USD' END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.60 AND l.u_bad < 0.70 THEN ''
                WHEN l.kind = 'bad' AND l.u_bad >= 0.70 AND l.u_bad < 0.80 THEN l.customer_name || E'\uFFFD'
                ELSE channel.demo_misspell(l.customer_name,
                       CASE WHEN l.u_var < 0.5 THEN 0 ELSE 1 + floor((l.u_var - 0.5) * 8)::int END) END,
           CASE WHEN l.kind = 'bad' AND l.u_bad >= 0.80 AND l.u_bad < 0.90 THEN 'XK' ELSE l.customer_country END,
           NULL, NULL,
           CASE WHEN l.reporter_id <> l.seller_id THEN l.seller_id::text END
    FROM demo_line l
    JOIN demo_batch b ON b.reporter_id = l.reporter_id
    JOIN demo_sku sk ON sk.product_line = l.product_line AND sk.k = 1 + floor(l.u_sku * 4)::int
    ORDER BY b.batch_id, l.i
    RETURNING batch_id, row_no, line_no, invoice_no)
  INSERT INTO channel.demo_sell_through_truth (batch_id, row_no, kind, deal_id)
  SELECT st.batch_id, st.row_no, l.kind, l.deal_id
  FROM staged st JOIN demo_batch b ON b.batch_id = st.batch_id
  JOIN demo_line l ON 'INV-' || l.reporter_id || '-' || (l.i / 3) = st.invoice_no AND (1 + l.i % 3)::text = st.line_no
                  AND l.reporter_id = b.reporter_id;
  -- the rest of the bad lines: a line sent twice
  WITH again AS (
    INSERT INTO channel.sell_through_staging (batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price,
                                              currency, customer_name, customer_country, reseller_id)
    SELECT st.batch_id, st.line_no, st.invoice_no, st.invoice_date, st.sku, st.quantity, st.unit_price, st.currency,
           st.customer_name, st.customer_country, st.reseller_id
    FROM demo_line l JOIN demo_batch b ON b.reporter_id = l.reporter_id
    JOIN channel.sell_through_staging st
      ON st.batch_id = b.batch_id AND st.invoice_no = 'INV-' || l.reporter_id || '-' || (l.i / 3)
     AND st.line_no = (1 + l.i % 3)::text
    WHERE l.dup
    ORDER BY st.batch_id, st.row_no
    RETURNING batch_id, row_no)
  INSERT INTO channel.demo_sell_through_truth (batch_id, row_no, kind, deal_id)
  SELECT a.batch_id, a.row_no, 'bad', NULL FROM again a;

  -- inventory: each reporter's position of the SKUs it sold, a week ago
  CREATE TEMP TABLE demo_ibatch ON COMMIT DROP AS
  SELECT r.reporter_id, channel.open_report('inventory', r.reporter_id, 'stock-' || r.reporter_id || '.csv') AS batch_id
  FROM (SELECT DISTINCT reporter_id FROM demo_line WHERE reporter_id % 3 <> 0 ORDER BY 1) r;
  PERFORM pg_catalog.set_config('channel.staging_batch', '', false);
  INSERT INTO channel.inventory_staging (batch_id, line_no, sku, quantity_on_hand, quantity_on_order, as_of)
  SELECT b.batch_id, row_number() OVER (PARTITION BY b.batch_id ORDER BY x.product_id)::text, x.sku,
         (floor(channel.det_random(s, 130, b.batch_id * 1000 + x.product_id) * 60))::int::text,
         (floor(channel.det_random(s, 131, b.batch_id * 1000 + x.product_id) * 20))::int::text,
         to_char(as_of - 7, 'YYYY-MM-DD')
  FROM demo_ibatch b
  JOIN (SELECT DISTINCT l.reporter_id, sk.product_id, sk.sku
        FROM demo_line l JOIN demo_sku sk ON sk.product_line = l.product_line AND sk.k = 1 + floor(l.u_sku * 4)::int) x
    ON x.reporter_id = b.reporter_id;

  RETURN QUERY
    SELECT x.item, x.how_many FROM (
      SELECT 1 AS ord, 'products'::text AS item, count(*) AS how_many FROM channel.product
      UNION ALL SELECT 2, 'distributor part numbers', count(*) FROM channel.product_alias
      UNION ALL SELECT 3, 'sell-through batches staged', (SELECT count(*) FROM demo_batch)
      UNION ALL SELECT 4, 'sell-through lines staged', count(*) FROM channel.sell_through_staging st
                 WHERE st.batch_id IN (SELECT batch_id FROM demo_batch)
      UNION ALL SELECT 5, 'lines closing a registration (truth)', count(*) FROM channel.demo_sell_through_truth t
                 WHERE t.kind = 'registered' AND t.batch_id IN (SELECT batch_id FROM demo_batch)
      UNION ALL SELECT 6, 'lines to another partner''s registration (truth)', count(*) FROM channel.demo_sell_through_truth t
                 WHERE t.kind = 'leakage' AND t.batch_id IN (SELECT batch_id FROM demo_batch)
      UNION ALL SELECT 7, 'unregistered lines (truth)', count(*) FROM channel.demo_sell_through_truth t
                 WHERE t.kind = 'unregistered' AND t.batch_id IN (SELECT batch_id FROM demo_batch)
      UNION ALL SELECT 8, 'bad lines (truth)', count(*) FROM channel.demo_sell_through_truth t
                 WHERE t.kind = 'bad' AND t.batch_id IN (SELECT batch_id FROM demo_batch)
      UNION ALL SELECT 9, 'inventory batches staged', (SELECT count(*) FROM demo_ibatch)) x
    ORDER BY x.ord;
END
$fn$;
COMMENT ON FUNCTION channel.demo_channel_data(integer, integer, date) IS
  'Demo: on a channel made by generate_demo(), adds a product catalogue (five SKUs per line), distributors'' part numbers, and stages (without ingesting) one sell-through batch per reporting partner -- lines closing live registrations, sold to another partner''s registered customer, to customers nobody registered, and 2% bad lines of every kind, customers spelled the ways partners spell them -- and one inventory batch for two reporters in three. Deterministic for a seed and as_of. The truth is kept in channel.demo_sell_through_truth.';

REVOKE EXECUTE ON FUNCTION channel.demo_misspell(text, integer),
                           channel.demo_channel_data(integer, integer, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.demo_misspell(text, integer),
                          channel.demo_channel_data(integer, integer, date) TO channel_admin;
