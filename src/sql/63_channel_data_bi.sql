-- 63_channel_data_bi.sql: what the channel data says -- rejects by reason,
-- the closed loop (registered sales, leakage, unregistered sales, the share
-- of registrations that really closed), inventory and weeks of supply,
-- stale reporters -- and the privileges and row-level security of the
-- channel-data tables (doc/channel_data.md).
--
-- Like 31_bi.sql, every function is STABLE and SECURITY DEFINER and returns
-- only the caller's own rows when channel.current_partner() is not NULL.  A
-- partner never learns that another partner registered a customer: its
-- sales to such a customer are shown to it as unregistered, and the
-- leakage report is the vendor's.  Amounts are per currency, as sold.

CREATE FUNCTION channel.channel_data_check_period(from_date date, to_date date) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF from_date IS NULL OR to_date IS NULL OR from_date > to_date
     OR from_date < '1900-01-01' OR to_date > '2999-12-31' THEN
    RAISE EXCEPTION 'the period must run from a date to a later or equal one, got % to %',
                    coalesce(from_date::text, 'NULL'), coalesce(to_date::text, 'NULL')
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass from_date <= to_date, e.g. current_date - 90 and current_date (both included).';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.channel_data_check_period(date, date) IS
  'Internal: raises invalid_parameter_value unless from_date <= to_date (both between 1900 and 2999).';

