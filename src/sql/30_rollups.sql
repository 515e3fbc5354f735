-- 30_rollups.sql: channel.partner_month, one row per partner per month,
-- maintained incrementally.
--
-- How it stays right:
--   * channel.partner_month_computed is THE definition of every figure (a
--     plain view over leads, deals and their history).  The full rebuild
--     copies the whole view; the incremental refresh reads the same view for
--     the dirty (partner, month) pairs only (the planner pushes the pair into
--     every branch of the view, where expression indexes find the rows), so
--     the two can never disagree.
--   * Statement-level triggers with transition tables on channel.lead and
--     channel.deal (and on deletes of their history) append the pairs a
--     statement may have changed to channel.partner_month_dirty.  The queue
--     has no unique key on purpose: each writer appends its own rows in its
--     own transaction, and a refresh deletes only the rows its snapshot sees,
--     so a mark committed during a refresh is never lost (it waits for the
--     next run) -- an upsert would let a concurrent refresh swallow the mark
--     of a writer that has not committed yet.
--   * Months are calendar months in UTC, whatever the session's TimeZone.

CREATE FUNCTION channel.month_of(ts timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.date_trunc('month', ts AT TIME ZONE 'UTC')::date;
COMMENT ON FUNCTION channel.month_of(timestamptz) IS
  'First day of the UTC calendar month of a timestamp: the month bucket of every rollup.';

CREATE FUNCTION channel.month_of(d date) RETURNS date
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN pg_catalog.date_trunc('month', d::timestamp)::date;
COMMENT ON FUNCTION channel.month_of(date) IS
  'First day of the calendar month of a date (e.g. expected close dates).';

-- The SET clause above would keep these from being inlined into queries and
-- index expressions; they only call pg_catalog functions on their argument,
-- so the search_path cannot change what they do.
ALTER FUNCTION channel.month_of(timestamptz) RESET search_path;
ALTER FUNCTION channel.month_of(date) RESET search_path;

CREATE TABLE channel.partner_month (
  partner_id          bigint NOT NULL,
  month               date NOT NULL CONSTRAINT partner_month_first_day CHECK (extract(day FROM month) = 1),
  leads_routed        integer NOT NULL DEFAULT 0,
  leads_accepted      integer NOT NULL DEFAULT 0,
  leads_rejected      integer NOT NULL DEFAULT 0,
  leads_recalled      integer NOT NULL DEFAULT 0,
  leads_converted     integer NOT NULL DEFAULT 0,
  leads_lost          integer NOT NULL DEFAULT 0,
  accept_hours_median float8,
  accept_hours_p90    float8,
  accept_hours_sum    numeric(20,6) NOT NULL DEFAULT 0,
  accept_hours_n      integer NOT NULL DEFAULT 0,
  deals_registered    integer NOT NULL DEFAULT 0,
  deals_approved      integer NOT NULL DEFAULT 0,
  deals_conflict      integer NOT NULL DEFAULT 0,
  deals_won           integer NOT NULL DEFAULT 0,
  deals_lost          integer NOT NULL DEFAULT 0,
  won_revenue         numeric(18,2) NOT NULL DEFAULT 0,
  close_days_median   float8,
  open_pipeline       numeric(18,2) NOT NULL DEFAULT 0,
  last_lead_accepted  timestamptz,
  last_deal_registered timestamptz,
  last_sale           timestamptz,
  PRIMARY KEY (partner_id, month),
  -- NaN is never a figure (numeric and float8 NaN equal NaN, so <> refuses it)
  CONSTRAINT partner_month_figures_finite
    CHECK (won_revenue <> 'NaN' AND open_pipeline <> 'NaN' AND accept_hours_sum <> 'NaN'
           AND accept_hours_median <> 'NaN' AND accept_hours_p90 <> 'NaN' AND close_days_median <> 'NaN'),
  CONSTRAINT partner_month_times_in_range CHECK (month BETWEEN '1900-01-01' AND '2200-12-31')
);
COMMENT ON TABLE channel.partner_month IS
  'Rollup: one row per partner and UTC calendar month in which something happened. Kept by CALL channel.refresh_rollups() (dirty months only) and channel.rebuild_rollups(); always equal to channel.partner_month_computed once refreshed.';
COMMENT ON COLUMN channel.partner_month.partner_id IS
  'The partner (no foreign key: the rollup is derived data, refreshed in bulk; a partner can only be deleted once no lead or deal names it, and the refresh then drops its rows).';
COMMENT ON COLUMN channel.partner_month.month IS 'First day of the UTC calendar month.';
COMMENT ON COLUMN channel.partner_month.leads_routed IS
  'Leads routed to the partner in the month (count; every routing, so a lead re-routed to it twice counts twice).';
COMMENT ON COLUMN channel.partner_month.leads_accepted IS 'Leads the partner accepted in the month (count, by accepted_at).';
COMMENT ON COLUMN channel.partner_month.leads_rejected IS 'Leads the partner rejected in the month (count).';
COMMENT ON COLUMN channel.partner_month.leads_recalled IS 'Leads taken back from the partner in the month because it missed the acceptance SLA (count).';
COMMENT ON COLUMN channel.partner_month.leads_converted IS 'Leads of the partner converted into a deal in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.leads_lost IS 'Leads of the partner closed as lost in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.accept_hours_median IS
  'Median time from routing to acceptance of the leads accepted in the month, in hours; NULL when none.';
COMMENT ON COLUMN channel.partner_month.accept_hours_p90 IS
  '90th percentile (continuous) of the same, in hours; NULL when none.';
COMMENT ON COLUMN channel.partner_month.accept_hours_sum IS
  'Sum of the routing-to-acceptance times of the month, in hours (numeric, 6 decimals; with accept_hours_n, for means over several months).';
COMMENT ON COLUMN channel.partner_month.accept_hours_n IS
  'How many accepted leads had a routing time (the sample behind the accept_hours_* columns).';
COMMENT ON COLUMN channel.partner_month.deals_registered IS 'Deal registrations the partner submitted in the month (count, by submitted_at).';
COMMENT ON COLUMN channel.partner_month.deals_approved IS
  'Registrations of the partner approved in the month (count, by decided_at; includes those since won, lost or expired).';
COMMENT ON COLUMN channel.partner_month.deals_conflict IS
  'Registrations submitted in the month that were flagged as conflicting at any time (count, by submitted_at).';
COMMENT ON COLUMN channel.partner_month.deals_won IS 'Deals of the partner won in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.deals_lost IS 'Deals of the partner lost in the month (count, by closed_at).';
COMMENT ON COLUMN channel.partner_month.won_revenue IS
  'Sum of the amounts of the deals won in the month, in the reporting currency (deal amounts as stored).';
COMMENT ON COLUMN channel.partner_month.close_days_median IS
  'Median time from registration to win of the deals won in the month, in days (fractional); NULL when none.';
COMMENT ON COLUMN channel.partner_month.open_pipeline IS
  'Current value of the partner''s open registrations (submitted, approved, conflict) expected to close in the month, in the reporting currency.';
COMMENT ON COLUMN channel.partner_month.last_lead_accepted IS
  'Latest acceptance of a lead by the partner in the month (its accepted_at); NULL when none.';
COMMENT ON COLUMN channel.partner_month.last_deal_registered IS
  'Latest registration the partner submitted in the month (its submitted_at); NULL when none.';
COMMENT ON COLUMN channel.partner_month.last_sale IS
  'Latest win of a deal of the partner in the month (its closed_at); NULL when none.';
CREATE INDEX partner_month_month_idx ON channel.partner_month (month, partner_id);
COMMENT ON INDEX channel.partner_month_month_idx IS 'Rollup rows of a period across partners (scorecards, funnels).';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_month', '');

CREATE TABLE channel.partner_month_dirty (
  partner_id bigint NOT NULL,
  month      date NOT NULL,
  marked_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE channel.partner_month_dirty IS
  'Queue of (partner, month) pairs whose rollup may be stale, appended by triggers and consumed by channel.refresh_rollups(). Duplicates are expected and harmless.';
COMMENT ON COLUMN channel.partner_month_dirty.partner_id IS 'Partner whose figures may have changed.';
COMMENT ON COLUMN channel.partner_month_dirty.month IS 'First day of the UTC month that may have changed.';
COMMENT ON COLUMN channel.partner_month_dirty.marked_at IS 'Transaction time of the change that marked it.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_month_dirty', '');
-- The queue names partners, so like every table holding partner data it has
-- row-level security, enabled and forced.  Nobody is granted any privilege
-- on it: only the extension's owner -- through the SECURITY DEFINER trigger
-- and refresh functions -- reads or writes it, hence its single policy.
ALTER TABLE channel.partner_month_dirty ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.partner_month_dirty FORCE ROW LEVEL SECURITY;
CREATE POLICY partner_month_dirty_owner ON channel.partner_month_dirty FOR ALL TO CURRENT_USER
  USING (true) WITH CHECK (true);
COMMENT ON POLICY partner_month_dirty_owner ON channel.partner_month_dirty IS
  'Only the extension''s owner (the role that ran CREATE EXTENSION), whose trigger and refresh functions fill and drain the queue.';

-- Indexes that let the refresh find the rows of a month for a set of
-- partners in every branch of channel.partner_month_fact (month first: one
-- index scan per branch and month serves all the month's queued partners).
-- Each INCLUDEs every column its branch reads, so the refresh reads them by
-- index-only scans: the heap is visited only for pages changed since the
-- last vacuum, not once per fact (a busy partner-month's facts lie on as
-- many heap pages as it has facts).  The included columns are already
-- indexed elsewhere (status, product_line, the timestamps in the
-- expressions) except deal.amount, so they cost no HOT updates but those
-- changing a deal's amount.  They spell out what
-- channel.month_of() inlines to rather than calling it: an index expression
-- runs with the privileges of whoever writes the row (a partner inserting a
-- deal), who may not execute channel's functions; the planner matches the
-- inlined channel.month_of() calls of the view to these expressions.
CREATE INDEX lead_partner_routed_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', routed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (routed_at, lead_id, status, product_line)
  WHERE partner_id IS NOT NULL AND routed_at IS NOT NULL;
CREATE INDEX lead_partner_accepted_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', accepted_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (accepted_at, routed_at, product_line)
  WHERE partner_id IS NOT NULL AND accepted_at IS NOT NULL;
CREATE INDEX lead_partner_closed_month_idx
  ON channel.lead ((pg_catalog.date_trunc('month', closed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (closed_at, status, product_line)
  WHERE partner_id IS NOT NULL AND closed_at IS NOT NULL;
CREATE INDEX lead_event_partner_month_idx
  ON channel.lead_event ((pg_catalog.date_trunc('month', at AT TIME ZONE 'UTC')::date), partner_id)
  WHERE partner_id IS NOT NULL AND from_status IS NOT NULL AND to_status IN ('routed', 'rejected', 'recalled');
CREATE INDEX deal_partner_submitted_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', submitted_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (submitted_at, deal_id, status, product_line)
  WHERE partner_id IS NOT NULL;
CREATE INDEX deal_partner_decided_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', decided_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (decided_at, status, product_line)
  WHERE partner_id IS NOT NULL AND decided_at IS NOT NULL;
CREATE INDEX deal_partner_closed_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', closed_at AT TIME ZONE 'UTC')::date), partner_id)
  INCLUDE (closed_at, status, amount, submitted_at, product_line)
  WHERE partner_id IS NOT NULL AND closed_at IS NOT NULL;
CREATE INDEX deal_partner_open_close_month_idx
  ON channel.deal ((pg_catalog.date_trunc('month', expected_close::timestamp)::date), partner_id)
  INCLUDE (expected_close, amount, product_line)
  WHERE partner_id IS NOT NULL AND status IN ('submitted', 'approved', 'conflict');
-- The routing branch asks, per lead, whether a live routing, rejection or
-- recall of it exists; the registration branch whether a deal was ever in
-- conflict.  These partial indexes hold only those (rare) history rows, so
-- the answer is a small index read whether the planner probes per row or
-- hashes the whole set (it does the latter for a whole month), instead of a
-- scan of the whole history.
CREATE INDEX lead_event_live_lead_idx ON channel.lead_event (lead_id, to_status)
  WHERE from_status IS NOT NULL AND to_status IN ('routed', 'rejected', 'recalled');
CREATE INDEX deal_event_conflict_deal_idx ON channel.deal_event (deal_id)
  WHERE to_status = 'conflict';
COMMENT ON INDEX channel.lead_event_live_lead_idx IS 'Rollups: leads with a live routing, rejection or recall in their history.';
COMMENT ON INDEX channel.deal_event_conflict_deal_idx IS 'Rollups: registrations that were ever flagged as conflicting.';
COMMENT ON INDEX channel.lead_partner_routed_month_idx IS 'Rollups: leads by holder and UTC month of routing.';
COMMENT ON INDEX channel.lead_partner_accepted_month_idx IS 'Rollups: leads by holder and UTC month of acceptance.';
COMMENT ON INDEX channel.lead_partner_closed_month_idx IS 'Rollups: leads by holder and UTC month of conversion or loss.';
COMMENT ON INDEX channel.lead_event_partner_month_idx IS 'Rollups: live routings, rejections and recalls by partner and UTC month.';
COMMENT ON INDEX channel.deal_partner_submitted_month_idx IS 'Rollups: registrations by partner and UTC month of submission.';
COMMENT ON INDEX channel.deal_partner_decided_month_idx IS 'Rollups: registrations by partner and UTC month of decision.';
COMMENT ON INDEX channel.deal_partner_closed_month_idx IS 'Rollups: deals by partner and UTC month of win or loss.';
COMMENT ON INDEX channel.deal_partner_open_close_month_idx IS 'Rollups and pipeline: open registrations by partner and month of expected close.';

-- Every fact the rollup counts, one row each, dated to its month.
--
-- Leads: the lead row is the truth for its current (or last) holder --
-- acceptance, conversion and loss, with their timestamps.  Routings,
-- rejections and recalls can repeat over a lead's life, so they come from
-- the history (channel.lead_event) when the transition happened live
-- (from_status IS NOT NULL).  A lead loaded already in its state (a demo or
-- an import, whose only event is its creation) has no live transitions: its
-- routing, and its rejection or recall, are read from the row and dated to
-- its routed_at.
CREATE VIEW channel.partner_month_fact AS
  -- routing (and loaded rejection/recall) of the lead row's holder
  SELECT l.partner_id, channel.month_of(l.routed_at) AS month, l.routed_at AS at, l.product_line,
         (NOT EXISTS (SELECT 1 FROM channel.lead_event e
                      WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'routed'))::int AS routed,
         0 AS accepted,
         (l.status = 'rejected'
          AND NOT EXISTS (SELECT 1 FROM channel.lead_event e
                          WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'rejected'))::int AS rejected,
         (l.status = 'recalled'
          AND NOT EXISTS (SELECT 1 FROM channel.lead_event e
                          WHERE e.lead_id = l.lead_id AND e.from_status IS NOT NULL AND e.to_status = 'recalled'))::int AS recalled,
         0 AS converted, 0 AS lost, NULL::numeric AS accept_hours,
         0 AS registered, 0 AS approved, 0 AS conflict, 0 AS won, 0 AS deal_lost,
         0::numeric AS won_amount, NULL::float8 AS close_days, 0::numeric AS open_amount
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.routed_at IS NOT NULL
  UNION ALL
  -- live routings, rejections and recalls from the history
  SELECT e.partner_id, channel.month_of(e.at), e.at, l.product_line,
         (e.to_status = 'routed')::int, 0, (e.to_status = 'rejected')::int, (e.to_status = 'recalled')::int,
         0, 0, NULL, 0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead_event e
  JOIN channel.lead l ON l.lead_id = e.lead_id
  WHERE e.partner_id IS NOT NULL AND e.from_status IS NOT NULL AND e.to_status IN ('routed', 'rejected', 'recalled')
  UNION ALL
  -- acceptance
  SELECT l.partner_id, channel.month_of(l.accepted_at), l.accepted_at, l.product_line, 0, 1, 0, 0, 0, 0,
         extract(epoch FROM l.accepted_at - l.routed_at) / 3600,
         0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.accepted_at IS NOT NULL
  UNION ALL
  -- conversion or loss
  SELECT l.partner_id, channel.month_of(l.closed_at), l.closed_at, l.product_line, 0, 0, 0, 0,
         (l.status = 'converted')::int, (l.status = 'lost')::int, NULL,
         0, 0, 0, 0, 0, 0, NULL, 0
  FROM channel.lead l
  WHERE l.partner_id IS NOT NULL AND l.closed_at IS NOT NULL
  UNION ALL
  -- registration, and whether it was ever flagged as a conflict
  SELECT d.partner_id, channel.month_of(d.submitted_at), d.submitted_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         1, 0,
         (d.status = 'conflict'
          OR EXISTS (SELECT 1 FROM channel.deal_event e WHERE e.deal_id = d.deal_id AND e.to_status = 'conflict'))::int,
         0, 0, 0, NULL, 0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL
  UNION ALL
  -- approval (the decision of a registration that was not rejected)
  SELECT d.partner_id, channel.month_of(d.decided_at), d.decided_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         0, (d.status IN ('approved', 'won', 'lost', 'expired'))::int, 0, 0, 0, 0, NULL, 0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.decided_at IS NOT NULL
  UNION ALL
  -- win or loss
  SELECT d.partner_id, channel.month_of(d.closed_at), d.closed_at, d.product_line, 0, 0, 0, 0, 0, 0, NULL,
         0, 0, 0, (d.status = 'won')::int, (d.status = 'lost')::int,
         CASE WHEN d.status = 'won' THEN d.amount ELSE 0 END,
         CASE WHEN d.status = 'won' THEN extract(epoch FROM d.closed_at - d.submitted_at)::float8 / 86400 END,
         0
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.closed_at IS NOT NULL
  UNION ALL
  -- open pipeline by month of expected close
  SELECT d.partner_id, channel.month_of(d.expected_close), d.expected_close::timestamp AT TIME ZONE 'UTC', d.product_line,
         0, 0, 0, 0, 0, 0, NULL,
         0, 0, 0, 0, 0, 0, NULL, d.amount
  FROM channel.deal d
  WHERE d.partner_id IS NOT NULL AND d.status IN ('submitted', 'approved', 'conflict');
COMMENT ON VIEW channel.partner_month_fact IS
  'Every fact channel.partner_month counts, one row each, dated to its UTC month (see the comments in 30_rollups.sql for which source each comes from).';
COMMENT ON COLUMN channel.partner_month_fact.partner_id IS 'Partner the fact belongs to.';
COMMENT ON COLUMN channel.partner_month_fact.month IS 'First day of the UTC month of the fact.';
COMMENT ON COLUMN channel.partner_month_fact.at IS
  'When the fact happened (for an open registration: midnight UTC of its expected close date).';
COMMENT ON COLUMN channel.partner_month_fact.product_line IS 'Product line of the lead or deal.';
COMMENT ON COLUMN channel.partner_month_fact.routed IS '1 for a routing of a lead to the partner.';
COMMENT ON COLUMN channel.partner_month_fact.accepted IS '1 for an acceptance.';
COMMENT ON COLUMN channel.partner_month_fact.rejected IS '1 for a rejection.';
COMMENT ON COLUMN channel.partner_month_fact.recalled IS '1 for a recall (missed SLA).';
COMMENT ON COLUMN channel.partner_month_fact.converted IS '1 for a lead converted into a deal.';
COMMENT ON COLUMN channel.partner_month_fact.lost IS '1 for a lead closed as lost.';
COMMENT ON COLUMN channel.partner_month_fact.accept_hours IS 'For an acceptance: hours from routing to acceptance (NULL without a routing time).';
COMMENT ON COLUMN channel.partner_month_fact.registered IS '1 for a deal registration.';
COMMENT ON COLUMN channel.partner_month_fact.approved IS '1 for an approval.';
COMMENT ON COLUMN channel.partner_month_fact.conflict IS '1 for a registration that was flagged as conflicting.';
COMMENT ON COLUMN channel.partner_month_fact.won IS '1 for a won deal.';
COMMENT ON COLUMN channel.partner_month_fact.deal_lost IS '1 for a lost deal.';
COMMENT ON COLUMN channel.partner_month_fact.won_amount IS 'Amount of a won deal (reporting currency), else 0.';
COMMENT ON COLUMN channel.partner_month_fact.close_days IS 'For a won deal: days from registration to win.';
COMMENT ON COLUMN channel.partner_month_fact.open_amount IS 'Amount of an open registration, in the month of its expected close.';

-- The rollup as it should be, computed from scratch: the single definition
-- both the full rebuild and the incremental refresh read.  Redefined with
-- the sell-through sums by 63_sell_through_rollups.sql (the definition in
-- force): a change here must be made there too.
CREATE VIEW channel.partner_month_computed AS
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
COMMENT ON VIEW channel.partner_month_computed IS
  'channel.partner_month computed from the base tables now (slow on a large channel: read channel.partner_month instead). Columns as in channel.partner_month.';
COMMENT ON COLUMN channel.partner_month_computed.partner_id IS 'As channel.partner_month.partner_id.';
COMMENT ON COLUMN channel.partner_month_computed.month IS 'As channel.partner_month.month.';
COMMENT ON COLUMN channel.partner_month_computed.leads_routed IS 'As channel.partner_month.leads_routed.';
COMMENT ON COLUMN channel.partner_month_computed.leads_accepted IS 'As channel.partner_month.leads_accepted.';
COMMENT ON COLUMN channel.partner_month_computed.leads_rejected IS 'As channel.partner_month.leads_rejected.';
COMMENT ON COLUMN channel.partner_month_computed.leads_recalled IS 'As channel.partner_month.leads_recalled.';
COMMENT ON COLUMN channel.partner_month_computed.leads_converted IS 'As channel.partner_month.leads_converted.';
COMMENT ON COLUMN channel.partner_month_computed.leads_lost IS 'As channel.partner_month.leads_lost.';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_median IS 'As channel.partner_month.accept_hours_median (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_p90 IS 'As channel.partner_month.accept_hours_p90 (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_sum IS 'As channel.partner_month.accept_hours_sum (hours).';
COMMENT ON COLUMN channel.partner_month_computed.accept_hours_n IS 'As channel.partner_month.accept_hours_n.';
COMMENT ON COLUMN channel.partner_month_computed.deals_registered IS 'As channel.partner_month.deals_registered.';
COMMENT ON COLUMN channel.partner_month_computed.deals_approved IS 'As channel.partner_month.deals_approved.';
COMMENT ON COLUMN channel.partner_month_computed.deals_conflict IS 'As channel.partner_month.deals_conflict.';
COMMENT ON COLUMN channel.partner_month_computed.deals_won IS 'As channel.partner_month.deals_won.';
COMMENT ON COLUMN channel.partner_month_computed.deals_lost IS 'As channel.partner_month.deals_lost.';
COMMENT ON COLUMN channel.partner_month_computed.won_revenue IS 'As channel.partner_month.won_revenue (reporting currency).';
COMMENT ON COLUMN channel.partner_month_computed.close_days_median IS 'As channel.partner_month.close_days_median (days).';
COMMENT ON COLUMN channel.partner_month_computed.open_pipeline IS 'As channel.partner_month.open_pipeline (reporting currency).';
COMMENT ON COLUMN channel.partner_month_computed.last_lead_accepted IS 'As channel.partner_month.last_lead_accepted.';
COMMENT ON COLUMN channel.partner_month_computed.last_deal_registered IS 'As channel.partner_month.last_deal_registered.';
COMMENT ON COLUMN channel.partner_month_computed.last_sale IS 'As channel.partner_month.last_sale.';

---------------------------------------------------------------- dirty marks
-- A statement on channel.lead marks, for every row before and after it, the
-- months of the facts that row feeds (routing, acceptance, close), and for a
-- status change the current month of the old and the new holder (the live
-- history event written by the same statement).  Updates that touch none of
-- those columns (rescoring, notes) mark nothing.
CREATE FUNCTION channel.lead_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT n.partner_id, m.month
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES (channel.month_of(n.routed_at)), (channel.month_of(n.accepted_at)),
                               (channel.month_of(n.closed_at))) m(month)
    WHERE n.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT o.partner_id, m.month
    FROM old_rows o
    CROSS JOIN LATERAL (VALUES (channel.month_of(o.routed_at)), (channel.month_of(o.accepted_at)),
                               (channel.month_of(o.closed_at))) m(month)
    WHERE o.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSE
    -- only the months whose figures the change can move: each condition
    -- mirrors what the matching branch of channel.partner_month_fact reads
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT x.partner_id, x.month
    FROM old_rows o
    JOIN new_rows n ON n.lead_id = o.lead_id
    CROSS JOIN LATERAL (SELECT o.partner_id IS DISTINCT FROM n.partner_id AS holder,
                               o.status IS DISTINCT FROM n.status AS status) c
    CROSS JOIN LATERAL (VALUES
        -- routing branch: the row's routing, its loaded rejection or recall,
        -- and whether a live routing event supersedes it
        (o.partner_id, CASE WHEN c.holder OR o.routed_at IS DISTINCT FROM n.routed_at
                                 OR (c.status AND (n.status IN ('routed', 'rejected', 'recalled')
                                                   OR o.status IN ('rejected', 'recalled')))
                            THEN channel.month_of(o.routed_at) END),
        (n.partner_id, CASE WHEN c.holder OR o.routed_at IS DISTINCT FROM n.routed_at
                                 OR (c.status AND (n.status IN ('routed', 'rejected', 'recalled')
                                                   OR o.status IN ('rejected', 'recalled')))
                            THEN channel.month_of(n.routed_at) END),
        -- acceptance branch (time to accept reads routed_at)
        (o.partner_id, CASE WHEN c.holder OR o.accepted_at IS DISTINCT FROM n.accepted_at
                                 OR o.routed_at IS DISTINCT FROM n.routed_at
                            THEN channel.month_of(o.accepted_at) END),
        (n.partner_id, CASE WHEN c.holder OR o.accepted_at IS DISTINCT FROM n.accepted_at
                                 OR o.routed_at IS DISTINCT FROM n.routed_at
                            THEN channel.month_of(n.accepted_at) END),
        -- conversion or loss branch
        (o.partner_id, CASE WHEN c.holder OR c.status OR o.closed_at IS DISTINCT FROM n.closed_at
                            THEN channel.month_of(o.closed_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.status OR o.closed_at IS DISTINCT FROM n.closed_at
                            THEN channel.month_of(n.closed_at) END),
        -- the live history event this statement wrote (dated now): counted
        -- for a routing (new holder) and a rejection or recall (old holder)
        (n.partner_id, CASE WHEN c.status AND n.status = 'routed' THEN channel.month_of(now()) END),
        (o.partner_id, CASE WHEN c.status AND n.status IN ('rejected', 'recalled') THEN channel.month_of(now()) END)
      ) x(partner_id, month)
    WHERE x.partner_id IS NOT NULL AND x.month IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.lead_mark_dirty() IS
  'Statement trigger on channel.lead: queues the (partner, month) rollup pairs the statement may have changed in channel.partner_month_dirty.';

CREATE TRIGGER lead_mark_dirty_insert AFTER INSERT ON channel.lead
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.lead_mark_dirty();
CREATE TRIGGER lead_mark_dirty_update AFTER UPDATE ON channel.lead
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_mark_dirty();
CREATE TRIGGER lead_mark_dirty_delete AFTER DELETE ON channel.lead
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_mark_dirty();
COMMENT ON TRIGGER lead_mark_dirty_insert ON channel.lead IS 'Queues rollup months of new leads; see channel.lead_mark_dirty().';
COMMENT ON TRIGGER lead_mark_dirty_update ON channel.lead IS 'Queues rollup months of changed leads; see channel.lead_mark_dirty().';
COMMENT ON TRIGGER lead_mark_dirty_delete ON channel.lead IS 'Queues rollup months of deleted leads; see channel.lead_mark_dirty().';

CREATE FUNCTION channel.deal_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT n.partner_id, m.month
    FROM new_rows n
    CROSS JOIN LATERAL (VALUES (channel.month_of(n.submitted_at)), (channel.month_of(n.decided_at)),
                               (channel.month_of(n.closed_at)), (channel.month_of(n.expected_close))) m(month)
    WHERE n.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT o.partner_id, m.month
    FROM old_rows o
    CROSS JOIN LATERAL (VALUES (channel.month_of(o.submitted_at)), (channel.month_of(o.decided_at)),
                               (channel.month_of(o.closed_at)), (channel.month_of(o.expected_close))) m(month)
    WHERE o.partner_id IS NOT NULL AND m.month IS NOT NULL;
  ELSE
    -- only the months whose figures the change can move (see the branches
    -- of channel.partner_month_fact)
    INSERT INTO channel.partner_month_dirty (partner_id, month)
    SELECT DISTINCT x.partner_id, x.month
    FROM old_rows o
    JOIN new_rows n ON n.deal_id = o.deal_id
    CROSS JOIN LATERAL (SELECT o.partner_id IS DISTINCT FROM n.partner_id AS holder,
                               o.submitted_at IS DISTINCT FROM n.submitted_at AS submitted,
                               (o.status = 'conflict') IS DISTINCT FROM (n.status = 'conflict') AS conflict,
                               (o.status IN ('approved', 'won', 'lost', 'expired'))
                                 IS DISTINCT FROM (n.status IN ('approved', 'won', 'lost', 'expired')) AS approved,
                               o.status IS DISTINCT FROM n.status OR o.amount IS DISTINCT FROM n.amount
                                 OR o.closed_at IS DISTINCT FROM n.closed_at AS closing,
                               (o.status IN ('submitted', 'approved', 'conflict'))
                                 IS DISTINCT FROM (n.status IN ('submitted', 'approved', 'conflict'))
                                 OR o.amount IS DISTINCT FROM n.amount
                                 OR o.expected_close IS DISTINCT FROM n.expected_close AS open) c
    CROSS JOIN LATERAL (VALUES
        -- registration and conflict flag, by submission month
        (o.partner_id, CASE WHEN c.holder OR c.submitted OR c.conflict THEN channel.month_of(o.submitted_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.submitted OR c.conflict THEN channel.month_of(n.submitted_at) END),
        -- approval, by decision month
        (o.partner_id, CASE WHEN c.holder OR c.approved OR o.decided_at IS DISTINCT FROM n.decided_at
                            THEN channel.month_of(o.decided_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.approved OR o.decided_at IS DISTINCT FROM n.decided_at
                            THEN channel.month_of(n.decided_at) END),
        -- win or loss, amount and days to close, by close month
        (o.partner_id, CASE WHEN c.holder OR c.closing OR c.submitted THEN channel.month_of(o.closed_at) END),
        (n.partner_id, CASE WHEN c.holder OR c.closing OR c.submitted THEN channel.month_of(n.closed_at) END),
        -- open pipeline, by expected close month
        (o.partner_id, CASE WHEN c.holder OR c.open THEN channel.month_of(o.expected_close) END),
        (n.partner_id, CASE WHEN c.holder OR c.open THEN channel.month_of(n.expected_close) END)
      ) x(partner_id, month)
    WHERE x.partner_id IS NOT NULL AND x.month IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.deal_mark_dirty() IS
  'Statement trigger on channel.deal: queues the (partner, month) rollup pairs the statement may have changed in channel.partner_month_dirty.';

CREATE TRIGGER deal_mark_dirty_insert AFTER INSERT ON channel.deal
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT WHEN (NOT channel.restoring()) EXECUTE FUNCTION channel.deal_mark_dirty();
CREATE TRIGGER deal_mark_dirty_update AFTER UPDATE ON channel.deal
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_mark_dirty();
CREATE TRIGGER deal_mark_dirty_delete AFTER DELETE ON channel.deal
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_mark_dirty();
COMMENT ON TRIGGER deal_mark_dirty_insert ON channel.deal IS 'Queues rollup months of new registrations; see channel.deal_mark_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_update ON channel.deal IS 'Queues rollup months of changed registrations; see channel.deal_mark_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_delete ON channel.deal IS 'Queues rollup months of deleted registrations; see channel.deal_mark_dirty().';

-- History rows are only ever inserted by the lead and deal triggers above
-- (their months are marked there: a live event is dated now()) and are only
-- deleted with their lead or deal, whose row does not say when its past
-- routings, rejections and recalls happened: the history's own delete
-- trigger marks those.
CREATE FUNCTION channel.lead_event_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT DISTINCT o.partner_id, channel.month_of(o.at)
  FROM old_rows o
  WHERE o.partner_id IS NOT NULL AND o.from_status IS NOT NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.lead_event_mark_dirty() IS
  'Statement trigger on channel.lead_event: queues the rollup months of deleted live transitions (a lead deleted with its history).';
CREATE TRIGGER lead_event_mark_dirty_delete AFTER DELETE ON channel.lead_event
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.lead_event_mark_dirty();
COMMENT ON TRIGGER lead_event_mark_dirty_delete ON channel.lead_event IS
  'Queues rollup months of deleted history; see channel.lead_event_mark_dirty().';

-- Deal facts are all dated by the deal row (the conflict flag by the
-- submission month), so deleting a deal's history marks the deal's months.
CREATE FUNCTION channel.deal_event_mark_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT DISTINCT d.partner_id, channel.month_of(d.submitted_at)
  FROM (SELECT DISTINCT o.deal_id FROM old_rows o WHERE o.to_status = 'conflict') o
  JOIN channel.deal d ON d.deal_id = o.deal_id
  WHERE d.partner_id IS NOT NULL;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.deal_event_mark_dirty() IS
  'Statement trigger on channel.deal_event: queues the submission month of a deal whose conflict history is deleted.';
CREATE TRIGGER deal_event_mark_dirty_delete AFTER DELETE ON channel.deal_event
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION channel.deal_event_mark_dirty();
COMMENT ON TRIGGER deal_event_mark_dirty_delete ON channel.deal_event IS
  'Queues rollup months of deleted deal history; see channel.deal_event_mark_dirty().';

-- TRUNCATE fires no row or transition-table triggers: every month the
-- rollup holds is queued instead, so the next refresh drops what went away.
CREATE FUNCTION channel.rollup_mark_all_dirty() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  INSERT INTO channel.partner_month_dirty (partner_id, month)
  SELECT pm.partner_id, pm.month FROM channel.partner_month pm;
  RETURN NULL;
END
$$;
COMMENT ON FUNCTION channel.rollup_mark_all_dirty() IS
  'Trigger after TRUNCATE of channel.lead or channel.deal: queues every month the rollup holds.';
CREATE TRIGGER lead_mark_dirty_truncate AFTER TRUNCATE ON channel.lead
  FOR EACH STATEMENT EXECUTE FUNCTION channel.rollup_mark_all_dirty();
CREATE TRIGGER deal_mark_dirty_truncate AFTER TRUNCATE ON channel.deal
  FOR EACH STATEMENT EXECUTE FUNCTION channel.rollup_mark_all_dirty();
COMMENT ON TRIGGER lead_mark_dirty_truncate ON channel.lead IS 'Queues every rollup month; see channel.rollup_mark_all_dirty().';
COMMENT ON TRIGGER deal_mark_dirty_truncate ON channel.deal IS 'Queues every rollup month; see channel.rollup_mark_all_dirty().';

---------------------------------------------------------------- refresh
-- One advisory lock (per database) serializes refreshes and rebuilds; the
-- key is the rollup table's OID.
CREATE FUNCTION channel.rollup_lock_key() RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
RETURN 'channel.partner_month'::pg_catalog.regclass::pg_catalog.oid::bigint;
COMMENT ON FUNCTION channel.rollup_lock_key() IS
  'Key of the transaction-level advisory lock that keeps two rollup refreshes or rebuilds from overlapping (the OID of channel.partner_month).';

-- Vendor-only guard shared by the refresh and the rebuild.
CREATE FUNCTION channel.rollup_require_vendor(action text) RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'only the vendor can % the rollups', action
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'The calling role acts for a partner.',
            HINT = 'Run it as a channel administrator, or leave it to the scheduled job (channel.schedule_jobs()).';
  END IF;
END
$$;
COMMENT ON FUNCTION channel.rollup_require_vendor(text) IS
  'Raises insufficient_privilege when the caller acts for a partner; used by the rollup refresh and rebuild.';

-- The funnel rollups (33_funnel_rollups.sql, which runs later: these
-- names are resolved when the function runs) of one month for the given
-- partners (NULL: all of them), recomputed from the same facts as
-- partner_month: the queued pairs' rows are deleted and the view's rows for
-- them inserted, day, week and month rows from one pass over the facts.  whole:
-- read the month's facts in one pass and keep the partners asked for (the
-- refresh's choice for a month most of whose partners are queued).
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

-- Recomputes the queued pairs the caller's snapshot sees and removes
-- exactly those queue rows; returns how many distinct pairs it recomputed.
-- When the queue covers more than a fifth of the rollup (after a bulk load),
-- recomputing everything in one pass is cheaper than pair by pair; both read
-- the same view, so the result is the same.
CREATE FUNCTION channel.refresh_dirty_rollups() RETURNS bigint
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

CREATE PROCEDURE channel.refresh_rollups()
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  PERFORM channel.refresh_dirty_rollups();
END
$$;
COMMENT ON PROCEDURE channel.refresh_rollups() IS
  'Brings channel.partner_month up to date by recomputing only the partner-months changed since the last refresh. Runs in the caller''s transaction; a second concurrent run returns at once with a NOTICE (it does not wait). Safe while the channel is in use.';

CREATE FUNCTION channel.rebuild_rollups() RETURNS bigint
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
