-- 0.2.0 (issue 27): lead_funnel refuses dates outside 2000..2999 (and
-- infinities) with its documented invalid_parameter_value.
CREATE OR REPLACE FUNCTION channel.lead_funnel(from_date date, to_date date)
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
