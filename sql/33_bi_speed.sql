-- 33_bi_speed: the BI functions read rollups (funnel day/month rollups,
-- partner_month's last activities) and the forecast, yet answer exactly
-- what the base tables say: compared on the demo for several windows,
-- whole and mid-month, before and after a refresh, with changes queued.
-- Every date is relative to one today; runs in a transaction rolled back.
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT current_date AS today \gset

-- the funnel as the plain SQL over the base tables (what lead_funnel
-- answered before its rollups)
CREATE FUNCTION pg_temp.funnel_base(from_date date, to_date date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, leads_routed integer, leads_accepted integer,
               leads_rejected integer, leads_recalled integer, leads_converted integer, leads_lost integer,
               deals_registered integer, deals_won integer, won_revenue numeric,
               acceptance_rate float8, conversion_rate float8, win_rate float8)
LANGUAGE sql STABLE AS $$
  SELECT f.partner_id, p.name, p.tier, p.region, f.product_line::channel.product_code,
         sum(f.routed)::int, sum(f.accepted)::int, sum(f.rejected)::int, sum(f.recalled)::int,
         sum(f.converted)::int, sum(f.lost)::int, sum(f.registered)::int, sum(f.won)::int,
         sum(f.won_amount)::numeric(18,2),
         sum(f.accepted)::float8 / nullif(sum(f.accepted + f.rejected + f.recalled), 0),
         sum(f.converted)::float8 / nullif(sum(f.converted + f.lost), 0),
         sum(f.won)::float8 / nullif(sum(f.won + f.deal_lost), 0)
  FROM channel.partner_month_fact f
  JOIN channel.partner p ON p.partner_id = f.partner_id
  WHERE f.at >= (from_date::timestamp AT TIME ZONE 'UTC') AND f.at < ((to_date + 1)::timestamp AT TIME ZONE 'UTC')
    AND f.open_amount = 0
  GROUP BY f.partner_id, p.name, p.tier, p.region, f.product_line
$$;
-- inactive partners from the base tables
CREATE FUNCTION pg_temp.inactive_base(days integer)
RETURNS TABLE (partner_id bigint, last_lead_accepted timestamptz, last_deal_registered timestamptz,
               last_sale timestamptz, last_activity timestamptz, inactive_days integer)
LANGUAGE sql STABLE AS $$
  WITH a AS (
    SELECT p.partner_id, p.created_at,
           (SELECT max(x.accepted_at) FROM channel.lead x WHERE x.partner_id = p.partner_id) AS l_at,
           (SELECT max(x.submitted_at) FROM channel.deal x WHERE x.partner_id = p.partner_id) AS r_at,
           (SELECT max(x.closed_at) FROM channel.deal x WHERE x.partner_id = p.partner_id AND x.status = 'won') AS s_at
    FROM channel.partner p WHERE p.status NOT IN ('prospect', 'terminated'))
  SELECT a.partner_id, a.l_at, a.r_at, a.s_at, greatest(a.l_at, a.r_at, a.s_at),
         floor(extract(epoch FROM now() - coalesce(greatest(a.l_at, a.r_at, a.s_at), a.created_at)) / 86400)::int
  FROM a
  WHERE coalesce(greatest(a.l_at, a.r_at, a.s_at), '-infinity') < now() - make_interval(days => days)
$$;
-- the forecast's open registrations as SQL computes them: channel.forecast_open()
-- computes the same rows in C (src/forecast_open.c); compared below, floats included
CREATE FUNCTION pg_temp.forecast_open_sql(upto timestamptz, model jsonb, close_from date DEFAULT NULL, close_before date DEFAULT NULL)
RETURNS TABLE (deal_id bigint, partner_id bigint, product_line channel.product_code, amount numeric,
               expected_close date, status channel.deal_status, stage text, age_band text, amount_band text,
               partner_band text, close_band text, horizon integer,
               base_rate float8, amount_factor float8, partner_factor float8, line_factor float8, probability float8)
LANGUAGE sql STABLE
AS $$
  WITH k AS MATERIALIZED (
    -- the same for every registration: computed once
    SELECT channel.forecast_horizon(now(), upto) AS horizon, (now() AT TIME ZONE 'UTC')::date AS today,
           (upto AT TIME ZONE 'UTC')::date AS quarter_end, ((upto AT TIME ZONE 'UTC') + interval '3 months')::date AS next_end
  ),
  m AS MATERIALIZED (
    -- the model's estimates as (term, value): joined on the features'
    -- values, with no key built per registration but the cell's
    SELECT pg_catalog.split_part(e.key, ':', 1) AS term,
           pg_catalog.substr(e.key, pg_catalog.strpos(e.key, ':') + 1) AS value, e.value::float8 AS v
    FROM pg_catalog.jsonb_each_text(model) e
  ),
  open AS (
    SELECT d.deal_id, d.partner_id, d.product_line, d.amount, d.submitted_at, d.expected_close, d.status
    FROM channel.deal d
    WHERE d.status IN ('submitted', 'approved', 'conflict')
      AND d.expected_close >= coalesce(close_from, '-infinity') AND d.expected_close < coalesce(close_before, 'infinity')
  ),
  record AS (
    SELECT r.partner_id, r.wins, r.closed FROM channel.partner_win_record() r
  ),
  f AS (
    SELECT o.deal_id, o.partner_id, o.product_line, o.amount, o.expected_close, o.status, o.status::text AS stage,
           channel.forecast_age_band(now() - o.submitted_at) AS age_band,
           channel.forecast_amount_band(o.amount) AS amount_band,
           channel.forecast_partner_band(o.partner_id, r.wins, r.closed) AS partner_band,
           channel.forecast_close_band_by(o.expected_close, k.today, k.quarter_end, k.next_end) AS close_band,
           k.horizon
    FROM open o
    CROSS JOIN k
    LEFT JOIN record r ON r.partner_id = o.partner_id
  )
  SELECT f.*, t.base_rate, t.amount_factor, t.partner_factor, t.line_factor,
         least(t.base_rate * t.amount_factor * t.partner_factor * t.line_factor, 1)
  FROM f
  LEFT JOIN m mc ON mc.term = 'cell' AND mc.value = f.stage || '|' || f.age_band || '|' || f.close_band || '|' || f.horizon
  LEFT JOIN m ms ON ms.term = 'stage' AND ms.value = f.stage
  LEFT JOIN m ma ON ma.term = 'amount' AND ma.value = f.amount_band
  LEFT JOIN m mp ON mp.term = 'partner' AND mp.value = f.partner_band
  LEFT JOIN m ml ON ml.term = 'line' AND ml.value = f.product_line
  CROSS JOIN LATERAL channel.forecast_terms(mc.v, ms.v, f.stage, ma.v, mp.v, ml.v) t
$$;
CREATE FUNCTION pg_temp.forecast_open_diffs(today date) RETURNS TABLE (window_name text, rows_ok boolean, differing bigint)
LANGUAGE sql AS $$
  SELECT w.name, (SELECT count(*) FROM channel.forecast_open(w.upto, channel.forecast_model_json(), w.a, w.b)) > 0,
         (SELECT count(*) FROM (
            (SELECT * FROM channel.forecast_open(w.upto, channel.forecast_model_json(), w.a, w.b)
             EXCEPT ALL SELECT * FROM pg_temp.forecast_open_sql(w.upto, channel.forecast_model_json(), w.a, w.b))
            UNION ALL
            (SELECT * FROM pg_temp.forecast_open_sql(w.upto, channel.forecast_model_json(), w.a, w.b)
             EXCEPT ALL SELECT * FROM channel.forecast_open(w.upto, channel.forecast_model_json(), w.a, w.b))) x)
  FROM (VALUES ('every open registration, this quarter', (date_trunc('quarter', today) + interval '3 months') AT TIME ZONE 'UTC',
                NULL::date, NULL::date),
               ('this quarter''s', (date_trunc('quarter', today) + interval '3 months') AT TIME ZONE 'UTC',
                date_trunc('quarter', today)::date, (date_trunc('quarter', today) + interval '3 months')::date),
               ('next quarter''s', (date_trunc('quarter', today) + interval '6 months') AT TIME ZONE 'UTC',
                (date_trunc('quarter', today) + interval '3 months')::date, (date_trunc('quarter', today) + interval '6 months')::date))
       w(name, upto, a, b)
  ORDER BY w.name
$$;
-- the pipeline and the forecast as SQL grouped channel.forecast_open()'s
-- rows (their definitions before the sums moved to C,
-- channel.forecast_totals): compared below row by row, as text, in order
CREATE FUNCTION pg_temp.pipeline_sql(quarter date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, expected_close_month date, open_deals integer,
               open_amount numeric, weighted_amount numeric, weighting text)
LANGUAGE sql STABLE AS $$
  WITH q AS (SELECT date_trunc('quarter', quarter::timestamp)::date AS s),
  g AS (
    SELECT o.partner_id, o.product_line, channel.month_of(o.expected_close) AS close_month,
           count(*)::int AS n, sum(o.amount) AS amount, sum(o.amount * o.probability::numeric) AS weighted
    FROM q, channel.forecast_open(((q.s + interval '3 months')::timestamp AT TIME ZONE 'UTC'),
                                  channel.forecast_model_json(), q.s, (q.s + interval '3 months')::date) o
    WHERE channel.current_partner() IS NULL OR o.partner_id = channel.current_partner()
    GROUP BY o.partner_id, o.product_line, channel.month_of(o.expected_close)
  )
  SELECT g.partner_id, p.name, p.tier, p.region, g.product_line, g.close_month, g.n, g.amount,
         round(g.weighted, 2), 'forecast'::text
  FROM g
  LEFT JOIN channel.partner p ON p.partner_id = g.partner_id
  ORDER BY g.partner_id NULLS LAST, g.product_line, g.close_month
$$;
-- the stage-weighted pipeline as it was written in SQL before it too was
-- summed by forecast_totals: what pipeline() gives until the forecast is trained
CREATE FUNCTION pg_temp.pipeline_stage_sql(quarter date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, expected_close_month date, open_deals integer,
               open_amount numeric, weighted_amount numeric, weighting text)
LANGUAGE sql STABLE AS $$
  WITH q AS (SELECT date_trunc('quarter', quarter::timestamp)::date AS s),
  g AS (
    SELECT d.partner_id, d.product_line, channel.month_of(d.expected_close) AS close_month,
           count(*)::int AS n, sum(d.amount) AS amount,
           coalesce(sum(d.amount) FILTER (WHERE d.status = 'approved'), 0)
             * channel.pipeline_stage_weight('approved')::numeric
           + coalesce(sum(d.amount) FILTER (WHERE d.status = 'submitted'), 0)
             * channel.pipeline_stage_weight('submitted')::numeric
           + coalesce(sum(d.amount) FILTER (WHERE d.status = 'conflict'), 0)
             * channel.pipeline_stage_weight('conflict')::numeric AS weighted
    FROM q, channel.deal d
    WHERE d.status IN ('submitted', 'approved', 'conflict')
      AND d.expected_close >= q.s AND d.expected_close < (q.s + interval '3 months')::date
      AND (channel.current_partner() IS NULL OR d.partner_id = channel.current_partner())
    GROUP BY d.partner_id, d.product_line, channel.month_of(d.expected_close)
  )
  SELECT g.partner_id, p.name, p.tier, p.region, g.product_line, g.close_month, g.n, g.amount,
         round(g.weighted, 2), 'stage'::text
  FROM g
  LEFT JOIN channel.partner p ON p.partner_id = g.partner_id
  ORDER BY g.partner_id NULLS LAST, g.product_line, g.close_month
$$;
CREATE FUNCTION pg_temp.forecast_sql(quarter date, me bigint)
RETURNS TABLE (level text, partner_id bigint, partner_name text, product_line channel.product_code,
               open_deals integer, open_amount numeric, expected_from_open numeric, won_so_far numeric,
               expected_won numeric, stage_weighted numeric)
LANGUAGE sql STABLE AS $$
  WITH k AS (SELECT date_trunc('quarter', quarter::timestamp) AT TIME ZONE 'UTC' AS q_start,
                    (date_trunc('quarter', quarter::timestamp) + interval '3 months') AT TIME ZONE 'UTC' AS upto),
  o AS (
    SELECT o.partner_id, o.product_line, 1 AS n, o.amount,
           o.amount * o.probability::numeric AS expected,
           0::numeric AS won, o.amount * channel.pipeline_stage_weight(o.status)::numeric AS staged
    FROM k, channel.forecast_open(k.upto, channel.forecast_model_json()) o
    WHERE me IS NULL OR o.partner_id = me
    UNION ALL
    SELECT d.partner_id, d.product_line, 0, 0, 0, d.amount, 0
    FROM k, channel.deal d
    WHERE d.status = 'won' AND d.closed_at >= k.q_start AND d.closed_at < k.upto
      AND (me IS NULL OR d.partner_id = me)
  ),
  g AS (
    SELECT CASE WHEN GROUPING(o.partner_id) = 0 THEN 'partner and line'
                WHEN GROUPING(o.product_line) = 0 THEN 'line' ELSE 'total' END AS level,
           o.partner_id, o.product_line, sum(o.n)::int AS n, sum(o.amount) AS amount,
           round(sum(o.expected), 2) AS expected, sum(o.won) AS won, round(sum(o.staged), 2) AS staged,
           GROUPING(o.partner_id) AS gp, GROUPING(o.product_line) AS gl
    FROM o
    GROUP BY GROUPING SETS ((o.partner_id, o.product_line), (o.product_line), ())
  )
  SELECT g.level, g.partner_id, p.name, g.product_line::channel.product_code, g.n, g.amount, g.expected, g.won,
         g.won + g.expected, g.staged
  FROM g
  LEFT JOIN channel.partner p ON g.gp = 0 AND p.partner_id = g.partner_id
  ORDER BY g.gl, g.gp, g.product_line, g.partner_id NULLS LAST
$$;
-- rows (as text, in the order returned) of the C-summed function that the
-- SQL definition lacks or has more of, and whether both are the same text
CREATE FUNCTION pg_temp.totals_diffs(today date) RETURNS TABLE (what text, rows_ok boolean, differing bigint, same_in_order boolean)
LANGUAGE plpgsql AS $$
DECLARE
  q date;
  n text;
BEGIN
  FOR n, q IN VALUES ('pipeline, last quarter', (date_trunc('quarter', today) - interval '3 months')::date),
                     ('pipeline, this quarter', today),
                     ('pipeline, next quarter', (date_trunc('quarter', today) + interval '3 months')::date)
  LOOP
    -- untrained, the pipeline weighs by stage: compared with that SQL
    CREATE TEMP TABLE c_rows AS SELECT x::text AS r, i FROM channel.pipeline(q) WITH ORDINALITY x(a, b, c, d, e, f, g, h, j, k, i);
    IF channel.forecast_model_json() IS NULL THEN
      CREATE TEMP TABLE s_rows AS SELECT x::text AS r, i FROM pg_temp.pipeline_stage_sql(q) WITH ORDINALITY x(a, b, c, d, e, f, g, h, j, k, i);
    ELSE
      CREATE TEMP TABLE s_rows AS SELECT x::text AS r, i FROM pg_temp.pipeline_sql(q) WITH ORDINALITY x(a, b, c, d, e, f, g, h, j, k, i);
    END IF;
    RETURN QUERY SELECT n, (SELECT count(*) FROM c_rows) > 0,
      (SELECT count(*) FROM ((SELECT r FROM c_rows EXCEPT ALL SELECT r FROM s_rows) UNION ALL (SELECT r FROM s_rows EXCEPT ALL SELECT r FROM c_rows)) x),
      (SELECT string_agg(r, E'\n' ORDER BY i) FROM c_rows) IS NOT DISTINCT FROM (SELECT string_agg(r, E'\n' ORDER BY i) FROM s_rows);
    DROP TABLE c_rows, s_rows;
  END LOOP;
  CREATE TEMP TABLE c_rows AS SELECT x::text AS r, i FROM channel.forecast(today) WITH ORDINALITY x(a, b, c, d, e, f, g, h, j, k, i);
  CREATE TEMP TABLE s_rows AS SELECT x::text AS r, i FROM pg_temp.forecast_sql(today, channel.current_partner()) WITH ORDINALITY x(a, b, c, d, e, f, g, h, j, k, i);
  RETURN QUERY SELECT 'forecast', (SELECT count(*) FROM c_rows) > 2,
    (SELECT count(*) FROM ((SELECT r FROM c_rows EXCEPT ALL SELECT r FROM s_rows) UNION ALL (SELECT r FROM s_rows EXCEPT ALL SELECT r FROM c_rows)) x),
    (SELECT string_agg(r, E'\n' ORDER BY i) FROM c_rows) = (SELECT string_agg(r, E'\n' ORDER BY i) FROM s_rows);
  DROP TABLE c_rows, s_rows;
END
$$;
-- the scorecard from the base tables: the same figures summed in plain SQL
-- over channel.partner_month_computed (the rollup's definition), what
-- partner_scorecard() computed before its totals were read in C
CREATE FUNCTION pg_temp.scorecard_base(as_of date)
RETURNS TABLE (partner_id bigint, leads_routed integer, leads_accepted integer, acceptance_rate float8,
               conversion_rate float8, accept_hours_avg float8, deals_registered integer, deals_won integer,
               deals_lost integer, win_rate float8, revenue numeric, revenue_previous numeric,
               sell_through_lines integer, sell_through_units bigint, sell_through_revenue numeric,
               sell_through_revenue_previous numeric)
LANGUAGE sql STABLE AS $$
  WITH w AS (SELECT channel.bi_window_start(as_of, 12) AS cur, channel.bi_window_start(as_of, 24) AS prev,
                    channel.month_of(as_of) AS last),
  s AS (
    SELECT pm.partner_id,
           sum(pm.leads_routed) FILTER (WHERE pm.month >= w.cur) AS routed,
           sum(pm.leads_accepted) FILTER (WHERE pm.month >= w.cur) AS accepted,
           sum(pm.leads_rejected + pm.leads_recalled) FILTER (WHERE pm.month >= w.cur) AS declined,
           sum(pm.leads_converted) FILTER (WHERE pm.month >= w.cur) AS converted,
           sum(pm.leads_lost) FILTER (WHERE pm.month >= w.cur) AS lost,
           sum(pm.accept_hours_sum) FILTER (WHERE pm.month >= w.cur) AS hours,
           sum(pm.accept_hours_n) FILTER (WHERE pm.month >= w.cur) AS hours_n,
           sum(pm.deals_registered) FILTER (WHERE pm.month >= w.cur) AS registered,
           sum(pm.deals_won) FILTER (WHERE pm.month >= w.cur) AS won,
           sum(pm.deals_lost) FILTER (WHERE pm.month >= w.cur) AS dlost,
           sum(pm.won_revenue) FILTER (WHERE pm.month >= w.cur) AS rev,
           sum(pm.won_revenue) FILTER (WHERE pm.month < w.cur) AS rev_prev,
           sum(pm.sell_through_lines) FILTER (WHERE pm.month >= w.cur) AS st_lines,
           sum(pm.sell_through_units) FILTER (WHERE pm.month >= w.cur) AS st_units,
           sum(pm.sell_through_revenue) FILTER (WHERE pm.month >= w.cur) AS st_rev,
           sum(pm.sell_through_revenue) FILTER (WHERE pm.month < w.cur) AS st_rev_prev
    FROM channel.partner_month_computed pm CROSS JOIN w
    WHERE pm.month >= w.prev AND pm.month <= w.last
    GROUP BY pm.partner_id)
  SELECT p.partner_id, coalesce(s.routed, 0)::int, coalesce(s.accepted, 0)::int,
         coalesce(s.accepted, 0)::float8 / nullif(coalesce(s.accepted, 0) + coalesce(s.declined, 0), 0),
         coalesce(s.converted, 0)::float8 / nullif(coalesce(s.converted, 0) + coalesce(s.lost, 0), 0),
         (s.hours / nullif(s.hours_n, 0))::float8, coalesce(s.registered, 0)::int, coalesce(s.won, 0)::int,
         coalesce(s.dlost, 0)::int, coalesce(s.won, 0)::float8 / nullif(coalesce(s.won, 0) + coalesce(s.dlost, 0), 0),
         coalesce(s.rev, 0)::numeric(18,2), coalesce(s.rev_prev, 0)::numeric(18,2), coalesce(s.st_lines, 0)::int,
         coalesce(s.st_units, 0)::bigint, coalesce(s.st_rev, 0)::numeric(18,2), coalesce(s.st_rev_prev, 0)::numeric(18,2)
  FROM channel.partner p LEFT JOIN s ON s.partner_id = p.partner_id
  WHERE p.status = 'active' OR s.partner_id IS NOT NULL
$$;
-- as of today, last month, more than a year ago and in the future
CREATE FUNCTION pg_temp.scorecard_diffs(today date) RETURNS TABLE (as_of text, rows_ok boolean, differing bigint)
LANGUAGE sql AS $$
  SELECT d.name, (SELECT count(*) FROM channel.partner_scorecard(d.a) c WHERE c.revenue > 0) > 0 OR d.name = 'next year',
         (SELECT count(*) FROM (
            (SELECT c.partner_id, c.leads_routed, c.leads_accepted, c.acceptance_rate, c.conversion_rate,
                    c.accept_hours_avg, c.deals_registered, c.deals_won, c.deals_lost, c.win_rate, c.revenue,
                    c.revenue_previous, c.sell_through_lines, c.sell_through_units, c.sell_through_revenue,
                    c.sell_through_revenue_previous
             FROM channel.partner_scorecard(d.a) c EXCEPT ALL SELECT * FROM pg_temp.scorecard_base(d.a))
            UNION ALL
            (SELECT * FROM pg_temp.scorecard_base(d.a) EXCEPT ALL
             SELECT c.partner_id, c.leads_routed, c.leads_accepted, c.acceptance_rate, c.conversion_rate,
                    c.accept_hours_avg, c.deals_registered, c.deals_won, c.deals_lost, c.win_rate, c.revenue,
                    c.revenue_previous, c.sell_through_lines, c.sell_through_units, c.sell_through_revenue,
                    c.sell_through_revenue_previous
             FROM channel.partner_scorecard(d.a) c)) x)
  FROM (VALUES ('today', today), ('a month ago', today - 31), ('14 months ago', today - 425),
               ('next year', today + 365)) d(name, a)
  ORDER BY d.a
$$;
-- windows: whole months, mid-month to mid-month, one day, within one
-- month, across a year, reaching past today
CREATE TEMP TABLE bi_window (name text, a date, b date);
INSERT INTO bi_window VALUES
  ('last 3 whole months', (date_trunc('month', :'today'::date) - interval '3 months')::date,
                          (date_trunc('month', :'today'::date) - interval '1 day')::date),
  ('90 days to today', :'today'::date - 90, :'today'::date),
  ('mid-month to mid-month', (date_trunc('month', :'today'::date) - interval '5 months')::date + 13,
                             (date_trunc('month', :'today'::date) - interval '2 months')::date + 16),
  ('2nd to 30th of a month', (date_trunc('month', :'today'::date) - interval '4 months')::date + 1,
                             (date_trunc('month', :'today'::date) - interval '4 months')::date + 29),
  ('one day', :'today'::date - 40, :'today'::date - 40),
  ('a year, mid-month', :'today'::date - 400, :'today'::date - 35),
  ('into the future', :'today'::date - 3, :'today'::date + 20);
CREATE FUNCTION pg_temp.funnel_diffs() RETURNS TABLE (name text, rows_ok boolean, differing bigint)
LANGUAGE sql AS $$
  SELECT w.name, (SELECT count(*) FROM channel.lead_funnel(w.a, w.b)) > 0 OR w.name = 'into the future',
         (SELECT count(*) FROM ((SELECT * FROM channel.lead_funnel(w.a, w.b) EXCEPT ALL SELECT * FROM pg_temp.funnel_base(w.a, w.b))
                                UNION ALL
                                (SELECT * FROM pg_temp.funnel_base(w.a, w.b) EXCEPT ALL SELECT * FROM channel.lead_funnel(w.a, w.b))) x)
  FROM pg_temp.bi_window w ORDER BY w.name
$$;
CREATE FUNCTION pg_temp.inactive_diffs() RETURNS TABLE (days integer, rows_ok boolean, differing bigint)
LANGUAGE sql AS $$
  SELECT d, (SELECT count(*) FROM channel.inactive_partners(d)) > 0,
         (SELECT count(*) FROM (
            (SELECT i.partner_id, i.last_lead_accepted, i.last_deal_registered, i.last_sale, i.last_activity, i.inactive_days
             FROM channel.inactive_partners(d) i EXCEPT ALL SELECT * FROM pg_temp.inactive_base(d))
            UNION ALL
            (SELECT * FROM pg_temp.inactive_base(d) EXCEPT ALL
             SELECT i.partner_id, i.last_lead_accepted, i.last_deal_registered, i.last_sale, i.last_activity, i.inactive_days
             FROM channel.inactive_partners(d) i)) x)
  FROM unnest(ARRAY[1, 30, 180, 400]) d
$$;
CREATE FUNCTION pg_temp.rollup_diffs() RETURNS TABLE (rollup text, differing bigint)
LANGUAGE sql AS $$
  SELECT 'partner_month', count(*) FROM ((TABLE channel.partner_month EXCEPT ALL TABLE channel.partner_month_computed)
                                         UNION ALL (TABLE channel.partner_month_computed EXCEPT ALL TABLE channel.partner_month)) x
  UNION ALL
  SELECT 'partner_line_month', count(*) FROM ((TABLE channel.partner_line_month EXCEPT ALL TABLE channel.partner_line_month_computed)
                                              UNION ALL (TABLE channel.partner_line_month_computed EXCEPT ALL TABLE channel.partner_line_month)) x
  UNION ALL
  SELECT 'partner_line_day', count(*)
  FROM ((TABLE channel.partner_line_day EXCEPT ALL
         SELECT partner_id, day, product_line, facts, leads_routed, leads_accepted, leads_rejected, leads_recalled,
                leads_converted, leads_lost, deals_registered, deals_won, deals_lost, won_revenue
         FROM channel.partner_line_day_computed)
        UNION ALL
        (SELECT partner_id, day, product_line, facts, leads_routed, leads_accepted, leads_rejected, leads_recalled,
                leads_converted, leads_lost, deals_registered, deals_won, deals_lost, won_revenue
         FROM channel.partner_line_day_computed
         EXCEPT ALL TABLE channel.partner_line_day)) x
  UNION ALL
  SELECT 'partner_line_week', count(*) FROM ((TABLE channel.partner_line_week EXCEPT ALL TABLE channel.partner_line_week_computed)
                                             UNION ALL (TABLE channel.partner_line_week_computed EXCEPT ALL TABLE channel.partner_line_week)) x
$$;

-- the periods of a window: their signed days are exactly the window's days
-- (a week row holds the days of its week of a month); and a month the
-- window covers in part is read as at most its weeks plus ten days (five
-- at either end of the part)
CREATE FUNCTION pg_temp.period_days(grain text, period date) RETURNS SETOF date
LANGUAGE sql IMMUTABLE AS $$
  SELECT g::date FROM generate_series(period::timestamp,
    CASE grain WHEN 'day' THEN period::timestamp
               WHEN 'week' THEN least(date_trunc('week', period::timestamp) + interval '6 days',
                                      date_trunc('month', period::timestamp) + interval '1 month - 1 day')
               ELSE period + interval '1 month - 1 day' END, interval '1 day') g
$$;
SELECT w.name,
       (SELECT array_agg(d ORDER BY d) FROM (
          SELECT d FROM channel.funnel_periods(w.a, w.b) p CROSS JOIN LATERAL pg_temp.period_days(p.grain, p.period) d
          WHERE p.sign > 0
          EXCEPT ALL
          SELECT d FROM channel.funnel_periods(w.a, w.b) p CROSS JOIN LATERAL pg_temp.period_days(p.grain, p.period) d
          WHERE p.sign < 0) x)
       = (SELECT array_agg(g::date ORDER BY g) FROM generate_series(w.a::timestamp, w.b::timestamp, interval '1 day') g)
       AS same_days,
       (SELECT bool_and(n_days <= 10 AND n_weeks <= 6 AND n_months <= 1) FROM (
          SELECT count(*) FILTER (WHERE p.grain = 'day') AS n_days, count(*) FILTER (WHERE p.grain = 'week') AS n_weeks,
                 count(*) FILTER (WHERE p.grain = 'month') AS n_months
          FROM channel.funnel_periods(w.a, w.b) p GROUP BY date_trunc('month', p.period)) x) AS few_rows_a_month
FROM bi_window w ORDER BY w.name;
-- windows starting on each day of two months (every position in a week and
-- in a month), of lengths from one day to 71
SELECT count(*) AS windows,
       count(*) FILTER (WHERE NOT ok) AS wrong
FROM (SELECT (SELECT array_agg(d ORDER BY d) FROM (
               SELECT d FROM channel.funnel_periods(a, b) p CROSS JOIN LATERAL pg_temp.period_days(p.grain, p.period) d
               WHERE p.sign > 0
               EXCEPT ALL
               SELECT d FROM channel.funnel_periods(a, b) p CROSS JOIN LATERAL pg_temp.period_days(p.grain, p.period) d
               WHERE p.sign < 0) x)
             = (SELECT array_agg(g::date ORDER BY g) FROM generate_series(a::timestamp, b::timestamp, interval '1 day') g)
             AND (SELECT count(*) FILTER (WHERE p.grain = 'day') FROM channel.funnel_periods(a, b) p) <= 20 AS ok
      FROM (SELECT :'today'::date - s AS a, :'today'::date - s + l AS b
            FROM generate_series(0, 62) s, unnest(ARRAY[0, 2, 6, 9, 15, 24, 31, 40, 58, 70]) l) w) y;

BEGIN;
SELECT count(*) > 0 AS demo FROM channel.generate_demo(200, 8000, 1, :'today'::date);
SELECT channel.rebuild_rollups() > 0 AS rebuilt;
SELECT * FROM pg_temp.rollup_diffs();
SELECT * FROM pg_temp.funnel_diffs();
SELECT * FROM pg_temp.inactive_diffs();
SELECT * FROM pg_temp.scorecard_diffs(:'today');

-- a day of changes, not yet refreshed: the funnel and inactive_partners
-- read the queued partner-months from the base tables and still agree
UPDATE channel.lead SET status = 'accepted', accepted_at = greatest(now(), routed_at + interval '1 hour')
WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'routed' ORDER BY lead_id LIMIT 40);
UPDATE channel.lead SET status = CASE WHEN lead_id % 2 = 0 THEN 'converted' ELSE 'lost' END::channel.lead_status,
       closed_at = greatest(now(), accepted_at)
WHERE lead_id IN (SELECT lead_id FROM channel.lead WHERE status = 'accepted' ORDER BY lead_id LIMIT 30);
UPDATE channel.deal SET status = 'won', closed_at = greatest(submitted_at, now() - interval '40 days')
WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'approved' ORDER BY deal_id LIMIT 30);
DELETE FROM channel.deal WHERE deal_id IN (SELECT deal_id FROM channel.deal WHERE status = 'won' ORDER BY deal_id LIMIT 10);
INSERT INTO channel.deal (partner_id, customer_name, customer_country, product_line, amount, expected_close)
SELECT d.partner_id, d.customer_name || ' Two', d.customer_country, d.product_line, d.amount, :'today'::date + 30
FROM channel.deal d WHERE d.partner_id IS NOT NULL ORDER BY d.deal_id LIMIT 20;
SELECT count(*) > 0 AS queued FROM channel.partner_month_dirty;
SELECT * FROM pg_temp.funnel_diffs();
SELECT * FROM pg_temp.inactive_diffs();
-- refreshed: the rollups equal their definitions again, and so do the answers
CALL channel.refresh_rollups();
SELECT count(*) AS queued_after_refresh FROM channel.partner_month_dirty;
SELECT * FROM pg_temp.rollup_diffs();
SELECT * FROM pg_temp.funnel_diffs();
SELECT * FROM pg_temp.inactive_diffs();
SELECT * FROM pg_temp.scorecard_diffs(:'today');

