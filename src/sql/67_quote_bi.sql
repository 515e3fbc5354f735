-- 67_quote_bi.sql: the deal desk's BI -- discount given against the
-- schedule per partner (who discounts most), approval times per level, and
-- quote-to-win (doc/deal-desk.md).
--
-- Like the other BI functions (31_bi.sql, 63_channel_data_bi.sql) each is
-- STABLE and SECURITY DEFINER: a partner gets its own rows only, the vendor
-- and analysts every partner's.  Money is summed per currency, never across.

-- Discount given vs schedule: the lines of every quote revision that was
-- given to the customer (approved, accepted, or lost or expired after its
-- approval: the current revision with a decision time) priced in the period.
CREATE FUNCTION channel.discount_vs_schedule(from_date date DEFAULT NULL, to_date date DEFAULT NULL)
RETURNS TABLE (partner_id bigint, partner_name text, currency text, quotes bigint, lines bigint,
               list_value numeric, schedule_value numeric, quoted_value numeric,
               schedule_pct numeric, given_pct numeric, extra_points numeric, lines_above_schedule bigint,
               rank_in_currency bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH me AS (SELECT channel.current_partner() AS id),
  l AS (
    SELECT q.partner_id, q.currency, q.quote_id, ql.quantity * ql.list_price AS list_value,
           ql.quantity * ql.list_price * (100 - ql.schedule_discount) / 100 AS schedule_value,
           ql.line_total AS quoted_value,
           coalesce(ql.requested_discount, ql.schedule_discount) > ql.schedule_discount AS above
    FROM channel.quote q
    JOIN channel.quote_line ql ON ql.quote_id = q.quote_id AND ql.revision = q.revision
    CROSS JOIN me
    WHERE q.decided_at IS NOT NULL AND q.status IN ('approved', 'accepted', 'lost', 'expired')
      AND (from_date IS NULL OR q.quoted_on >= from_date) AND (to_date IS NULL OR q.quoted_on < to_date)
      AND (me.id IS NULL OR q.partner_id = me.id)
  ), agg AS (
    SELECT l.partner_id, l.currency, count(DISTINCT l.quote_id) AS quotes, count(*) AS lines,
           sum(l.list_value) AS list_value, sum(l.schedule_value) AS schedule_value, sum(l.quoted_value) AS quoted_value,
           count(*) FILTER (WHERE l.above) AS lines_above_schedule
    FROM l GROUP BY l.partner_id, l.currency
  )
  SELECT a.partner_id, p.name, a.currency::text, a.quotes, a.lines,
         round(a.list_value, 2), round(a.schedule_value, 2), round(a.quoted_value, 2),
         round(100 * (1 - a.schedule_value / nullif(a.list_value, 0)), 2),
         round(100 * (1 - a.quoted_value / nullif(a.list_value, 0)), 2),
         round(100 * (a.schedule_value - a.quoted_value) / nullif(a.list_value, 0), 2),
         a.lines_above_schedule,
         rank() OVER (PARTITION BY a.currency
                      ORDER BY round(100 * (a.schedule_value - a.quoted_value) / nullif(a.list_value, 0), 2) DESC NULLS LAST)
  FROM agg a JOIN channel.partner p ON p.partner_id = a.partner_id
  ORDER BY a.currency, 13, a.partner_id
$$;
COMMENT ON FUNCTION channel.discount_vs_schedule(date, date) IS
  'Discount given against the schedule per partner and currency, over the lines of quotes given to customers (approved, then accepted, lost or expired) priced in [from_date, to_date) (NULL: unbounded): list, scheduled and quoted value, the weighted scheduled and given discount in percent, the extra points given (schedule - quoted, over list), lines above schedule, and the rank in the currency (1 discounts most). A partner sees its own.';

-- Approval times per level, from the audit: each time a request reaches a
-- level (requested or escalated) until its next step there.
CREATE FUNCTION channel.approval_times(from_ts timestamptz DEFAULT NULL, to_ts timestamptz DEFAULT NULL)
RETURNS TABLE (level integer, level_name text, reached bigint, approved bigint, rejected bigint, escalated bigint,
               withdrawn bigint, pending bigint, median_hours numeric, p90_hours numeric, max_hours numeric,
               decided_in_time_pct numeric)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH me AS (SELECT channel.current_partner() AS id),
  steps AS (
    SELECT d.request_id, d.action, d.level, d.at,
           lead(d.action) OVER w AS next_action, lead(d.at) OVER w AS next_at
    FROM channel.pricing_decision d CROSS JOIN me
    WHERE me.id IS NULL OR d.partner_id = me.id
    WINDOW w AS (PARTITION BY d.request_id ORDER BY d.at, d.decision_id)
  ), stays AS (
    SELECT s.level, s.next_action, extract(epoch FROM s.next_at - s.at) / 3600 AS hours
    FROM steps s
    WHERE s.action IN ('requested', 'escalated')
      AND (from_ts IS NULL OR s.at >= from_ts) AND (to_ts IS NULL OR s.at < to_ts)
  )
  SELECT a.level, a.name, count(s.level),
         count(*) FILTER (WHERE s.next_action = 'approved'), count(*) FILTER (WHERE s.next_action = 'rejected'),
         count(*) FILTER (WHERE s.next_action = 'escalated'), count(*) FILTER (WHERE s.next_action = 'withdrawn'),
         count(*) FILTER (WHERE s.level IS NOT NULL AND s.next_action IS NULL),
         round((percentile_cont(0.5) WITHIN GROUP (ORDER BY s.hours) FILTER (WHERE s.next_action IN ('approved', 'rejected')))::numeric, 2),
         round((percentile_cont(0.9) WITHIN GROUP (ORDER BY s.hours) FILTER (WHERE s.next_action IN ('approved', 'rejected')))::numeric, 2),
         round((max(s.hours) FILTER (WHERE s.next_action IN ('approved', 'rejected')))::numeric, 2),
         round(100.0 * count(*) FILTER (WHERE s.next_action IN ('approved', 'rejected')
                                          AND s.hours <= extract(epoch FROM a.response_time) / 3600)
               / nullif(count(*) FILTER (WHERE s.next_action IN ('approved', 'rejected', 'escalated')), 0), 1)
  FROM channel.approval_level a
  LEFT JOIN stays s ON s.level = a.level
  GROUP BY a.level, a.name, a.response_time
  ORDER BY a.level
$$;
COMMENT ON FUNCTION channel.approval_times(timestamptz, timestamptz) IS
  'Approval times per level, from the special pricing audit: how often requests reached the level in [from_ts, to_ts) and what came next there (approved, rejected, escalated, withdrawn, still pending), the median, 90th percentile and longest hours to a decision, and the share decided within the level''s response time (of those decided or escalated). A partner sees its own requests.';

-- Quote-to-win per partner: the registrations quoted in the period, how
-- their quotes ended and how many of those registrations were won.
CREATE FUNCTION channel.quote_to_win(from_date date DEFAULT NULL, to_date date DEFAULT NULL)
RETURNS TABLE (partner_id bigint, partner_name text, quotes bigint, approved bigint, accepted bigint, lost bigint,
               expired bigint, open bigint, deals_quoted bigint, deals_won bigint, deals_lost bigint,
               acceptance_pct numeric, quote_to_win_pct numeric)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH me AS (SELECT channel.current_partner() AS id),
  q AS (
    SELECT x.* FROM channel.quote x CROSS JOIN me
    WHERE (from_date IS NULL OR (x.created_at AT TIME ZONE 'UTC')::date >= from_date)
      AND (to_date IS NULL OR (x.created_at AT TIME ZONE 'UTC')::date < to_date)
      AND (me.id IS NULL OR x.partner_id = me.id)
  ), per_partner AS (
    SELECT q.partner_id, count(*) AS quotes,
           count(*) FILTER (WHERE q.decided_at IS NOT NULL) AS approved,
           count(*) FILTER (WHERE q.status = 'accepted') AS accepted,
           count(*) FILTER (WHERE q.status = 'lost') AS lost,
           count(*) FILTER (WHERE q.status = 'expired') AS expired,
           count(*) FILTER (WHERE q.status IN ('draft', 'submitted', 'approved')) AS open
    FROM q GROUP BY q.partner_id
  ), deals AS (
    SELECT d.partner_id, count(*) AS quoted, count(*) FILTER (WHERE d.status = 'won') AS won,
           count(*) FILTER (WHERE d.status IN ('lost', 'expired', 'rejected')) AS not_won
    FROM channel.deal d WHERE d.deal_id IN (SELECT q.deal_id FROM q)
    GROUP BY d.partner_id
  )
  SELECT pp.partner_id, p.name, pp.quotes, pp.approved, pp.accepted, pp.lost, pp.expired, pp.open,
         coalesce(d.quoted, 0), coalesce(d.won, 0), coalesce(d.not_won, 0),
         round(100.0 * pp.accepted / nullif(pp.accepted + pp.lost + pp.expired, 0), 1),
         round(100.0 * d.won / nullif(d.won + d.not_won, 0), 1)
  FROM per_partner pp JOIN channel.partner p ON p.partner_id = pp.partner_id
  LEFT JOIN deals d ON d.partner_id = pp.partner_id
  ORDER BY pp.partner_id
$$;
COMMENT ON FUNCTION channel.quote_to_win(date, date) IS
  'Quote-to-win per partner over the quotes created in [from_date, to_date) (UTC days; NULL: unbounded): quotes, how many were approved, accepted, lost, expired or are still open, the registrations quoted, won and lost (lost, expired or rejected), the acceptance rate (accepted of the closed quotes) and the quote-to-win rate (won of the closed registrations quoted). A partner sees its own.';

-- who may run this piece's functions besides channel_admin (00_registry.sql)
INSERT INTO channel.role_routine (role_name, routine_name) VALUES
  ('channel_partner', 'discount_vs_schedule'), ('channel_partner', 'approval_times'), ('channel_partner', 'quote_to_win'),
  ('channel_analyst', 'discount_vs_schedule'), ('channel_analyst', 'approval_times'), ('channel_analyst', 'quote_to_win');

REVOKE EXECUTE ON FUNCTION channel.discount_vs_schedule(date, date), channel.approval_times(timestamptz, timestamptz),
  channel.quote_to_win(date, date) FROM PUBLIC;
