-- 0.2.0 (issue 27): an `in` list holds at most the 64 items the rule
-- loader reads; values follow the letter-or-digit rule; stamps lie in
-- 1900..2200; TRUNCATE no longer removes the shipped rules.
ALTER TABLE channel.scoring_rule
  ADD CONSTRAINT scoring_rule_list_size
    CHECK (operator <> 'in' OR pg_catalog.array_length(pg_catalog.string_to_array(value, ','), 1) <= 64) NOT VALID,
  ADD CONSTRAINT scoring_rule_times_in_range CHECK (created_at >= '1900-01-01 00:00:00+00' AND created_at < '2201-01-01 00:00:00+00') NOT VALID,
  DROP CONSTRAINT scoring_rule_value_not_blank,
  ADD CONSTRAINT scoring_rule_value_not_blank
    CHECK (value IS NULL OR channel.has_letter_or_digit(value)) NOT VALID;
ALTER TABLE channel.win_model_line
  ADD CONSTRAINT win_model_line_times_in_range CHECK (trained_at >= '1900-01-01 00:00:00+00' AND trained_at < '2201-01-01 00:00:00+00') NOT VALID;
COMMENT ON COLUMN channel.scoring_rule.value IS 'What the attribute is compared with: text, a decimal number, or a comma-separated list of at most 64 items for in; NULL for is_null.';

-- TRUNCATE fires no row trigger, so the tables holding shipped rows refuse
-- it outright (TG_ARGV[0]: how to remove one's own rows instead).
CREATE FUNCTION channel.shipped_rows_truncate_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  RAISE EXCEPTION 'cannot truncate channel.%: it holds rows that ship with the extension', TG_TABLE_NAME
    USING ERRCODE = 'object_not_in_prerequisite_state',
          DETAIL = 'Shipped rows are read-only and restored only by CREATE EXTENSION.',
          HINT = TG_ARGV[0];
END
$$;
COMMENT ON FUNCTION channel.shipped_rows_truncate_guard() IS
  'Trigger: refuses TRUNCATE of a table holding rows the extension ships (channel.scoring_rule, channel.reject_reason); the hint says how to delete one''s own rows.';
CREATE TRIGGER scoring_rule_guard_truncate
  BEFORE TRUNCATE ON channel.scoring_rule
  FOR EACH STATEMENT
  EXECUTE FUNCTION channel.shipped_rows_truncate_guard('Delete your own rules: DELETE FROM channel.scoring_rule WHERE rule_id > 0.');
COMMENT ON TRIGGER scoring_rule_guard_truncate ON channel.scoring_rule IS 'Keeps the shipped rules from being truncated away.';

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
