-- 0.2.0 (issue 27): descriptions follow the letter-or-digit rule; TRUNCATE
-- no longer removes the shipped codes; acceptance and close stamps are
-- never before the routing and acceptance; NULL and blank reasons get
-- their own errors.
ALTER TABLE channel.reject_reason
  DROP CONSTRAINT reject_reason_description_not_blank,
  ADD CONSTRAINT reject_reason_description_not_blank CHECK (length(description) <= 500 AND channel.has_letter_or_digit(description)) NOT VALID;
CREATE TRIGGER reject_reason_guard_truncate
  BEFORE TRUNCATE ON channel.reject_reason
  FOR EACH STATEMENT
  EXECUTE FUNCTION channel.shipped_rows_truncate_guard('Delete your own codes: DELETE FROM channel.reject_reason WHERE NOT shipped.');
COMMENT ON TRIGGER reject_reason_guard_truncate ON channel.reject_reason IS 'Keeps the shipped codes from being truncated away.';

CREATE OR REPLACE FUNCTION channel.accept_lead(lead_id bigint) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(accept_lead.lead_id, 'Accept the leads routed to you.');
BEGIN
  IF l.status <> 'routed' THEN
    PERFORM channel.lead_transition_error(l, 'accept', 'a routed');
  END IF;
  -- never before the routing, even for a transaction older than it
  UPDATE channel.lead ld SET status = 'accepted', accepted_at = greatest(now(), ld.routed_at), status_reason = NULL
  WHERE ld.lead_id = l.lead_id;
END
$$;
COMMENT ON FUNCTION channel.accept_lead(bigint) IS
  'Partner: accepts a lead routed to it. The SLA (accept_by) is enforced by channel.recall_overdue_leads(): until it recalls the lead, the partner may still accept it.';

CREATE OR REPLACE FUNCTION channel.reject_lead(lead_id bigint, reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(reject_lead.lead_id, 'Reject the leads routed to you.');
BEGIN
  IF reason IS NULL THEN
    RAISE EXCEPTION 'reason must not be NULL'
      USING ERRCODE = 'null_value_not_allowed',
            DETAIL = 'A rejection gives one of the active codes of channel.reject_reason.',
            HINT = pg_catalog.format('Use one of: %s.',
                     (SELECT pg_catalog.string_agg(r.code, ', ' ORDER BY r.code) FROM channel.reject_reason r WHERE r.active));
  END IF;
  IF NOT EXISTS (SELECT 1 FROM channel.reject_reason r WHERE r.code = reason AND r.active) THEN
    RAISE EXCEPTION 'invalid reject reason "%"', pg_catalog.left(reason, 40)
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A rejection gives one of the active codes of channel.reject_reason.',
            HINT = pg_catalog.format('Use one of: %s.',
                     (SELECT pg_catalog.string_agg(r.code, ', ' ORDER BY r.code) FROM channel.reject_reason r WHERE r.active));
  END IF;
  IF l.status NOT IN ('routed', 'accepted') THEN
    PERFORM channel.lead_transition_error(l, 'reject', 'a routed or accepted');
  END IF;
  UPDATE channel.lead ld SET status = 'rejected', reject_reason = reason, accepted_at = NULL, status_reason = NULL
  WHERE ld.lead_id = l.lead_id;
  PERFORM count(*) FROM channel.reroute_leads(ARRAY[l.lead_id]);
END
$$;
COMMENT ON FUNCTION channel.reject_lead(bigint, text) IS
  'Partner: rejects a lead it holds (routed or accepted) with a code from channel.reject_reason; the lead is routed at once to another partner (never back to this one) or pooled.';

CREATE OR REPLACE FUNCTION channel.convert_lead(lead_id bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(convert_lead.lead_id, 'Convert the leads you accepted.');
  new_deal bigint;
BEGIN
  IF l.status <> 'accepted' THEN
    PERFORM channel.lead_transition_error(l, 'convert', 'an accepted');
  END IF;
  INSERT INTO channel.deal (partner_id, lead_id, customer_name, customer_country, product_line, amount, expected_close)
  VALUES (l.partner_id, l.lead_id, l.company, l.country, l.product_line, coalesce(l.budget, 0),
          current_date + coalesce(l.timeline_days, 90))
  RETURNING deal_id INTO new_deal;
  UPDATE channel.lead ld SET status = 'converted', closed_at = greatest(now(), ld.accepted_at),
         status_reason = pg_catalog.format('deal %s', new_deal)
  WHERE ld.lead_id = l.lead_id;
  RETURN new_deal;
END
$$;
COMMENT ON FUNCTION channel.convert_lead(bigint) IS
  'Partner: turns an accepted lead into a deal registration (amount = budget, expected close = today + timeline) and marks it converted; returns the deal_id.';

CREATE OR REPLACE FUNCTION channel.lose_lead(lead_id bigint, reason text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  l channel.lead := channel.lead_for_action(lose_lead.lead_id, 'Close the leads you accepted.');
BEGIN
  IF l.status <> 'accepted' THEN
    PERFORM channel.lead_transition_error(l, 'lose', 'an accepted');
  END IF;
  IF length(reason) > 500 THEN
    RAISE EXCEPTION 'reason is too long'
      USING ERRCODE = 'string_data_right_truncation',
            DETAIL = pg_catalog.format('%s characters; at most 500.', length(reason)),
            HINT = 'Summarize why the lead was lost.';
  END IF;
  IF NOT channel.has_letter_or_digit(reason) THEN
    RAISE EXCEPTION 'reason has no letter or digit'
      USING ERRCODE = 'invalid_parameter_value',
            DETAIL = 'A reason is text a person can read; blank or invisible text is not one.',
            HINT = 'Say why the lead was lost, or pass NULL.';
  END IF;
  UPDATE channel.lead ld SET status = 'lost', closed_at = greatest(now(), ld.accepted_at), status_reason = reason
  WHERE ld.lead_id = l.lead_id;
END
$$;
COMMENT ON FUNCTION channel.lose_lead(bigint, text) IS
  'Partner: closes an accepted lead as lost, with an optional free-text reason.';
