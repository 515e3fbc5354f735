-- 0.2.0 (issue 27): no rollup figure is NaN; months lie in 1900..2200.
ALTER TABLE channel.partner_month
  ADD CONSTRAINT partner_month_figures_finite
    CHECK (won_revenue <> 'NaN' AND open_pipeline <> 'NaN' AND accept_hours_sum <> 'NaN'
           AND accept_hours_median <> 'NaN' AND accept_hours_p90 <> 'NaN' AND close_days_median <> 'NaN') NOT VALID,
  ADD CONSTRAINT partner_month_times_in_range CHECK (month BETWEEN '1900-01-01' AND '2200-12-31') NOT VALID;

-- 0.2.0: partner_month keeps each month's last acceptance, registration and
-- sale (inactive_partners reads them); the refresh and the rebuild also keep
-- the funnel rollups of 33_funnel_rollups.sql (src/sql/30_rollups.sql).
ALTER TABLE channel.partner_month
  ADD COLUMN last_lead_accepted timestamptz,
  ADD COLUMN last_deal_registered timestamptz,
  ADD COLUMN last_sale timestamptz;

COMMENT ON COLUMN channel.partner_month.last_lead_accepted IS
  'Latest acceptance of a lead by the partner in the month (its accepted_at); NULL when none.';

COMMENT ON COLUMN channel.partner_month.last_deal_registered IS
  'Latest registration the partner submitted in the month (its submitted_at); NULL when none.';

COMMENT ON COLUMN channel.partner_month.last_sale IS
  'Latest win of a deal of the partner in the month (its closed_at); NULL when none.';

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
         max(f.at) FILTER (WHERE f.won = 1) AS last_sale
  FROM channel.partner_month_fact f
  GROUP BY f.partner_id, f.month;

COMMENT ON COLUMN channel.partner_month_computed.last_lead_accepted IS 'As channel.partner_month.last_lead_accepted.';

COMMENT ON COLUMN channel.partner_month_computed.last_deal_registered IS 'As channel.partner_month.last_deal_registered.';

COMMENT ON COLUMN channel.partner_month_computed.last_sale IS 'As channel.partner_month.last_sale.';

CREATE FUNCTION channel.refresh_line_rollups(d date, ids bigint[], whole boolean) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  -- the month rows are the sums of the day rows (as
  -- channel.partner_line_month_computed defines them), from one read of
  -- the facts
  IF d IS NULL THEN
    -- everything (a rebuild, or a queue covering most of the rollup); the
    -- rows go in by period, so that the rows a window reads lie together
    DELETE FROM channel.partner_line_month;
    DELETE FROM channel.partner_line_week;
    DELETE FROM channel.partner_line_day;
    WITH c AS MATERIALIZED (SELECT * FROM channel.partner_line_day_computed),
    m AS (INSERT INTO channel.partner_line_month
          SELECT c.partner_id, c.month, c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY c.partner_id, c.month, c.product_line ORDER BY c.month, c.partner_id),
    w AS (INSERT INTO channel.partner_line_week
          SELECT c.partner_id, channel.funnel_week_of(c.day), c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY 1, 2, 3 ORDER BY 2, 1)
    INSERT INTO channel.partner_line_day
    SELECT c.partner_id, c.day, c.product_line, c.facts, c.leads_routed, c.leads_accepted, c.leads_rejected, c.leads_recalled, c.leads_converted, c.leads_lost, c.deals_registered, c.deals_won, c.deals_lost, c.won_revenue
    FROM c ORDER BY c.day, c.partner_id;
    ANALYZE channel.partner_line_month;
    ANALYZE channel.partner_line_week;
    ANALYZE channel.partner_line_day;
    RETURN;
  END IF;
  DELETE FROM channel.partner_line_month x WHERE x.month = d AND x.partner_id = ANY (ids);
  DELETE FROM channel.partner_line_week x
  WHERE x.week >= d AND x.week < (d + interval '1 month')::date AND x.partner_id = ANY (ids);
  DELETE FROM channel.partner_line_day x
  WHERE x.day >= d AND x.day < (d + interval '1 month')::date AND x.partner_id = ANY (ids);
  IF whole THEN
    WITH c AS MATERIALIZED (SELECT c.* FROM (SELECT * FROM channel.partner_line_day_computed c WHERE c.month = d OFFSET 0) c
      WHERE c.partner_id IN (SELECT pg_catalog.unnest(ids))),
    m AS (INSERT INTO channel.partner_line_month
          SELECT c.partner_id, c.month, c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY c.partner_id, c.month, c.product_line),
    w AS (INSERT INTO channel.partner_line_week
          SELECT c.partner_id, channel.funnel_week_of(c.day), c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY 1, 2, 3)
    INSERT INTO channel.partner_line_day
    SELECT c.partner_id, c.day, c.product_line, c.facts, c.leads_routed, c.leads_accepted, c.leads_rejected, c.leads_recalled, c.leads_converted, c.leads_lost, c.deals_registered, c.deals_won, c.deals_lost, c.won_revenue
    FROM c;
  ELSE
    WITH c AS MATERIALIZED (SELECT * FROM channel.partner_line_day_computed c
      WHERE c.month = d AND c.partner_id = ANY (ids) OFFSET 0),
    m AS (INSERT INTO channel.partner_line_month
          SELECT c.partner_id, c.month, c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY c.partner_id, c.month, c.product_line),
    w AS (INSERT INTO channel.partner_line_week
          SELECT c.partner_id, channel.funnel_week_of(c.day), c.product_line,
                 sum(c.facts)::int, sum(c.leads_routed)::int, sum(c.leads_accepted)::int, sum(c.leads_rejected)::int, sum(c.leads_recalled)::int, sum(c.leads_converted)::int, sum(c.leads_lost)::int, sum(c.deals_registered)::int, sum(c.deals_won)::int, sum(c.deals_lost)::int, sum(c.won_revenue)::numeric(18,2)
          FROM c GROUP BY 1, 2, 3)
    INSERT INTO channel.partner_line_day
    SELECT c.partner_id, c.day, c.product_line, c.facts, c.leads_routed, c.leads_accepted, c.leads_rejected, c.leads_recalled, c.leads_converted, c.leads_lost, c.deals_registered, c.deals_won, c.deals_lost, c.won_revenue
    FROM c;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.refresh_line_rollups(date, bigint[], boolean) IS
  'Internal to the rollup refresh and rebuild: recomputes channel.partner_line_month, channel.partner_line_week and channel.partner_line_day for month d and partners ids (d NULL: all of them) from channel.partner_line_day_computed, the week and month rows as the sums of the day rows.';