CREATE FUNCTION channel.batch_rejects(batch_id bigint)
RETURNS TABLE (reason text, lines bigint, first_row_no bigint, first_line_no text, first_detail text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  IF NOT EXISTS (SELECT 1 FROM channel.report_batch r
                 WHERE r.batch_id = batch_rejects.batch_id AND (me IS NULL OR r.partner_id = me)) THEN
    RAISE EXCEPTION 'report batch % does not exist', coalesce(batch_rejects.batch_id::text, 'NULL')
      USING ERRCODE = 'no_data_found', HINT = 'Pass the batch_id of one of your own reports.';
  END IF;
  RETURN QUERY
  SELECT j.reason, count(*), min(j.row_no),
         (pg_catalog.array_agg(j.line_no ORDER BY j.row_no))[1], (pg_catalog.array_agg(j.detail ORDER BY j.row_no))[1]
  FROM channel.report_reject j WHERE j.batch_id = batch_rejects.batch_id
  GROUP BY j.reason ORDER BY count(*) DESC, j.reason;
END
$$;
COMMENT ON FUNCTION channel.batch_rejects(bigint) IS
  'The rejected lines of a report by reason: how many, and the first of them (row, line number, detail). A partner asks about its own reports only.';

CREATE FUNCTION channel.sell_through_closed_loop(from_date date DEFAULT current_date - 90, to_date date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, currency channel.currency_code, lines bigint, units bigint,
               revenue numeric, registered_lines bigint, registered_revenue numeric, leakage_lines bigint,
               leakage_revenue numeric, unregistered_lines bigint, unregistered_revenue numeric,
               registered_share float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  PERFORM channel.channel_data_check_period(from_date, to_date);
  RETURN QUERY
  SELECT f.seller_id, p.name, f.currency, count(*), sum(f.quantity)::bigint, round(sum(f.amount), 2),
         count(*) FILTER (WHERE f.registration = 'registered'),
         round(coalesce(sum(f.amount) FILTER (WHERE f.registration = 'registered'), 0), 2),
         CASE WHEN me IS NULL THEN count(*) FILTER (WHERE f.registration = 'leakage') END,
         CASE WHEN me IS NULL THEN round(coalesce(sum(f.amount) FILTER (WHERE f.registration = 'leakage'), 0), 2) END,
         count(*) FILTER (WHERE f.registration = 'unregistered' OR (me IS NOT NULL AND f.registration = 'leakage')),
         round(coalesce(sum(f.amount) FILTER (WHERE f.registration = 'unregistered'
                                                 OR (me IS NOT NULL AND f.registration = 'leakage')), 0), 2),
         (count(*) FILTER (WHERE f.registration = 'registered'))::float8 / count(*)
  FROM channel.sell_through f JOIN channel.partner p ON p.partner_id = f.seller_id
  WHERE f.invoice_date BETWEEN from_date AND to_date AND (me IS NULL OR f.seller_id = me)
  GROUP BY f.seller_id, p.name, f.currency
  ORDER BY 1, 3;
END
$$;
COMMENT ON FUNCTION channel.sell_through_closed_loop(date, date) IS
  'Sell-through per selling partner and currency over invoice dates from_date..to_date: lines, units, revenue, and how much of it was registered, leakage (vendor only; NULL for a partner, whose leakage counts as unregistered) or unregistered; registered_share of the lines.';

CREATE FUNCTION channel.registration_close_rate(from_date date DEFAULT current_date - 365, to_date date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, registrations bigint, closed_by_sales bigint,
               won_without_sales bigint, close_rate float8, sales_revenue numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  PERFORM channel.channel_data_check_period(from_date, to_date);
  RETURN QUERY
  WITH reg AS (
    SELECT d.deal_id, d.partner_id, d.status, d.currency
    FROM channel.deal d
    WHERE d.partner_id IS NOT NULL AND (me IS NULL OR d.partner_id = me)
      AND d.status IN ('approved', 'won', 'lost', 'expired')
      AND (d.submitted_at AT TIME ZONE 'UTC')::date BETWEEN from_date AND to_date
  ), sold AS (
    SELECT r.deal_id, sum(f.amount) FILTER (WHERE f.currency = r.currency) AS amount
    FROM reg r JOIN channel.sell_through f ON f.deal_id = r.deal_id
    GROUP BY r.deal_id
  )
  SELECT r.partner_id, p.name, count(*), count(s.deal_id),
         count(*) FILTER (WHERE r.status = 'won' AND s.deal_id IS NULL),
         count(s.deal_id)::float8 / count(*), round(coalesce(sum(s.amount), 0), 2)
  FROM reg r JOIN channel.partner p ON p.partner_id = r.partner_id
  LEFT JOIN sold s ON s.deal_id = r.deal_id
  GROUP BY r.partner_id, p.name
  ORDER BY 1;
END
$$;
COMMENT ON FUNCTION channel.registration_close_rate(date, date) IS
  'Per partner, the registrations submitted from_date..to_date that were approved at some point (approved, won, lost, expired): how many really closed -- have sell-through matched to them -- how many are won with no sale reported, the share that closed, and the matched sales revenue in the registrations'' currencies.';

CREATE FUNCTION channel.unregistered_sales(from_date date DEFAULT current_date - 90, to_date date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, end_customer_id bigint, customer_name text, customer_country channel.country_code,
               product_line channel.product_code, currency channel.currency_code, lines bigint, units bigint,
               revenue numeric, first_sale date, last_sale date)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  PERFORM channel.channel_data_check_period(from_date, to_date);
  RETURN QUERY
  SELECT f.seller_id, f.end_customer_id, min(f.customer_name), f.customer_country, f.product_line, f.currency,
         count(*), sum(f.quantity)::bigint, round(sum(f.amount), 2), min(f.invoice_date), max(f.invoice_date)
  FROM channel.sell_through f
  WHERE f.invoice_date BETWEEN from_date AND to_date
    AND (f.registration = 'unregistered' OR (me IS NOT NULL AND f.registration = 'leakage'))
    AND (me IS NULL OR f.seller_id = me)
  GROUP BY f.seller_id, f.end_customer_id, f.customer_country, f.product_line, f.currency
  ORDER BY sum(f.amount) DESC, 1, 2, 5, 6;
END
$$;
COMMENT ON FUNCTION channel.unregistered_sales(date, date) IS
  'Sales that match no registration, per selling partner, end customer, product line and currency, biggest first: the registrations the channel should have had (for a partner, its own, leakage included).';

CREATE FUNCTION channel.channel_leakage(from_date date DEFAULT current_date - 90, to_date date DEFAULT current_date)
RETURNS TABLE (seller_id bigint, registrant_id bigint, deal_id bigint, customer_name text,
               customer_country channel.country_code, product_line channel.product_code, currency channel.currency_code,
               lines bigint, revenue numeric, first_sale date, last_sale date)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only channel managers and analysts see channel leakage'
      USING ERRCODE = 'insufficient_privilege', DETAIL = 'The caller acts for a partner.',
            HINT = 'Your own unregistered sales are in channel.unregistered_sales().';
  END IF;
  PERFORM channel.channel_data_check_period(from_date, to_date);
  RETURN QUERY
  SELECT f.seller_id, d.partner_id, f.leakage_deal_id, d.customer_name, f.customer_country, f.product_line, f.currency,
         count(*), round(sum(f.amount), 2), min(f.invoice_date), max(f.invoice_date)
  FROM channel.sell_through f JOIN channel.deal d ON d.deal_id = f.leakage_deal_id
  WHERE f.registration = 'leakage' AND f.invoice_date BETWEEN from_date AND to_date
  GROUP BY f.seller_id, d.partner_id, f.leakage_deal_id, d.customer_name, f.customer_country, f.product_line, f.currency
  ORDER BY sum(f.amount) DESC, 1, 3;
END
$$;
COMMENT ON FUNCTION channel.channel_leakage(date, date) IS
  'Vendor and analysts: sales to a customer another partner held a live registration of, per seller, registration and currency, biggest first. Partners get insufficient_privilege.';

CREATE FUNCTION channel.inventory_latest(as_of date DEFAULT current_date, weeks integer DEFAULT 8)
RETURNS TABLE (partner_id bigint, product_id bigint, sku channel.sku, product_line channel.product_code,
               position_date date, quantity_on_hand integer, quantity_on_order integer,
               units_sold bigint, weekly_rate float8, weeks_of_supply float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  IF as_of IS NULL OR weeks IS NULL OR weeks NOT BETWEEN 1 AND 104 THEN
    RAISE EXCEPTION 'as_of must be a date and weeks between 1 and 104'
      USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Weeks of supply divide the stock by the weekly sales of the weeks before as_of (default 8).';
  END IF;
  RETURN QUERY
  SELECT i.partner_id, i.product_id, pr.sku, pr.product_line, i.as_of, i.quantity_on_hand, i.quantity_on_order,
         coalesce(s.units, 0), coalesce(s.units, 0)::float8 / weeks,
         CASE WHEN coalesce(s.units, 0) > 0 THEN i.quantity_on_hand / (s.units::float8 / weeks) END
  FROM (SELECT DISTINCT ON (x.partner_id, x.product_id) x.*
        FROM channel.inventory_position x
        WHERE x.as_of <= inventory_latest.as_of AND (me IS NULL OR x.partner_id = me)
        ORDER BY x.partner_id, x.product_id, x.as_of DESC) i
  JOIN channel.product pr ON pr.product_id = i.product_id
  LEFT JOIN LATERAL (
    SELECT sum(f.quantity)::bigint AS units FROM channel.sell_through f
    WHERE f.partner_id = i.partner_id AND f.product_id = i.product_id
      AND f.invoice_date > i.as_of - 7 * weeks AND f.invoice_date <= i.as_of) s ON true
  ORDER BY 1, 3;
END
$$;
COMMENT ON FUNCTION channel.inventory_latest(date, integer) IS
  'Latest inventory position per partner and SKU on or before as_of, the units the partner reported selling in the weeks before that position, the weekly rate, and weeks of supply (on hand / weekly rate; NULL when nothing sold).';

CREATE FUNCTION channel.stale_reporters(days integer DEFAULT 14, as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, kind text, last_report date, days_since integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
BEGIN
  IF days IS NULL OR days NOT BETWEEN 1 AND 3650 OR as_of IS NULL THEN
    RAISE EXCEPTION 'days must be between 1 and 3650 and as_of a date'
      USING ERRCODE = 'invalid_parameter_value', HINT = 'E.g. channel.stale_reporters(14).';
  END IF;
  RETURN QUERY
  WITH reporters AS (           -- active partners that report, and the kinds they are expected to send
    SELECT DISTINCT r.partner_id, k.kind
    FROM channel.report_batch r CROSS JOIN (VALUES ('sell_through'), ('inventory')) k(kind)
    WHERE me IS NULL OR r.partner_id = me
  ), last AS (
    SELECT rp.partner_id, rp.kind,
           CASE rp.kind
             WHEN 'inventory' THEN (SELECT max(i.as_of) FROM channel.inventory_position i
                                    WHERE i.partner_id = rp.partner_id AND i.as_of <= stale_reporters.as_of)
             ELSE (SELECT max(f.invoice_date) FROM channel.sell_through f
                   WHERE f.partner_id = rp.partner_id AND f.invoice_date <= stale_reporters.as_of)
           END AS last_report
    FROM reporters rp
  )
  SELECT l.partner_id, p.name, l.kind, l.last_report, (stale_reporters.as_of - l.last_report)::integer
  FROM last l JOIN channel.partner p ON p.partner_id = l.partner_id
  WHERE p.status = 'active' AND (l.last_report IS NULL OR l.last_report < stale_reporters.as_of - days)
  ORDER BY l.last_report NULLS FIRST, 1, 3;
END
$$;
COMMENT ON FUNCTION channel.stale_reporters(integer, date) IS
  'Active partners that report (have opened a report batch) whose latest reported sale (invoice date) or latest inventory position (as-of date) on or before as_of is more than days old (default 14), or who never sent one: the follow-up list; last_report NULL when never.';

-- ---------------------------------------------------------------------------
-- Staged rows go only into a batch still staged: the batches a statement
-- fills are share-locked, so an ingestion (which locks its batch for
-- update) either waits for the COPY to commit and then sees its rows, or
-- has published the batch and the COPY fails.
-- ---------------------------------------------------------------------------
CREATE FUNCTION channel.staging_batch_open() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  closed bigint;
BEGIN
  -- in a fixed order, so two statements filling the same batches cannot deadlock
  PERFORM 1 FROM channel.report_batch r
  WHERE r.batch_id IN (SELECT DISTINCT n.batch_id FROM new_rows n) ORDER BY r.batch_id FOR SHARE;
  SELECT r.batch_id INTO closed
  FROM channel.report_batch r
  WHERE r.batch_id IN (SELECT DISTINCT n.batch_id FROM new_rows n)
    AND (r.status <> 'staged' OR r.kind <> TG_ARGV[0])
  ORDER BY r.batch_id LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'report batch % is not open for % lines', closed, TG_ARGV[0]
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = 'It has been ingested already, or is a report of the other kind.',
            HINT = 'Open a new batch with channel.open_report(); a corrected file replaces the lines it repeats.';
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.staging_batch_open() IS
  'Trigger (per statement): share-locks the batches the staged rows name and refuses rows for a batch that is published or of the other kind.';
CREATE TRIGGER sell_through_staging_open AFTER INSERT ON channel.sell_through_staging
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.staging_batch_open('sell_through');
COMMENT ON TRIGGER sell_through_staging_open ON channel.sell_through_staging IS
  'Rows only for a staged sell-through batch; see channel.staging_batch_open().';
CREATE TRIGGER inventory_staging_open AFTER INSERT ON channel.inventory_staging
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT WHEN (NOT channel.restoring())
  EXECUTE FUNCTION channel.staging_batch_open('inventory');
COMMENT ON TRIGGER inventory_staging_open ON channel.inventory_staging IS
  'Rows only for a staged inventory batch; see channel.staging_batch_open().';
CREATE FUNCTION channel.staging_is_append_only() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'What a partner sent is kept as sent.',
          HINT = 'Send a corrected report in a new batch; deleting the batch removes its lines.';
END
$$;
COMMENT ON FUNCTION channel.staging_is_append_only() IS
  'Trigger: refuses UPDATE of staged lines (cascaded deletes with their batch are allowed).';
CREATE TRIGGER sell_through_staging_append_only BEFORE UPDATE ON channel.sell_through_staging
  FOR EACH STATEMENT EXECUTE FUNCTION channel.staging_is_append_only();
COMMENT ON TRIGGER sell_through_staging_append_only ON channel.sell_through_staging IS 'Staged lines are kept as received.';
CREATE TRIGGER inventory_staging_append_only BEFORE UPDATE ON channel.inventory_staging
  FOR EACH STATEMENT EXECUTE FUNCTION channel.staging_is_append_only();
COMMENT ON TRIGGER inventory_staging_append_only ON channel.inventory_staging IS 'Staged lines are kept as received.';

-- ---------------------------------------------------------------------------
-- Privileges and row-level security (40_security.sql ran before this piece)
-- ---------------------------------------------------------------------------
DO $rls$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['report_batch', 'sell_through_staging', 'inventory_staging', 'report_reject',
                           'end_customer', 'end_customer_alias', 'sell_through', 'inventory_position']
  LOOP
    EXECUTE pg_catalog.format('GRANT SELECT, INSERT, UPDATE, DELETE ON channel.%I TO channel_admin', t);
    EXECUTE pg_catalog.format('GRANT SELECT ON channel.%I TO channel_analyst', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR ALL TO channel_admin USING (true) WITH CHECK (true)', t || '_admin', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_admin', t,
      'Channel managers (channel_admin) see and write every row.');
    EXECUTE pg_catalog.format(
      'CREATE POLICY %I ON channel.%I FOR SELECT TO channel_analyst USING (true)', t || '_analyst', t);
    EXECUTE pg_catalog.format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_analyst', t,
      'Analysts (channel_analyst) read every row; their table privileges are SELECT only.');
  END LOOP;
END
$rls$;

-- Partners: their own reports, staged lines, rejects, facts and positions.
-- The end-customer master gets no partner privilege at all: it is every
-- partner's customers.  Of its sales a partner does not read registration
-- nor leakage_deal_id, which would say that another partner registered the
-- customer.
GRANT SELECT ON channel.report_batch, channel.sell_through_staging, channel.inventory_staging,
                channel.report_reject, channel.inventory_position TO channel_partner;
GRANT SELECT (line_id, partner_id, invoice_no, line_no, batch_id, row_no, invoice_date, product_id, product_line,
              quantity, unit_price, currency, amount, customer_name, customer_country, customer_city,
              customer_postcode, end_customer_id, seller_id, deal_id, published_at)
  ON channel.sell_through TO channel_partner;
GRANT INSERT (batch_id, line_no, invoice_no, invoice_date, sku, quantity, unit_price, currency, customer_name,
              customer_country, customer_city, customer_postcode, reseller_id)
  ON channel.sell_through_staging TO channel_partner;
GRANT INSERT (batch_id, line_no, sku, quantity_on_hand, quantity_on_order, as_of)
  ON channel.inventory_staging TO channel_partner;

CREATE POLICY report_batch_own ON channel.report_batch FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY report_batch_own ON channel.report_batch IS 'A partner sees its own reports (channel.open_report() makes them).';
CREATE POLICY sell_through_staging_own ON channel.sell_through_staging FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.report_batch r
                 WHERE r.batch_id = sell_through_staging.batch_id AND r.partner_id = channel.current_partner()));
COMMENT ON POLICY sell_through_staging_own ON channel.sell_through_staging IS 'A partner sees the lines of its own reports.';
CREATE POLICY sell_through_staging_own_insert ON channel.sell_through_staging FOR INSERT TO channel_partner
  WITH CHECK (EXISTS (SELECT 1 FROM channel.report_batch r
                      WHERE r.batch_id = sell_through_staging.batch_id AND r.partner_id = channel.current_partner()
                        AND r.status = 'staged'));
COMMENT ON POLICY sell_through_staging_own_insert ON channel.sell_through_staging IS
  'A partner stages lines into its own batches while they are staged.';
CREATE POLICY inventory_staging_own ON channel.inventory_staging FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.report_batch r
                 WHERE r.batch_id = inventory_staging.batch_id AND r.partner_id = channel.current_partner()));
