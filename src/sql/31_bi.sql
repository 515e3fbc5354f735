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
               peers integer, peer_percentile float8)
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
    SELECT pm.partner_id,
           sum(pm.leads_routed) FILTER (WHERE pm.month >= w.cur_start)::int AS routed,
           sum(pm.leads_accepted) FILTER (WHERE pm.month >= w.cur_start)::int AS accepted,
           sum(pm.leads_rejected + pm.leads_recalled) FILTER (WHERE pm.month >= w.cur_start)::int AS declined,
           sum(pm.leads_converted) FILTER (WHERE pm.month >= w.cur_start)::int AS converted,
           sum(pm.leads_lost) FILTER (WHERE pm.month >= w.cur_start)::int AS lost,
           sum(pm.accept_hours_sum) FILTER (WHERE pm.month >= w.cur_start) AS hours,
           sum(pm.accept_hours_n) FILTER (WHERE pm.month >= w.cur_start)::int AS hours_n,
           sum(pm.deals_registered) FILTER (WHERE pm.month >= w.cur_start)::int AS registered,
           sum(pm.deals_won) FILTER (WHERE pm.month >= w.cur_start)::int AS won,
           sum(pm.deals_lost) FILTER (WHERE pm.month >= w.cur_start)::int AS dlost,
           sum(pm.won_revenue) FILTER (WHERE pm.month >= w.cur_start) AS rev,
           sum(pm.won_revenue) FILTER (WHERE pm.month < w.cur_start) AS rev_prev
    FROM channel.partner_month pm CROSS JOIN w
    WHERE pm.month >= w.prev_start AND pm.month <= w.cur_end
    GROUP BY pm.partner_id
  ),
  card AS (
    SELECT p.partner_id, p.name, p.tier, p.region, p.status,
           coalesce(s.routed, 0) AS routed, coalesce(s.accepted, 0) AS accepted,
           coalesce(s.accepted, 0)::float8 / nullif(coalesce(s.accepted, 0) + coalesce(s.declined, 0), 0) AS acc_rate,
           coalesce(s.converted, 0)::float8 / nullif(coalesce(s.converted, 0) + coalesce(s.lost, 0), 0) AS conv_rate,
           (s.hours / nullif(s.hours_n, 0))::float8 AS hours_avg,
           coalesce(s.registered, 0) AS registered, coalesce(s.won, 0) AS won, coalesce(s.dlost, 0) AS dlost,
           coalesce(s.won, 0)::float8 / nullif(coalesce(s.won, 0) + coalesce(s.dlost, 0), 0) AS win,
           coalesce(s.rev, 0)::numeric(18,2) AS rev, coalesce(s.rev_prev, 0)::numeric(18,2) AS rev_prev
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
         r.rev, r.rev_prev, ((r.rev - r.rev_prev) / nullif(r.rev_prev, 0))::float8, r.n_peers, r.pct
  FROM ranked r CROSS JOIN w
  WHERE me IS NULL OR r.partner_id = me
  ORDER BY r.partner_id;
END
$$;
COMMENT ON FUNCTION channel.partner_scorecard(date) IS
  'Per partner (active ones, and any other with activity in the last 24 months), the 12 calendar months ending with the month of as_of, from channel.partner_month (as of the last refresh): lead acceptance and conversion rates, mean hours to accept, deals, win rate, revenue, growth vs the previous 12 months, percentile among partners of the same tier and region. A partner caller gets only its own row. See doc/rollups.md for every column.';

---------------------------------------------------------------- funnel
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
    'The funnel reads the base tables; windows are limited to 3660 days.',
    'Use channel.partner_month for long-range trends.');
  lo := from_date::timestamp AT TIME ZONE 'UTC';
  hi := (to_date + 1)::timestamp AT TIME ZONE 'UTC';
  RETURN QUERY
  SELECT f.partner_id, p.name, p.tier, p.region, f.product_line::channel.product_code,
         sum(f.routed)::int, sum(f.accepted)::int, sum(f.rejected)::int, sum(f.recalled)::int,
         sum(f.converted)::int, sum(f.lost)::int, sum(f.registered)::int, sum(f.won)::int,
         sum(f.won_amount)::numeric(18,2),
         sum(f.accepted)::float8 / nullif(sum(f.accepted + f.rejected + f.recalled), 0),
         sum(f.converted)::float8 / nullif(sum(f.converted + f.lost), 0),
         sum(f.won)::float8 / nullif(sum(f.won + f.deal_lost), 0)
  FROM channel.partner_month_fact f
  JOIN channel.partner p ON p.partner_id = f.partner_id
  WHERE f.at >= lo AND f.at < hi
    AND f.open_amount = 0     -- open registrations are pipeline, not funnel
    AND (me IS NULL OR f.partner_id = me)
  GROUP BY f.partner_id, p.name, p.tier, p.region, f.product_line
  ORDER BY f.partner_id, f.product_line;
END
$$;
COMMENT ON FUNCTION channel.lead_funnel(date, date) IS
  'Lead funnel per partner and product line (with tier and region) for what happened from from_date to to_date (UTC days, both included): routings, acceptances, rejections, recalls, conversions, losses, registrations and wins, with rates. Read from the base tables (always current). A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- pipeline