CREATE OR REPLACE FUNCTION channel.refresh_dirty_rollups() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
-- the planner's costs for the fact view are far above jit_above_cost, and
-- compiling it takes longer than running it
SET jit = off
-- The month-by-month statements below take the month and its partner list
-- as parameters.  A custom plan would be planned again for every month with
-- the list as a constant, and estimating a condition on thousands of array
-- elements in each of the view's eight branches costs more than running it
-- (30 ms to plan a 2,600-partner month); the generic plan is the same index
-- scans, planned once per session.
SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
  partners bigint[];
  months   date[];
  pairs    bigint;
  rows_now bigint;
  d        date;
  ids      bigint[];
  mcv      date[];
  mcf      real[];
  in_month float8;
BEGIN
  PERFORM channel.rollup_require_vendor('refresh');
  IF NOT pg_catalog.pg_try_advisory_xact_lock(channel.rollup_lock_key()) THEN
    RAISE NOTICE 'channel rollups are being refreshed by another session; nothing done'
      USING DETAIL = 'Only one refresh or rebuild runs at a time.',
            HINT = 'Nothing is lost: changes queued meanwhile wait for the next refresh.';
    RETURN NULL;
  END IF;
  WITH taken AS (DELETE FROM channel.partner_month_dirty RETURNING partner_id, month),
       scope AS (SELECT DISTINCT t.partner_id, t.month FROM taken t)
  SELECT pg_catalog.array_agg(s.partner_id), pg_catalog.array_agg(s.month), count(*)
  INTO partners, months, pairs
  FROM scope s;
  IF pairs = 0 THEN
    RETURN 0;
  END IF;
  IF pairs > 1000 THEN
    -- the planner's estimate when there is one (unset right after a rebuild)
    SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint ELSE (SELECT count(*) FROM channel.partner_month) END
    INTO rows_now
    FROM pg_catalog.pg_class c WHERE c.oid = 'channel.partner_month'::regclass;
  END IF;
  IF pairs > 1000 AND pairs > rows_now / 5 THEN
    DELETE FROM channel.partner_month;
    INSERT INTO channel.partner_month SELECT * FROM channel.partner_month_computed;
    ANALYZE channel.partner_month;  -- replaced whole: as after a rebuild
    PERFORM channel.refresh_line_rollups(NULL, NULL, NULL);
    PERFORM channel.refresh_win_records(NULL);
    RETURN pairs;
  END IF;
  -- Month by month.  A month most of whose partners are queued (the
  -- current one, after a busy quarter of an hour) is recomputed whole, in
  -- one pass over each branch's index range for the month, keeping the
  -- queued partners; otherwise the month's queued partners are looked up
  -- in every branch's index.  Both read the same view for the same pairs.
  -- "Most": at least half the rows the planner's statistics expect in the
  -- month (counted when there are no statistics) -- past that, probing
  -- eight indexes per partner costs more than reading the month's facts.
  SELECT CASE WHEN c.reltuples > 0 THEN c.reltuples END INTO rows_now
  FROM pg_catalog.pg_class c WHERE c.oid = 'channel.partner_month'::regclass;
  SELECT st.most_common_vals::text::date[], st.most_common_freqs INTO mcv, mcf
  FROM pg_catalog.pg_stats st
  WHERE st.schemaname = 'channel' AND st.tablename = 'partner_month' AND st.attname = 'month';
  FOR d, ids IN
    SELECT s.month, pg_catalog.array_agg(s.partner_id ORDER BY s.partner_id)
    FROM ROWS FROM (pg_catalog.unnest(partners), pg_catalog.unnest(months)) AS s(partner_id, month)
    GROUP BY s.month ORDER BY s.month
  LOOP
    IF pg_catalog.cardinality(ids) >= 100 THEN
      IF rows_now IS NOT NULL AND mcv IS NOT NULL THEN
        -- a month absent from the most common values is a small one
        in_month := coalesce(rows_now * mcf[pg_catalog.array_position(mcv, d)], 0);
      ELSE
        SELECT count(*) INTO in_month FROM channel.partner_month pm WHERE pm.month = d;
      END IF;
    END IF;
    DELETE FROM channel.partner_month pm WHERE pm.month = d AND pm.partner_id = ANY (ids);
    IF pg_catalog.cardinality(ids) >= 100 AND pg_catalog.cardinality(ids) * 2 >= in_month THEN
      INSERT INTO channel.partner_month
      SELECT c.*
      FROM (SELECT * FROM channel.partner_month_computed c WHERE c.month = d OFFSET 0) c
      WHERE c.partner_id IN (SELECT pg_catalog.unnest(ids));
      PERFORM channel.refresh_line_rollups(d, ids, true);
    ELSE
      -- OFFSET 0 keeps the month and the partner list pushed into every
      -- branch of the view as index conditions
      INSERT INTO channel.partner_month
      SELECT c.*
      FROM (SELECT * FROM channel.partner_month_computed c
            WHERE c.month = d AND c.partner_id = ANY (ids) OFFSET 0) c;
      PERFORM channel.refresh_line_rollups(d, ids, false);
    END IF;
  END LOOP;
  -- the records of the partners whose months were recomputed
  PERFORM channel.refresh_win_records(ARRAY(SELECT DISTINCT p FROM pg_catalog.unnest(partners) p));
  RETURN pairs;
