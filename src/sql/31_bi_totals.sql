-- 31_bi_totals.sql: the per-partner sums of rollup rows over a set of
-- periods that the BI functions of 31_bi.sql read, computed in C by scans
-- of the rollups (src/funnel_totals.c, src/scorecard_totals.c, over
-- src/rollup_reader.c): as a HashAggregate of a dozen sums per row they
-- were most of those functions' time.  Granted to no one: the
-- SECURITY DEFINER BI functions call them and apply the partner filter.
CREATE FUNCTION channel.funnel_totals(months date[], weeks date[], minus_weeks date[], days date[], minus_days date[],
                                      skip_partner bigint[], skip_month date[], only_partner bigint)
RETURNS TABLE (partner_id bigint, product_line channel.product_code, facts bigint, leads_routed bigint, leads_accepted bigint,
               leads_rejected bigint, leads_recalled bigint, leads_converted bigint, leads_lost bigint,
               deals_registered bigint, deals_won bigint, deals_lost bigint, won_revenue numeric)
AS 'MODULE_PATHNAME', 'channel_funnel_totals'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
ROWS 30000;
COMMENT ON FUNCTION channel.funnel_totals(date[], date[], date[], date[], date[], bigint[], date[], bigint) IS
  'Per partner and product line, the sums of the channel.partner_line_month rows of the months, plus the channel.partner_line_week rows of weeks and the channel.partner_line_day rows of days, less those of minus_weeks and minus_days; the rows of the partner-months (skip_partner[i], skip_month[i]) are left out, and when only_partner is not NULL every other partner''s. NULL arrays are empty. Used by channel.lead_funnel(); checks SELECT on the rollups.';
REVOKE ALL ON FUNCTION channel.funnel_totals(date[], date[], date[], date[], date[], bigint[], date[], bigint) FROM PUBLIC;

CREATE FUNCTION channel.scorecard_totals(from_month date, split_month date, to_month date)
RETURNS TABLE (partner_id bigint, leads_routed bigint, leads_accepted bigint, leads_rejected bigint,
               leads_recalled bigint, leads_converted bigint, leads_lost bigint, accept_hours_n bigint,
               deals_registered bigint, deals_won bigint, deals_lost bigint, sell_through_lines bigint,
               sell_through_units bigint, accept_hours_sum numeric, won_revenue numeric,
               sell_through_revenue numeric, won_revenue_previous numeric, sell_through_revenue_previous numeric)
AS 'MODULE_PATHNAME', 'channel_scorecard_totals'
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, pg_temp
ROWS 10000;
COMMENT ON FUNCTION channel.scorecard_totals(date, date, date) IS
  'Per partner with a channel.partner_month row from from_month to to_month: the sums of its rows from split_month to to_month, and the won and sell-through revenue of its rows from from_month to the month before split_month. Used by channel.partner_scorecard(); checks SELECT on the rollup.';
REVOKE ALL ON FUNCTION channel.scorecard_totals(date, date, date) FROM PUBLIC;