-- a partner caller sees only its own funnel rows, the same as the vendor's for it
SAVEPOINT as_partner;
SELECT partner_id AS p FROM channel.lead_funnel(:'today'::date - 90, :'today'::date) ORDER BY 1 LIMIT 1 \gset
SELECT channel.set_portal_partner(:p) IS NOT NULL AS acting;
SELECT count(DISTINCT partner_id) = 1 AND min(partner_id) = :p AS own_rows_only
FROM channel.lead_funnel(:'today'::date - 90, :'today'::date);
SELECT md5(string_agg(f::text, ',' ORDER BY f.product_line)) AS partner_md5
FROM channel.lead_funnel(:'today'::date - 90, :'today'::date) f \gset
ROLLBACK TO SAVEPOINT as_partner;
SELECT md5(string_agg(f::text, ',' ORDER BY f.product_line)) = :'partner_md5' AS same_as_the_vendors_rows
FROM channel.lead_funnel(:'today'::date - 90, :'today'::date) f WHERE f.partner_id = :p;

-- pipeline: the quarter's open registrations, counted and valued as the
-- base tables say; weighted by the stage weights until the forecast is
-- trained, then by the learned probabilities
SELECT (SELECT row(count(*), sum(amount)) FROM channel.deal
        WHERE status IN ('submitted', 'approved', 'conflict')
          AND expected_close >= date_trunc('quarter', :'today'::date)
          AND expected_close < date_trunc('quarter', :'today'::date) + interval '3 months')
       = (SELECT row(sum(open_deals), sum(open_amount)) FROM channel.pipeline(:'today'::date)) AS pipeline_matches_base,
       (SELECT bool_and(weighting = 'stage') FROM channel.pipeline(:'today'::date)) AS stage_weights_untrained,
       (SELECT sum(weighted_amount) FROM channel.pipeline(:'today'::date))
       = (SELECT sum(w) FROM (
            SELECT round(sum(amount * channel.pipeline_stage_weight(status)::numeric), 2) AS w FROM channel.deal
            WHERE status IN ('submitted', 'approved', 'conflict')
              AND expected_close >= date_trunc('quarter', :'today'::date)
              AND expected_close < date_trunc('quarter', :'today'::date) + interval '3 months'
            GROUP BY partner_id, product_line, channel.month_of(expected_close)) x) AS stage_weighted_amounts;
