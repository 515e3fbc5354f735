-- 31_bi.sql: set-returning functions BI tools query directly.
--
-- Every function is STABLE and SECURITY DEFINER: it reads every partner's
-- rows (a percentile among peers needs the peers), then returns only the
-- caller's own rows when channel.current_partner() is not NULL.  Figures
-- built on channel.partner_month are as fresh as the last
-- CALL channel.refresh_rollups(); lead_funnel, pipeline and
-- inactive_partners read the base tables and are always current.
-- Months are UTC calendar months; amounts are in the reporting currency
-- (deal amounts as stored).

-- The first day of the 12-month window ending with the month of as_of.
CREATE FUNCTION channel.bi_window_start(as_of date, months integer) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (channel.month_of(as_of) - pg_catalog.make_interval(months => months - 1))::date;
COMMENT ON FUNCTION channel.bi_window_start(date, integer) IS
  'First day of the window of the given number of whole calendar months that ends with the month of as_of.';

CREATE FUNCTION channel.bi_check(ok boolean, message text, detail text, hint text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION '%', message USING ERRCODE = 'invalid_parameter_value', DETAIL = detail, HINT = hint;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.bi_check(boolean, text, text, text) IS
  'Raises invalid_parameter_value with the given message, detail and hint unless ok is true; argument checks of the BI functions.';

---------------------------------------------------------------- scorecard
CREATE FUNCTION channel.partner_scorecard(as_of date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               status channel.partner_status, period_start date, period_end date,
               leads_routed integer, leads_accepted integer, acceptance_rate float8, conversion_rate float8,
               accept_hours_avg float8, deals_registered integer, deals_won integer, deals_lost integer,
               win_rate float8, revenue numeric, revenue_previous numeric, revenue_growth float8,
               peers integer, peer_percentile float8,
               sell_through_lines integer, sell_through_units bigint, sell_through_revenue numeric,
               sell_through_revenue_previous numeric)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(as_of IS NOT NULL AND as_of BETWEEN '2000-01-01' AND '2999-12-31',
    format('as_of must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(as_of::text, 'NULL')),
    'The scorecard covers the 12 calendar months ending with the month of as_of.',
    'Omit it for today: SELECT * FROM channel.partner_scorecard();');
  RETURN QUERY
  WITH w AS (
    SELECT channel.bi_window_start(as_of, 12) AS cur_start,
           channel.bi_window_start(as_of, 24) AS prev_start,
           channel.month_of(as_of) AS cur_end
  ),
  sums AS (
    SELECT t.partner_id, t.leads_routed AS routed, t.leads_accepted AS accepted,
           t.leads_rejected + t.leads_recalled AS declined, t.leads_converted AS converted, t.leads_lost AS lost,
           t.accept_hours_sum AS hours, t.accept_hours_n AS hours_n, t.deals_registered AS registered,
           t.deals_won AS won, t.deals_lost AS dlost, t.won_revenue AS rev, t.won_revenue_previous AS rev_prev,
           t.sell_through_lines AS st_lines, t.sell_through_units AS st_units, t.sell_through_revenue AS st_rev,
           t.sell_through_revenue_previous AS st_rev_prev
    FROM w CROSS JOIN LATERAL channel.scorecard_totals(w.prev_start, w.cur_start, w.cur_end) t
  ),
  card AS (
    SELECT p.partner_id, p.name, p.tier, p.region, p.status,
           coalesce(s.routed, 0)::int AS routed, coalesce(s.accepted, 0)::int AS accepted,
           coalesce(s.accepted, 0)::float8 / nullif(coalesce(s.accepted, 0) + coalesce(s.declined, 0), 0) AS acc_rate,
           coalesce(s.converted, 0)::float8 / nullif(coalesce(s.converted, 0) + coalesce(s.lost, 0), 0) AS conv_rate,
           (s.hours / nullif(s.hours_n, 0))::float8 AS hours_avg,
           coalesce(s.registered, 0)::int AS registered, coalesce(s.won, 0)::int AS won, coalesce(s.dlost, 0)::int AS dlost,
           coalesce(s.won, 0)::float8 / nullif(coalesce(s.won, 0) + coalesce(s.dlost, 0), 0) AS win,
           coalesce(s.rev, 0)::numeric(18,2) AS rev, coalesce(s.rev_prev, 0)::numeric(18,2) AS rev_prev,
           coalesce(s.st_lines, 0)::int AS st_lines, coalesce(s.st_units, 0)::bigint AS st_units,
           coalesce(s.st_rev, 0)::numeric(18,2) AS st_rev, coalesce(s.st_rev_prev, 0)::numeric(18,2) AS st_rev_prev
    FROM channel.partner p
    LEFT JOIN sums s ON s.partner_id = p.partner_id
    WHERE p.status = 'active' OR s.partner_id IS NOT NULL
  ),
  ranked AS (
    -- percentiles are taken among all peers, before a partner caller's filter
    SELECT c.*, (count(*) OVER peer)::int AS n_peers,
           CASE WHEN count(*) OVER peer > 1 THEN 100 * percent_rank() OVER (peer ORDER BY c.rev) END AS pct
    FROM card c
    WINDOW peer AS (PARTITION BY c.tier, c.region)
  )
  SELECT r.partner_id, r.name, r.tier, r.region, r.status, w.cur_start, (w.cur_end + interval '1 month - 1 day')::date,
         r.routed, r.accepted, r.acc_rate, r.conv_rate, r.hours_avg, r.registered, r.won, r.dlost, r.win,
         r.rev, r.rev_prev, ((r.rev - r.rev_prev) / nullif(r.rev_prev, 0))::float8, r.n_peers, r.pct,
         r.st_lines, r.st_units, r.st_rev, r.st_rev_prev
  FROM ranked r CROSS JOIN w
  WHERE me IS NULL OR r.partner_id = me
  ORDER BY r.partner_id;
END
$$;
COMMENT ON FUNCTION channel.partner_scorecard(date) IS
  'Per partner (active ones, and any other with activity in the last 24 months), the 12 calendar months ending with the month of as_of, from channel.partner_month (as of the last refresh): lead acceptance and conversion rates, mean hours to accept, deals, win rate, revenue, growth vs the previous 12 months, percentile among partners of the same tier and region; sell-through lines, units and revenue (what the partner sold, from the published reports) in the 12 months and revenue in the previous 12. A partner caller gets only its own row. See doc/rollups.md for every column.';

---------------------------------------------------------------- funnel
-- The periods of the funnel rollups that make up a window of days: every
-- month the window covers whole (a month row), and for a month it covers
-- in part, whichever of two signed sums reads fewer rows: its part inside
-- the window (+1), or the month row (+1) less its part outside (-1).  A
-- part is laid over the month's weeks (channel.funnel_week_of()), and each
-- week it touches is read as its days in the part, or as the week row less
-- its days not in the part, again whichever is fewer rows.  The costs are
-- in day rows, measured on the benchmark channel (doc/rollups.md): a week's rows
-- are about as many as three days', a month's as five days'.
CREATE FUNCTION channel.funnel_periods(from_date date, to_date date)
RETURNS TABLE (grain text, period date, sign integer)
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
-- the series' default estimates (1,000 rows each) make the plan look
-- costly enough to compile, and compiling it takes seconds: it runs in
-- well under a millisecond
SET jit = off
ROWS 40
AS $$
  WITH m AS (
    SELECT g::date AS ms, (g + interval '1 month - 1 day')::date AS me
    FROM pg_catalog.generate_series(pg_catalog.date_trunc('month', from_date::timestamp), to_date::timestamp,
                                    interval '1 month') g
  ),
  c AS (  -- each month with its part in the window, a..b
    SELECT m.ms, m.me, greatest(from_date, m.ms) AS a, least(to_date, m.me) AS b,
           greatest(from_date, m.ms) = m.ms AND least(to_date, m.me) = m.me AS whole
    FROM m
  ),
  w AS (  -- the weeks of the months covered in part: days in the part, and not
    SELECT c.ms, c.a, c.b, s.ws, s.we,
           greatest(0, least(s.we, c.b) - greatest(s.ws, c.a) + 1) AS din,
           (s.we - s.ws + 1) - greatest(0, least(s.we, c.b) - greatest(s.ws, c.a) + 1) AS dout
    FROM c
    CROSS JOIN LATERAL (
      SELECT g::date AS ws,
             least((pg_catalog.date_trunc('week', g) + interval '6 days')::date, c.me) AS we
      FROM pg_catalog.generate_series(c.ms::timestamp, c.me::timestamp, interval '1 day') g
      WHERE g::date = c.ms OR extract(isodow FROM g) = 1
    ) s
    WHERE NOT c.whole
  ),
  k AS (  -- per such month: the cost of the part inside, and of the month less the part outside
    SELECT w.ms,
           sum(CASE WHEN w.din = 0 THEN 0 ELSE least(w.din, 3 + w.dout) END) AS cost_in,
           5 + sum(CASE WHEN w.dout = 0 THEN 0 ELSE least(w.dout, 3 + w.din) END) AS cost_out
    FROM w GROUP BY w.ms
  ),
  plan AS (  -- per week, the signs of its week row, of its days in the part and of those out
    SELECT w.*,
           CASE WHEN k.cost_out < k.cost_in THEN
                  CASE WHEN w.dout = 0 THEN 0 WHEN w.dout <= 3 + w.din THEN 0 ELSE -1 END
                ELSE
                  CASE WHEN w.din = 0 THEN 0 WHEN w.din <= 3 + w.dout THEN 0 ELSE 1 END
           END AS week_sign,
           k.cost_out < k.cost_in AS by_complement
    FROM w JOIN k ON k.ms = w.ms
  )
  SELECT 'month', c.ms, 1 FROM c
  WHERE c.whole OR c.ms IN (SELECT k.ms FROM k WHERE k.cost_out < k.cost_in)
  UNION ALL
  SELECT 'week', p.ws, p.week_sign FROM plan p WHERE p.week_sign <> 0
  UNION ALL
  -- days in the part: added when read as days (not by complement) or when
  -- the week row was taken away; days out: taken away when read as days
  -- (by complement) or when the week row was added
  SELECT 'day', g::date, CASE WHEN g::date BETWEEN p.a AND p.b THEN 1 ELSE -1 END
  FROM plan p
  CROSS JOIN LATERAL pg_catalog.generate_series(p.ws::timestamp, p.we::timestamp, interval '1 day') g
  WHERE CASE WHEN g::date BETWEEN p.a AND p.b
             THEN (p.week_sign = 0 AND NOT p.by_complement) OR p.week_sign = -1
             ELSE (p.week_sign = 0 AND p.by_complement) OR p.week_sign = 1 END
  ORDER BY 1, 2
$$;
COMMENT ON FUNCTION channel.funnel_periods(date, date) IS
  'The funnel rollup periods whose signed sum is the window from from_date to to_date (UTC days, both included): grain month for the months it covers whole; for a month it covers in part, its weeks and days inside (sign 1), or the month less its weeks and days outside (sign -1), each week read as its row or as its days, whichever are fewer rows. Weeks are weeks of a month (channel.funnel_week_of()).';

CREATE FUNCTION channel.lead_funnel(from_date date, to_date date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, leads_routed integer, leads_accepted integer,
               leads_rejected integer, leads_recalled integer, leads_converted integer, leads_lost integer,
               deals_registered integer, deals_won integer, won_revenue numeric,
               acceptance_rate float8, conversion_rate float8, win_rate float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  lo timestamptz;
  hi timestamptz;
  plus_months date[];
  plus_weeks date[];
  minus_weeks date[];
  plus_days date[];
  minus_days date[];
  q_months date[];
  q_partners bigint[];
BEGIN
  PERFORM channel.bi_check(from_date IS NOT NULL AND to_date IS NOT NULL,
    'from_date and to_date must not be NULL',
    'The funnel counts what happened between the two dates, both included.',
    'For the last quarter: SELECT * FROM channel.lead_funnel(current_date - 90, current_date);');
  PERFORM channel.bi_check(from_date BETWEEN '2000-01-01' AND '2999-12-31' AND to_date BETWEEN '2000-01-01' AND '2999-12-31',
    format('from_date and to_date must be dates between 2000-01-01 and 2999-12-31, got %s and %s', from_date, to_date),
    'The funnel counts what happened between the two dates, both included.',
    'For the last quarter: SELECT * FROM channel.lead_funnel(current_date - 90, current_date);');
  PERFORM channel.bi_check(from_date <= to_date,
    format('from_date %s is after to_date %s', from_date, to_date),
    'The window runs from from_date to to_date, both included.',
    'Swap the two dates.');
  PERFORM channel.bi_check(to_date - from_date <= 3660,
    format('the window from %s to %s is longer than ten years', from_date, to_date),
    'The funnel reads day and month rollups; windows are limited to 3660 days.',
    'Use channel.partner_month for long-range trends.');
  lo := from_date::timestamp AT TIME ZONE 'UTC';
  hi := (to_date + 1)::timestamp AT TIME ZONE 'UTC';
  SELECT array_agg(p.period) FILTER (WHERE p.grain = 'month'),
         array_agg(p.period) FILTER (WHERE p.grain = 'week' AND p.sign > 0),
         array_agg(p.period) FILTER (WHERE p.grain = 'week' AND p.sign < 0),
         array_agg(p.period) FILTER (WHERE p.grain = 'day' AND p.sign > 0),
         array_agg(p.period) FILTER (WHERE p.grain = 'day' AND p.sign < 0)
  INTO plus_months, plus_weeks, minus_weeks, plus_days, minus_days
  FROM channel.funnel_periods(from_date, to_date) p;
  -- Partner-months queued since the last refresh are read from the base
  -- tables instead of the rollups, so the funnel is always current: the
  -- queue and the rollups are read in one snapshot, and a writer commits
  -- its change and its mark together.
  SELECT array_agg(q.partner_id), array_agg(q.month)
  INTO q_partners, q_months
  FROM (SELECT DISTINCT d.partner_id, d.month FROM channel.partner_month_dirty d
        WHERE d.month >= channel.month_of(from_date) AND d.month <= to_date) q;
  RETURN QUERY
  WITH rolled AS (
    -- the rollups' rows of the periods, but the queued partner-months'
    SELECT t.* FROM channel.funnel_totals(plus_months, plus_weeks, minus_weeks, plus_days, minus_days,
                                          q_partners, q_months, me) t
  ),
  queued AS (
    SELECT f.partner_id, f.product_line, count(*) AS facts, sum(f.routed) AS routed,
           sum(f.accepted) AS accepted, sum(f.rejected) AS rejected, sum(f.recalled) AS recalled,
           sum(f.converted) AS converted, sum(f.lost) AS lost, sum(f.registered) AS registered,
           sum(f.won) AS won, sum(f.deal_lost) AS deal_lost, sum(f.won_amount) AS won_amount
    FROM channel.partner_month_fact f
    JOIN unnest(q_partners, q_months) AS q(partner_id, month) ON q.partner_id = f.partner_id AND q.month = f.month
    WHERE q_months IS NOT NULL
      AND f.month = ANY (q_months) AND f.partner_id = ANY (q_partners)
      AND f.at >= lo AND f.at < hi
      AND f.open_amount = 0     -- open registrations are pipeline, not funnel
      AND (me IS NULL OR f.partner_id = me)
    GROUP BY f.partner_id, f.product_line
  ),
  g AS (
    SELECT coalesce(r.partner_id, b.partner_id) AS partner_id, coalesce(r.product_line, b.product_line) AS product_line,
           (coalesce(r.leads_routed, 0) + coalesce(b.routed, 0))::int AS routed,
           (coalesce(r.leads_accepted, 0) + coalesce(b.accepted, 0))::int AS accepted,
           (coalesce(r.leads_rejected, 0) + coalesce(b.rejected, 0))::int AS rejected,
           (coalesce(r.leads_recalled, 0) + coalesce(b.recalled, 0))::int AS recalled,
           (coalesce(r.leads_converted, 0) + coalesce(b.converted, 0))::int AS converted,
           (coalesce(r.leads_lost, 0) + coalesce(b.lost, 0))::int AS lost,
           (coalesce(r.deals_registered, 0) + coalesce(b.registered, 0))::int AS registered,
           (coalesce(r.deals_won, 0) + coalesce(b.won, 0))::int AS won,
           (coalesce(r.deals_lost, 0) + coalesce(b.deal_lost, 0))::int AS deal_lost,
           (coalesce(r.won_revenue, 0) + coalesce(b.won_amount, 0))::numeric(18,2) AS won_amount
    FROM rolled r
    FULL JOIN queued b ON b.partner_id = r.partner_id AND b.product_line = r.product_line
    WHERE coalesce(r.facts, 0) + coalesce(b.facts, 0) > 0
  )
  SELECT g.partner_id, p.name, p.tier, p.region, g.product_line,
         g.routed, g.accepted, g.rejected, g.recalled, g.converted, g.lost, g.registered, g.won, g.won_amount,
         g.accepted::float8 / nullif(g.accepted + g.rejected + g.recalled, 0),
         g.converted::float8 / nullif(g.converted + g.lost, 0),
         g.won::float8 / nullif(g.won + g.deal_lost, 0)
  FROM g
  JOIN channel.partner p ON p.partner_id = g.partner_id
  ORDER BY g.partner_id, g.product_line;
END
$$;
COMMENT ON FUNCTION channel.lead_funnel(date, date) IS
  'Lead funnel per partner and product line (with tier and region) for what happened from from_date to to_date (UTC days, both included): routings, acceptances, rejections, recalls, conversions, losses, registrations and wins, with rates. Read from the day, week and month funnel rollups, and from the base tables for the partner-months changed since the last refresh, so always current. A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- pipeline
-- Stage weights: the chance an open registration in that stage is won.
-- (Not STRICT, so that it is inlined into the per-registration queries of
-- the forecast; a NULL stage gets 0.)
CREATE FUNCTION channel.pipeline_stage_weight(status channel.deal_status) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE status WHEN 'approved' THEN 0.6 WHEN 'submitted' THEN 0.3 WHEN 'conflict' THEN 0.1 ELSE 0 END;
COMMENT ON FUNCTION channel.pipeline_stage_weight(channel.deal_status) IS
  'Probability of winning assumed for an open registration by stage: approved 0.6, submitted 0.3, conflict 0.1 (closed stages 0).';

CREATE FUNCTION channel.pipeline(quarter date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, expected_close_month date, open_deals integer,
               open_amount numeric, weighted_amount numeric, weighting text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  q_start date;
  model jsonb := channel.forecast_model_json();
BEGIN
  PERFORM channel.bi_check(quarter IS NOT NULL AND quarter BETWEEN '2000-01-01' AND '2999-12-31',
    format('quarter must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(quarter::text, 'NULL')),
    'Any date of the quarter selects it: 2026-08-15 means July to September 2026.',
    'Omit it for the current quarter: SELECT * FROM channel.pipeline();');
  q_start := pg_catalog.date_trunc('quarter', quarter::timestamp)::date;
  -- summed in C as the registrations are read (channel.forecast_totals,
  -- 34_forecast.sql): count, amount, and each registration's amount
  -- weighted by its learned probability of being won before the end of the
  -- quarter -- or, until channel.train_forecast() has run, by the fixed
  -- stage weights (staged: each stage's amounts times its weight) -- per
  -- partner, line and month of expected close, as SQL would group them
  -- (sql/33_bi_speed compares both with their SQL definitions)
  RETURN QUERY
  SELECT g.partner_id, p.name, p.tier, p.region, g.product_line, g.close_month, g.open_deals, g.open_amount,
         round(CASE WHEN model IS NULL THEN g.staged ELSE g.expected END, 2),
         CASE WHEN model IS NULL THEN 'stage' ELSE 'forecast' END
  FROM channel.forecast_totals(model, q_start, (q_start + interval '3 months')::date, now(),
                               (now() AT TIME ZONE 'UTC')::date, (q_start + interval '3 months')::date,
                               ((q_start + interval '3 months') + interval '3 months')::date,
                               channel.forecast_horizon(now(), (q_start + interval '3 months')::timestamp AT TIME ZONE 'UTC'),
                               true, false, NULL, NULL, me) g
  LEFT JOIN channel.partner p ON p.partner_id = g.partner_id
  -- ord: the order of partner_id NULLS LAST, product_line, close_month,
  -- numbered by forecast_totals, which writes its rows so
  ORDER BY g.ord;
END
$$;
COMMENT ON FUNCTION channel.pipeline(date) IS
  'Open registrations (submitted, approved, conflict) expected to close in the calendar quarter of the given date, per partner (NULL = direct sales), product line and month of expected close: count, value, and value weighted by each one''s learned probability of being won before the quarter ends (weighting forecast: channel.forecast_deals() explains it), or by the fixed stage weights (channel.pipeline_stage_weight) while the forecast model is not trained (weighting stage). A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- inactive
CREATE FUNCTION channel.inactive_partners(days integer DEFAULT 180)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               status channel.partner_status, last_lead_accepted timestamptz, last_deal_registered timestamptz,
               last_sale timestamptz, last_activity timestamptz, inactive_days integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
SET jit = off
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  q_months date[];
  q_partners bigint[];
BEGIN
  PERFORM channel.bi_check(days IS NOT NULL AND days BETWEEN 1 AND 36500,
    format('days must be between 1 and 36500, got %s', coalesce(days::text, 'NULL')),
    'A partner is inactive when it has not accepted a lead, registered a deal or won one in that many days.',
    'The default is 180 days: SELECT * FROM channel.inactive_partners();');
  -- The last activities per month are in channel.partner_month; the
  -- partner-months queued since the last refresh are read from the base
  -- tables instead (as in lead_funnel), so the answer is always current.
  SELECT array_agg(DISTINCT q.month), array_agg(DISTINCT q.partner_id)
  INTO q_months, q_partners
  FROM channel.partner_month_dirty q;
  RETURN QUERY
  WITH q AS (SELECT DISTINCT d.partner_id, d.month FROM channel.partner_month_dirty d),
       last AS (
         SELECT pm.partner_id, pm.last_lead_accepted AS l_at, pm.last_deal_registered AS r_at, pm.last_sale AS s_at
         FROM channel.partner_month pm
         WHERE (pm.last_lead_accepted IS NOT NULL OR pm.last_deal_registered IS NOT NULL OR pm.last_sale IS NOT NULL)
           AND (q_months IS NULL OR NOT EXISTS (SELECT 1 FROM q WHERE q.partner_id = pm.partner_id AND q.month = pm.month))
         UNION ALL
         SELECT f.partner_id, max(f.at) FILTER (WHERE f.accepted = 1), max(f.at) FILTER (WHERE f.registered = 1),
                max(f.at) FILTER (WHERE f.won = 1)
         FROM channel.partner_month_fact f
         WHERE q_months IS NOT NULL
           AND f.month = ANY (q_months) AND f.partner_id = ANY (q_partners)
           AND EXISTS (SELECT 1 FROM q WHERE q.partner_id = f.partner_id AND q.month = f.month)
         GROUP BY f.partner_id
       ),
       m AS (SELECT x.partner_id, max(x.l_at) AS l_at, max(x.r_at) AS r_at, max(x.s_at) AS s_at
             FROM last x GROUP BY x.partner_id),
       a AS (SELECT p.partner_id, p.name, p.tier, p.region, p.status, p.created_at,
                    m.l_at, m.r_at, m.s_at,
                    greatest(m.l_at, m.r_at, m.s_at) AS last_at
             FROM channel.partner p
             LEFT JOIN m ON m.partner_id = p.partner_id
             WHERE p.status NOT IN ('prospect', 'terminated'))
  SELECT a.partner_id, a.name, a.tier, a.region, a.status, a.l_at, a.r_at, a.s_at, a.last_at,
         floor(extract(epoch FROM now() - coalesce(a.last_at, a.created_at)) / 86400)::int
  FROM a
  WHERE coalesce(a.last_at, '-infinity') < now() - make_interval(days => days)
    AND (me IS NULL OR a.partner_id = me)
  ORDER BY 10 DESC, a.partner_id;
END
$$;
COMMENT ON FUNCTION channel.inactive_partners(integer) IS
  'Partners (other than prospects and terminated ones) that have not accepted a lead, registered a deal or won one in the last days days, with the date of each last activity and how long they have been inactive (since the last activity, or since joining if never active). Read from channel.partner_month, and from the base tables for the partner-months changed since the last refresh, so always current. See doc/rollups.md.';

---------------------------------------------------------------- 80/20
CREATE FUNCTION channel.top_partners(share float8 DEFAULT 0.8, as_of date DEFAULT current_date)
RETURNS TABLE (rank integer, partner_id bigint, partner_name text, tier channel.partner_tier,
               region channel.region_code, revenue numeric, revenue_share float8, cumulative_share float8,
               partners_with_revenue integer, partners_share float8)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(share > 0 AND share <= 1,
    format('share must be greater than 0 and at most 1, got %s', coalesce(share::text, 'NULL')),
    'share is the fraction of revenue the smallest set of partners should make (0.8 for the 80/20 view).',
    'Pass a fraction, e.g. 0.8, not a percentage.');
  PERFORM channel.bi_check(as_of IS NOT NULL AND as_of BETWEEN '2000-01-01' AND '2999-12-31',
    format('as_of must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(as_of::text, 'NULL')),
    'Revenue is summed over the 12 calendar months ending with the month of as_of.',
    'Omit it for today: SELECT * FROM channel.top_partners(0.8);');
  RETURN QUERY
  WITH rev AS (
    SELECT pm.partner_id, sum(pm.won_revenue) AS revenue
    FROM channel.partner_month pm
    WHERE pm.month >= channel.bi_window_start(as_of, 12) AND pm.month <= channel.month_of(as_of)
    GROUP BY pm.partner_id
    HAVING sum(pm.won_revenue) > 0
  ),
  ranked AS (
    SELECT r.partner_id, r.revenue,
           row_number() OVER (ORDER BY r.revenue DESC, r.partner_id) AS rn,
           r.revenue / sum(r.revenue) OVER () AS part,
           sum(r.revenue) OVER (ORDER BY r.revenue DESC, r.partner_id) / sum(r.revenue) OVER () AS cum,
           count(*) OVER () AS n
    FROM rev r
  ),
  chosen AS (
    -- a partner belongs to the set when the partners before it make less than share
    SELECT x.* FROM ranked x WHERE x.cum - x.part < share
  )
  SELECT c.rn::int, c.partner_id, p.name, p.tier, p.region, c.revenue, c.part::float8, c.cum::float8,
         c.n::int, ((SELECT count(*) FROM chosen)::float8 / c.n)
  FROM chosen c JOIN channel.partner p ON p.partner_id = c.partner_id
  WHERE me IS NULL OR c.partner_id = me
  ORDER BY c.rn;
END
$$;
COMMENT ON FUNCTION channel.top_partners(double precision, date) IS
  'The 80/20 view: the smallest set of partners, largest first, whose won revenue over the 12 calendar months ending with the month of as_of (from channel.partner_month, as of the last refresh) makes at least share of the total, with each one''s share, the running share, how many partners had revenue and what fraction of them the set is. See doc/rollups.md.';
