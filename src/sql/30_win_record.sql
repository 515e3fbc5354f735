-- 30_win_record.sql: each partner's record of registrations won and
-- closed, over every month of channel.partner_month, kept per partner by
-- the same refresh and rebuild that keep partner_month.
--
-- Why a table: the forecast bands every open registration by its
-- partner's past win rate, and summing the record from every partner-month
-- on each call (214,592 rows at the bench's size) was the largest part of
-- channel.forecast() after the open registrations themselves (perf: 15%).
-- Kept by the refresh for the partners it recomputes, it is one row per
-- partner to read.

CREATE TABLE channel.partner_win_record (
  partner_id   bigint PRIMARY KEY,
  deals_won    bigint NOT NULL,
  deals_closed bigint NOT NULL,
  CONSTRAINT partner_win_record_counts CHECK (deals_won >= 0 AND deals_closed >= deals_won)
);
COMMENT ON TABLE channel.partner_win_record IS
  'Rollup: per partner with a channel.partner_month row, its registrations won and won or lost over every month of it (the forecast''s partner record). Kept by CALL channel.refresh_rollups() for the partners it recomputes and by channel.rebuild_rollups(); always equal to the sums over channel.partner_month.';
COMMENT ON COLUMN channel.partner_win_record.partner_id IS
  'The partner (no foreign key, as in channel.partner_month: derived data, refreshed in bulk).';
COMMENT ON COLUMN channel.partner_win_record.deals_won IS 'Registrations won, summed over the partner''s months (count).';
COMMENT ON COLUMN channel.partner_win_record.deals_closed IS 'Registrations won or lost, summed over the partner''s months (count).';
-- derived partner data: reached only through the extension owner's
-- SECURITY DEFINER functions, like the funnel rollups
ALTER TABLE channel.partner_win_record ENABLE ROW LEVEL SECURITY;
ALTER TABLE channel.partner_win_record FORCE ROW LEVEL SECURITY;
CREATE POLICY partner_win_record_owner ON channel.partner_win_record FOR ALL TO CURRENT_USER USING (true) WITH CHECK (true);
COMMENT ON POLICY partner_win_record_owner ON channel.partner_win_record IS
  'Only the extension''s owner, whose refresh, rebuild and forecast functions write and read it; nobody else is granted the table.';
SELECT pg_catalog.pg_extension_config_dump('channel.partner_win_record', '');

-- The records of the partners in ids (NULL: every partner) recomputed from
-- channel.partner_month; a partner left without a partner_month row loses
-- its record.  Called by refresh_dirty_rollups() and rebuild_rollups(),
-- under their lock.
CREATE FUNCTION channel.refresh_win_records(ids bigint[]) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, channel, pg_temp
AS $$
BEGIN
  -- two statements, not one with "ids IS NULL OR": each keeps its own plan
  -- (the partners' index for a list, one pass over partner_month for all)
  IF ids IS NULL THEN
    DELETE FROM channel.partner_win_record;
    INSERT INTO channel.partner_win_record (partner_id, deals_won, deals_closed)
    SELECT pm.partner_id, sum(pm.deals_won), sum(pm.deals_won) + sum(pm.deals_lost)
    FROM channel.partner_month pm
    GROUP BY pm.partner_id;
  ELSE
    DELETE FROM channel.partner_win_record w WHERE w.partner_id = ANY (ids);
    INSERT INTO channel.partner_win_record (partner_id, deals_won, deals_closed)
    SELECT pm.partner_id, sum(pm.deals_won), sum(pm.deals_won) + sum(pm.deals_lost)
    FROM channel.partner_month pm
    WHERE pm.partner_id = ANY (ids)
    GROUP BY pm.partner_id;
  END IF;
END
$$;
COMMENT ON FUNCTION channel.refresh_win_records(bigint[]) IS
  'Recomputes channel.partner_win_record for the partners in ids (NULL: all) from channel.partner_month. Called by the rollups'' refresh and rebuild.';
