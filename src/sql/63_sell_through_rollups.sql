-- 63_sell_through_rollups.sql: sell-through in the rollup (doc/rollups.md,
-- doc/channel_data.md): the lines, units and revenue each partner sold per
-- UTC month become columns of channel.partner_month, kept incrementally by
-- the same queue and refresh as the other figures, and read by the
-- scorecard (channel.partner_scorecard) and tier rules (metric
-- sell_through_revenue).
--
-- channel.partner_month_computed is redefined here, after channel.sell_through
-- exists (62_sell_through.sql): the figures of 30_rollups.sql, as there,
-- plus the three sell-through sums.  A change to that view in 30_rollups.sql
-- must be made here too (this definition is the one in force).

ALTER TABLE channel.partner_month
  ADD COLUMN sell_through_lines integer NOT NULL DEFAULT 0,
  ADD COLUMN sell_through_units bigint NOT NULL DEFAULT 0,
  ADD COLUMN sell_through_revenue numeric(18,2) NOT NULL DEFAULT 0,
  ADD CONSTRAINT partner_month_sell_through_finite CHECK (sell_through_revenue <> 'NaN');
COMMENT ON COLUMN channel.partner_month.sell_through_lines IS
  'Published sell-through lines the partner sold in the month (channel.sell_through by seller_id, invoice date in the UTC month).';
COMMENT ON COLUMN channel.partner_month.sell_through_units IS 'Units of those lines (sum of quantity).';
COMMENT ON COLUMN channel.partner_month.sell_through_revenue IS
  'Sum of the amounts of those lines as reported (quantity * unit price, no currency conversion: like won_revenue, amounts as stored).';

-- the refresh looks the queued partners of a month up in every branch
CREATE INDEX sell_through_seller_month_idx
  ON channel.sell_through ((pg_catalog.date_trunc('month', invoice_date::timestamp)::date), seller_id)
  INCLUDE (invoice_date, quantity, amount);
COMMENT ON INDEX channel.sell_through_seller_month_idx IS
  'Rollups: sales by seller and month of invoice (index-only reads of a queued partner-month).';

CREATE OR REPLACE VIEW channel.partner_month_computed AS
  SELECT f.partner_id, f.month,
         sum(f.routed)::int AS leads_routed,
         sum(f.accepted)::int AS leads_accepted,
         sum(f.rejected)::int AS leads_rejected,
         sum(f.recalled)::int AS leads_recalled,
         sum(f.converted)::int AS leads_converted,
         sum(f.lost)::int AS leads_lost,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.accept_hours::float8) AS accept_hours_median,
         percentile_cont(0.9) WITHIN GROUP (ORDER BY f.accept_hours::float8) AS accept_hours_p90,
         -- numeric: a float sum would depend on the order rows are read in,
         -- and the incremental and full computations read them differently
         coalesce(sum(f.accept_hours), 0)::numeric(20,6) AS accept_hours_sum,
         count(f.accept_hours)::int AS accept_hours_n,
         sum(f.registered)::int AS deals_registered,
         sum(f.approved)::int AS deals_approved,
         sum(f.conflict)::int AS deals_conflict,
         sum(f.won)::int AS deals_won,
         sum(f.deal_lost)::int AS deals_lost,
         sum(f.won_amount)::numeric(18,2) AS won_revenue,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY f.close_days) AS close_days_median,
         sum(f.open_amount)::numeric(18,2) AS open_pipeline,
         max(f.at) FILTER (WHERE f.accepted = 1) AS last_lead_accepted,
         max(f.at) FILTER (WHERE f.registered = 1) AS last_deal_registered,
         max(f.at) FILTER (WHERE f.won = 1) AS last_sale,
         sum(f.st_lines)::int AS sell_through_lines,
         sum(f.st_units)::bigint AS sell_through_units,
         sum(f.st_amount)::numeric(18,2) AS sell_through_revenue
  FROM (
    SELECT x.partner_id, x.month, x.at, x.routed, x.accepted, x.rejected, x.recalled, x.converted, x.lost,
           x.accept_hours, x.registered, x.approved, x.conflict, x.won, x.deal_lost, x.won_amount,
           x.close_days, x.open_amount, 0 AS st_lines, 0 AS st_units, 0::numeric AS st_amount
    FROM channel.partner_month_fact x
    UNION ALL
    -- sales, by seller and UTC month of the invoice date
    SELECT s.seller_id, pg_catalog.date_trunc('month', s.invoice_date::timestamp)::date, NULL::timestamptz,
           0, 0, 0, 0, 0, 0, NULL::numeric, 0, 0, 0, 0, 0, 0::numeric, NULL::float8, 0::numeric,
           1, s.quantity, s.amount
    FROM channel.sell_through s
  ) f
  GROUP BY f.partner_id, f.month;
