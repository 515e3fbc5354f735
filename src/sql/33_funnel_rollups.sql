-- 33_funnel_rollups.sql: the day- and month-grain rollups per partner and
-- product line behind channel.lead_funnel() (kept by the refresh and the
-- rebuild of 30_rollups.sql; new in 0.2.0, so this piece is also the
-- upgrade piece, through a symlink).

-- The lead funnel asks for any window of days, per partner and product
-- line.  Two more rollups answer it without reading the base tables: one
-- row per partner, product line and UTC month (channel.partner_line_month)
-- and per partner, product line and UTC day (channel.partner_line_day),
-- each with the funnel's counts.  A window is the whole months it covers
-- plus, for a month it covers only in part, either the days it covers or
-- the month minus the days it does not, whichever is fewer
-- (channel.funnel_periods()).  Both are recomputed with partner_month, for
-- the same queued (partner, month) pairs and from the same facts: the day
-- rows from channel.partner_line_day_computed, the month rows as their
-- totals (channel.partner_line_month_computed is that sum), so the two
-- grains cannot disagree.  Open registrations are pipeline, not
-- funnel: their facts are left out, as the funnel always did.
-- A week of a month: the days of one ISO week (Monday to Sunday) that lie
-- in one UTC month, named by its first day.  A week that straddles two
-- months is two weeks of months, so every week row belongs to exactly one
-- month: the refresh recomputes it with its month's other rows, and a
-- funnel window that starts or ends inside a month reads whole weeks of
-- it instead of up to sixteen days (channel.funnel_periods()).
-- (A standard SQL body, parsed once at creation, and no SET clause: the
-- planner inlines it into the rollup queries.)
CREATE FUNCTION channel.funnel_week_of(day date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN greatest(pg_catalog.date_trunc('week', day::timestamp)::date, pg_catalog.date_trunc('month', day::timestamp)::date);
COMMENT ON FUNCTION channel.funnel_week_of(date) IS
  'The first day of the week of a month that holds day: its ISO week''s Monday, or the first of its month when the week began in the month before. The period of channel.partner_line_week.';

CREATE VIEW channel.partner_line_day_computed AS
  SELECT f.partner_id, (f.at AT TIME ZONE 'UTC')::date AS day, f.product_line,
         count(*)::int AS facts,
         sum(f.routed)::int AS leads_routed,
         sum(f.accepted)::int AS leads_accepted,
         sum(f.rejected)::int AS leads_rejected,
         sum(f.recalled)::int AS leads_recalled,
         sum(f.converted)::int AS leads_converted,
         sum(f.lost)::int AS leads_lost,
         sum(f.registered)::int AS deals_registered,
         sum(f.won)::int AS deals_won,
         sum(f.deal_lost)::int AS deals_lost,
         sum(f.won_amount)::numeric(18,2) AS won_revenue,
         f.month
  FROM channel.partner_month_fact f
  WHERE f.open_amount = 0
  GROUP BY f.partner_id, f.month, (f.at AT TIME ZONE 'UTC')::date, f.product_line;
COMMENT ON VIEW channel.partner_line_day_computed IS
  'channel.partner_line_day computed from the base tables now: per partner, UTC day and product line, the counts of the funnel facts (open registrations excluded), with the UTC month of the day (the refresh selects by month and partner).';
CREATE VIEW channel.partner_line_month_computed AS
  SELECT d.partner_id, d.month, d.product_line,
         sum(d.facts)::int AS facts,
         sum(d.leads_routed)::int AS leads_routed,
         sum(d.leads_accepted)::int AS leads_accepted,
         sum(d.leads_rejected)::int AS leads_rejected,
         sum(d.leads_recalled)::int AS leads_recalled,
         sum(d.leads_converted)::int AS leads_converted,
         sum(d.leads_lost)::int AS leads_lost,
         sum(d.deals_registered)::int AS deals_registered,
         sum(d.deals_won)::int AS deals_won,
         sum(d.deals_lost)::int AS deals_lost,
         sum(d.won_revenue)::numeric(18,2) AS won_revenue
  FROM channel.partner_line_day_computed d
  GROUP BY d.partner_id, d.month, d.product_line;
COMMENT ON VIEW channel.partner_line_month_computed IS
  'channel.partner_line_month computed from the base tables now: the day rows of channel.partner_line_day_computed summed per UTC month.';
CREATE VIEW channel.partner_line_week_computed AS
  SELECT d.partner_id, channel.funnel_week_of(d.day) AS week, d.product_line,
         sum(d.facts)::int AS facts,
         sum(d.leads_routed)::int AS leads_routed,
         sum(d.leads_accepted)::int AS leads_accepted,
         sum(d.leads_rejected)::int AS leads_rejected,
         sum(d.leads_recalled)::int AS leads_recalled,
         sum(d.leads_converted)::int AS leads_converted,
         sum(d.leads_lost)::int AS leads_lost,
         sum(d.deals_registered)::int AS deals_registered,
         sum(d.deals_won)::int AS deals_won,
         sum(d.deals_lost)::int AS deals_lost,
         sum(d.won_revenue)::numeric(18,2) AS won_revenue
  FROM channel.partner_line_day_computed d
  GROUP BY d.partner_id, channel.funnel_week_of(d.day), d.product_line;
COMMENT ON VIEW channel.partner_line_week_computed IS
  'channel.partner_line_week computed from the base tables now: the day rows of channel.partner_line_day_computed summed per week of a month (channel.funnel_week_of()).';
COMMENT ON COLUMN channel.partner_line_week_computed.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.partner_line_week_computed.week IS 'First day of the week of a month (channel.funnel_week_of()).';
COMMENT ON COLUMN channel.partner_line_week_computed.product_line IS 'Product line of the leads and deals.';
COMMENT ON COLUMN channel.partner_line_week_computed.facts IS 'As channel.partner_line_week.facts.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_routed IS 'As channel.partner_line_week.leads_routed.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_accepted IS 'As channel.partner_line_week.leads_accepted.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_rejected IS 'As channel.partner_line_week.leads_rejected.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_recalled IS 'As channel.partner_line_week.leads_recalled.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_converted IS 'As channel.partner_line_week.leads_converted.';
COMMENT ON COLUMN channel.partner_line_week_computed.leads_lost IS 'As channel.partner_line_week.leads_lost.';
COMMENT ON COLUMN channel.partner_line_week_computed.deals_registered IS 'As channel.partner_line_week.deals_registered.';
COMMENT ON COLUMN channel.partner_line_week_computed.deals_won IS 'As channel.partner_line_week.deals_won.';
COMMENT ON COLUMN channel.partner_line_week_computed.deals_lost IS 'As channel.partner_line_week.deals_lost.';
COMMENT ON COLUMN channel.partner_line_week_computed.won_revenue IS 'As channel.partner_line_week.won_revenue.';
COMMENT ON COLUMN channel.partner_line_day_computed.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.partner_line_day_computed.day IS 'The UTC day.';
COMMENT ON COLUMN channel.partner_line_day_computed.product_line IS 'Product line of the leads and deals.';
COMMENT ON COLUMN channel.partner_line_day_computed.facts IS 'As channel.partner_line_day.facts.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_routed IS 'As channel.partner_line_day.leads_routed.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_accepted IS 'As channel.partner_line_day.leads_accepted.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_rejected IS 'As channel.partner_line_day.leads_rejected.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_recalled IS 'As channel.partner_line_day.leads_recalled.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_converted IS 'As channel.partner_line_day.leads_converted.';
COMMENT ON COLUMN channel.partner_line_day_computed.leads_lost IS 'As channel.partner_line_day.leads_lost.';
COMMENT ON COLUMN channel.partner_line_day_computed.deals_registered IS 'As channel.partner_line_day.deals_registered.';
COMMENT ON COLUMN channel.partner_line_day_computed.deals_won IS 'As channel.partner_line_day.deals_won.';
COMMENT ON COLUMN channel.partner_line_day_computed.deals_lost IS 'As channel.partner_line_day.deals_lost.';
COMMENT ON COLUMN channel.partner_line_day_computed.won_revenue IS 'As channel.partner_line_day.won_revenue.';
COMMENT ON COLUMN channel.partner_line_month_computed.partner_id IS 'The partner.';
COMMENT ON COLUMN channel.partner_line_month_computed.month IS 'First day of the UTC month.';
COMMENT ON COLUMN channel.partner_line_month_computed.product_line IS 'Product line of the leads and deals.';
COMMENT ON COLUMN channel.partner_line_month_computed.facts IS 'As channel.partner_line_month.facts.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_routed IS 'As channel.partner_line_month.leads_routed.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_accepted IS 'As channel.partner_line_month.leads_accepted.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_rejected IS 'As channel.partner_line_month.leads_rejected.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_recalled IS 'As channel.partner_line_month.leads_recalled.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_converted IS 'As channel.partner_line_month.leads_converted.';
COMMENT ON COLUMN channel.partner_line_month_computed.leads_lost IS 'As channel.partner_line_month.leads_lost.';
COMMENT ON COLUMN channel.partner_line_month_computed.deals_registered IS 'As channel.partner_line_month.deals_registered.';
COMMENT ON COLUMN channel.partner_line_month_computed.deals_won IS 'As channel.partner_line_month.deals_won.';
COMMENT ON COLUMN channel.partner_line_month_computed.deals_lost IS 'As channel.partner_line_month.deals_lost.';
COMMENT ON COLUMN channel.partner_line_month_computed.won_revenue IS 'As channel.partner_line_month.won_revenue.';
COMMENT ON COLUMN channel.partner_line_day_computed.month IS 'First day of the UTC month of the day.';

CREATE TABLE channel.partner_line_month (
  partner_id       bigint NOT NULL,
  month            date NOT NULL,
  product_line     channel.product_code NOT NULL,
  facts            integer NOT NULL,
  leads_routed     integer NOT NULL,
  leads_accepted   integer NOT NULL,
  leads_rejected   integer NOT NULL,
  leads_recalled   integer NOT NULL,
  leads_converted  integer NOT NULL,
  leads_lost       integer NOT NULL,
  deals_registered integer NOT NULL,
  deals_won        integer NOT NULL,
  deals_lost       integer NOT NULL,
  won_revenue      numeric(18,2) NOT NULL,
  PRIMARY KEY (partner_id, month, product_line)
);
CREATE TABLE channel.partner_line_day (LIKE channel.partner_line_month);
ALTER TABLE channel.partner_line_day RENAME COLUMN month TO day;
ALTER TABLE channel.partner_line_day ADD PRIMARY KEY (partner_id, day, product_line);
CREATE TABLE channel.partner_line_week (LIKE channel.partner_line_month);
ALTER TABLE channel.partner_line_week RENAME COLUMN month TO week;
ALTER TABLE channel.partner_line_week ADD PRIMARY KEY (partner_id, week, product_line);
CREATE INDEX partner_line_month_month_idx ON channel.partner_line_month (month);
CREATE INDEX partner_line_day_day_idx ON channel.partner_line_day (day);
CREATE INDEX partner_line_week_week_idx ON channel.partner_line_week (week);
COMMENT ON INDEX channel.partner_line_month_month_idx IS 'Funnel: the rows of a month across partners.';
COMMENT ON INDEX channel.partner_line_day_day_idx IS 'Funnel: the rows of a day across partners.';
COMMENT ON INDEX channel.partner_line_week_week_idx IS 'Funnel: the rows of a week of a month across partners.';
COMMENT ON TABLE channel.partner_line_month IS
  'Funnel rollup: per partner, product line and UTC month with funnel facts, their counts (open registrations excluded). Kept with channel.partner_month by the refresh and the rebuild; equal to channel.partner_line_month_computed once refreshed. Read through channel.lead_funnel().';
COMMENT ON TABLE channel.partner_line_day IS
  'Funnel rollup: the same per partner, product line and UTC day (equal to channel.partner_line_day_computed once refreshed). Read through channel.lead_funnel() for the months a window covers only in part.';
COMMENT ON TABLE channel.partner_line_week IS
  'Funnel rollup: the same per partner, product line and week of a UTC month (channel.funnel_week_of(); equal to channel.partner_line_week_computed once refreshed). Read through channel.lead_funnel() for the months a window covers only in part: a partial month is its whole weeks plus or minus a few days.';
DO $comments$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['partner_line_month', 'partner_line_week', 'partner_line_day'] LOOP
    EXECUTE format('COMMENT ON COLUMN channel.%I.partner_id IS %L', t,
                   'The partner (no foreign key: derived data, like channel.partner_month).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.product_line IS %L', t, 'Product line of the leads and deals.');
    EXECUTE format('COMMENT ON COLUMN channel.%I.facts IS %L', t,
                   'How many funnel facts the row sums (at least 1; an approval counts, though the funnel shows no approval column).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_routed IS %L', t, 'Routings to the partner (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_accepted IS %L', t, 'Acceptances (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_rejected IS %L', t, 'Rejections (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_recalled IS %L', t, 'Recalls for a missed acceptance deadline (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_converted IS %L', t, 'Leads converted into a deal (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.leads_lost IS %L', t, 'Leads closed as lost (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.deals_registered IS %L', t, 'Registrations submitted (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.deals_won IS %L', t, 'Deals won (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.deals_lost IS %L', t, 'Deals lost (count).');
    EXECUTE format('COMMENT ON COLUMN channel.%I.won_revenue IS %L', t, 'Amounts of the deals won (reporting currency).');
    -- derived partner data: like the queue, reached only through the
    -- extension owner's SECURITY DEFINER functions
    EXECUTE format('ALTER TABLE channel.%I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE channel.%I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON channel.%I FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true)', t || '_owner', t);
    EXECUTE format('COMMENT ON POLICY %I ON channel.%I IS %L', t || '_owner', t,
                   'Only the extension''s owner, whose refresh, rebuild and funnel functions write and read it; nobody else is granted the table.');
  END LOOP;
END
$comments$;
COMMENT ON COLUMN channel.partner_line_month.month IS 'First day of the UTC month.';
COMMENT ON COLUMN channel.partner_line_day.day IS 'The UTC day.';
COMMENT ON COLUMN channel.partner_line_week.week IS 'First day of the week of a UTC month (channel.funnel_week_of()).';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_line_month', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_line_day', '');
SELECT pg_catalog.pg_extension_config_dump('channel.partner_line_week', '');