SELECT * FROM pg_temp.forecast_open_diffs(:'today');
SELECT * FROM pg_temp.totals_diffs(:'today');
SELECT count(*) > 20 AS model_terms FROM channel.train_forecast();
SELECT * FROM pg_temp.forecast_open_diffs(:'today');
SELECT * FROM pg_temp.totals_diffs(:'today');
-- a partner caller: its own rows, summed the same
SAVEPOINT forecast_as_partner;
-- (one with open registrations expected to close in each of the three quarters)
SELECT partner_id AS fp FROM channel.deal
WHERE status IN ('submitted', 'approved', 'conflict') AND partner_id IS NOT NULL
  AND expected_close >= date_trunc('quarter', :'today'::date) - interval '3 months'
  AND expected_close < date_trunc('quarter', :'today'::date) + interval '6 months'
GROUP BY partner_id HAVING count(DISTINCT date_trunc('quarter', expected_close)) = 3
ORDER BY partner_id LIMIT 1 \gset
SELECT channel.set_portal_partner(:fp) IS NOT NULL AS acting;
SELECT * FROM pg_temp.totals_diffs(:'today');
SELECT count(*) FILTER (WHERE level = 'partner and line' AND partner_id IS DISTINCT FROM :fp) AS others_rows
FROM channel.forecast(:'today');
ROLLBACK TO SAVEPOINT forecast_as_partner;
SELECT term, count(*) > 0 AS present, bool_and(estimate >= 0) AS estimates_ok,
       bool_and(wins <= snapshots) AS wins_le_snapshots
