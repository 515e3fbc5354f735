-- 62_inventory.sql: partners' inventory positions (EDI 852-like reports:
-- SKU, on hand, on order, as-of date) and their ingestion (doc/channel_data.md).

CREATE TABLE channel.inventory_position (
  partner_id        bigint NOT NULL REFERENCES channel.partner (partner_id),
  product_id        bigint NOT NULL REFERENCES channel.product (product_id),
  as_of             date NOT NULL,
  quantity_on_hand  integer NOT NULL CONSTRAINT inventory_on_hand_range CHECK (quantity_on_hand BETWEEN 0 AND 10000000),
  quantity_on_order integer NOT NULL CONSTRAINT inventory_on_order_range CHECK (quantity_on_order BETWEEN 0 AND 10000000),
  batch_id          bigint NOT NULL REFERENCES channel.report_batch (batch_id),
  row_no            bigint NOT NULL,
  published_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (partner_id, product_id, as_of)
);
COMMENT ON TABLE channel.inventory_position IS
  'What a partner held of a product on a day, as it reported: one row per (partner, product, as-of date), replaced by a corrected report of the same day. Written only by channel.ingest_inventory().';
COMMENT ON COLUMN channel.inventory_position.partner_id IS 'The reporting partner.';
COMMENT ON COLUMN channel.inventory_position.product_id IS 'Our product (aliases resolved).';
COMMENT ON COLUMN channel.inventory_position.as_of IS 'Day of the position.';
COMMENT ON COLUMN channel.inventory_position.quantity_on_hand IS 'Units in stock.';
COMMENT ON COLUMN channel.inventory_position.quantity_on_order IS 'Units ordered, not yet received.';
COMMENT ON COLUMN channel.inventory_position.batch_id IS 'The report that published (or last replaced) the position.';
COMMENT ON COLUMN channel.inventory_position.row_no IS 'Its staged row in channel.inventory_staging.';
COMMENT ON COLUMN channel.inventory_position.published_at IS 'When it was published.';
CREATE INDEX inventory_position_batch_idx ON channel.inventory_position (batch_id);
COMMENT ON INDEX channel.inventory_position_batch_idx IS 'Positions a report published.';
SELECT pg_catalog.pg_extension_config_dump('channel.inventory_position', '');

CREATE FUNCTION channel.ingest_inventory(batch_id bigint) RETURNS channel.report_batch
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  b channel.report_batch := channel.report_for_ingest(ingest_inventory.batch_id, 'inventory');
  today date := current_date;
  n_new integer;
