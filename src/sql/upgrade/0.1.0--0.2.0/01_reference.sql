-- 0.2.0 (issue 27): country and product line names follow the
-- letter-or-digit rule; product_line.created_at lies in 1900..2200;
-- country_region(NULL) is a null_value_not_allowed error.
ALTER TABLE channel.country
  DROP CONSTRAINT country_name_check,
  ADD CONSTRAINT country_name_check CHECK (channel.has_letter_or_digit(name)) NOT VALID;
ALTER TABLE channel.product_line
  DROP CONSTRAINT product_line_name_check,
  ADD CONSTRAINT product_line_name_check CHECK (length(name) <= 200 AND channel.has_letter_or_digit(name)) NOT VALID,
  ADD CONSTRAINT product_line_times_in_range CHECK (created_at >= '1900-01-01 00:00:00+00' AND created_at < '2201-01-01 00:00:00+00') NOT VALID;

CREATE OR REPLACE FUNCTION channel.country_region(code channel.country_code) RETURNS channel.region_code
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  found_region channel.region_code;
BEGIN
  IF code IS NULL THEN
    RAISE EXCEPTION 'country code must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass an ISO 3166-1 alpha-2 code, e.g. GB for the United Kingdom.';
  END IF;
  SELECT c.region INTO found_region FROM channel.country c WHERE c.code = country_region.code;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'unknown country code "%"', code
      USING ERRCODE = 'foreign_key_violation',
            DETAIL = 'Country codes are ISO 3166-1 alpha-2 codes, listed in channel.country.',
            HINT = 'Use the two-letter ISO code, e.g. GB for the United Kingdom, DE for Germany.';
  END IF;
  RETURN found_region;
END
$$;
COMMENT ON FUNCTION channel.country_region(channel.country_code) IS
  'Sales region of an ISO 3166-1 alpha-2 country; raises foreign_key_violation for an unknown code, null_value_not_allowed for NULL.';