FROM channel.forecast_model GROUP BY term ORDER BY term;
SELECT bool_and(weighting = 'forecast') AS forecast_weighting FROM channel.pipeline(:'today'::date);
-- the pipeline's weighted amounts are the explained probabilities' sums
SELECT (SELECT sum(weighted_amount) FROM channel.pipeline(:'today'::date))
       - (SELECT sum(round(amount * probability::numeric, 2)) FROM channel.forecast_deals(:'today'::date)
          WHERE expected_close >= date_trunc('quarter', :'today'::date)
            AND expected_close < date_trunc('quarter', :'today'::date) + interval '3 months') BETWEEN -1 AND 1
       AS pipeline_is_forecast;
-- every probability is the product of its terms, capped at 1
SELECT bool_and(abs(probability - least(base_rate * amount_factor * partner_factor * line_factor, 1)) < 1e-12)
         AS product_of_terms,
       bool_and(probability BETWEEN 0 AND 1) AS probabilities_ok,
       count(*) = (SELECT count(*) FROM channel.deal WHERE status IN ('submitted', 'approved', 'conflict')) AS every_open_deal
FROM channel.forecast_deals(:'today');
-- the forecast: partner-and-line rows sum to the line rows, lines to the
-- total; already won is what was won this quarter
SELECT (SELECT sum(expected_from_open) FROM channel.forecast(:'today') WHERE level = 'partner and line')
       - (SELECT expected_from_open FROM channel.forecast(:'today') WHERE level = 'total') BETWEEN -1 AND 1 AS parts_sum,
       (SELECT sum(open_deals) FROM channel.forecast(:'today') WHERE level = 'line')
       = (SELECT open_deals FROM channel.forecast(:'today') WHERE level = 'total') AS lines_sum,
       (SELECT won_so_far FROM channel.forecast(:'today') WHERE level = 'total')
       = (SELECT coalesce(sum(amount), 0) FROM channel.deal WHERE status = 'won'
          AND closed_at >= date_trunc('quarter', :'today'::timestamp) AT TIME ZONE 'UTC'
          AND closed_at < (date_trunc('quarter', :'today'::timestamp) + interval '3 months') AT TIME ZONE 'UTC')
       AS won_so_far_ok,
       (SELECT bool_and(expected_won = won_so_far + expected_from_open) FROM channel.forecast(:'today')) AS totals_ok;