COMMENT ON COLUMN channel.partner_month_computed.sell_through_lines IS 'As channel.partner_month.sell_through_lines.';
COMMENT ON COLUMN channel.partner_month_computed.sell_through_units IS 'As channel.partner_month.sell_through_units.';
COMMENT ON COLUMN channel.partner_month_computed.sell_through_revenue IS 'As channel.partner_month.sell_through_revenue.';

-- Marks: every sale published, replaced or deleted queues its seller's
-- month (ingestion is the only writer, but an administrator may delete).
CREATE FUNCTION channel.sell_through_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT n.seller_id, pg_catalog.date_trunc('month', n.invoice_date::timestamp)::date FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT o.seller_id, pg_catalog.date_trunc('month', o.invoice_date::timestamp)::date FROM old_rows o;
  ELSE
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT x.seller_id, pg_catalog.date_trunc('month', x.invoice_date::timestamp)::date
    FROM (SELECT o.seller_id, o.invoice_date FROM old_rows o
          UNION ALL SELECT n.seller_id, n.invoice_date FROM new_rows n) x;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.sell_through_mark_dirty() IS
  'Statement trigger on channel.sell_through: queues the (seller, invoice month) rollup pairs of the rows written or deleted in channel.partner_month_dirty.';
CREATE TRIGGER sell_through_mark_dirty_insert AFTER INSERT ON channel.sell_through
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.sell_through_mark_dirty();
CREATE TRIGGER sell_through_mark_dirty_update AFTER UPDATE ON channel.sell_through
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.sell_through_mark_dirty();
CREATE TRIGGER sell_through_mark_dirty_delete AFTER DELETE ON channel.sell_through
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.sell_through_mark_dirty();
CREATE TRIGGER sell_through_mark_dirty_truncate AFTER TRUNCATE ON channel.sell_through
  FOR EACH STATEMENT EXECUTE FUNCTION channel.rollup_mark_all_dirty();
COMMENT ON TRIGGER sell_through_mark_dirty_insert ON channel.sell_through IS 'Queues rollup months of published sales; see channel.sell_through_mark_dirty().';
COMMENT ON TRIGGER sell_through_mark_dirty_update ON channel.sell_through IS 'Queues rollup months of changed sales; see channel.sell_through_mark_dirty().';
COMMENT ON TRIGGER sell_through_mark_dirty_delete ON channel.sell_through IS 'Queues rollup months of deleted sales; see channel.sell_through_mark_dirty().';
COMMENT ON TRIGGER sell_through_mark_dirty_truncate ON channel.sell_through IS 'Queues every rollup month; see channel.rollup_mark_all_dirty().';
REVOKE EXECUTE ON FUNCTION channel.sell_through_mark_dirty() FROM PUBLIC;

-- A programme's currency: the tier metric sell_through_revenue counts only
-- the sell-through lines in it.  Partners report in the currency of each sale
-- and the project keeps no exchange rates, so lines in other currencies are
-- not converted but left out (the rollup's sell_through_revenue, for the
-- scorecard, still sums the amounts as reported).
ALTER TABLE channel.program ADD COLUMN currency channel.currency_code REFERENCES channel.currency (code);
COMMENT ON COLUMN channel.program.currency IS
  'ISO 4217 currency of the programme''s sell-through revenue requirements: the tier metric sell_through_revenue counts only the lines in it (no conversion); NULL: no line counts (the metric is 0).';

-- Tier rules may require sell-through (built-in metrics, like won_revenue):
-- revenue in the member's programme's currency, by UTC month of the invoice
-- like the rollup; units of every line.
INSERT INTO channel.tier_metric (metric, description, unit, better, source, numerator, denominator, query,
                                 windowed, takes_product_line, takes_level, missing_value, builtin) VALUES
  ('sell_through_revenue', 'Revenue the partner sold through in the window in its programme''s currency (published sell-through lines in channel.program.currency, by month of the invoice date; lines in other currencies are not converted and do not count).',
   'amount', 'higher', 'query', NULL, NULL,
   $q$SELECT s.seller_id, sum(s.amount)
  FROM channel.sell_through s
  JOIN channel.program_member m ON m.partner_id = s.seller_id
  JOIN channel.program p ON p.program_id = m.program_id
 WHERE m.joined_on <= {as_of} AND (m.left_on IS NULL OR m.left_on > {as_of})
   AND s.currency = p.currency
   AND date_trunc('month', s.invoice_date::timestamp)::date >= {window_start}
   AND date_trunc('month', s.invoice_date::timestamp)::date <= channel.month_of({as_of})
 GROUP BY s.seller_id$q$, true, false, false, 0, true),
  ('sell_through_units', 'Units the partner sold through in the window (published sell-through lines).',
   'count', 'higher', 'partner_month', 'pm.sell_through_units', NULL, NULL, true, false, false, 0, true);