BEGIN
  IF b.status = 'published' THEN
    RETURN b;
  END IF;
  PERFORM channel.drop_scratch(ARRAY['inv_line']);
  CREATE TEMP TABLE inv_line ON COMMIT DROP AS
  WITH parsed AS MATERIALIZED (
    SELECT s.row_no, s.line_no AS line_no_text, s,
           pg_catalog.upper(pg_catalog.btrim(s.sku)) AS sku,
           channel.parse_report_int(s.quantity_on_hand, 0, 10000000) AS on_hand,
           CASE WHEN coalesce(pg_catalog.btrim(s.quantity_on_order), '') = '' THEN 0
                ELSE channel.parse_report_int(s.quantity_on_order, 0, 10000000) END AS on_order,
           channel.parse_report_date(s.as_of) AS as_of
    FROM channel.inventory_staging s WHERE s.batch_id = b.batch_id
  ), resolved AS MATERIALIZED (
    SELECT p.*, coalesce(pr.product_id, al.product_id) AS product_id,
           coalesce(pr.product_line, alp.product_line) AS product_line
    FROM parsed p
    LEFT JOIN channel.product pr ON pr.sku = p.sku
    LEFT JOIN channel.product_alias al ON pr.product_id IS NULL AND al.partner_id = b.partner_id AND al.partner_sku = p.sku
    LEFT JOIN channel.product alp ON alp.product_id = al.product_id
  )
  SELECT r.row_no, r.line_no_text, r.product_id, r.on_hand, r.on_order, r.as_of,
         pg_catalog.to_jsonb(r.s) - 'batch_id' AS raw,
         CASE
           WHEN coalesce(r.sku, '') = '' OR coalesce(pg_catalog.btrim((r.s).quantity_on_hand), '') = ''
             OR coalesce(pg_catalog.btrim((r.s).as_of), '') = '' THEN 'missing_field'
           WHEN channel.report_text_invalid(pg_catalog.concat((r.s).line_no, (r.s).sku, (r.s).quantity_on_hand,
                                                              (r.s).quantity_on_order, (r.s).as_of)) THEN 'invalid_text'
           WHEN r.as_of IS NULL THEN 'bad_date'
           WHEN r.as_of > today THEN 'date_in_future'
           WHEN r.as_of < (SELECT (p.created_at AT TIME ZONE 'UTC')::date FROM channel.partner p WHERE p.partner_id = b.partner_id)
             THEN 'date_before_partner'
           WHEN r.product_id IS NULL THEN 'unknown_sku'
           WHEN NOT EXISTS (SELECT 1 FROM channel.partner_product pp
                            WHERE pp.partner_id = b.partner_id AND pp.product_line = r.product_line)
             THEN 'unauthorized_product_line'
           WHEN r.on_hand IS NULL OR r.on_order IS NULL THEN 'bad_quantity'
         END AS reason,
         false AS replaces
  FROM resolved r;

  UPDATE pg_temp.inv_line l SET reason = 'duplicate_in_batch'
  FROM (SELECT x.row_no, row_number() OVER (PARTITION BY x.product_id, x.as_of ORDER BY x.row_no) AS k
        FROM pg_temp.inv_line x WHERE x.reason IS NULL) d
  WHERE d.row_no = l.row_no AND d.k > 1;
  UPDATE pg_temp.inv_line l
  SET reason = CASE WHEN (i.quantity_on_hand, i.quantity_on_order) = (l.on_hand, l.on_order) THEN 'duplicate' END,
      replaces = (i.quantity_on_hand, i.quantity_on_order) <> (l.on_hand, l.on_order)
  FROM channel.inventory_position i
  WHERE l.reason IS NULL AND i.partner_id = b.partner_id AND i.product_id = l.product_id AND i.as_of = l.as_of;

  INSERT INTO channel.report_reject (batch_id, row_no, line_no, reason, detail, raw)
  SELECT b.batch_id, l.row_no, l.line_no_text, l.reason,
         CASE l.reason
           WHEN 'missing_field' THEN 'SKU, quantity on hand and as-of date are required'
           WHEN 'invalid_text' THEN 'a field holds a control character or U+FFFD (invalid bytes decoded)'
           WHEN 'bad_date' THEN pg_catalog.format('as-of date %s is not a date (YYYY-MM-DD or YYYYMMDD)', pg_catalog.left(l.raw ->> 'as_of', 40))
           WHEN 'date_in_future' THEN pg_catalog.format('as-of date %s is after the day of ingestion', l.as_of)
           WHEN 'date_before_partner' THEN pg_catalog.format('as-of date %s is before the partner joined the channel', l.as_of)
           WHEN 'unknown_sku' THEN pg_catalog.format('SKU %s is neither a product SKU nor one of the partner''s aliases', pg_catalog.left(l.raw ->> 'sku', 60))
           WHEN 'unauthorized_product_line' THEN 'the partner is not authorized for the product line of this SKU'
           WHEN 'bad_quantity' THEN pg_catalog.format('quantities %s / %s are not integers from 0 to 10000000',
                                                      pg_catalog.left(l.raw ->> 'quantity_on_hand', 40), pg_catalog.left(coalesce(l.raw ->> 'quantity_on_order', ''), 40))
           WHEN 'duplicate_in_batch' THEN pg_catalog.format('this SKU''s position on %s appears earlier in this report', l.as_of)
           WHEN 'duplicate' THEN pg_catalog.format('this SKU''s position on %s was published before, identical', l.as_of)
         END,
         l.raw
  FROM pg_temp.inv_line l WHERE l.reason IS NOT NULL;

  INSERT INTO channel.inventory_position AS i (partner_id, product_id, as_of, quantity_on_hand, quantity_on_order, batch_id, row_no)
  SELECT b.partner_id, l.product_id, l.as_of, l.on_hand, l.on_order, b.batch_id, l.row_no
  FROM pg_temp.inv_line l WHERE l.reason IS NULL
  ON CONFLICT (partner_id, product_id, as_of) DO UPDATE
  SET quantity_on_hand = excluded.quantity_on_hand, quantity_on_order = excluded.quantity_on_order,
      batch_id = excluded.batch_id, row_no = excluded.row_no, published_at = now();

  SELECT count(*) FILTER (WHERE l.reason IS NULL), count(*) FILTER (WHERE l.reason IS NULL AND NOT l.replaces),
         count(*) FILTER (WHERE l.reason IS NULL AND l.replaces), count(*) FILTER (WHERE l.reason IS NOT NULL),
         count(*) FILTER (WHERE l.reason IN ('duplicate', 'duplicate_in_batch')), count(*)
    INTO b.lines_published, n_new, b.lines_replaced, b.lines_rejected, b.lines_duplicate, b.lines_in
  FROM pg_temp.inv_line l;
  UPDATE channel.report_batch r
  SET status = 'published', published_at = now(), lines_in = b.lines_in, lines_published = b.lines_published,
      lines_new = n_new, lines_replaced = b.lines_replaced, lines_rejected = b.lines_rejected,
      lines_duplicate = b.lines_duplicate
  WHERE r.batch_id = b.batch_id
  RETURNING * INTO b;
  DROP TABLE pg_temp.inv_line;
  RETURN b;
END
$$;
COMMENT ON FUNCTION channel.ingest_inventory(bigint) IS
  'Validates and publishes a staged inventory report in one transaction: each line becomes the partner''s position of a product on a day (replacing a different earlier one of that day) or a reject with its reason. Returns the batch row (lines_in = lines_published + lines_rejected). A partner ingests its own batches only.';

-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'ingest_inventory');

