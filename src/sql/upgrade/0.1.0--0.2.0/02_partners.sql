-- 0.2.0 (issue 27): partner and contact names follow the letter-or-digit
-- rule; dates and stamps lie in 1900..2200; a certification is valid ten
-- years at most; status_changed_at is written by the trigger only.
ALTER TABLE channel.partner
  DROP CONSTRAINT partner_name_not_blank,
  ADD CONSTRAINT partner_name_not_blank CHECK (length(name) <= 200 AND channel.has_letter_or_digit(name)) NOT VALID,
  ADD CONSTRAINT partner_times_in_range
    CHECK (created_at >= '1900-01-01 00:00:00+00' AND created_at < '2201-01-01 00:00:00+00'
           AND status_changed_at >= '1900-01-01 00:00:00+00' AND status_changed_at < '2201-01-01 00:00:00+00') NOT VALID;
ALTER TABLE channel.partner_contact
  DROP CONSTRAINT partner_contact_name_not_blank,
  ADD CONSTRAINT partner_contact_name_not_blank CHECK (length(full_name) <= 200 AND channel.has_letter_or_digit(full_name)) NOT VALID,
  ADD CONSTRAINT partner_contact_times_in_range CHECK (created_at >= '1900-01-01 00:00:00+00' AND created_at < '2201-01-01 00:00:00+00') NOT VALID;
ALTER TABLE channel.partner_product
  ADD CONSTRAINT partner_product_times_in_range CHECK (authorized_on BETWEEN '1900-01-01' AND '2200-12-31') NOT VALID;
ALTER TABLE channel.certification
  ADD CONSTRAINT certification_times_in_range
    CHECK (earned_on BETWEEN '1900-01-01' AND '2200-12-31' AND expires_on BETWEEN '1900-01-01' AND '2200-12-31') NOT VALID,
  ADD CONSTRAINT certification_validity_bounded CHECK (expires_on <= earned_on + 3660) NOT VALID;
COMMENT ON COLUMN channel.partner.status_changed_at IS 'When status last changed (maintained by trigger: stamped at each status change, kept by any other update).';

CREATE OR REPLACE FUNCTION channel.partner_before_write() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  parent_kind text;
BEGIN
  IF NEW.region IS NULL AND NEW.country IS NOT NULL THEN
    NEW.region := channel.country_region(NEW.country);
  END IF;
  -- status_changed_at is derived: stamped when status changes (never
  -- before the last stamp, even for a transaction older than it), kept as
  -- it was by any other update
  IF TG_OP = 'UPDATE' AND NEW.status IS DISTINCT FROM OLD.status THEN
    NEW.status_changed_at := greatest(now(), OLD.status_changed_at);
  ELSIF TG_OP = 'UPDATE' THEN
    NEW.status_changed_at := OLD.status_changed_at;
  END IF;
  IF NEW.parent_id IS NOT NULL
     AND (TG_OP = 'INSERT' OR NEW.parent_id IS DISTINCT FROM OLD.parent_id OR NEW.kind IS DISTINCT FROM OLD.kind) THEN
    -- FOR KEY SHARE keeps the parent from being turned into a non-distributor meanwhile
    SELECT p.kind INTO parent_kind FROM channel.partner p WHERE p.partner_id = NEW.parent_id FOR KEY SHARE;
    IF FOUND AND parent_kind <> 'distributor' THEN
      RAISE EXCEPTION 'partner % cannot be the parent of a partner', NEW.parent_id
        USING ERRCODE = 'check_violation',
              DETAIL = format('Only distributors can have resellers under them; partner %s is a %s.', NEW.parent_id, parent_kind),
              HINT = 'Set parent_id to a partner whose kind is distributor, or to NULL.';
    END IF;
    IF NEW.kind = 'distributor' THEN
      RAISE EXCEPTION 'a distributor cannot have a parent partner'
        USING ERRCODE = 'check_violation',
              DETAIL = 'The channel is two-tier: distributors sit at the top.',
              HINT = 'Set parent_id to NULL for distributors.';
    END IF;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.kind = 'distributor' AND NEW.kind <> 'distributor'
     AND EXISTS (SELECT 1 FROM channel.partner c WHERE c.parent_id = NEW.partner_id) THEN
    RAISE EXCEPTION 'partner % still has resellers under it', NEW.partner_id
      USING ERRCODE = 'check_violation',
            DETAIL = 'Only distributors can have resellers under them.',
            HINT = 'Move its resellers to another distributor first.';
  END IF;
  RETURN NEW;
END
$$;
COMMENT ON FUNCTION channel.partner_before_write() IS
  'Trigger: fills region from country, stamps status changes (status_changed_at is written by nothing else after insert), enforces the two-tier distributor -> reseller shape.';
