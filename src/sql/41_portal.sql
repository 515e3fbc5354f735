-- 41_portal.sql: portal functions of the portal stream itself.
--
-- The partner-facing actions (register_deal, accept_lead, ...) belong to the
-- deals and leads modules; 40_security.sql grants them to channel_partner.
-- What is here fills the gaps row-level security leaves.

-- A lead's contact person, for the partner that accepted the lead (the
-- column is not granted to partners because pool leads are visible to every
-- eligible partner).  The vendor gets any lead's contact.
CREATE FUNCTION channel.lead_contact(lead_id bigint)
RETURNS TABLE (contact_name text, contact_email text)
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  me bigint := channel.current_partner();
  l record;
BEGIN
  IF lead_contact.lead_id IS NULL THEN
    RAISE EXCEPTION 'lead_id must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the id of one of your accepted leads.';
  END IF;
  SELECT ld.partner_id, ld.status, ld.contact_name, ld.contact_email INTO l
  FROM channel.lead ld WHERE ld.lead_id = lead_contact.lead_id;
  IF NOT FOUND OR (me IS NOT NULL AND l.partner_id IS DISTINCT FROM me) THEN
    RAISE EXCEPTION 'lead % does not exist', lead_contact.lead_id
      USING ERRCODE = 'no_data_found',
            HINT = 'Contact details are given for the leads you hold, once accepted.';
  END IF;
  IF me IS NOT NULL AND l.status NOT IN ('accepted', 'converted', 'lost') THEN
    RAISE EXCEPTION 'lead % is not accepted', lead_contact.lead_id
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('The lead is %s; its contact is given once you accept it.', l.status),
            HINT = 'Accept it first with channel.accept_lead().';
  END IF;
  RETURN QUERY SELECT l.contact_name, l.contact_email;
END
$$;
COMMENT ON FUNCTION channel.lead_contact(bigint) IS
  'Contact name and e-mail of a lead: for a partner, only a lead it holds and has accepted (else "lead N does not exist", as for a missing id); for the vendor, any lead.';
REVOKE EXECUTE ON FUNCTION channel.lead_contact(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION channel.lead_contact(bigint) TO channel_admin, channel_partner, channel_analyst;