-- backtest: three past quarters per line and overall; on the demo (whose
-- outcomes depend on partner, amount and line) the learned forecast is far
-- closer to what was won than the fixed stage weights
CREATE TEMP TABLE bt AS SELECT * FROM channel.forecast_backtest(3);
SELECT count(*) > 3 AS per_line_rows, count(DISTINCT quarter) AS quarters, bool_and(actual >= 0) AS actuals_ok,
       count(*) FILTER (WHERE product_line IS NULL) AS all_lines_rows
FROM bt;
SELECT avg(abs(forecast_error)) < avg(abs(stage_error)) AS learned_beats_stage_weights,
       abs(sum(forecast) - sum(actual)) < abs(sum(stage_weighted) - sum(actual)) AS less_biased
FROM bt WHERE product_line IS NULL;
-- its summary (MAPE and bias), here over the last quarter
SELECT count(*) = (SELECT count(DISTINCT product_line) FROM bt WHERE quarter = (SELECT max(quarter) FROM bt)) + 1
         AS one_row_per_line_and_overall,
       bool_and(quarters_replayed = 1 AND forecast_mape >= 0 AND stage_mape >= 0) AS filled
FROM channel.forecast_accuracy(1);
ROLLBACK;

-- bad arguments
SELECT * FROM channel.forecast('2001-02-03');
SELECT * FROM channel.forecast(NULL);
SELECT * FROM channel.forecast_backtest(0);
SELECT * FROM channel.train_forecast(2);
-- the totals the BI functions read in C: bad periods are refused, and only
-- the SECURITY DEFINER BI functions may call them
SELECT * FROM channel.funnel_totals(ARRAY[NULL::date], NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM channel.funnel_totals(NULL, NULL, NULL, ARRAY['infinity'::date], NULL, NULL, NULL, NULL);
SELECT * FROM channel.funnel_totals(NULL, NULL, ARRAY['-infinity'::date], NULL, NULL, NULL, NULL, NULL);
SELECT * FROM channel.funnel_totals(ARRAY[current_date], NULL, NULL, NULL, NULL, ARRAY[1, 2]::bigint[], ARRAY[current_date], NULL);
SELECT * FROM channel.scorecard_totals('-infinity', current_date, current_date);
SELECT * FROM channel.forecast_open_rows(NULL, NULL, NULL, NULL, current_date, current_date, current_date, 1);
SELECT * FROM channel.forecast_open_rows('[1, 2]', NULL, NULL, now(), current_date, current_date, current_date, 1);
SELECT * FROM channel.forecast_totals(NULL, NULL, NULL, now(), current_date, current_date, current_date, 1, NULL, true, NULL, NULL, NULL);
SELECT * FROM channel.forecast_totals(NULL, NULL, NULL, now(), current_date, current_date, current_date, 1, false, true, now(), NULL, NULL);
-- no registration in the window: one total row of NULL sums, as SQL's grouping sets give
SELECT * FROM channel.forecast_totals(NULL, 'infinity', NULL, now(), current_date, current_date, current_date, 1, false, true, NULL, NULL, NULL);
SELECT count(*) AS nothing_in_an_empty_window
FROM channel.funnel_totals(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SET ROLE channel_analyst;
SELECT * FROM channel.funnel_totals(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
SELECT * FROM channel.scorecard_totals(current_date, current_date, current_date);
SELECT * FROM channel.partner_win_record();
SELECT * FROM channel.forecast_open_rows(NULL, NULL, NULL, now(), current_date, current_date, current_date, 1);
SELECT * FROM channel.forecast_totals(NULL, NULL, NULL, now(), current_date, current_date, current_date, 1, false, true, NULL, NULL, NULL);
RESET ROLE;