COMMENT ON POLICY inventory_staging_own ON channel.inventory_staging IS 'A partner sees the lines of its own reports.';
CREATE POLICY inventory_staging_own_insert ON channel.inventory_staging FOR INSERT TO channel_partner
  WITH CHECK (EXISTS (SELECT 1 FROM channel.report_batch r
                      WHERE r.batch_id = inventory_staging.batch_id AND r.partner_id = channel.current_partner()
                        AND r.status = 'staged'));
COMMENT ON POLICY inventory_staging_own_insert ON channel.inventory_staging IS
  'A partner stages lines into its own batches while they are staged.';
CREATE POLICY report_reject_own ON channel.report_reject FOR SELECT TO channel_partner
  USING (EXISTS (SELECT 1 FROM channel.report_batch r
                 WHERE r.batch_id = report_reject.batch_id AND r.partner_id = channel.current_partner()));
COMMENT ON POLICY report_reject_own ON channel.report_reject IS 'A partner sees the rejected lines of its own reports.';
CREATE POLICY sell_through_own ON channel.sell_through FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY sell_through_own ON channel.sell_through IS 'A partner sees the sales it reported.';
CREATE POLICY inventory_position_own ON channel.inventory_position FOR SELECT TO channel_partner
  USING (partner_id = channel.current_partner());