END
$$;
COMMENT ON FUNCTION channel.refresh_dirty_rollups() IS
  'Recomputes the queued (partner, month) pairs of channel.partner_month from channel.partner_month_computed and returns how many it did; NULL (with a NOTICE) when another refresh holds the lock. CALL channel.refresh_rollups() is the documented entry point.';

CREATE OR REPLACE FUNCTION channel.rebuild_rollups() RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  n bigint;
BEGIN
  PERFORM channel.rollup_require_vendor('rebuild');
  -- a rebuild waits for a running refresh rather than skipping: it is run
  -- by hand, and its caller expects a rebuilt table when it returns
  PERFORM pg_catalog.pg_advisory_xact_lock(channel.rollup_lock_key());
  DELETE FROM channel.partner_month_dirty;
  DELETE FROM channel.partner_month;
  INSERT INTO channel.partner_month SELECT * FROM channel.partner_month_computed;
  GET DIAGNOSTICS n = ROW_COUNT;
  -- the table was just replaced: the refresh sizes each queued month from
  -- its statistics (without them it counts the month's rows), and so do the
  -- BI queries' plans; autovacuum would get there, later
  ANALYZE channel.partner_month;
  PERFORM channel.refresh_line_rollups(NULL, NULL, NULL);
  PERFORM channel.refresh_win_records(NULL);
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.rebuild_rollups() IS
  'Recomputes all of channel.partner_month from the base tables and empties the queue; returns the number of rows. Waits for a running refresh. Vendor only.';
