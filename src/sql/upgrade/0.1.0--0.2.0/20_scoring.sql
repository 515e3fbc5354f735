-- 0.2.0: channel.score_lead_values, the score from the scored columns
-- without building the row, and rescore_leads() with it (src/sql/20_scoring.sql).
CREATE FUNCTION channel.score_lead_values(source text, campaign text, industry text, country text, region text,
                                          product_line text, authority text, need text, employees integer,
                                          budget numeric, timeline_days integer) RETURNS integer
AS 'MODULE_PATHNAME', 'channel_score_lead_values'
LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION channel.score_lead_values(text, text, text, text, text, text, text, text, integer, numeric, integer) IS
  'Score of a lead from its scored columns (source, campaign, industry, country, region, product_line, authority, need, employees, budget, timeline_days): the same as channel.score_lead(l) for the lead with those values, without building the row; for scoring in bulk.';

CREATE OR REPLACE FUNCTION channel.rescore_leads() RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  n integer;
BEGIN
  IF channel.current_partner() IS NOT NULL THEN
    RAISE EXCEPTION 'permission denied for function rescore_leads'
      USING ERRCODE = 'insufficient_privilege',
            DETAIL = 'Rescoring leads is a vendor action.',
            HINT = 'Ask a channel manager.';
  END IF;
  -- the columns, not the row: channel.score_lead_values (the second call,
  -- for a row whose score changes, costs less than forming the row twice)
  UPDATE channel.lead ld
  SET score = channel.score_lead_values(ld.source, ld.campaign, ld.industry, ld.country, ld.region, ld.product_line,
                                        ld.authority, ld.need, ld.employees, ld.budget, ld.timeline_days)
  WHERE ld.score IS DISTINCT FROM
        channel.score_lead_values(ld.source, ld.campaign, ld.industry, ld.country, ld.region, ld.product_line,
                                  ld.authority, ld.need, ld.employees, ld.budget, ld.timeline_days);
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END
$$;
COMMENT ON FUNCTION channel.rescore_leads() IS
  'Vendor: rescores every lead with the current rules (after rules change); returns how many scores changed.';