COMMENT ON POLICY inventory_position_own ON channel.inventory_position IS 'A partner sees its own inventory positions.';


-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'batch_rejects'),
  ('channel_partner', 'sell_through_closed_loop'),
  ('channel_partner', 'registration_close_rate'),
  ('channel_partner', 'unregistered_sales'),
  ('channel_partner', 'inventory_latest'),
  ('channel_partner', 'stale_reporters'),
  ('channel_analyst', 'batch_rejects'),
  ('channel_analyst', 'sell_through_closed_loop'),
  ('channel_analyst', 'registration_close_rate'),
  ('channel_analyst', 'unregistered_sales'),
  ('channel_analyst', 'channel_leakage'),
  ('channel_analyst', 'inventory_latest'),
  ('channel_analyst', 'stale_reporters');

-- Functions: nothing for PUBLIC; admins everything; partners and analysts
-- what channel.role_routine lists (the rows above and 60-62's).
DO $functions$
DECLARE
  f regprocedure;
  grantee name;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_catalog.pg_proc p
           WHERE p.pronamespace = 'channel'::regnamespace
             AND p.proname IN ('staging_batch', 'parse_report_date', 'parse_report_int', 'parse_report_price',
                               'report_text_invalid', 'open_report', 'resolve_end_customers', 'report_for_ingest',
                               'ingest_sell_through', 'ingest_inventory', 'channel_data_check_period', 'batch_rejects',
                               'sell_through_closed_loop', 'registration_close_rate', 'unregistered_sales',
                               'channel_leakage', 'inventory_latest', 'stale_reporters', 'staging_batch_open',
                               'staging_is_append_only', 'drop_scratch',
                               'end_customers_meeting', 'live_deals_meeting', 'match_end_customers', 'match_fanout', 'match_live_deals')
  LOOP
    EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO channel_admin', f);
    FOREACH grantee IN ARRAY ARRAY['channel_partner', 'channel_analyst']::name[] LOOP
      IF (SELECT p.proname FROM pg_catalog.pg_proc p WHERE p.oid = f) IN (SELECT channel.role_functions(grantee)) THEN
        EXECUTE pg_catalog.format('GRANT EXECUTE ON FUNCTION %s TO %I', f, grantee);
      END IF;
    END LOOP;
  END LOOP;
END
$functions$;
