-- 0.2.0: an extension adds days of 24 hours, not interval days added in the
-- session's TimeZone (a window across a daylight-saving change ended an
-- hour early or late depending on who extended it).
CREATE OR REPLACE FUNCTION channel.extend_deal(deal_id bigint, days integer DEFAULT NULL) RETURNS timestamptz
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, channel, pg_temp
AS $$
DECLARE
  d channel.deal := channel.deal_for_action(extend_deal.deal_id, 'extend deals', false);
  max_extensions integer := pg_catalog.current_setting('channel.deal_max_extensions')::integer;
  step integer := coalesce(days, pg_catalog.current_setting('channel.deal_extension_days')::integer);
  new_end timestamptz;
BEGIN
  IF step < 1 OR step > 365 THEN
    RAISE EXCEPTION 'an extension is 1 to 365 days, not %', step
      USING ERRCODE = 'invalid_parameter_value', HINT = 'Pass days between 1 and 365, or NULL for the default.';
  END IF;
  IF d.status <> 'approved' THEN
    PERFORM channel.deal_illegal_transition(d, 'extend', 'Only approved registrations are extended.');
  END IF;
  IF d.protected_until <= now() THEN
    RAISE EXCEPTION 'cannot extend deal %: its protection ended at %', d.deal_id, d.protected_until
      USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'Register the opportunity again.';
  END IF;
  IF d.extension_count >= max_extensions THEN
    RAISE EXCEPTION 'deal % has been extended % times already', d.deal_id, d.extension_count
      USING ERRCODE = 'object_not_in_prerequisite_state',
            DETAIL = pg_catalog.format('At most %s extensions are allowed (channel.deal_max_extensions).', max_extensions),
            HINT = 'Close the deal, or ask your channel manager.';
  END IF;
  UPDATE channel.deal dl
  -- days of 24 hours, whatever the session's TimeZone (as on registration)
  SET protected_until = dl.protected_until + pg_catalog.make_interval(hours => 24 * step),
      extension_count = dl.extension_count + 1
  WHERE dl.deal_id = d.deal_id
  RETURNING dl.protected_until INTO new_end;
  -- not a status change, so the history trigger does not see it
  INSERT INTO channel.deal_event (deal_id, from_status, to_status, reason)
  VALUES (d.deal_id, d.status, d.status,
          pg_catalog.format('protection extended by %s days (extension %s of %s)', step, d.extension_count + 1, max_extensions));
  RETURN new_end;
END
$$;