-- Stage weights: the chance an open registration in that stage is won.
CREATE FUNCTION channel.pipeline_stage_weight(status channel.deal_status) RETURNS float8
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN CASE status WHEN 'approved' THEN 0.6 WHEN 'submitted' THEN 0.3 WHEN 'conflict' THEN 0.1 ELSE 0 END;
COMMENT ON FUNCTION channel.pipeline_stage_weight(channel.deal_status) IS
  'Probability of winning assumed for an open registration by stage: approved 0.6, submitted 0.3, conflict 0.1 (closed stages 0).';

CREATE FUNCTION channel.pipeline(quarter date DEFAULT current_date)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               product_line channel.product_code, expected_close_month date, open_deals integer,
               open_amount numeric, weighted_amount numeric, weighting text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
  q_start date;
  by_lead boolean := pg_catalog.to_regprocedure('channel.lead_win_probability(channel.lead)') IS NOT NULL;
BEGIN
  PERFORM channel.bi_check(quarter IS NOT NULL AND quarter BETWEEN '2000-01-01' AND '2999-12-31',
    format('quarter must be a date between 2000-01-01 and 2999-12-31, got %s', coalesce(quarter::text, 'NULL')),
    'Any date of the quarter selects it: 2026-08-15 means July to September 2026.',
    'Omit it for the current quarter: SELECT * FROM channel.pipeline();');
  q_start := pg_catalog.date_trunc('quarter', quarter::timestamp)::date;
  -- lead_win_probability comes from the lead-scoring module when it is
  -- installed; it is looked up at run time so this works without it
  RETURN QUERY EXECUTE format($q$
    SELECT d.partner_id, p.name, p.tier, p.region, d.product_line::channel.product_code,
           channel.month_of(d.expected_close), count(*)::int, sum(d.amount)::numeric,
           round(sum(d.amount * w.weight)::numeric, 2),
           CASE WHEN bool_or(w.by_lead) THEN 'lead_win_probability' ELSE 'stage' END
    FROM channel.deal d
    LEFT JOIN channel.partner p ON p.partner_id = d.partner_id
    LEFT JOIN channel.lead l ON l.lead_id = d.lead_id
    CROSS JOIN LATERAL (
      SELECT coalesce(%s, channel.pipeline_stage_weight(d.status)) AS weight, %s AS by_lead
    ) w
    WHERE d.status IN ('submitted', 'approved', 'conflict')
      AND d.expected_close >= $1 AND d.expected_close < ($1 + interval '3 months')::date
      AND ($2::bigint IS NULL OR d.partner_id = $2)
    GROUP BY d.partner_id, p.name, p.tier, p.region, d.product_line, channel.month_of(d.expected_close)
    ORDER BY d.partner_id NULLS LAST, d.product_line, channel.month_of(d.expected_close)$q$,
    CASE WHEN by_lead THEN 'CASE WHEN l.lead_id IS NOT NULL THEN least(greatest(channel.lead_win_probability(l), 0), 1) END'
         ELSE 'NULL::float8' END,
    CASE WHEN by_lead THEN 'l.lead_id IS NOT NULL' ELSE 'false' END)
  USING q_start, me;
END
$$;
COMMENT ON FUNCTION channel.pipeline(date) IS
  'Open registrations (submitted, approved, conflict) expected to close in the calendar quarter of the given date, per partner (NULL = direct sales), product line and month of expected close: count, value, and value weighted by channel.lead_win_probability(lead) for deals from a lead when that function is installed, else by stage (channel.pipeline_stage_weight). A partner caller gets only its own rows. See doc/rollups.md.';

---------------------------------------------------------------- inactive
CREATE FUNCTION channel.inactive_partners(days integer DEFAULT 180)
RETURNS TABLE (partner_id bigint, partner_name text, tier channel.partner_tier, region channel.region_code,
               status channel.partner_status, last_lead_accepted timestamptz, last_deal_registered timestamptz,
               last_sale timestamptz, last_activity timestamptz, inactive_days integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();   -- once, not per row
BEGIN
  PERFORM channel.bi_check(days IS NOT NULL AND days BETWEEN 1 AND 36500,
    format('days must be between 1 and 36500, got %s', coalesce(days::text, 'NULL')),
    'A partner is inactive when it has not accepted a lead, registered a deal or won one in that many days.',
    'The default is 180 days: SELECT * FROM channel.inactive_partners();');
  RETURN QUERY
  WITH l AS (SELECT x.partner_id, max(x.accepted_at) AS at FROM channel.lead x
             WHERE x.partner_id IS NOT NULL AND x.accepted_at IS NOT NULL GROUP BY x.partner_id),
       r AS (SELECT x.partner_id, max(x.submitted_at) AS at FROM channel.deal x
             WHERE x.partner_id IS NOT NULL GROUP BY x.partner_id),
       s AS (SELECT x.partner_id, max(x.closed_at) AS at FROM channel.deal x
             WHERE x.partner_id IS NOT NULL AND x.status = 'won' GROUP BY x.partner_id),
       a AS (SELECT p.partner_id, p.name, p.tier, p.region, p.status, p.created_at,
                    l.at AS l_at, r.at AS r_at, s.at AS s_at,
                    greatest(l.at, r.at, s.at) AS last_at
             FROM channel.partner p
             LEFT JOIN l ON l.partner_id = p.partner_id
             LEFT JOIN r ON r.partner_id = p.partner_id
             LEFT JOIN s ON s.partner_id = p.partner_id
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
  'Partners (other than prospects and terminated ones) that have not accepted a lead, registered a deal or won one in the last days days, with the date of each last activity and how long they have been inactive (since the last activity, or since joining if never active). Read from the base tables. See doc/rollups.md.';

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
